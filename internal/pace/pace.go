// Package pace spaces out uses of a key: requests to one host, Google News
// resolutions. The fetcher (fetch.Config.Pacer) and the Google News resolver
// (gnews.Options.Pacer) take the interfaces declared here, so one value, in
// memory (Mem) or in the database shared by every process of one store
// (store.SharedPacer), serves both.
package pace

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Pacer spaces out uses of a key. Wait blocks until one more use of key may
// start and reserves that start: two Waits for one key return at least the
// pacer's delay apart. A cancelled Wait does not give its reserved start
// back, so later uses stay spaced as if it had run (the gap errs on the
// polite side).
//
// A Wait may return a *HeldError (or an error the caller knows as such)
// instead of sleeping when the key is held off for long (see Blocker).
//
// A pacer shared between processes (store.SharedPacer) reserves where they
// all see it, one row per key, (key, next_at), atomically and on the
// database's clock, e.g. in PostgreSQL
//
//	INSERT INTO pace (key, next_at) VALUES ($1, now() + $2)
//	ON CONFLICT (key) DO UPDATE
//	SET next_at = greatest(pace.next_at, now()) + $2
//	RETURNING greatest(next_at - $2 - now(), interval '0')
//
// ($2 the delay), then sleeps the interval returned, honouring ctx.
// Computing the wait on the database side keeps clock skew between machines
// out of it; the row lock lines concurrent reservations for one key up, each
// delay apart (SQLite's single writer does the same). Rows whose next_at is
// long past may be deleted at any time. On a database error it returns the
// error (wrapped): the use fails and is tried again later; it never falls
// back to no pacing.
type Pacer interface {
	Wait(ctx context.Context, key string) error
}

// DelayPacer is a Pacer that can space one key wider than its default delay
// (a robots.txt Crawl-delay): WaitDelay reserves a start as Wait does, and
// the next start for key is at least max(delay, the pacer's own delay)
// after it. A shared pacer implements it so that the wider gap is shared
// too.
type DelayPacer interface {
	Pacer
	WaitDelay(ctx context.Context, key string, delay time.Duration) error
}

// Blocker is a Pacer that can hold a key off after a 429: from Block until
// until, Wait for key fails with a *HeldError (or the pacer's own such
// error) instead of sleeping.
type Blocker interface {
	Block(ctx context.Context, key string, until time.Time) error
}

// HeldError is returned by Mem.Wait while its key is blocked: the caller
// should put its work off until Until rather than sleep.
type HeldError struct {
	Key   string
	Until time.Time
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("pace %s: held off until %s", e.Key, e.Until.UTC().Format(time.RFC3339))
}

// Mem is the in-process pacer: a Pacer, DelayPacer and Blocker keeping one
// next start and one blocked-until time per key. It is safe for concurrent
// use.
type Mem struct {
	delay   time.Duration
	mu      sync.Mutex
	next    map[string]time.Time // earliest start of the next use per key
	blocked map[string]time.Time
	calls   int
	// now and sleep are the clock; tests replace them so that the schedule
	// is checked exactly, whatever the machine's load.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// NewMem returns a Mem that keeps at least delay between two starts for one
// key. delay <= 0 means no spacing, except as WaitDelay asks (a Block still
// holds).
func NewMem(delay time.Duration) *Mem {
	return &Mem{
		delay:   delay,
		next:    make(map[string]time.Time),
		blocked: make(map[string]time.Time),
		now:     time.Now,
		sleep:   Sleep,
	}
}

// Wait implements Pacer.
func (p *Mem) Wait(ctx context.Context, key string) error {
	return p.WaitDelay(ctx, key, 0)
}

// WaitDelay implements DelayPacer.
func (p *Mem) WaitDelay(ctx context.Context, key string, delay time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	now := p.now()
	if until, ok := p.blocked[key]; ok {
		if now.Before(until) {
			p.mu.Unlock()
			return &HeldError{Key: key, Until: until}
		}
		delete(p.blocked, key)
	}
	delay = max(delay, p.delay)
	if delay <= 0 {
		p.mu.Unlock()
		return nil
	}
	start := p.next[key]
	if start.Before(now) {
		start = now
	}
	p.next[key] = start.Add(delay)
	p.calls++
	if p.calls%1024 == 0 { // forget keys whose slot is long past
		for k, t := range p.next {
			if t.Before(now) {
				delete(p.next, k)
			}
		}
	}
	p.mu.Unlock()
	return p.sleep(ctx, start.Sub(now))
}

// Block implements Blocker. An earlier until does not shorten a later one.
func (p *Mem) Block(_ context.Context, key string, until time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.blocked[key]) {
		p.blocked[key] = until
	}
	return nil
}

// Timed returns p with the length of every wait (Wait and WaitDelay, errors
// included) reported to observe, for a metric.
func Timed(p DelayPacer, observe func(time.Duration)) DelayPacer {
	return timed{p: p, observe: observe}
}

type timed struct {
	p       DelayPacer
	observe func(time.Duration)
}

func (t timed) Wait(ctx context.Context, key string) error {
	defer t.since(time.Now())
	return t.p.Wait(ctx, key)
}

func (t timed) WaitDelay(ctx context.Context, key string, d time.Duration) error {
	defer t.since(time.Now())
	return t.p.WaitDelay(ctx, key, d)
}

func (t timed) since(start time.Time) { t.observe(time.Since(start)) }

// Sleep waits d or until ctx is done, whichever comes first, and returns
// ctx's error if it is done (also when d <= 0).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
