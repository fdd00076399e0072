// Package run is the worker loop the bench's worker binaries share: each
// binary links one extractor (so that its peak memory is its own), runs it
// over the sets, writes the predictions and reports the timings.
package run

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/extract/evalset"
)

// Extractor turns a page into text and metadata.
type Extractor struct {
	Name string
	Run  func(page []byte, u *url.URL, raw string) (string, evalset.Meta)
	Meta bool // has metadata worth checking
	// Floor, when set, is timed on each page right before Run, in the
	// same process and pass: the ratio of the two medians then holds
	// under a load that moves between the workers' runs.
	Floor func(page []byte)
}

// SetResult is what a worker reports for one set, one JSON line each.
type SetResult struct {
	Extractor string `json:"extractor"`
	HasMeta   bool   `json:"has_meta"`
	Set       string `json:"set"`
	Pages     int    `json:"pages"`
	Empty     int    `json:"empty"`
	TotalNS   int64  `json:"total_ns"`
	MedianNS  int64  `json:"median_ns"`
	// FirstNS is the median of the first pass alone: what a page costs
	// when the extractor meets it (and, for kabar, its class names) for the
	// first time
	FirstNS int64 `json:"first_ns"`
	// FloorNS is the median of Floor's times, interleaved with Run's;
	// FloorCPUNS and CPUNS are the medians of the process's CPU time
	// that each took, which a machine's load does not stretch as it
	// stretches a longer call's wall time
	FloorNS    int64             `json:"floor_ns,omitempty"`
	FloorCPUNS int64             `json:"floor_cpu_ns,omitempty"`
	CPUNS      int64             `json:"cpu_ns,omitempty"`
	Meta       evalset.MetaScore `json:"meta"`
}

// Warmup is how many pages a worker extracts untimed before each set.
const Warmup = 10

// Passes is how many times each page is timed; its time is the fastest
// pass, which keeps other processes on a shared machine out of the figures.
const Passes = 2

// Slug names an extractor's prediction folder.
func Slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}

// Main is a worker binary's main: flags -eval, -sets, -work; the
// extractors run one after the other, in this one process.
func Main(extractors ...Extractor) {
	evalDir := flag.String("eval", "", "folder holding the sets")
	sets := flag.String("sets", "dev,dev-wcxb", "comma-separated sets")
	work := flag.String("work", "", "folder for predictions")
	only := flag.String("only", "", "run only this extractor")
	flag.Parse()
	enc := json.NewEncoder(os.Stdout)
	for _, e := range extractors {
		if *only != "" && e.Name != *only {
			continue
		}
		for _, set := range strings.Split(*sets, ",") {
			res, err := Set(e, *evalDir, set, *work)
			if err != nil {
				fmt.Fprintln(os.Stderr, "worker:", err)
				os.Exit(1)
			}
			_ = enc.Encode(res)
		}
	}
}

// Set runs one extractor over one set.
func Set(e Extractor, evalDir, set, work string) (SetResult, error) {
	res := SetResult{Extractor: e.Name, HasMeta: e.Meta, Set: set}
	pages, err := evalset.Load(filepath.Join(evalDir, set))
	if err != nil {
		return res, err
	}
	out := filepath.Join(work, Slug(e.Name), set)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return res, err
	}
	for i := 0; i < Warmup && i < len(pages); i++ {
		page, err := os.ReadFile(pages[i].Path)
		if err != nil {
			return res, err
		}
		u, _ := url.Parse(pages[i].URL)
		e.Run(page, u, pages[i].URL)
	}
	res.Pages = len(pages)
	t := newTimings(len(pages))
	var first []time.Duration
	for pass := 0; pass < Passes; pass++ {
		if pass == 1 {
			first = append([]time.Duration(nil), t.durs...)
		}
		for i, p := range pages {
			page, err := os.ReadFile(p.Path)
			if err != nil {
				return res, err
			}
			u, _ := url.Parse(p.URL)
			text, meta := t.measure(e, page, u, p.URL, i, pass == 0)
			if pass > 0 {
				continue
			}
			if strings.TrimSpace(text) == "" {
				res.Empty++
			}
			res.Meta.Add(p, meta)
			if err := os.WriteFile(filepath.Join(out, p.ID+".txt"), []byte(text+"\n"), 0o644); err != nil {
				return res, err
			}
		}
	}
	for _, d := range t.durs {
		res.TotalNS += int64(d)
	}
	if first == nil {
		first = t.durs
	}
	res.MedianNS = int64(median(t.durs))
	res.FirstNS = int64(median(first))
	if e.Floor != nil {
		res.FloorNS = int64(median(t.floor))
		res.FloorCPUNS = int64(median(t.floorCPU))
		res.CPUNS = int64(median(t.runCPU))
	}
	return res, nil
}

// timings keeps, for each page, the best of the passes: wall time of the
// extractor and of its floor, and the CPU time of both.
type timings struct {
	durs, floor, floorCPU, runCPU []time.Duration
}

func newTimings(n int) *timings {
	return &timings{
		durs:     make([]time.Duration, n),
		floor:    make([]time.Duration, n),
		floorCPU: make([]time.Duration, n),
		runCPU:   make([]time.Duration, n),
	}
}

// keepBest sets *slot to d on the first pass and when d is smaller after.
func keepBest(slot *time.Duration, d time.Duration, first bool) {
	if first || d < *slot {
		*slot = d
	}
}

// measure runs e's floor (when it has one) and then e on page i, keeping
// the best times, and returns what e extracted.
func (t *timings) measure(e Extractor, page []byte, u *url.URL, rawURL string, i int, first bool) (string, evalset.Meta) {
	var c0 time.Duration
	if e.Floor != nil {
		c := cpuTime()
		start := time.Now()
		e.Floor(page)
		keepBest(&t.floor[i], time.Since(start), first)
		c0 = cpuTime()
		keepBest(&t.floorCPU[i], c0-c, first)
	}
	start := time.Now()
	text, meta := e.Run(page, u, rawURL)
	d := time.Since(start)
	if e.Floor != nil {
		keepBest(&t.runCPU[i], cpuTime()-c0, first)
	}
	keepBest(&t.durs[i], d, first)
	return text, meta
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
