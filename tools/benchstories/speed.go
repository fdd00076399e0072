package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/tools/benchstories/runresult"
	"github.com/kabarnews/kabar/tools/benchstories/synth"
)

// speedOpts say what the speed part measures.
type speedOpts struct {
	stores   []string // sqlite, postgres
	sizes    []int    // stored posts
	measure  int      // posts timed a run
	warm     int      // posts assigned untimed before them
	repeats  int      // runs of each version at each store and size
	perDay   int
	baseline string // the commit whose internal/story is the baseline ("": none)
	pg       string // a PostgreSQL database to connect to
	cache    string // where filled stores are kept between runs
}

// benchSpeed times assignment with posts already stored, for the current
// internal/story and the baseline's, on each store: both built as
// speedrun binaries from this tree (the baseline with its internal/story
// swapped in by go build -overlay, so that everything but the story code
// is the same), each run on a fresh copy of one filled store, the two
// versions alternating and the order flipped every repeat, since the
// machine is shared and its load drifts.
func benchSpeed(ctx context.Context, o speedOpts) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "benchstories-speed")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }() // leftovers in the temporary folder change no figure
	if err := os.MkdirAll(o.cache, 0o755); err != nil {
		return err
	}
	versions := []string{"now"}
	bins := map[string]string{"now": filepath.Join(tmp, "speedrun-now")}
	if err := goBuild(root, bins["now"], ""); err != nil {
		return err
	}
	baseName := ""
	if o.baseline != "" {
		bins["before"] = filepath.Join(tmp, "speedrun-before")
		if baseName, err = buildBaseline(root, o.baseline, tmp, bins["before"]); err != nil {
			return fmt.Errorf("baseline %s: %w", o.baseline, err)
		}
		versions = []string{"before", "now"}
	}
	slices.Sort(o.sizes)
	fmt.Printf("## Speed: assignment with posts already stored (synthetic news, %d posts a day)\n\n", o.perDay)
	if baseName != "" {
		fmt.Printf("before: internal/story of %s; now: this tree. %d runs of each, alternating, %d posts timed a run after %d untimed, each run on a fresh copy of the filled store.\n\n",
			baseName, o.repeats, o.measure, o.warm)
	}
	for _, st := range o.stores {
		if err := fillStores(ctx, o, st, bins["now"]); err != nil {
			return fmt.Errorf("%s: fill: %w", st, err)
		}
	}
	got := map[speedKey][]runresult.Result{}
	for r := 0; r < o.repeats; r++ {
		order := slices.Clone(versions)
		if r%2 == 1 {
			slices.Reverse(order)
		}
		for _, st := range o.stores {
			for _, n := range o.sizes {
				for _, v := range order {
					res, err := speedRun(ctx, o, st, n, bins[v], tmp)
					if err != nil {
						return fmt.Errorf("%s %d %s: %w", st, n, v, err)
					}
					log.Printf("speed: %s %d posts, %s, run %d: %.0f µs a post (CPU %.0f, store %.0f)", st, n, v, r+1, res.WallUS, res.CPUUS, res.StoreUS)
					k := speedKey{st, v, n}
					got[k] = append(got[k], res)
				}
			}
		}
	}
	printSpeedTable(o, versions, got)
	if len(versions) == 2 {
		printSpeedRatios(o, got)
	}
	if len(o.sizes) > 1 {
		printSpeedScaling(o, versions, got)
	}
	return nil
}

// speedKey is one cell of the speed table: a store, a size, a version.
type speedKey struct {
	store, version string
	size           int
}

