package cli

import (
	"context"
	"errors"
	"time"

	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/ops"
	"github.com/kabarnews/kabar/internal/pace"
	"github.com/kabarnews/kabar/internal/store"
)

// sharedPacer is store.SharedPacer as a pace.DelayPacer and pace.Blocker:
// its *store.HeldError becomes the *pace.HeldError that the Google News
// resolver turns into a *gnews.RateLimitedError, so that the item waits
// (DeferItem) and the worker moves on.
type sharedPacer struct{ store.SharedPacer }

func (p sharedPacer) Wait(ctx context.Context, key string) error {
	return p.WaitDelay(ctx, key, 0)
}

func (p sharedPacer) WaitDelay(ctx context.Context, key string, d time.Duration) error {
	err := p.SharedPacer.WaitDelay(ctx, key, d)
	var held *store.HeldError
	if errors.As(err, &held) {
		return &pace.HeldError{Key: held.Key, Until: held.Until}
	}
	return err
}

// newGNewsPacer paces Google News resolutions through the database, so that
// every process on it shares one pace (key gnews.PaceKey) and a 429 seen by
// one holds all of them off (pace.Blocker). A hold longer than a minute is
// reported instead of slept through. Pass it as gnews.Options.Pacer wherever
// the pipeline builds its resolver.
func newGNewsPacer(ps store.PaceStore, interval time.Duration) sharedPacer {
	if interval == 0 {
		interval = gnews.DefaultInterval
	}
	return sharedPacer{store.SharedPacer{Store: ps, Every: max(interval, 0), MaxWait: time.Minute}}
}

// newHostPacer is the fetcher's per-host pace kept in the database, each
// wait recorded in kabar_pace_wait_seconds.
func newHostPacer(ps store.PaceStore, every time.Duration) pace.DelayPacer {
	return pace.Timed(store.NewHostPacer(ps, every), func(d time.Duration) {
		ops.PaceWaitSeconds.Observe(d.Seconds())
	})
}

var (
	_ pace.DelayPacer = sharedPacer{}
	_ pace.Blocker    = sharedPacer{}
)
