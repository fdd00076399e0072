// Command benchpipeline measures kabar's pipeline end to end: items per
// second from feed poll to stored post, on a loopback web (several hosts on
// 127.0.0.x, politeness delay zero), for
//
//   - SQLite, one process;
//   - PostgreSQL, one worker process;
//   - PostgreSQL, two worker processes on one database;
//
// and, in the same run and on the very same pages, the extraction-only rate
// (internal/extract.Extract over the page bodies, on as many goroutines as
// the pipeline has CPUs), so that the pipeline's overhead prints as a ratio.
// `make bench-pipeline` runs it; docs/benchmarks.md (## Pipeline) keeps the
// figures.
//
// The pages are the real news pages of the shared evaluation set
// (shared/eval/dev/*.html) when it is found, else generated ones. Each
// article is one page served once, with its reference number written into
// its first paragraph so that every item makes its own post.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/pipeline/loopweb"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/tools/internal/proc"
)

func main() {
	bin := flag.String("kabar", "bin/kabar", "the kabar binary to run")
	items := flag.Int("items", 2000, "items (= articles = pages) in the loopback web")
	pagesDir := flag.String("pages", "", "folder of .html pages to serve (default: shared/eval/dev when found, else generated pages)")
	workers := flag.Int("workers", 8, "--workers of each kabar process")
	repeat := flag.Int("repeat", 3, "measure everything this many times, alternating, and print best and median (the machine is shared)")
	hosts := flag.Int("hosts", 8, "hosts of the loopback web")
	pgURL := flag.String("pg", pgtest.URL(), "PostgreSQL server for the PostgreSQL runs (empty: skip them)")
	runs := flag.String("runs", "sqlite,pg1,pg2", "which runs: sqlite, pg1, pg2")
	keep := flag.Bool("keep", false, "keep the SQLite databases and the workers' logs (their folder is printed)")
	flag.Parse()
	log.SetFlags(0)

	pages, source := loadPages(*pagesDir)
	feeds := 16
	web, err := loopweb.Start(loopweb.Config{Hosts: *hosts, Feeds: feeds, ItemsPerFeed: (*items + feeds - 1) / feeds,
		Pages: pages, MarkAt: markOffsets(pages)})
	if err != nil {
		log.Fatal(err)
	}
	defer web.Close()
	fmt.Printf("loopback web: %d hosts, %d feeds, %d items (%s), host delay 0\n", *hosts, feeds, web.Items, source)
	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())

	bodies, urls := web.PageBodies(), web.PageURLs()
	tmp, err := os.MkdirTemp("", "benchpipeline")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		fmt.Printf("keeping databases and logs in %s\n", tmp)
	} else {
		defer func() { _ = os.RemoveAll(tmp) }() // leftovers in the temporary folder change no figure
	}
	want := map[string]bool{}
	for _, r := range strings.Split(*runs, ",") {
		want[strings.TrimSpace(r)] = true
	}
	rates := map[string][]float64{}
	var order []string
	record := func(name string, rate float64, unit string) {
		if _, ok := rates[name]; !ok {
			order = append(order, name)
		}
		rates[name] = append(rates[name], rate)
		fmt.Printf("  %-36s %8.1f %s\n", name, rate, unit)
	}
	const exRef = "extraction only, all CPUs"
	var sqliteUse []cpuUse
	for round := 1; round <= *repeat; round++ {
		fmt.Printf("round %d of %d\n", round, *repeat)
		record("extraction only, 1 goroutine", extractRate(bodies, urls, 1), "pages/s")
		record(exRef, extractRate(bodies, urls, runtime.GOMAXPROCS(0)), "pages/s")
		if want["sqlite"] {
			db := filepath.Join(tmp, fmt.Sprintf("kabar-%d.db", round))
			st, err := sqlite.Open(context.Background(), db)
			if err != nil {
				log.Fatal(err)
			}
			addFeeds(st, web.FeedURLs())
			rate, use, err := pipelineRate(*bin, db, st, web.Items, 1, *workers, tmp)
			_ = st.Close() // only read by the run; its figures are taken
			if err != nil {
				log.Fatal(err)
			}
			record("pipeline, SQLite, 1 process", rate, "items/s")
			sqliteUse = append(sqliteUse, use)
		}
		for _, n := range []int{1, 2} {
			if !want[fmt.Sprintf("pg%d", n)] || *pgURL == "" {
				continue
			}
			name := fmt.Sprintf("pipeline, PostgreSQL, %d process", n)
			if n > 1 {
				name += "es"
			}
			dbURL, drop, err := freshSchema(*pgURL)
			if err != nil {
				fmt.Printf("  %-36s skipped: %v\n", name, err)
				continue
			}
			st, err := postgres.Open(context.Background(), dbURL)
			if err != nil {
				drop()
				log.Fatal(err)
			}
			addFeeds(st, web.FeedURLs())
			rate, _, err := pipelineRate(*bin, dbURL, st, web.Items, n, *workers, tmp)
			_ = st.Close() // only read by the run; its figures are taken
			drop()
			if err != nil {
				log.Fatal(err)
			}
			record(name, rate, "items/s")
		}
	}
	best := func(v []float64) float64 {
		b := v[0]
		for _, x := range v {
			b = max(b, x)
		}
		return b
	}
	median := func(v []float64) float64 {
		c := append([]float64(nil), v...)
		sort.Float64s(c)
		return c[len(c)/2]
	}
	refBest, refMedian := best(rates[exRef]), median(rates[exRef])
	fmt.Printf("\n%-38s %10s %10s %16s\n", "summary", "median", "best", "median / ref")
	for _, name := range order {
		v := rates[name]
		fmt.Printf("%-38s %10.1f %10.1f %15.0f%%\n", name, median(v), best(v), 100*median(v)/refMedian)
	}
	if v, ok := rates["pipeline, SQLite, 1 process"]; ok {
		ratio := median(v) / refMedian
		verdict := "meets"
		if ratio < 0.70 {
			verdict = "MISSES"
		}
		fmt.Printf("\nSQLite pipeline / extraction only (all CPUs), medians: %.2f (%s the 0.70 target); best / best: %.2f\n",
			ratio, verdict, best(v)/refBest)
		// What the target leaves for everything but extraction: at 70% of
		// the reference rate the machine's CPUs have this much time per
		// item, extraction (its one-goroutine cost) takes this much of it.
		budget := float64(runtime.NumCPU()) * 1000 / (0.70 * refMedian)
		extract := 1000 / median(rates["extraction only, 1 goroutine"])
		var kabar, web []float64
		for _, u := range sqliteUse {
			kabar, web = append(kabar, u.kabar), append(web, u.web)
		}
		fmt.Printf("CPU an item at the target: %.2f ms on %d CPUs; extraction takes %.2f ms of it, leaving %.2f ms.\n",
			budget, runtime.NumCPU(), extract, budget-extract)
		fmt.Printf("Measured (medians): kabar %.2f ms an item, of which %.2f ms beyond extraction; the loopback web %.2f ms.\n",
			median(kabar), median(kabar)-extract, median(web))
	}

}