// printSpeedTable prints the medians of every store, size and version.
func printSpeedTable(o speedOpts, versions []string, got map[speedKey][]runresult.Result) {
	fmt.Println("| store | stored posts | code | µs a post, wall (runs: min–max) | CPU µs a post | of which outside store calls | wall in the store | p99 µs | posts in the index | heap after Load | heap after the run | Load |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, st := range o.stores {
		for _, n := range o.sizes {
			for _, v := range versions {
				rs := got[speedKey{st, v, n}]
				wall := field(rs, func(r runresult.Result) float64 { return r.WallUS })
				fmt.Printf("| %s | %d | %s | %.0f (%.0f–%.0f) | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f MB | %.0f MB | %.1f s |\n", st, n, v,
					median(wall), slices.Min(wall), slices.Max(wall),
					median(field(rs, func(r runresult.Result) float64 { return r.CPUUS })),
					median(field(rs, func(r runresult.Result) float64 { return r.CPUUS - r.StoreCPUUS })),
					median(field(rs, func(r runresult.Result) float64 { return r.StoreUS })),
					median(field(rs, func(r runresult.Result) float64 { return r.P99US })),
					median(field(rs, func(r runresult.Result) float64 { return float64(r.IndexPosts) })),
					median(field(rs, func(r runresult.Result) float64 { return r.HeapLoadMB })),
					median(field(rs, func(r runresult.Result) float64 { return r.HeapEndMB })),
					median(field(rs, func(r runresult.Result) float64 { return r.LoadMS }))/1e3)
			}
		}
	}
	fmt.Println()
}

// printSpeedRatios prints now / before, run by run: the runs of one round
// shared the machine's load.
func printSpeedRatios(o speedOpts, got map[speedKey][]runresult.Result) {
	fmt.Println("Ratios now / before, run by run (a run of each in one round), median (min–max):")
	fmt.Println()
	fmt.Println("| store | stored posts | wall | CPU | CPU outside store calls | wall outside store calls |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, st := range o.stores {
		for _, n := range o.sizes {
			b, a := got[speedKey{st, "before", n}], got[speedKey{st, "now", n}]
			ratio := func(f func(runresult.Result) float64) string {
				var rs []float64
				for i := range min(len(a), len(b)) {
					rs = append(rs, f(a[i])/f(b[i]))
				}
				return fmt.Sprintf("%.2f (%.2f–%.2f)", median(rs), slices.Min(rs), slices.Max(rs))
			}
			fmt.Printf("| %s | %d | %s | %s | %s | %s |\n", st, n,
				ratio(func(r runresult.Result) float64 { return r.WallUS }),
				ratio(func(r runresult.Result) float64 { return r.CPUUS }),
				ratio(func(r runresult.Result) float64 { return r.CPUUS - r.StoreCPUUS }),
				ratio(func(r runresult.Result) float64 { return r.WallUS - r.StoreUS }))
		}
	}
	fmt.Println()
}

// printSpeedScaling prints how the time a post grows from the smallest
// store to the largest.
func printSpeedScaling(o speedOpts, versions []string, got map[speedKey][]runresult.Result) {
	lo, hi := o.sizes[0], o.sizes[len(o.sizes)-1]
	for _, st := range o.stores {
		for _, v := range versions {
			w := func(n int) float64 {
				return median(field(got[speedKey{st, v, n}], func(r runresult.Result) float64 { return r.WallUS }))
			}
			fmt.Printf("%s, %s: time a post at %d stored posts / at %d: %.2f×\n", st, v, hi, lo, w(hi)/w(lo))
		}
	}
	fmt.Println()
}

func field(rs []runresult.Result, f func(runresult.Result) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.SortFunc(s, cmp.Compare)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the kabar module")
	}
	return filepath.Dir(mod), nil
}

// goBuild builds speedrun, with an overlay file when not "".
func goBuild(root, out, overlay string) error {
	args := []string{"build", "-o", out}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.Command("go", append(args, "./tools/benchstories/speedrun")...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build speedrun: %v\n%s", err, b)
	}
	return nil
}

