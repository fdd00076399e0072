package fetch

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Pacer spaces out requests to one host. Wait blocks until a request to host
// may start, and reserves that start: two Waits for one host return at least
// the pacer's delay apart. The in-process implementation is NewPacer.
//
// The Client calls Wait before every request it sends (robots.txt and every
// redirect hop included), while holding the host's slot (one request at a
// time per host in this process), and never in replay mode. host is the
// URL's host name: lower case, IDNA in ASCII form, without port or
// trailing dot (an IPv6 literal without brackets). A Wait error ends that request: the fetch fails with it wrapped,
// it does not count against the host's circuit breaker, and Do does not
// retry it.
//
// Sharing the pace between processes (a database-backed Pacer, such as
// internal/store's HostPacer). Several kabar processes fetching from one
// host must share one budget, so the reservation is made where they all see
// it:
//
//   - one row per host: (key text primary key, next_at timestamp), next_at
//     being the earliest start the next request to the host may have;
//
//   - Wait reserves atomically, in one statement, on the database's clock,
//     e.g. in PostgreSQL
//
//     INSERT INTO pace (key, next_at) VALUES ($1, now() + $2)
//     ON CONFLICT (key) DO UPDATE
//     SET next_at = greatest(pace.next_at, now()) + $2
//     RETURNING greatest(next_at - $2 - now(), interval '0')
//
//     ($2 the delay), then sleeps the interval returned, honouring ctx.
//     Computing the wait on the database side keeps clock skew between
//     machines out of it; the row lock lines concurrent reservations for
//     one host up, each delay apart (SQLite's single writer does the same);
//
//   - a cancelled Wait does not give its reserved start back (the gap errs
//     on the polite side), exactly like NewPacer;
//
//   - implement DelayPacer too, so that a robots.txt Crawl-delay longer
//     than the default is shared as well: WaitDelay(ctx, host, d) is the
//     same reservation with max(d, default) as $2;
//
//   - rows whose next_at is long past may be deleted at any time;
//
//   - on a database error, return it (wrapped): the request fails and the
//     caller's job is tried again later. Do not fall back to no pacing.
//
// The one-request-at-a-time slot stays per process; across processes only
// the start-to-start gap is shared, which is what the politeness budget is
// about.
type Pacer interface {
	Wait(ctx context.Context, host string) error
}

// DelayPacer is a Pacer that can space one host wider than its default
// delay. When robots.txt gives a host a Crawl-delay longer than
// Config.HostDelay (capped by Config.MaxCrawlDelay), the Client calls
// WaitDelay with that delay instead of Wait: the start is reserved as by
// Wait, and the next start for host is at least max(delay, the pacer's own
// delay) after it. A Pacer that does not implement it gets Wait, and the
// Client adds the longer Crawl-delay gap itself, in process only.
type DelayPacer interface {
	Pacer
	WaitDelay(ctx context.Context, host string, delay time.Duration) error
}

// NewPacer returns an in-process Pacer (also a DelayPacer) that keeps at
// least delay between two request starts to one host. delay <= 0 means no
// pacing, except as WaitDelay asks.
func NewPacer(delay time.Duration) Pacer {
	return newMemPacer(delay)
}

func newMemPacer(delay time.Duration) *memPacer {
	return &memPacer{delay: delay, next: make(map[string]time.Time), now: time.Now, sleep: sleep}
}

type memPacer struct {
	delay time.Duration
	mu    sync.Mutex
	next  map[string]time.Time // earliest start of the next request per host
	calls int
	// now and sleep are the clock; tests replace them so that the schedule
	// is checked exactly, whatever the machine's load.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func (p *memPacer) Wait(ctx context.Context, host string) error {
	return p.WaitDelay(ctx, host, 0)
}

func (p *memPacer) WaitDelay(ctx context.Context, host string, delay time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	delay = max(delay, p.delay)
	if delay <= 0 {
		return nil
	}
	p.mu.Lock()
	now := p.now()
	start := p.next[host]
	if start.Before(now) {
		start = now
	}
	p.next[host] = start.Add(delay)
	p.calls++
	if p.calls%1024 == 0 { // forget hosts whose slot is long past
		for h, t := range p.next {
			if t.Before(now) {
				delete(p.next, h)
			}
		}
	}
	p.mu.Unlock()
	// The reserved slot is not handed back on cancellation: later requests
	// stay spaced as if this one had been sent, which errs on the polite
	// side.
	return p.sleep(ctx, start.Sub(now))
}

// pace waits for u's host's turn: the Pacer's delay, or the host's
// Crawl-delay when that is longer.
func (c *Client) pace(ctx context.Context, u *url.URL, robots bool) error {
	host := hostKey(u)
	var crawl time.Duration
	if !robots {
		crawl = c.crawlDelay(u)
	}
	if crawl > c.cfg.HostDelay {
		if dp, ok := c.pacer.(DelayPacer); ok {
			return dp.WaitDelay(ctx, host, crawl)
		}
		if err := c.pacer.Wait(ctx, host); err != nil {
			return err
		}
		return c.crawl.WaitDelay(ctx, host, crawl)
	}
	return c.pacer.Wait(ctx, host)
}

// hostKey names u's host for slots, pacing and the breaker.
func hostKey(u *url.URL) string {
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// hostSlots lets one request at a time run per host.
type hostSlots struct {
	mu sync.Mutex
	m  map[string]*hostSlot
}

type hostSlot struct {
	ch   chan struct{}
	refs int
}

func (h *hostSlots) acquire(ctx context.Context, host string) (release func(), err error) {
	h.mu.Lock()
	if h.m == nil {
		h.m = make(map[string]*hostSlot)
	}
	s := h.m[host]
	if s == nil {
		s = &hostSlot{ch: make(chan struct{}, 1)}
		h.m[host] = s
	}
	s.refs++
	h.mu.Unlock()
	select {
	case s.ch <- struct{}{}:
		return func() {
			<-s.ch
			h.unref(host, s)
		}, nil
	case <-ctx.Done():
		h.unref(host, s)
		return nil, ctx.Err()
	}
}

func (h *hostSlots) unref(host string, s *hostSlot) {
	h.mu.Lock()
	s.refs--
	if s.refs == 0 {
		delete(h.m, host)
	}
	h.mu.Unlock()
}
