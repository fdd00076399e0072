package gnews

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Pacer spaces out resolutions. Wait blocks until one more resolution may
// start and reserves that start: two Waits for one key return at least the
// pacer's interval apart. It has the method set of fetch.Pacer, so one
// implementation (in memory, or in the database shared by every process of
// one store) serves both; the resolver uses the key PaceKey, which is not a
// host name and so never collides with the fetcher's per-host keys.
//
// A Wait may return a *RateLimitedError to say "not before then" instead of
// sleeping that long (a shared pacer that knows of a 429 seen by another
// process does so).
type Pacer interface {
	Wait(ctx context.Context, key string) error
}

// Blocker is implemented by a Pacer that can hold every process off after a
// 429: the resolver calls Block with the time Google said to come back, and
// from then until that time the pacer's Wait should fail with a
// *RateLimitedError. Optional: without it, the back-off is per Resolver.
type Blocker interface {
	Block(ctx context.Context, key string, until time.Time) error
}

// PaceKey is the key the resolver passes to Pacer.Wait and Blocker.Block.
// store.HostPacer{Store: st, Every: d} is a Pacer shared by every process of
// one database (its slot is then "host:" + PaceKey, which no host name can
// be).
const PaceKey = "gnews:batchexecute"

// DefaultInterval is the default pace: at most one resolution (one article
// page plus its share of a batchexecute POST) every 5 seconds. The only
// public measurement (docs/gnews.md) saw a 429 after about 15 quick
// resolutions and none at 70 seconds apart; set a longer interval for volume.
const DefaultInterval = 5 * time.Second

// DefaultBackoff is how long the resolver keeps away after a 429 that came
// without Retry-After. MaxBackoff caps a Retry-After.
const (
	DefaultBackoff = time.Hour
	MaxBackoff     = 24 * time.Hour
)

// MemPacer is the in-process Pacer (and Blocker): one next-allowed start and
// one blocked-until time per key.
type MemPacer struct {
	interval time.Duration
	now      func() time.Time
	mu       sync.Mutex
	next     map[string]time.Time
	blocked  map[string]time.Time
}

// NewPacer returns a MemPacer that keeps interval between two starts for one
// key. interval <= 0 means no spacing (a Block still holds).
func NewPacer(interval time.Duration) *MemPacer {
	return &MemPacer{interval: interval, now: time.Now, next: map[string]time.Time{}, blocked: map[string]time.Time{}}
}

// Wait implements Pacer.
func (p *MemPacer) Wait(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	now := p.now()
	if until, ok := p.blocked[key]; ok {
		if now.Before(until) {
			p.mu.Unlock()
			return &RateLimitedError{Until: until, Detail: "held off after an earlier 429"}
		}
		delete(p.blocked, key)
	}
	if p.interval <= 0 {
		p.mu.Unlock()
		return nil
	}
	start := p.next[key]
	if start.Before(now) {
		start = now
	}
	p.next[key] = start.Add(p.interval)
	p.mu.Unlock()
	d := start.Sub(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// The slot stays taken: later resolutions remain spaced as if this
		// one had run, which errs on the polite side.
		return ctx.Err()
	}
}

// Block implements Blocker.
func (p *MemPacer) Block(_ context.Context, key string, until time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.blocked[key]) {
		p.blocked[key] = until
	}
	return nil
}

// Errors of online resolution; test them with errors.Is. Each comes inside
// a *ResolveError that says whether another attempt may succeed, except
// ErrRateLimited, which comes inside a *RateLimitedError.
var (
	// ErrRateLimited: Google answered 429 (now or recently); wait until
	// RateLimitedError.Until.
	ErrRateLimited = errors.New("gnews: Google News is rate-limiting link resolution")
	// ErrNoURL: Google answered the request but gave no usable publisher URL
	// (missing, empty, not http(s), or a Google page). Permanent.
	ErrNoURL = errors.New("gnews: Google's answer holds no publisher URL")
	// ErrArticleGone: the article page answered 404 or 410. Permanent.
	ErrArticleGone = errors.New("gnews: Google News has no page for this article ID")
	// ErrErrorReply: the batchexecute envelope carried an error code instead
	// of a payload (e.g. [3]): the request shape or the signature was
	// refused. Temporary: a new signature, or a fixed kabar, may pass.
	ErrErrorReply = errors.New("gnews: batchexecute answered with an error envelope")
	// ErrNoSignature: the article page carried no data-n-a-sg/data-n-a-ts
	// (a consent or CAPTCHA page, or a changed page). Temporary.
	ErrNoSignature = errors.New("gnews: article page has no signature (data-n-a-sg, data-n-a-ts)")
	// ErrBadReply: the batchexecute reply was not the expected shape, or had
	// no envelope for this ID. Temporary.
	ErrBadReply = errors.New("gnews: unexpected batchexecute reply")
	// ErrNoResolver: online resolution is needed but none is configured.
	ErrNoResolver = errors.New("gnews: no online resolver configured")
)

// ResolveError is returned for a new-form ID that could not be resolved.
type ResolveError struct {
	ID string
	// Err is one of the sentinels above, or the fetch/context error.
	Err error
	// Retry says whether a later attempt may succeed. False means the answer
	// is final (and is cached as such): do not ask Google again.
	Retry bool
	// Detail is extra context, may be empty.
	Detail string
}

func (e *ResolveError) Error() string {
	s := e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Retry {
		s += " (temporary)"
	} else {
		s += " (permanent)"
	}
	if e.ID != "" {
		s += " [id " + abbrev(e.ID, 40) + "]"
	}
	return s
}

func (e *ResolveError) Unwrap() error { return e.Err }

// RateLimitedError says Google is rate-limiting: nothing should be asked
// before Until.
type RateLimitedError struct {
	Until  time.Time
	Detail string
}

func (e *RateLimitedError) Error() string {
	s := fmt.Sprintf("%v: retry after %s", ErrRateLimited, e.Until.UTC().Format(time.RFC3339))
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

func (e *RateLimitedError) Unwrap() error { return ErrRateLimited }

// Retryable tells a caller what to do with an error from Resolve: retry
// reports whether another attempt may succeed, and notBefore, when not zero,
// is the earliest time it may be made (after a 429). Offline decode errors
// (story, video, topic IDs, malformed links) and permanent resolution
// failures give retry false; anything unknown (network, context) gives true.
func Retryable(err error) (retry bool, notBefore time.Time) {
	if err == nil {
		return false, time.Time{}
	}
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		return true, rl.Until
	}
	var re *ResolveError
	if errors.As(err, &re) {
		return re.Retry, time.Time{}
	}
	var de *Error
	if errors.As(err, &de) {
		return false, time.Time{}
	}
	return true, time.Time{}
}
