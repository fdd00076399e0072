package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// StoryBacklogStore finds the posts that wait for their story. SavePost
// marks every post it creates as waiting, in the transaction that creates
// it; AssignStory ends the wait in the transaction that puts the post in a
// story. A post whose assignment failed (a full disk, a lost connection)
// therefore waits until an assignment succeeds: nothing can leave it
// without a story for good.
type StoryBacklogStore interface {
	// StorylessPosts lists up to limit posts, oldest first, that wait for
	// their story and were created before the given time (a post younger
	// than that is still being assigned by the worker that saved it).
	StorylessPosts(ctx context.Context, createdBefore time.Time, limit int) ([]int64, error)
}

// ProcessStore keeps the processes that run jobs and their signs of life,
// so that the running jobs of a process that died (SIGKILL, a lost
// machine) are handed back within a minute, not after the job queue's
// rescue period, and the jobs of a live process are never touched.
//
// A process is known by the ID its job queue client claims jobs under
// (the last entry of River's attempted_by). Times are the callers' clocks:
// every process must keep its clock in step (NTP) to well within the
// period after which a silent process counts as dead.
type ProcessStore interface {
	// Beat records that process id lives at now (a first beat registers
	// it). It returns ErrNotFound when the process had been taken for
	// dead and its jobs handed back: the process must not go on with the
	// jobs it holds.
	Beat(ctx context.Context, id string, now time.Time, first bool) error
	// Leave forgets a process that stops cleanly.
	Leave(ctx context.Context, id string) error
	// RescueDead hands back the running jobs of every process whose last
	// beat is before deadBefore: a job that has attempts left becomes
	// available at once, one that has none is discarded (as the queue's
	// own rescuer does), and the process is forgotten. Only jobs whose
	// current attempt belongs to a dead process are touched. It returns
	// what it did, for the caller to log and to release the items the
	// discarded jobs had claimed.
	RescueDead(ctx context.Context, deadBefore, now time.Time) ([]RescuedJob, error)
}

// RescuedJob is one job RescueDead handed back.
type RescuedJob struct {
	ID      int64
	Kind    string
	Args    []byte // the job's arguments, JSON
	Process string // the dead process that held it
	// Discarded is true when the job had no attempt left: it will not run
	// again, and what it had claimed must be released.
	Discarded bool
}

// WriteHealth remembers whether the database took the last write, for the
// readiness probe: a store records every write's outcome, and its Ping
// fails while the last write failed for a reason of the database's own (a
// full disk, an I/O error, a read-only file), not the caller's (a
// constraint, a missing row). Safe for concurrent use.
type WriteHealth struct {
	mu  sync.Mutex
	err error
	at  time.Time
}

// Failed records a write the database refused.
func (h *WriteHealth) Failed(err error) {
	h.mu.Lock()
	if h.err == nil {
		h.at = time.Now() // the first failure of a run of them
	}
	h.err = err
	h.mu.Unlock()
}

// Succeeded records a write that committed.
func (h *WriteHealth) Succeeded() {
	h.mu.Lock()
	h.err = nil
	h.mu.Unlock()
}

// Err is the last write's failure, nil when it committed (or when none
// was made).
func (h *WriteHealth) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		return nil
	}
	return &WriteError{Err: h.err, Since: h.at}
}

// WriteError is Ping's answer while writes fail.
type WriteError struct {
	Err   error
	Since time.Time
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("the database refuses writes (since %s): %v", e.Since.UTC().Format(time.RFC3339), e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }
