package cli

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/pipeline"
)

func TestProgressLine(t *testing.T) {
	var c pipeline.Counters
	c.FeedsPolled.Add(2)
	c.PostsNew.Add(6)
	c.ItemFailures.Add(1)
	c.ItemsWaiting.Add(1)
	c.FeedFailures.Add(1)
	got := progressLine(&c, 3, 12, 4*time.Second)
	if want := "feeds 2/3 · items 8/20 · posts 6 · failures 2 · 2.0 items/s"; got != want {
		t.Errorf("progressLine = %q, want %q", got, want)
	}
}

// Log lines and the summary erase the progress line before they are
// written, so the three never share a line of the terminal.
func TestProgressWriterClearsBeforeOutput(t *testing.T) {
	var term bytes.Buffer
	pw := &progressWriter{w: &term}
	out := pw.tee(&term)
	pw.draw("feeds 1/1")
	fmt.Fprint(pw, "level=INFO msg=post\n")
	pw.draw("feeds 1/1 · items 1/1")
	fmt.Fprint(out, "feeds polled 1\n")
	pw.clear()
	pw.clear() // nothing left to erase
	want := "\rfeeds 1/1\x1b[K\r\x1b[Klevel=INFO msg=post\n\rfeeds 1/1 · items 1/1\x1b[K\r\x1b[Kfeeds polled 1\n"
	if term.String() != want {
		t.Errorf("terminal got %q\nwant %q", term.String(), want)
	}
	// Buffers and pipes are not terminals: no progress line there.
	if isTerminal(&term) {
		t.Error("a buffer is a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(w) {
		t.Error("a pipe is a terminal")
	}
}
