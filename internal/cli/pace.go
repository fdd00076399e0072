package cli

import (
	"context"
	"errors"
	"time"

	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/store"
)

// gnewsPacer paces Google News resolutions through the database, so that
// every process on it shares one pace (key gnews.PaceKey) and a 429 seen by
// one holds all of them off (gnews.Blocker). A hold longer than a minute is
// reported as the *gnews.RateLimitedError the resolver expects instead of
// a sleep, so the item waits (DeferItem) and the worker moves on. Pass it as
// gnews.Options.Pacer wherever the pipeline builds its resolver.
type gnewsPacer struct{ shared store.SharedPacer }

func newGNewsPacer(ps store.PaceStore, interval time.Duration) gnewsPacer {
	if interval == 0 {
		interval = gnews.DefaultInterval
	}
	return gnewsPacer{store.SharedPacer{Store: ps, Every: max(interval, 0), MaxWait: time.Minute}}
}

func (p gnewsPacer) Wait(ctx context.Context, key string) error {
	err := p.shared.Wait(ctx, key)
	var held *store.HeldError
	if errors.As(err, &held) {
		return &gnews.RateLimitedError{Until: held.Until, Detail: "held off by the shared pace after a 429"}
	}
	return err
}

func (p gnewsPacer) Block(ctx context.Context, key string, until time.Time) error {
	return p.shared.Block(ctx, key, until)
}

var (
	_ gnews.Pacer   = gnewsPacer{}
	_ gnews.Blocker = gnewsPacer{}
)