// buildBaseline builds speedrun with internal/story as it was at rev: its
// files are read from git and laid over the tree's (files it did not
// have are hidden). It returns rev's short name and subject.
func buildBaseline(root, rev, tmp, out string) (string, error) {
	git := func(args ...string) ([]byte, error) {
		cmd := exec.Command("git", append([]string{"-C", root}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return b, nil
	}
	// The last commit that changed internal/story names the baseline.
	name, err := git("log", "-1", "--format=%h (%s)", rev, "--", "internal/story")
	if err != nil {
		return "", err
	}
	list, err := git("ls-tree", "--name-only", rev, "internal/story/")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(tmp, "baseline-story")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	replace := map[string]string{}
	had := map[string]bool{}
	for _, path := range strings.Fields(string(list)) {
		base := filepath.Base(path)
		if strings.HasSuffix(base, "_test.go") || !strings.Contains(base, ".") {
			continue // tests and the storytest folder are not built
		}
		b, err := git("show", rev+":"+path)
		if err != nil {
			return "", err
		}
		f := filepath.Join(dir, base)
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return "", err
		}
		replace[filepath.Join(root, path)] = f
		had[base] = true
	}
	if len(had) == 0 {
		return "", fmt.Errorf("no internal/story at %s", rev)
	}
	now, err := filepath.Glob(filepath.Join(root, "internal", "story", "*.go"))
	if err != nil {
		return "", err
	}
	for _, f := range now {
		if !had[filepath.Base(f)] && !strings.HasSuffix(f, "_test.go") {
			replace[f] = ""
		}
	}
	ov, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(tmp, "baseline-overlay.json")
	if err := os.WriteFile(overlay, ov, 0o644); err != nil {
		return "", err
	}
	return strings.TrimSpace(string(name)), goBuild(root, out, overlay)
}

// fillMark is what a filled store's marker file holds: a store filled
// from another stream is refilled.
func (o speedOpts) fillMark() string { return fmt.Sprintf("%s per-day %d\n", synth.Version, o.perDay) }

func (o speedOpts) marker(st string, n int) string {
	return filepath.Join(o.cache, fmt.Sprintf("%s-%d.ok", st, n))
}

// filled reports whether the store of size n is filled with this stream.
func (o speedOpts) filled(st string, n int) bool {
	b, err := os.ReadFile(o.marker(st, n))
	return err == nil && string(b) == o.fillMark()
}

// pgFromSQLite makes the PostgreSQL store of size n a copy of the SQLite
// one, as kabar migrate-store does.
func (o speedOpts) pgFromSQLite(ctx context.Context, n int) error {
	u, err := o.pgCopy(ctx, "", pgName(n))
	if err != nil {
		return err
	}
	if u, err = withParam(u, "synchronous_commit", "off"); err != nil {
		return err
	}
	src, err := sqlite.Open(ctx, o.sqlitePath(n))
	if err != nil {
		return err
	}
	defer func() { _ = src.Close() }() // only read
	dst, err := postgres.Open(ctx, u)
	if err != nil {
		return err
	}
	_, err = dst.CopyFromSQLite(ctx, src.DB())
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

func (o speedOpts) sqlitePath(n int) string {
	return filepath.Join(o.cache, fmt.Sprintf("sqlite-%d.db", n))
}

func pgName(n int) string { return fmt.Sprintf("kabar_bench_stories_%d", n) }

// fillStores makes the filled stores of each size that are not there yet
// (the SQLite files and PostgreSQL databases are kept for later runs),
// each from the next smaller one.
func fillStores(ctx context.Context, o speedOpts, st, bin string) error {
	prev := 0
	for _, n := range o.sizes {
		if o.filled(st, n) {
			prev = n
			continue
		}
		if st == "postgres" && o.filled("sqlite", n) {
			// Assigning 100 000 posts one by one over a connection takes
			// hours on a loaded machine: the SQLite store of the same
			// posts and stories is copied instead (kabar migrate-store).
			log.Printf("speed: copying the SQLite store of %d posts into PostgreSQL database %s", n, pgName(n))
			if err := o.pgFromSQLite(ctx, n); err != nil {
				return err
			}
			if err := os.WriteFile(o.marker(st, n), []byte(o.fillMark()), 0o644); err != nil {
				return err
			}
			prev = n
			continue
		}
		log.Printf("speed: filling a %s store with %d posts (from %d); kept in %s for later runs", st, n, prev, o.cache)
		db, err := copyStore(ctx, o, st, prev, n)
		if err != nil {
			return err
		}
		if st == "postgres" {
			// The fill waits for no disk flush at each commit (a setting
			// of its connections only): at a commit per post on a shared
			// disk it would take hours. The timed runs keep the server's
			// setting.
			if db, err = withParam(db, "synchronous_commit", "off"); err != nil {
				return err
			}
		}
		res, err := runSpeedrun(bin, st, db, "-fill", "-from", fmt.Sprint(prev), "-stored", fmt.Sprint(n))
		if err != nil {
			return err
		}
		log.Printf("speed: filled in %.0f s", res.FillS)
		if err := os.WriteFile(o.marker(st, n), []byte(o.fillMark()), 0o644); err != nil {
			return err
		}
		prev = n
	}
	return nil
}

// copyStore copies the filled store of size from (0: an empty store) to
// the one of size to and returns the copy's address.
func copyStore(ctx context.Context, o speedOpts, st string, from, to int) (string, error) {
	switch st {
	case "sqlite":
		dst := o.sqlitePath(to)
		if err := copySQLite(o.sqlitePath(from), dst, from == 0); err != nil {
			return "", err
		}
		return dst, nil
	case "postgres":
		tmpl := ""
		if from > 0 {
			tmpl = pgName(from)
		}
		return o.pgCopy(ctx, tmpl, pgName(to))
	}
	return "", fmt.Errorf("unknown store %q (sqlite or postgres)", st)
}

// copySQLite copies a database file with its WAL (none when empty).
func copySQLite(src, dst string, empty bool) error {
	for _, sfx := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(dst + sfx); err != nil && !os.IsNotExist(err) {
			return err
		}
		if empty {
			continue
		}
		in, err := os.Open(src + sfx)
		if os.IsNotExist(err) && sfx != "" {
			continue
		}
		if err != nil {
			return err
		}
		outF, err := os.Create(dst + sfx)
		if err != nil {
			_ = in.Close() // only read; the error above is the one to report
			return err
		}
		_, err = io.Copy(outF, in)
		_ = in.Close() // only read
		if cerr := outF.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pgURL is o.pg with another database.
func (o speedOpts) pgURL(db string) (string, error) {
	u, err := url.Parse(o.pg)
	if err != nil {
		return "", fmt.Errorf("-pg: %w", err)
	}
	u.Path = "/" + db
	return u.String(), nil
}

func withParam(u, k, v string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String(), nil
}

// pgCopy (re)creates database dst, a copy of tmpl ("" : empty), and
// returns its URL.
func (o speedOpts) pgCopy(ctx context.Context, tmpl, dst string) (string, error) {
	if err := o.pgExec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{dst}.Sanitize()); err != nil {
		return "", err
	}
	q := "CREATE DATABASE " + pgx.Identifier{dst}.Sanitize()
	if tmpl != "" {
		q += " TEMPLATE " + pgx.Identifier{tmpl}.Sanitize()
	}
	if err := o.pgExec(ctx, q); err != nil {
		return "", err
	}
	return o.pgURL(dst)
}

func (o speedOpts) pgExec(ctx context.Context, q string) error {
	conn, err := pgx.Connect(ctx, o.pg)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", o.pg, err)
	}
	defer func() { _ = conn.Close(ctx) }() // the statement's error is the one to report
	if _, err := conn.Exec(ctx, q); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}

// speedRun runs one timed speedrun on a fresh copy of the filled store.
func speedRun(ctx context.Context, o speedOpts, st string, n int, bin, tmp string) (runresult.Result, error) {
	var db string
	switch st {
	case "sqlite":
		db = filepath.Join(tmp, "run.db")
		if err := copySQLite(o.sqlitePath(n), db, false); err != nil {
			return runresult.Result{}, err
		}
		defer func() { _ = copySQLite("", db, true) }() // removing a scratch copy; leftovers change no figure
	case "postgres":
		run := "kabar_bench_stories_run"
		var err error
		if db, err = o.pgCopy(ctx, pgName(n), run); err != nil {
			return runresult.Result{}, err
		}
		defer func() {
			if err := o.pgExec(context.Background(), "DROP DATABASE IF EXISTS "+run); err != nil {
				log.Printf("speed: %v", err)
			}
		}()
	}
	return runSpeedrun(bin, st, db, "-stored", fmt.Sprint(n), "-measure", fmt.Sprint(o.measure),
		"-warm", fmt.Sprint(o.warm), "-per-day", fmt.Sprint(o.perDay))
}

func runSpeedrun(bin, st, db string, args ...string) (runresult.Result, error) {
	cmd := exec.Command(bin, append([]string{"-store", st, "-db", db}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	out, err := cmd.Output()
	if err != nil {
		return runresult.Result{}, fmt.Errorf("%s: %v after %s: %s", filepath.Base(bin), err, time.Since(t0).Round(time.Second), strings.TrimSpace(stderr.String()))
	}
	var res runresult.Result
	if err := json.Unmarshal(out, &res); err != nil {
		return res, fmt.Errorf("%s printed %q: %w", filepath.Base(bin), out, err)
	}
	return res, nil
}
