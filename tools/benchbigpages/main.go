// Command benchbigpages measures the peak resident memory of `kabar run
// --once` over pages at the fetcher's body cap: a loopback web (one feed,
// the pages spread over 127.0.0.x hosts) serves -pages pages of
// internal/extract/extracttest's shapes, each -size bytes, and a run with
// a fresh SQLite database and --workers N fetches, extracts and stores
// them. It prints the peak RSS (the process's VmHWM) and,
// measured in the same run, the same figure over the same number of
// ordinary pages, as a ratio.
//
//	go build -o bin/kabar ./cmd/kabar
//	go run ./tools/benchbigpages -kabar bin/kabar -workers 4
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/extract/extracttest"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/pipeline/loopweb"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/tools/internal/proc"
)

func main() {
	bin := flag.String("kabar", "bin/kabar", "the kabar binary")
	n := flag.Int("pages", 8, "pages to serve")
	size := flag.Int("size", 9_900_000, "bytes of each big page (the default body cap is 10 MiB)")
	workers := flag.String("workers", "4", "--workers values to measure, comma separated")
	shapes := flag.String("shapes", "", "shapes to serve, comma separated (default: all, in turn)")
	flag.Parse()
	log.SetFlags(0)

	list := extracttest.Shapes
	if *shapes != "" {
		list = strings.Split(*shapes, ",")
	}
	var big [][]byte
	for i := 0; i < *n; i++ {
		big = append(big, extracttest.Page(list[i%len(list)], *size))
	}
	var small [][]byte
	for i := 0; i < *n; i++ {
		small = append(small, extracttest.Page("paragraphs", 20_000))
	}
	fmt.Printf("%d pages of %.1f MB (shapes %s) against %d pages of 20 kB\n", *n, float64(*size)/1e6, strings.Join(list, ","), *n)
	for _, w := range strings.Split(*workers, ",") {
		base, basePosts, err := peakRSS(*bin, small, w)
		if err != nil {
			log.Fatal(err)
		}
		peak, posts, err := peakRSS(*bin, big, w)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("--workers %-3s peak RSS %6.1f MiB over big pages (%d posts), %6.1f MiB over small ones (%d posts): ratio %.2f\n", w, peak, posts, base, basePosts, peak/base)
	}
}

// peakRSS runs kabar run --once over a web of the pages and returns its
// peak resident memory in MiB.
func peakRSS(bin string, pages [][]byte, workers string) (float64, int, error) {
	web, err := loopweb.Start(loopweb.Config{Hosts: 4, Feeds: 1, ItemsPerFeed: len(pages), Pages: pages})
	if err != nil {
		return 0, 0, err
	}
	defer web.Close()
	dir, err := os.MkdirTemp("", "benchbigpages")
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = os.RemoveAll(dir) }() // leftovers in the temporary folder change no figure
	db := filepath.Join(dir, "kabar.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		return 0, 0, err
	}
	for _, u := range web.FeedURLs() {
		if err := st.AddFeed(context.Background(), &model.Feed{URL: u}); err != nil {
			return 0, 0, err
		}
	}
	if err := st.Close(); err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(bin, "--db", db, "run", "--once", "--workers", workers,
		"--allow-addr", "127.0.0.0/8", "--host-delay", "0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	// The kernel's maxrss of a child counts the parent's memory at the
	// fork (this process holds the pages): VmHWM, the high-water mark of
	// the child's own memory once it runs kabar, is read instead, until
	// the process is gone. It only grows, so the last value read is the
	// peak of all but the process's last milliseconds (its exit).
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var hwm int64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case err := <-done:
			if err != nil {
				return 0, 0, fmt.Errorf("kabar run --once: %v\n%s", err, out.Bytes())
			}
			waiting = false
		case <-tick.C:
			if kb := (proc.PeakRSS(cmd.Process.Pid) >> 10); kb > hwm {
				hwm = kb
			}
		}
	}
	st, err = sqlite.Open(context.Background(), db)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = st.Close() }() // only read
	posts, err := st.CountPosts(context.Background())
	if err != nil {
		return 0, 0, err
	}
	return float64(hwm) / 1024, posts, nil
}
