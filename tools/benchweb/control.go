package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// control is the control server's process.
type control struct {
	addr string
	stop func()
}

// startControl saves kabar's home page and starts this program again as
// the control serving it: a process of its own, like kabar, so that the two
// share the machine the same way.
func startControl(kabar string) (*control, error) {
	res, err := http.Get(kabar + "/")
	if err != nil {
		return nil, err
	}
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("kabar's home page: status %d, %v", res.StatusCode, err)
	}
	f, err := os.CreateTemp("", "benchweb-control-*.html")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(f.Name()) }() // the control reads it when it starts; a left-over temporary file harms nothing
	if _, err := f.Write(page); err != nil {
		_ = f.Close() // the write's error is the one to report
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-control", addr, "-control-page", f.Name())
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	stop, err := startAndWait(cmd, "http://"+addr+"/healthz")
	if err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	return &control{addr: addr, stop: stop}, nil
}

// serveControl answers every path with the page, as a cache in front of a
// site would: from memory, with the headers a real page has.
func serveControl(addr, pagePath string) error {
	page, err := os.ReadFile(pagePath)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(page)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	size := strconv.Itoa(len(page))
	srv := &http.Server{
		Addr:              addr,
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Length", size)
			h.Set("ETag", etag)
			h.Set("Cache-Control", "public, max-age=0, s-maxage=60")
			h.Set("Vary", "Accept-Language")
			w.Write(page)
		}),
	}
	return srv.ListenAndServe()
}

// pressure is the share of a round (in percent) during which some or all
// runnable tasks were stalled on CPU, I/O or memory, from /proc/pressure,
// and how much the machine read from its disks meanwhile (MB, from
// /proc/vmstat): a database server reads what its own cache and the
// kernel's no longer hold, and a machine may drop the kernel's cache of
// files no process maps after seconds of disuse (docs/benchmarks.md).
type pressure struct {
	cpuSome, ioSome, ioFull, memSome, memFull float64
	diskMB                                    float64
	// totals are the kernel's cumulative stall times (µs) and, last, the
	// KiB read from disks, for since.
	totals [6]float64
}

func readPressure() pressure {
	var p pressure
	read := func(res string) (some, full float64) {
		b, err := os.ReadFile(filepath.Join("/proc/pressure", res))
		if err != nil {
			return 0, 0
		}
		for _, line := range strings.Split(string(b), "\n") {
			for _, field := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(field, "total="); ok {
					n, _ := strconv.ParseFloat(v, 64)
					if strings.HasPrefix(line, "some") {
						some = n
					} else {
						full = n
					}
				}
			}
		}
		return some, full
	}
	p.totals[0], _ = read("cpu")
	p.totals[1], p.totals[2] = read("io")
	p.totals[3], p.totals[4] = read("memory")
	p.totals[5] = readVMStat("pgpgin")
	return p
}

// readVMStat returns a counter of /proc/vmstat, 0 where there is none.
func readVMStat(name string) float64 {
	b, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return n
		}
	}
	return 0
}

// since turns two readings d apart into percentages of d.
func (p pressure) since(before pressure, d time.Duration) pressure {
	pct := func(i int) float64 { return 100 * (p.totals[i] - before.totals[i]) / float64(d.Microseconds()) }
	return pressure{cpuSome: pct(0), ioSome: pct(1), ioFull: pct(2), memSome: pct(3), memFull: pct(4),
		diskMB: (p.totals[5] - before.totals[5]) / 1024}
}

// runtimeFigures are kabar's /debug/runtime figures.
type runtimeFigures struct {
	GCCycles    uint64  `json:"gc_cycles"`
	Pauses      uint64  `json:"pauses"`
	PauseTotalS float64 `json:"pause_total_s"`
	PauseMaxS   float64 `json:"pause_max_s"`
	GCCPUS      float64 `json:"gc_cpu_s"`
	TotalCPUS   float64 `json:"total_cpu_s"`
}

func (k *kabarProc) runtime() runtimeFigures {
	var f runtimeFigures
	res, err := http.Get("http://" + k.debug + "/debug/runtime")
	if err != nil {
		log.Printf("benchweb: kabar's runtime figures: %v", err)
		return f
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&f); err != nil {
		log.Printf("benchweb: kabar's runtime figures: %v", err)
	}
	return f
}

// since is the work done between two readings; the longest pause is the
// later reading's (the runtime keeps no window).
func (f runtimeFigures) since(before runtimeFigures) runtimeFigures {
	return runtimeFigures{
		GCCycles:    f.GCCycles - before.GCCycles,
		Pauses:      f.Pauses - before.Pauses,
		PauseTotalS: f.PauseTotalS - before.PauseTotalS,
		PauseMaxS:   f.PauseMaxS,
		GCCPUS:      f.GCCPUS - before.GCCPUS,
		TotalCPUS:   f.TotalCPUS - before.TotalCPUS,
	}
}

// startProfiles takes, while a round runs, an execution trace (its first
// few seconds) and a CPU profile of kabar, and its mutex and block profiles
// at the end; the function it returns waits for them.
func startProfiles(debug, dir string, d time.Duration) func() {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Printf("benchweb: profiles: %v", err)
		return func() {}
	}
	fetch := func(path, file string) {
		res, err := http.Get("http://" + debug + path)
		if err != nil {
			log.Printf("benchweb: profile %s: %v", path, err)
			return
		}
		defer res.Body.Close()
		f, err := os.Create(filepath.Join(dir, file))
		if err != nil {
			log.Printf("benchweb: profile: %v", err)
			return
		}
		if _, err := io.Copy(f, res.Body); err != nil {
			log.Printf("benchweb: profile %s: %v", path, err)
		}
		if err := f.Close(); err != nil {
			log.Printf("benchweb: profile %s: %v", path, err)
		}
	}
	secs := max(1, int(d.Seconds())-1)
	done := make(chan struct{}, 2)
	go func() {
		fetch(fmt.Sprintf("/debug/pprof/trace?seconds=%d", min(secs, 5)), "trace.out")
		done <- struct{}{}
	}()
	go func() { fetch(fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), "cpu.pprof"); done <- struct{}{} }()
	return func() {
		<-done
		<-done
		fetch("/debug/pprof/mutex", "mutex.pprof")
		fetch("/debug/pprof/block", "block.pprof")
		fetch("/debug/pprof/goroutine", "goroutine.pprof")
		log.Printf("profiles of kabar in %s (go tool trace / go tool pprof)", dir)
	}
}
