// Command bench measures kabar's article extractor against its open peers
// on the shared evaluation sets, in one run on one machine: text quality
// by the shared scorer (score.py: F1, precision, recall), metadata against
// the gold (title exact after white space folding, published day, author),
// speed (pages per second, median milliseconds a page, from the page's
// bytes in memory to its text) and peak memory (maximum resident set of
// the process).
//
//	make bench-extract                        # from the repository root
//	cd bench && go run . -eval ../../shared/eval
//
// Each extractor runs in its own process, built from its own worker binary
// (worker/kabar, worker/readability, worker/trafilatura), so that one's
// memory is not another's. The module is separate from kabar's so that the
// product does not carry the peers.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/bench/internal/run"
	"github.com/kabarnews/kabar/internal/extract/evalset"
)

// job is one extractor in its worker binary.
type job struct{ worker, name string }

var jobs = []job{
	{"kabar", "kabar"},
	{"readability", "go-readability v2.1.3"},
	{"trafilatura", "go-trafilatura v1.12.2"},
	{"trafilatura", "go-trafilatura v1.12.2 +fallback"},
	{"kabar", "x/net/html parse only, all text"},
}

// resamples is score.py's bootstrap over pages for the F1's spread.
const resamples = 200

func main() {
	evalDir := flag.String("eval", "../../shared/eval", "folder holding the sets and score.py")
	sets := flag.String("sets", "dev,dev-wcxb", "comma-separated sets under -eval")
	work := flag.String("work", "", "folder for binaries and predictions (default: a temporary folder, removed after)")
	only := flag.String("only", "", "run only the extractors whose name starts with this")
	flag.Parse()
	if err := runAll(*evalDir, strings.Split(*sets, ","), *work, *only); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// row is one extractor's figures on one set.
type row struct {
	res     run.SetResult
	score   evalset.Score
	peakMiB float64
}

func (r row) pagesPerSec() float64 {
	if r.res.TotalNS == 0 {
		return 0
	}
	return float64(r.res.Pages) / (float64(r.res.TotalNS) / 1e9)
}

func (r row) medianMS() float64 { return float64(r.res.MedianNS) / 1e6 }

func runAll(evalDir string, sets []string, work, only string) error {
	began := time.Now()
	evalDir, err := filepath.Abs(evalDir)
	if err != nil {
		return err
	}
	scorePy := filepath.Join(evalDir, "score.py")
	if _, err := os.Stat(scorePy); err != nil {
		return fmt.Errorf("no scorer at %s (set -eval): %w", scorePy, err)
	}
	if work == "" {
		dir, err := os.MkdirTemp("", "kabar-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	// build the workers
	built := map[string]string{}
	for _, j := range jobs {
		if only != "" && !strings.HasPrefix(j.name, only) || built[j.worker] != "" {
			continue
		}
		bin := filepath.Join(work, "bin", j.worker)
		fmt.Fprintf(os.Stderr, "bench: building worker %s\n", j.worker)
		cmd := exec.Command(goTool(), "build", "-o", bin, "./worker/"+j.worker)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building %s: %w", j.worker, err)
		}
		built[j.worker] = bin
	}
	measured := time.Now()
	rows := map[string][]row{} // by set
	n := 0
	for _, j := range jobs {
		if only != "" && !strings.HasPrefix(j.name, only) {
			continue
		}
		n++
		fmt.Fprintf(os.Stderr, "bench: %s\n", j.name)
		cmd := exec.Command(built[j.worker], "-only", j.name, "-eval", evalDir, "-sets", strings.Join(sets, ","), "-work", work)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr // the peers log their troubles with some pages
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", j.name, err, tail(stderr.String()))
		}
		peak := 0.0
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = float64(ru.Maxrss) / 1024 // KiB on Linux
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var res run.SetResult
			if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
				return fmt.Errorf("%s: %w", j.name, err)
			}
			s, err := evalset.RunScoreSpread(scorePy, filepath.Join(evalDir, res.Set), filepath.Join(work, run.Slug(j.name), res.Set), resamples)
			if err != nil {
				return err
			}
			rows[res.Set] = append(rows[res.Set], row{res, s, peak})
		}
	}
	if len(rows) == 0 {
		return errors.New("nothing measured")
	}
	printMachine()
	for _, set := range sets {
		printSet(set, rows[set])
	}
	fmt.Printf("Whole run: %s (%s building the workers, %d extractors x %d sets).\n",
		time.Since(began).Round(time.Second), measured.Sub(began).Round(time.Second), n, len(sets))
	return nil
}

