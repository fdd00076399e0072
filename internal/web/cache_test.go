package web

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// heldStore answers the site cache's reads with the title it holds, each
// read waiting for gate while gate is not nil.
type heldStore struct {
	Store
	title atomic.Value // string
	gate  atomic.Pointer[chan struct{}]
	loads atomic.Int64
}

func (h *heldStore) Settings(context.Context) (map[string]string, error) {
	if g := h.gate.Load(); g != nil {
		<-*g
	}
	h.loads.Add(1)
	return map[string]string{settingTitle: h.title.Load().(string)}, nil
}

func (h *heldStore) Labels(context.Context, string, int) ([]model.Label, error) { return nil, nil }

func (h *heldStore) ArchiveMonths(context.Context) ([]store.MonthCount, error) { return nil, nil }

// TestSiteCacheReloadsInBackground: a cache only older than cacheTTL is
// read as it is while it loads again, so no reader waits for the load;
// one invalidated is loaded before the next read, which shows the change.
func TestSiteCacheReloadsInBackground(t *testing.T) {
	st := &heldStore{}
	st.title.Store("first")
	clk := newClock()
	c := newSiteCache(st, clk.Now, slog.Default())
	ctx := t.Context()
	if got := c.settings(ctx).Title; got != "first" {
		t.Fatalf("first load: %q", got)
	}

	// Old: the reader gets the old title at once, though the load it
	// began cannot end until the gate opens.
	st.title.Store("second")
	gate := make(chan struct{})
	st.gate.Store(&gate)
	clk.add(cacheTTL + time.Second)
	for range 3 {
		if got := c.settings(ctx).Title; got != "first" {
			t.Fatalf("read during the reload: %q", got)
		}
	}
	st.gate.Store(nil)
	close(gate)
	deadline := time.Now().Add(time.Minute)
	for c.settings(ctx).Title != "second" {
		if time.Now().After(deadline) {
			t.Fatal("the background load never landed")
		}
		time.Sleep(time.Millisecond)
	}
	if n := st.loads.Load(); n != 2 {
		t.Fatalf("%d loads, want 2: one reload for the readers who found the cache old", n)
	}

	// Invalidated: the next read waits for the load, even one begun in
	// the background before the change.
	gate = make(chan struct{})
	st.gate.Store(&gate)
	clk.add(cacheTTL + time.Second)
	c.settings(ctx) // begins a background load, held at the gate
	st.title.Store("third")
	c.invalidate()
	got := make(chan string)
	go func() { got <- c.settings(ctx).Title }()
	select {
	case title := <-got:
		t.Fatalf("read %q before the load after the change ended", title)
	case <-time.After(50 * time.Millisecond):
	}
	st.gate.Store(nil)
	close(gate)
	if title := <-got; title != "third" {
		t.Fatalf("after invalidate: %q", title)
	}
}