// loadPages finds the pages to serve.
func loadPages(dir string) ([][]byte, string) {
	if dir == "" {
		for _, d := range []string{"../shared/eval/dev", "../../shared/eval/dev", "shared/eval/dev"} {
			if m, _ := filepath.Glob(filepath.Join(d, "*.html")); len(m) > 0 {
				dir = d
				break
			}
		}
	}
	if dir == "" {
		return nil, "generated pages"
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	sort.Strings(files)
	var pages [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			pages = append(pages, b)
		}
	}
	if len(pages) == 0 {
		return nil, "generated pages"
	}
	return pages, fmt.Sprintf("%d real pages of %s, served in turn", len(pages), dir)
}

// markOffsets finds, for each page, where to write the line that makes the
// page's text unique so that the extractor keeps it: at the start of the
// text of the article's longest paragraph (checked by extracting the marked
// page). Without it, pages whose first <p> is not article text would be
// stored once and their later copies reused, and the pipeline would do less
// work than a post per item.
func markOffsets(pages [][]byte) func([]byte) int {
	at := map[*byte]int{}
	unique := 0
	for _, page := range pages {
		if len(page) == 0 {
			continue
		}
		off := markOffset(page)
		at[&page[0]] = off
		if off >= 0 {
			unique++
		}
	}
	fmt.Printf("pages made unique inside their article text: %d of %d (the rest at their first <p>)\n", unique, len(pages))
	return func(page []byte) int {
		if len(page) == 0 {
			return -1
		}
		if off, ok := at[&page[0]]; ok {
			return off
		}
		return -1
	}
}

func markOffset(page []byte) int {
	const u = "http://127.0.0.1/news/page.html"
	art, err := extract.Extract(page, u)
	if err != nil || len(art.Paragraphs) == 0 {
		return -1
	}
	longest := ""
	for _, p := range art.Paragraphs {
		if len(p) > len(longest) {
			longest = p
		}
	}
	words := strings.Fields(longest)
	for n := min(len(words), 4); n >= 1; n-- {
		prefix := strings.Join(words[:n], " ")
		for _, form := range []string{prefix, html.EscapeString(prefix)} {
			for from := 0; ; {
				i := bytes.Index(page[from:], []byte(form))
				if i < 0 {
					break
				}
				off := from + i
				from = off + 1
				marked := append(append(append([]byte(nil), page[:off]...), "(Ref 7777777) "...), page[off:]...)
				if got, err := extract.Extract(marked, u); err == nil && strings.Contains(strings.Join(got.Paragraphs, "\n"), "(Ref 7777777)") {
					return off
				}
			}
		}
	}
	return -1
}

