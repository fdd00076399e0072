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

// WriteHealth remembers whether the database takes writes, for the
// readiness probe: a store records every write transaction's outcome, and
// its Ping fails while writes fail for a reason of the database's own (a
// full disk, an I/O error, a read-only file), not the caller's (a
// constraint, a missing row).
//
// "While writes fail" is: from a refused write until a write commits again
// and none has been refused for WriteHold. The hold keeps the probe from
// flapping when small writes fit and large ones do not (a disk nearly
// full). Safe for concurrent use.
type WriteHealth struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu        sync.Mutex
	err       error
	since, at time.Time // the first and the last refusal of a run of them
	committed bool      // a write committed after the last refusal
}

// WriteHold is how long after a refused write the probe still fails,
// whatever commits meanwhile.
const WriteHold = 30 * time.Second

func (h *WriteHealth) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Failed records a write the database refused.
func (h *WriteHealth) Failed(err error) {
	now := h.now()
	h.mu.Lock()
	if h.err == nil {
		h.since = now
	}
	h.err, h.at, h.committed = err, now, false
	h.mu.Unlock()
}

// Succeeded records a write that committed.
func (h *WriteHealth) Succeeded() {
	now := h.now()
	h.mu.Lock()
	h.committed = true
	if h.err != nil && now.Sub(h.at) >= WriteHold {
		h.err = nil
	}
	h.mu.Unlock()
}

// Err is the failure that makes the database unfit for writes now, nil
// when it takes them. probe is true when only the lack of a commit since
// the hold ended keeps the error: a write of the caller's own (a probe)
// would tell, and clear it by committing.
func (h *WriteHealth) Err() (err error, probe bool) {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		return nil, false
	}
	if now.Sub(h.at) >= WriteHold {
		if h.committed {
			h.err = nil
			return nil, false
		}
		probe = true
	}
	return &WriteError{Err: h.err, Since: h.since}, probe
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
