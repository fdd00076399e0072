// Command benchimport measures kabar import (internal/bulk) against the
// extractor alone, in the same run on the same pages: records and posts a
// second, the ratio of the import's page rate to extraction-only's (both
// on every CPU), and the import's peak RSS, on SQLite and PostgreSQL.
//
// The archive is built at run time from the shared evaluation pages
// (research-licensed: read, never copied into the project), in a temporary
// folder that is removed at the end. Rounds alternate the extraction
// baseline and the imports, so that each import is compared with the
// baselines run just before and after it on a machine whose load moves.
//
//	go run ./tools/benchimport -kabar bin/kabar [-eval ../shared/eval] [-rounds 2]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/bulk/bulktest"
	"github.com/kabarnews/kabar/internal/cli"
	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/tools/internal/proc"
)

func main() {
	kabar := flag.String("kabar", "bin/kabar", "the kabar binary")
	before := flag.String("before", "", "another kabar binary (an older build) to measure in the same rounds, alternating with -kabar, each import against the extraction-only runs just before and after it")
	eval := flag.String("eval", defaultEval(), "the shared evaluation folder (dev/ and dev-wcxb/ are used)")
	rounds := flag.Int("rounds", 2, "rounds of baseline and imports")
	pgOn := flag.Bool("postgres", true, "measure PostgreSQL too (at $KABAR_TEST_POSTGRES or the default test URL)")
	cpuProfile := flag.String("cpuprofile", "", "instead of the rounds, run one import in this process (SQLite, or PostgreSQL with -profile-postgres) and write its CPU profile to this file")
	profilePG := flag.Bool("profile-postgres", false, "with -cpuprofile: import into PostgreSQL")
	memProfile := flag.String("memprofile", "", "with -cpuprofile: also write the allocations profile (since the tool started, the extraction-only run before the import included) to this file")
	flag.Parse()
	log.SetFlags(0)

	var pages []bulktest.Page
	for _, sub := range []string{"dev", "dev-wcxb"} {
		p, err := bulktest.EvalPages(filepath.Join(*eval, sub), 0)
		if err != nil {
			log.Fatalf("benchimport: %v", err)
		}
		pages = append(pages, p...)
	}
	if len(pages) == 0 {
		log.Fatalf("benchimport: no pages in %s (set -eval or KABAR_EVAL to the shared evaluation folder)", *eval)
	}
	tmp, err := os.MkdirTemp("", "benchimport-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(tmp) }() // best effort: a left-over temporary folder harms no figure
	defer dropSchemas()
	archive := filepath.Join(tmp, "eval.warc.gz")
	if err := bulktest.Write(archive, pages, false); err != nil {
		log.Fatal(err)
	}
	st, _ := os.Stat(archive)
	records := 1 + 2*len(pages) + bulktest.Extras
	fmt.Printf("archive: %d pages, %d records, %.1f MB gzip; %d CPUs\n\n", len(pages), records, float64(st.Size())/1e6, runtime.GOMAXPROCS(0))

	if *cpuProfile != "" {
		db := filepath.Join(tmp, "profile.db")
		if *profilePG {
			if db, err = pgSchema(0); err != nil {
				log.Fatalf("benchimport: %v", err)
			}
		}
		profileRun(*cpuProfile, *memProfile, db, archive, pages)
		return
	}
	backends := []string{"sqlite"}
	if *pgOn {
		if pgtest.Available() {
			backends = append(backends, "postgres")
		} else {
			fmt.Println("PostgreSQL unreachable: SQLite only")
		}
	}
	type result struct {
		ratios, cpuRatios []float64
		recs, posts       []float64
		rss               int64
		postsMade, copies int64
	}
	results := map[string]*result{}
	// Each run is a build on a backend: "sqlite", or "sqlite before" for
	// the -before build.
	type run struct{ backend, label, bin string }
	var runs []run
	for _, b := range backends {
		if *before != "" {
			runs = append(runs, run{b, b + " before", *before})
		}
		runs = append(runs, run{b, b, *kabar})
	}
	startup := importRun(*kabar, filepath.Join(tmp, "startup.db"), writeEmpty(tmp))
	baseline, baseCPU := extractOnly(pages)
	fmt.Printf("%-10s %8s %10s %10s %10s %12s %12s %8s\n", "round", "run", "pages/s", "records/s", "posts/s", "vs extract", "CPU/page", "peak RSS")
	fmt.Printf("%-10d %8s %10.1f %10s %10s %12s %9.2f ms\n", 0, "extract", baseline, "", "", "", ms(baseCPU))
	for r := 1; r <= *rounds; r++ {
		order := slices.Clone(runs)
		if r%2 == 0 {
			// The builds take turns going first: a load that rises or
			// falls during a round favours neither.
			slices.Reverse(order)
		}
		for _, rn := range order {
			i := slices.Index(runs, rn)
			b := rn.label
			db := filepath.Join(tmp, fmt.Sprintf("r%d-%d.db", r, i))
			if rn.backend == "postgres" {
				db, err = pgSchema(r*10 + i)
				if err != nil {
					log.Fatalf("benchimport: %v", err)
				}
			}
			run := importRun(rn.bin, db, archive)
			after, afterCPU := extractOnly(pages)
			base, cpuBase := (baseline+after)/2, (baseCPU+afterCPU)/2
			baseline, baseCPU = after, afterCPU
			cpu := run.cpu / time.Duration(len(pages))
			rate := float64(len(pages)) / run.took.Seconds()
			res := results[b]
			if res == nil {
				res = &result{}
				results[b] = res
			}
			res.ratios = append(res.ratios, rate/base)
			res.cpuRatios = append(res.cpuRatios, float64(cpuBase)/float64(cpu))
			res.recs = append(res.recs, float64(run.sum.Records)/run.took.Seconds())
			res.posts = append(res.posts, float64(run.sum.Posts)/run.took.Seconds())
			res.rss = max(res.rss, run.rss)
			res.postsMade, res.copies = run.sum.Posts, run.sum.Duplicates
			fmt.Printf("%-10d %8s %10.1f %10.1f %10.1f %11.0f%% %9.2f ms %5d MiB\n", r, b, rate,
				res.recs[len(res.recs)-1], res.posts[len(res.posts)-1], 100*rate/base, ms(cpu), run.rss>>20)
			fmt.Printf("%-10d %8s %10.1f %10s %10s %12s %9.2f ms\n", r, "extract", after, "", "", "", ms(afterCPU))
		}
	}
	// The import runs its collector against a memory limit (kabar
	// import, tuneImportGC); extraction-only as this process does, at Go's
	// default. Extraction-only under the import's setting, for reference
	// (the limit above what this process holds already, the pages):
	runtime.GC()
	var held runtime.MemStats
	runtime.ReadMemStats(&held)
	prevGC, prevLimit := debug.SetGCPercent(-1), debug.SetMemoryLimit(int64(held.HeapAlloc)+cli.ImportGoMemory)
	limited, limitedCPU := extractOnly(pages)
	debug.SetGCPercent(prevGC)
	debug.SetMemoryLimit(prevLimit)
	fmt.Printf("\nextraction-only with the import's collector setting (GOGC=off, GOMEMLIMIT=176MiB): %.1f pages/s, %.2f ms CPU a page\n",
		limited, ms(limitedCPU))
	fmt.Printf("startup (an empty archive, fresh SQLite database): %s, peak RSS %d MiB\n", startup.took.Round(time.Millisecond), startup.rss>>20)
	for _, rn := range runs {
		b := rn.label
		res := results[b]
		fmt.Printf("%s: import at %.0f%% of extraction-only (median of %d rounds; %.0f records/s, %.0f posts/s; %d posts, %d same text as another page), peak RSS %d MiB\n",
			b, 100*median(res.ratios), len(res.ratios), median(res.recs), median(res.posts), res.postsMade, res.copies, res.rss>>20)
		fmt.Printf("%s: CPU a page, extraction-only over import: %.0f%% (median; the import process's own CPU", b, 100*median(res.cpuRatios))
		if rn.backend == "postgres" {
			fmt.Print(", without the database server's")
		}
		fmt.Println(")")
	}
	fmt.Println("\nThe CPU ratio is what the rate ratio would be with every CPU given to the import and no other load;\nthe rate ratio is the target's measure and moves with the machine's load.")
}

func defaultEval() string {
	if e := os.Getenv("KABAR_EVAL"); e != "" {
		return e
	}
	return filepath.Join("..", "shared", "eval")
}

// extractOnly is the extractor alone on the same pages: one worker per
// CPU, pages already in memory and in UTF-8 (as the import decodes them),
// pages a second, and the CPU time (this process's, user and system) a
// page took.
func extractOnly(pages []bulktest.Page) (float64, time.Duration) {
	bodies := make([][]byte, len(pages))
	for i, p := range pages {
		bodies[i] = fetch.ToUTF8(p.HTML, "text/html; charset=utf-8")
	}
	cpu0 := processCPU()
	start := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				_, _ = extract.Extract(bodies[i], pages[i].URL) // only its cost is measured; the import reports failures
			}
		}()
	}
	for i := range pages {
		next <- i
	}
	close(next)
	wg.Wait()
	took := time.Since(start)
	return float64(len(pages)) / took.Seconds(), (processCPU() - cpu0) / time.Duration(len(pages))
}

