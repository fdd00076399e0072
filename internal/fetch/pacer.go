package fetch

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/pace"
)

// Pacing. Config.Pacer (a pace.Pacer; pace.NewMem(Config.HostDelay) by
// default) is waited on before every request the Client sends (robots.txt
// and every redirect hop included), with the URL's host as key: lower case,
// IDNA in ASCII form, without port or trailing dot (an IPv6 literal without
// brackets). The Client holds the host's slot (one request at a time per
// host in this process) meanwhile, and never paces in replay mode. A Wait
// error ends that request: the fetch fails with it wrapped, it does not
// count against the host's circuit breaker, and Do does not retry it.
//
// A robots.txt Crawl-delay longer than Config.HostDelay (capped by
// Config.MaxCrawlDelay) is handed to a pace.DelayPacer, so that a shared
// pacer (store.SharedPacer) spaces every process by it; a plain Pacer gets
// Wait, and the Client adds the longer gap itself, in process only.
//
// The one-request-at-a-time slot stays per process; across processes only
// the start-to-start gap is shared, which is what the politeness budget is
// about.

// pace waits for u's host's turn: the Pacer's delay, or the host's
// Crawl-delay when crawl is set and that is longer.
func (c *Client) pace(ctx context.Context, u *url.URL, crawl bool) error {
	host := hostKey(u)
	var delay time.Duration
	if crawl {
		delay = c.crawlDelay(u)
	}
	if delay > c.cfg.HostDelay {
		if dp, ok := c.pacer.(pace.DelayPacer); ok {
			return dp.WaitDelay(ctx, host, delay)
		}
		if err := c.pacer.Wait(ctx, host); err != nil {
			return err
		}
		return c.crawl.WaitDelay(ctx, host, delay)
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