// goTool is the go command of the toolchain that built this program.
func goTool() string {
	if g := filepath.Join(runtime.GOROOT(), "bin", "go"); runtime.GOROOT() != "" {
		if _, err := os.Stat(g); err == nil {
			return g
		}
	}
	return "go"
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

func printMachine() {
	cpu := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(l[strings.IndexByte(l, ':')+1:])
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/1024/1024)
		}
	}
	fmt.Printf("Machine: %d CPUs (%s), %s RAM, %s %s/%s\n\n", runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

const parseOnly = "x/net/html parse only, all text"

func printSet(set string, rs []row) {
	if len(rs) == 0 {
		return
	}
	fmt.Printf("### %s (%d pages)\n\n", set, rs[0].res.Pages)
	fmt.Println("| extractor | F1 ± sd | precision | recall | pages/s | median ms/page | (1st pass) | peak MiB | title | date | author |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		t, d, a := "-", "-", "-"
		if r.res.HasMeta {
			m := r.res.Meta
			if m.Titles > 0 {
				t = fmt.Sprintf("%.3f", m.Title())
			}
			if m.Dates > 0 {
				d = fmt.Sprintf("%.3f", m.Date())
			}
			if m.Authors > 0 {
				a = fmt.Sprintf("%.3f", m.Author())
			}
		}
		fmt.Printf("| %s | %.3f ± %.3f | %.3f | %.3f | %.0f | %.2f | (%.2f) | %.0f | %s | %s | %s |\n",
			r.res.Extractor, r.score.F1, r.score.F1Std, r.score.Precision, r.score.Recall, r.pagesPerSec(), r.medianMS(),
			float64(r.res.FirstNS)/1e6, r.peakMiB, t, d, a)
	}
	fmt.Println()
	// every figure of kabar as a ratio to each peer's
	var k *row
	for i := range rs {
		if rs[i].res.Extractor == "kabar" {
			k = &rs[i]
		}
	}
	if k != nil && k.res.FloorNS > 0 {
		fmt.Printf("kabar against parse-only in the same process, page by page (each page parsed, then extracted; best of %d): "+
			"median wall time %.2f ms vs %.2f ms, %.2f×; median CPU time %.2f ms vs %.2f ms, **%.2f×**\n\n",
			run.Passes, k.medianMS(), float64(k.res.FloorNS)/1e6, ratioNS(k.res.MedianNS, k.res.FloorNS),
			float64(k.res.CPUNS)/1e6, float64(k.res.FloorCPUNS)/1e6, ratioNS(k.res.CPUNS, k.res.FloorCPUNS))
	}
	if k == nil || len(rs) == 1 {
		return
	}
	fmt.Println("| kabar ÷ peer | F1 | precision | recall | pages/s | median ms/page | peak MiB |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range rs {
		if r.res.Extractor == "kabar" {
			continue
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", r.res.Extractor,
			ratio(k.score.F1, r.score.F1), ratio(k.score.Precision, r.score.Precision), ratio(k.score.Recall, r.score.Recall),
			ratio(k.pagesPerSec(), r.pagesPerSec()), ratio(k.medianMS(), r.medianMS()), ratio(k.peakMiB, r.peakMiB))
	}
	fmt.Println()
}

func ratioNS(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}