// processCPU is the CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

type summary struct {
	Records    int64 `json:"records"`
	Posts      int64 `json:"posts"`
	Duplicates int64 `json:"duplicates"`
}

type importResult struct {
	took time.Duration
	cpu  time.Duration // the import process's, user and system
	rss  int64
	sum  summary
}

// importRun runs kabar import on a fresh database, timing the whole
// command (start-up, migrations and story assignment included).
func importRun(kabar, db, archive string) importResult {
	cmd := exec.Command(kabar, "--db", db, "import", "--json", archive)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatalf("benchimport: kabar import: %v", err)
	}
	// The peak is read while the process lives (VmHWM): a child's rusage
	// would count this tool's memory, which it had until its exec.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			peak = max(peak, proc.PeakRSS(cmd.Process.Pid))
		}
	}
	if err != nil {
		log.Fatalf("benchimport: kabar import: %v\n%s", err, errb.String())
	}
	res := importResult{took: time.Since(start), rss: peak,
		cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if err := json.Unmarshal(out.Bytes(), &res.sum); err != nil {
		log.Fatalf("benchimport: kabar import printed %q: %v", out.String(), err)
	}
	return res
}

// profileRun imports the archive in this process under the CPU profiler,
// between two extraction-only runs, and prints the ratio as the rounds do.
func profileRun(out, memOut, db, archive string, pages []bulktest.Page) {
	before, beforeCPU := extractOnly(pages)
	f, err := os.Create(out)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := f.Close(); err != nil {
			log.Printf("benchimport: profile %s: %v", out, err)
		}
	}()
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	// The import sets its collector against a memory limit above what the
	// process holds when it starts (kabar import, tuneImportGC): here, the
	// pages too.
	runtime.GC()
	var stdout, stderr bytes.Buffer
	cpu0 := processCPU()
	start := time.Now()
	code := cli.Main(context.Background(), []string{"--db", db, "import", "--json", archive},
		&cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	took := time.Since(start)
	cpu := (processCPU() - cpu0) / time.Duration(len(pages))
	pprof.StopCPUProfile()
	if memOut != "" {
		writeAllocs(memOut)
	}
	// The baseline runs with the collector as before the import.
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	if code != 0 {
		log.Fatalf("benchimport: import exited %d: %s", code, stderr.String())
	}
	after, afterCPU := extractOnly(pages)
	rate := float64(len(pages)) / took.Seconds()
	fmt.Printf("in-process import: %.1f pages/s, %.0f%% of extraction-only (%.1f before, %.1f after); CPU a page %.2f ms, %.0f%% of extraction-only's (%.2f, %.2f)\n%s\nprofile: %s\n",
		rate, 200*rate/(before+after), before, after, ms(cpu), 100*float64(beforeCPU+afterCPU)/2/float64(cpu), ms(beforeCPU), ms(afterCPU),
		strings.TrimSpace(stdout.String()), out)
}

// writeAllocs writes the allocations profile to out.
func writeAllocs(out string) {
	f, err := os.Create(out)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func writeEmpty(dir string) string {
	p := filepath.Join(dir, "empty.warc")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		log.Fatal(err)
	}
	return p
}

// pgSchema makes a fresh schema for one import and returns a URL that
// uses it.
func pgSchema(round int) (string, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.URL())
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close(ctx) }() // the schema is made or its error returned already
	name := fmt.Sprintf("benchimport_%d_%d", os.Getpid(), round)
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE; CREATE SCHEMA `+name); err != nil {
		return "", err
	}
	u, err := url.Parse(pgtest.URL())
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	dropLater = append(dropLater, name)
	return u.String(), nil
}

var dropLater []string

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// dropSchemas removes the schemas the run made.
func dropSchemas() {
	if len(dropLater) == 0 {
		return
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.URL())
	if err != nil {
		return
	}
	defer func() { _ = conn.Close(ctx) }() // the drops below report their own errors
	for _, name := range dropLater {
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			log.Printf("benchimport: drop schema %s: %v", name, err)
		}
	}
}
