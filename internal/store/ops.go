package store

import (
	"context"
	"fmt"
	"github.com/kabarnews/kabar/internal/pace"
	"time"
)

// PaceStore keeps shared pacing slots in the database, so that a limit such
// as "one request to this host per second" or the Google News pace holds
// across every process that shares the database, not just within one.
type PaceStore interface {
	// Pace reserves the next slot of key, at least every apart from the slot
	// reserved before it, and returns how long the caller must wait before
	// using it (0 when the slot is now). Reservations are atomic: two callers,
	// in one process or in many, never get the same slot. every <= 0 reserves
	// nothing and returns 0.
	Pace(ctx context.Context, key string, every time.Duration) (wait time.Duration, err error)
	// HoldPace keeps every slot of key at or after until (a 429's
	// Retry-After, seen by one process and honoured by all).
	HoldPace(ctx context.Context, key string, until time.Time) error
}

// OpsStore is what operating kabar needs of the database: a readiness probe,
// retention and a look at the job queue.
type OpsStore interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// PruneItems drops raw feed data that nothing needs any more: the
	// feed-supplied description of items done before cutoff. Items, their
	// state and every post are kept (the item row is what stops a re-polled
	// feed from making its article again). It returns how many items it
	// pruned.
	PruneItems(ctx context.Context, before time.Time) (int64, error)
	// QueueDepth counts the job queue's jobs by state (available, running,
	// retryable, scheduled…). It is empty, without an error, while the
	// queue's tables do not exist yet.
	QueueDepth(ctx context.Context) (map[string]int, error)
}

// HeldError is returned by SharedPacer when the next slot of a key is
// further away than its MaxWait (the key is held off after a 429): the
// caller should put its work off until Until rather than sleep. It is the
// pace package's, so that the fetcher and the Google News resolver know it
// whichever pacer they were given.
type HeldError = pace.HeldError

// SharedPacer spaces uses of a key (a host's requests, Google News
// resolutions) across every process sharing the database. It is a
// pace.DelayPacer and a pace.Blocker, so one value plugs into the fetcher's
// Config.Pacer or the resolver's.
type SharedPacer struct {
	Store PaceStore
	// Every is the least time between two starts for one key.
	Every time.Duration
	// Prefix is put before every key: DefaultHostPacePrefix for hosts, ""
	// for keys that carry their own namespace (gnews:resolve).
	Prefix string
	// MaxWait, when positive, makes Wait return a *HeldError instead of
	// sleeping longer than this.
	MaxWait time.Duration
}

// DefaultHostPacePrefix is the key prefix of per-host pacing slots.
const DefaultHostPacePrefix = "host:"

// NewHostPacer is the shared pacer for the fetcher: at least every between
// two request starts to one host.
func NewHostPacer(ps PaceStore, every time.Duration) SharedPacer {
	return SharedPacer{Store: ps, Every: every, Prefix: DefaultHostPacePrefix}
}

// Wait blocks until key's next slot and reserves it.
func (p SharedPacer) Wait(ctx context.Context, key string) error {
	return p.WaitDelay(ctx, key, 0)
}

// WaitDelay is Wait with a wider spacing for this reservation: the next slot
// is at least max(delay, Every) after the one reserved (a robots.txt
// Crawl-delay).
func (p SharedPacer) WaitDelay(ctx context.Context, key string, delay time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	every := max(delay, p.Every)
	if every <= 0 {
		return nil
	}
	key = p.Prefix + key
	d, err := p.Store.Pace(ctx, key, every)
	if err != nil {
		return fmt.Errorf("pace %s: %w", key, err)
	}
	if d <= 0 {
		return nil
	}
	if p.MaxWait > 0 && d > p.MaxWait {
		return &HeldError{Key: key, Until: time.Now().Add(d)}
	}
	// Cancelled, the slot stays taken, which errs on the polite side.
	return pace.Sleep(ctx, d)
}

// Block holds key off until until, for every process.
func (p SharedPacer) Block(ctx context.Context, key string, until time.Time) error {
	return p.Store.HoldPace(ctx, p.Prefix+key, until)
}
