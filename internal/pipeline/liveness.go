package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

// A process that dies (SIGKILL, a lost machine) leaves its jobs running
// in the queue. River's rescuer hands such a job back only once it has
// been running for RescueAfter (15 minutes by default, for it cannot tell
// a dead process's job from a slow one). So every process records that it
// lives, under the ID its River client claims jobs with (the last entry of
// a job's attempted_by), every Heartbeat; and every process, at each beat,
// hands back the running jobs of the processes silent for DeadAfter
// (store.ProcessStore.RescueDead). A live process's jobs are never
// touched, so a job runs twice only when its process was alive but silent
// for that long (a stalled database); the items' claims and the stores'
// upserts make even that harmless.

const (
	defaultHeartbeat = 10 * time.Second
	// deadBeats is how many beats a process may miss before it counts as
	// dead: with the default beat, one minute.
	deadBeats = 6
	// storySweepEvery is how often the posts waiting for their story are
	// assigned again, and storyGrace how old such a post must be: a
	// younger one may be in the hands of the worker that saved it.
	storySweepEvery = time.Minute
	storyGrace      = time.Minute
)

// newClientID is a process's name in the queue: unique per start, and
// telling an operator where it ran.
func newClientID() string {
	host, _ := os.Hostname()
	if len(host) > 40 {
		host = host[:40]
	}
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s_%d_%s", host, os.Getpid(), hex.EncodeToString(b))
}

// ClientID is the ID the queue's River client claims jobs under.
func (q *Queue[TTx]) ClientID() string { return q.id }

// DeadAfter is how long a process may stay silent before its running jobs
// are handed back.
func (q *Queue[TTx]) DeadAfter() time.Duration { return deadBeats * q.opt.Heartbeat }

// register records the process before its client claims any job, so that
// every job it ever holds belongs to a known process.
func (q *Queue[TTx]) register(ctx context.Context) error {
	return q.p.Store.Beat(ctx, q.id, q.p.Now(), true)
}

// CheckLiveness beats for this process, then hands back the running jobs
// of dead processes. The background loop calls it every Heartbeat; tests
// call it with the pipeline's clock where they want it.
func (q *Queue[TTx]) CheckLiveness(ctx context.Context) error {
	now := q.p.Now()
	err := q.p.Store.Beat(ctx, q.id, now, false)
	if errors.Is(err, store.ErrNotFound) {
		// Another process took this one for dead (it could not beat for
		// DeadAfter) and handed its jobs back: those it still runs may
		// run twice, which items' claims and upserts make harmless.
		q.p.Log.Error("this process was taken for dead and its running jobs were handed to others; registering again",
			"process", q.id, "dead_after", q.DeadAfter())
		err = q.p.Store.Beat(ctx, q.id, now, true)
	}
	if err != nil {
		// Without a fresh beat of its own, a process must not judge
		// others: its own row may be the stale one.
		return fmt.Errorf("heartbeat: %w", err)
	}
	rescued, err := q.p.Store.RescueDead(ctx, now.Add(-q.DeadAfter()), now)
	if err != nil {
		return err
	}
	for _, j := range rescued {
		q.p.Log.Warn("handed back a dead process's job", "job", j.ID, "kind", j.Kind, "process", j.Process, "discarded", j.Discarded)
		if j.Discarded {
			// It will not run again: its items are free for another job
			// now, not when the claim runs out.
			if ids := jobItems(j); len(ids) > 0 {
				if err := q.p.Store.ReleaseItems(ctx, ids, owner(j.ID)); err != nil {
					q.p.Log.Warn("releasing a discarded job's items", "job", j.ID, "err", err)
				}
			}
		}
	}
	return nil
}

// jobItems are the items a job of this queue works on.
func jobItems(j store.RescuedJob) []int64 {
	switch j.Kind {
	case BatchArgs{}.Kind():
		var a BatchArgs
		if json.Unmarshal(j.Args, &a) == nil {
			return a.ItemIDs
		}
	case ItemArgs{}.Kind():
		var a ItemArgs
		if json.Unmarshal(j.Args, &a) == nil && a.ItemID != 0 {
			return []int64{a.ItemID}
		}
	}
	return nil
}

// background beats and rescues every Heartbeat, and assigns the posts
// waiting for their story at start and every storySweepEvery, until quit.
func (q *Queue[TTx]) background(ctx context.Context) {
	defer close(q.bgDone)
	beat := time.NewTicker(q.opt.Heartbeat)
	defer beat.Stop()
	sweep := time.NewTicker(storySweepEvery)
	defer sweep.Stop()
	q.sweepStories(ctx, time.Now().Add(-storyGrace))
	for {
		select {
		case <-q.quit:
			return
		case <-beat.C:
			if err := q.CheckLiveness(ctx); err != nil {
				q.p.Log.Warn("liveness check failed", "err", err)
			}
		case <-sweep.C:
			q.sweepStories(ctx, time.Now().Add(-storyGrace))
		}
	}
}

// sweepStories assigns the posts waiting for their story that were
// created before createdBefore, and reports how many are left.
func (q *Queue[TTx]) sweepStories(ctx context.Context, createdBefore time.Time) int {
	n, err := q.p.AssignWaitingStories(ctx, createdBefore)
	if n > 0 {
		q.p.Log.Info("assigned posts that waited for their story", "posts", n)
	}
	if err == nil {
		return 0
	}
	q.p.Log.Warn("posts still wait for their story", "err", err)
	left, lerr := q.p.Store.StorylessPosts(ctx, createdBefore, 0)
	if lerr != nil {
		return 1
	}
	return len(left)
}

// stopBackground ends the background loop and waits for it.
func (q *Queue[TTx]) stopBackground() {
	q.quitOnce.Do(func() { close(q.quit) })
	if q.started {
		q.bgCancel()
		<-q.bgDone
	}
}

// leave forgets the process once its client has stopped cleanly; a
// process that could not stop its jobs stays registered, so that others
// hand them back once it has gone silent.
func (q *Queue[TTx]) leave(ctx context.Context, stopErr error) error {
	if stopErr != nil {
		return stopErr
	}
	if err := q.p.Store.Leave(ctx, q.id); err != nil {
		q.p.Log.Warn("unregistering the process", "err", err)
	}
	return nil
}
