package cli

import (
	"time"

	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/ops"
	"github.com/kabarnews/kabar/internal/pace"
	"github.com/kabarnews/kabar/internal/store"
)

// newGNewsPacer paces Google News resolutions through the database, so that
// every process on it shares one pace (key gnews.PaceKey) and a 429 seen by
// one holds all of them off (pace.Blocker). A hold longer than a minute is
// reported instead of slept through. Pass it as gnews.Options.Pacer wherever
// the pipeline builds its resolver.
func newGNewsPacer(ps store.PaceStore, interval time.Duration) store.SharedPacer {
	if interval == 0 {
		interval = gnews.DefaultInterval
	}
	return store.SharedPacer{Store: ps, Every: max(interval, 0), MaxWait: time.Minute}
}

// newHostPacer is the fetcher's per-host pace kept in the database, each
// wait recorded in kabar_pace_wait_seconds.
func newHostPacer(ps store.PaceStore, every time.Duration) pace.DelayPacer {
	return pace.Timed(store.NewHostPacer(ps, every), func(d time.Duration) {
		ops.PaceWaitSeconds.Observe(d.Seconds())
	})
}

var (
	_ pace.DelayPacer = store.SharedPacer{}
	_ pace.Blocker    = store.SharedPacer{}
)