// extractRate extracts every page once on n goroutines and returns pages
// per second (pages that yield no article count too: the pipeline pays for
// them as well).
func extractRate(bodies [][]byte, urls []string, n int) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				_, _ = extract.Extract(bodies[i], urls[i]) // the CPU it takes is the figure; a page it refuses costs CPU too
			}
		}()
	}
	wg.Wait()
	return float64(len(bodies)) / time.Since(start).Seconds()
}

func addFeeds(st store.FeedStore, urls []string) {
	for _, u := range urls {
		if err := st.AddFeed(context.Background(), &model.Feed{URL: u}); err != nil {
			log.Fatal(err)
		}
	}
}

// pipelineRate starts n `kabar work` processes on db and returns items per
// second from their start until every item is finished (done or failed).
func pipelineRate(bin, db string, st store.Store, items, n, workers int, tmp string) (float64, cpuUse, error) {
	ctx := context.Background()
	var procs []*exec.Cmd
	start := time.Now()
	webStart := cpuSelf()
	for i := 0; i < n; i++ {
		cmd := exec.Command(bin, "--db", db, "work", "--workers", fmt.Sprint(workers),
			"--allow-addr", "127.0.0.0/8", "--host-delay", "0", "--retention", "0")
		lf, err := os.Create(filepath.Join(tmp, fmt.Sprintf("work-%d-%d.log", n, i)))
		if err != nil {
			return 0, cpuUse{}, err
		}
		defer func() { _ = lf.Close() }() // the worker's log, for reading later
		cmd.Stdout, cmd.Stderr = lf, lf
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+fmt.Sprint(runtime.GOMAXPROCS(0)))
		if err := cmd.Start(); err != nil {
			return 0, cpuUse{}, err
		}
		procs = append(procs, cmd)
	}
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM) // refused only when it has exited already
		}
		for _, p := range procs {
			_ = p.Wait() // ended on purpose: its exit status says nothing
		}
	}()
	deadline := time.Now().Add(10 * time.Minute)
	for {
		finished, err := finishedItems(ctx, st)
		if err != nil {
			return 0, cpuUse{}, err
		}
		if finished >= items {
			break
		}
		if time.Now().After(deadline) {
			return 0, cpuUse{}, fmt.Errorf("%d of %d items finished after 10 minutes", finished, items)
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	webCPU := cpuSelf() - webStart
	var peak int64
	for _, p := range procs {
		peak = max(peak, proc.PeakRSS(p.Process.Pid))
		_ = p.Process.Signal(syscall.SIGTERM) // refused only when it has exited already
	}
	var workCPU time.Duration
	for _, p := range procs {
		_ = p.Wait() // ended on purpose: its CPU time is read below
		if p.ProcessState != nil {
			workCPU += p.ProcessState.UserTime() + p.ProcessState.SystemTime()
		}
	}
	procs = nil
	use := cpuUse{kabar: ms(workCPU) / float64(items), web: ms(webCPU) / float64(items)}
	fmt.Printf("    (CPU: kabar %.2f ms an item, loopback web and this tool %.2f ms an item; %.2f of %d CPUs busy; kabar peak RSS %d MiB)\n",
		use.kabar, use.web, (workCPU+webCPU).Seconds()/elapsed.Seconds(), runtime.NumCPU(), peak>>20)
	return float64(items) / elapsed.Seconds(), use, nil
}

// cpuUse is the CPU time one item cost, in milliseconds: in the kabar
// processes, and in this tool (the loopback web's servers).
type cpuUse struct{ kabar, web float64 }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// cpuSelf is the CPU time this process has used.
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// finishedItems counts the items that are done or failed, with one
// query: the count runs every 20 ms on the same CPUs as the pipeline, so
// it must cost next to nothing (a count per feed through the store's API
// took a noticeable share).
func finishedItems(ctx context.Context, st store.Store) (int, error) {
	const q = `SELECT count(*) FROM items WHERE status IN ('done', 'failed')`
	var n int
	switch db := st.(type) {
	case *sqlite.Store:
		err := db.DB().QueryRowContext(ctx, q).Scan(&n)
		return n, err
	case *postgres.Store:
		err := db.Pool().QueryRow(ctx, q).Scan(&n)
		return n, err
	}
	return 0, fmt.Errorf("unknown store %T", st)
}

// freshSchema makes an empty schema on the server and returns a URL that
// uses it, and a function that drops it.
func freshSchema(base string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("kabar_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		_ = conn.Close(ctx) // the error above is the one to report
		return "", nil, err
	}
	if err := conn.Close(ctx); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
				log.Printf("drop schema %s: %v", name, err)
			}
			_ = c.Close(ctx) // the schema is dropped or reported above
		}
	}
	return u.String(), drop, nil
}
