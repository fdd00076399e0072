package fetch

import (
	"context"
	"sync"
	"time"
)

// Pacer spaces out requests to one host. Wait blocks until a request to host
// may start, and reserves that start: two Waits for one host return at least
// the pacer's delay apart. The in-process implementation is NewPacer; one
// backed by the database ("next allowed at" per host) can replace it when
// several processes share the politeness budget.
type Pacer interface {
	Wait(ctx context.Context, host string) error
}

// NewPacer returns an in-process Pacer that keeps at least delay between two
// request starts to one host. delay <= 0 means no pacing.
func NewPacer(delay time.Duration) Pacer {
	return &memPacer{delay: delay, next: make(map[string]time.Time)}
}

type memPacer struct {
	delay time.Duration
	mu    sync.Mutex
	next  map[string]time.Time // earliest start of the next request per host
	calls int
}

func (p *memPacer) Wait(ctx context.Context, host string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.delay <= 0 {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	start := p.next[host]
	if start.Before(now) {
		start = now
	}
	p.next[host] = start.Add(p.delay)
	p.calls++
	if p.calls%1024 == 0 { // forget hosts whose slot is long past
		for h, t := range p.next {
			if t.Before(now) {
				delete(p.next, h)
			}
		}
	}
	p.mu.Unlock()
	d := time.Until(start)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// The reserved slot is not handed back: later requests stay spaced
		// as if this one had been sent, which errs on the polite side.
		return ctx.Err()
	}
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
