package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/pipeline"
)

// isTerminal tells whether w is a terminal (a character device), where a
// progress line that rewrites itself makes sense; in a file or a pipe it
// would only add noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressWriter shares a terminal between log lines and one progress line:
// the progress line is erased before a log line is written and drawn again
// on the next tick, so that the two never run into each other.
type progressWriter struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	return p.w.Write(b)
}

// tee is another stream on the same terminal (stdout): writing to it erases
// the progress line first too.
func (p *progressWriter) tee(w io.Writer) io.Writer { return &progressTee{p, w} }

type progressTee struct {
	p *progressWriter
	w io.Writer
}

func (t *progressTee) Write(b []byte) (int, error) {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	t.p.clearLocked()
	return t.w.Write(b)
}

func (p *progressWriter) clearLocked() {
	if p.shown {
		_, _ = io.WriteString(p.w, "\r\x1b[K") // a progress line is only for a person
		p.shown = false
	}
}

func (p *progressWriter) draw(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.w, "\r"+line+"\x1b[K") // a progress line is only for a person
	p.shown = true
}

func (p *progressWriter) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

// progressLine is what run --once shows on a terminal while it works.
func progressLine(c *pipeline.Counters, feeds, pending int, elapsed time.Duration) string {
	done := c.PostsNew.Load() + c.ItemFailures.Load() + c.ItemsWaiting.Load()
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	return fmt.Sprintf("feeds %d/%d · items %d/%d · posts %d · failures %d · %.1f items/s",
		c.FeedsPolled.Load(), feeds, done, done+int64(pending), c.PostsNew.Load(),
		c.FeedFailures.Load()+c.ItemFailures.Load(), rate)
}

// startProgress draws run --once's progress line once a second on pw until
// the returned function is called, which erases it.
func startProgress(ctx context.Context, pw *progressWriter, st feedCounter, c *pipeline.Counters) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			feeds, pending := pendingItems(ctx, st)
			pw.draw(progressLine(c, feeds, pending, time.Since(start)))
		}
	}()
	return func() {
		cancel()
		<-done
		pw.clear()
	}
}

// feedCounter is what the progress line reads of the store.
type feedCounter interface {
	Feeds(ctx context.Context) ([]model.Feed, error)
	ItemCounts(ctx context.Context, feedID int64) (map[string]int, error)
}

// pendingItems counts the feeds and the items not tried yet.
func pendingItems(ctx context.Context, st feedCounter) (feeds, pending int) {
	fs, err := st.Feeds(ctx)
	if err != nil {
		return 0, 0
	}
	for _, f := range fs {
		if counts, err := st.ItemCounts(ctx, f.ID); err == nil {
			pending += counts[model.ItemNew]
		}
	}
	return len(fs), pending
}
