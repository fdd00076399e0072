// Command benchweb measures the site under load: it builds a database of
// many posts (once; later runs reuse it), starts `kabar serve` on it on
// 127.0.0.1, sends requests at a fixed rate mixing post pages, home pages,
// searches, label pages, feeds and posts' lead images, and prints latency percentiles and errors
// for each kind and overall. `make bench-web` runs it.
//
// At the same moments it sends as many requests to a control: a minimal Go
// server in a process of its own serving one of kabar's pages from memory.
// What slows the control down is the machine (other processes, the disk,
// the scheduler); what slows kabar down and not the control is kabar's own.
// It also prints the kernel's pressure figures and kabar's garbage
// collection for each round, and can take profiles of kabar under the load.
//
// The load is open-loop: request i is due at start + i/rate whether or not
// earlier ones have returned, and its latency counts from when it was due,
// so a slow server cannot hide its queueing delay (no coordinated omission).
//
//	go run ./tools/benchweb -kabar bin/kabar -posts 100000 -rate 100 -duration 30s
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/images"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

func main() {
	bin := flag.String("kabar", "bin/kabar", "the kabar binary to serve with")
	db := flag.String("db", filepath.Join(os.TempDir(), "kabar-bench-web.db"), "database to build (reused when it already holds -posts posts): a SQLite file or a postgres:// URL")
	procs := flag.Int("serve", 1, "kabar serve processes on the database; requests go to each in turn, as from a round-robin load balancer")
	posts := flag.Int("posts", 100_000, "posts in the database")
	rate := flag.Float64("rate", 100, "requests per second (to kabar; the control gets as many)")
	duration := flag.Duration("duration", 30*time.Second, "how long each round sends")
	rounds := flag.Int("rounds", 3, "rounds of load; the table shows each figure's median over them")
	warmup := flag.Duration("warmup", 20*time.Second, "load sent first and not counted, while the processes just started fill their page and ranking caches and the database its buffers (-warmup 0 measures that start itself)")
	seed := flag.Uint64("seed", 1, "random seed of the data and the request mix")
	profile := flag.String("profile", "", "directory to write an execution trace and CPU, mutex and block profiles of kabar into, taken during the first round")
	costN := flag.Int("cost", 40, "after the rounds, requests of each kind sent one at a time to measure kabar's CPU per request (0: none)")
	baseline := flag.String("baseline", "", "another kabar binary (an earlier version) whose CPU per request is measured on the same requests and database, for ratios")
	baselineDB := flag.String("baseline-db", "", "the database the baseline serves, when not -db: a copy of it at the baseline's schema, for a change that migrates the database")
	results := flag.String("results", "", "file to write every request into, one per line: round, kind, latency in ms, control's latency at the same moment in ms, path (tab-separated)")
	control := flag.String("serve-control", "", "run as the control server on this address (benchweb starts it itself)")
	controlPage := flag.String("control-page", "", "the page the control serves (with -serve-control)")
	flag.Parse()
	log.SetFlags(0)
	if *control != "" {
		log.Fatal(serveControl(*control, *controlPage))
	}
	if *rounds < 1 {
		log.Fatal("benchweb: -rounds must be at least 1")
	}

	ctx := context.Background()
	w := newWords(*seed)
	start := time.Now()
	n, err := build(ctx, *db, *posts, w, *seed)
	if err != nil {
		log.Fatalf("benchweb: build: %v", err)
	}
	log.Printf("database %s: %d posts (%s)", *db, n, time.Since(start).Round(time.Millisecond))

	if *procs < 1 {
		log.Fatal("benchweb: -serve must be at least 1")
	}
	var ks kabars
	for range *procs {
		k, err := serve(*bin, *db)
		if err != nil {
			log.Fatalf("benchweb: serve: %v", err)
		}
		defer k.stop()
		ks = append(ks, k)
	}
	k := ks[0]
	targets, err := sample(ctx, *db, w, *seed)
	if err != nil {
		log.Fatalf("benchweb: %v", err)
	}
	var bases []string
	for _, k := range ks {
		bases = append(bases, "http://"+k.addr)
	}
	base := bases[0]
	ctl, err := startControl(base)
	if err != nil {
		log.Fatalf("benchweb: control: %v", err)
	}
	defer ctl.stop()
	log.Printf("kabar serving on %s, control on %s; warm-up %s", base, ctl.addr, *warmup)
	run(bases, "http://"+ctl.addr, targets, *rate, *warmup, *seed+1)
	var rs []round
	for i := range *rounds {
		log.Printf("round %d/%d: %.0f requests/s for %s", i+1, *rounds, *rate, *duration)
		var stopProfile func()
		if i == 0 && *profile != "" {
			stopProfile = startProfiles(k.debug, *profile, *duration)
		}
		psi0, gc0, t0 := readPressure(), ks.runtime(), time.Now()
		kab, ctlRes := run(bases, "http://"+ctl.addr, targets, *rate, *duration, *seed+2+uint64(i))
		// The round lasts until its last answer, which may be well after
		// the last request was sent.
		rs = append(rs, round{kabar: kab, control: ctlRes, psi: readPressure().since(psi0, time.Since(t0)), gc: ks.runtime().since(gc0)})
		if stopProfile != nil {
			stopProfile()
		}
	}
	report(os.Stdout, rs, *rate, *duration, n)
	if *results != "" {
		if err := writeResults(*results, rs); err != nil {
			log.Fatalf("benchweb: %v", err)
		}
	}
	if isPostgres(*db) {
		// The server's page cache decides much of a search's cost at this
		// size (docs/benchmarks.md): say what it was.
		if v, err := serverSettings(ctx, *db); err == nil {
			fmt.Printf("PostgreSQL: %s\n", v)
		}
	}
	if *costN > 0 {
		// Processes of their own without the page cache: each request is
		// rendered, whatever came before it.
		fresh, err := serve(*bin, *db, "--page-cache-mb", "0")
		if err != nil {
			log.Fatalf("benchweb: cost: %v", err)
		}
		defer fresh.stop()
		procs := []*kabarProc{fresh}
		if *baseline != "" {
			bdb := *db
			if *baselineDB != "" {
				bdb = *baselineDB
			}
			b, err := serve(*baseline, bdb, "--page-cache-mb", "0")
			if err != nil {
				log.Fatalf("benchweb: baseline: %v", err)
			}
			defer b.stop()
			procs = append(procs, b)
		}
		log.Printf("cost: %d requests of each kind, one at a time", *costN)
		dbs := []string{*db}
		if *baselineDB != "" {
			dbs = append(dbs, *baselineDB)
		}
		dbc := openDBCPU(ctx, dbs...)
		defer dbc.close()
		cs, err := costs(procs, targets, *costN, *seed+100, dbc)
		if err != nil {
			log.Fatalf("benchweb: cost: %v", err)
		}
		reportCosts(os.Stdout, cs, *costN, *baseline, dbc != nil)
	}
}

// words is the vocabulary of the generated posts: Zipf-distributed, so a
// few words are in most posts and most words in a few, as in real text.
type words struct {
	list []string
	zipf *rand.Zipf
	rng  *rand.Rand
}

func newWords(seed uint64) *words {
	rng := rand.New(rand.NewPCG(seed, 7))
	syl := []string{"ka", "ba", "ru", "lan", "dan", "me", "ng", "si", "ta", "pu", "ra", "ja", "wa", "ti", "no", "bor", "der", "mi", "gra", "sun", "po", "le", "kre", "eu", "sa", "na", "go", "ro", "vi", "du"}
	seen := map[string]bool{}
	var list []string
	for len(list) < 20_000 {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			list = append(list, w)
		}
	}
	return &words{list: list, rng: rng, zipf: rand.NewZipf(rand.New(rand.NewPCG(seed, 8)), 1.07, 2, uint64(len(list)-1))}
}

func (w *words) sentence(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = w.list[w.zipf.Uint64()]
	}
	s := strings.Join(parts, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// build fills the database with posts spread over two years, from 20 feeds
// and 300 publishers, with comments on one post in twenty.
func build(ctx context.Context, path string, want int, w *words, seed uint64) (int, error) {
	st, err := openStore(ctx, path)
	if err != nil {
		return 0, err
	}
	defer func() { _ = st.Close() }() // read-only use below; a failing close loses nothing
	have, err := st.CountPosts(ctx)
	if err != nil || have >= want {
		return have, err
	}
	rng := rand.New(rand.NewPCG(seed, 9))
	feeds, err := st.Feeds(ctx)
	if err != nil {
		return 0, err
	}
	for i := len(feeds); i < 20; i++ {
		f := &model.Feed{URL: fmt.Sprintf("https://news.google.com/rss/search?q=topic%d", i), Paused: true}
		if err := st.AddFeed(ctx, f); err != nil {
			return 0, err
		}
		if err := st.RecordPoll(ctx, f.ID, store.PollResult{At: time.Now(), Title: fmt.Sprintf("Topic %d - Google News", i)}); err != nil {
			return 0, err
		}
		if i%4 == 0 {
			if err := st.SetFeedOptions(ctx, model.FeedOptions{FeedID: f.ID, Topic: fmt.Sprintf("Region %d", i/4)}); err != nil {
				return 0, err
			}
		}
		feeds = append(feeds, *f)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	span := 2 * 365 * 24 * time.Hour
	last := time.Now()
	for i := have; i < want; i++ {
		paras := make([]string, 4+rng.IntN(8))
		for j := range paras {
			paras[j] = w.sentence(12+rng.IntN(20)) + " " + w.sentence(8+rng.IntN(16)) + " " + w.sentence(10+rng.IntN(12))
		}
		lang := "en"
		if i%3 == 0 {
			lang = "id"
		}
		p := &model.Post{
			FeedID:     feeds[rng.IntN(len(feeds))].ID,
			Title:      strings.TrimSuffix(w.sentence(5+rng.IntN(6)), "."),
			Publisher:  fmt.Sprintf("Publisher %d", int(300*rng.Float64()*rng.Float64())),
			SourceURL:  fmt.Sprintf("https://publisher%d.example/story/%d", i%300, i),
			ItemLink:   fmt.Sprintf("https://news.google.com/rss/articles/bench%d", i),
			Published:  start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second),
			Language:   lang,
			Paragraphs: paras,
		}
		if _, err := st.SavePost(ctx, p); err != nil {
			return i, err
		}
		if i%20 == 0 {
			for k := range 1 + rng.IntN(3) {
				c := &model.Comment{PostID: p.ID, Name: fmt.Sprintf("Reader %d", k), Body: w.sentence(15), Status: model.CommentApproved}
				if err := st.AddComment(ctx, c); err != nil {
					return i, err
				}
			}
		}
		if time.Since(last) > 5*time.Second {
			log.Printf("  %d/%d posts", i+1, want)
			last = time.Now()
		}
	}
	return st.CountPosts(ctx)
}

// serverSettings returns the PostgreSQL server's version and shared
// buffers.
func serverSettings(ctx context.Context, db string) (string, error) {
	st, err := postgres.Open(ctx, db)
	if err != nil {
		return "", err
	}
	defer func() { _ = st.Close() }() // read-only use
	var version, buffers string
	err = st.Pool().QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('shared_buffers')`).Scan(&version, &buffers)
	return fmt.Sprintf("server %s, shared_buffers %s", version, buffers), err
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

func openStore(ctx context.Context, db string) (store.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

// kabars are the kabar serve processes under test.
type kabars []*kabarProc

// runtime sums the processes' runtime figures; the longest pause is the
// longest of any.
func (ks kabars) runtime() runtimeFigures {
	var sum runtimeFigures
	for _, k := range ks {
		f := k.runtime()
		sum.GCCycles += f.GCCycles
		sum.Pauses += f.Pauses
		sum.PauseTotalS += f.PauseTotalS
		sum.PauseMaxS = max(sum.PauseMaxS, f.PauseMaxS)
		sum.GCCPUS += f.GCCPUS
		sum.TotalCPUS += f.TotalCPUS
	}
	return sum
}

// kabarProc is one kabar serve under test.
type kabarProc struct {
	addr, debug string
	pid         int
	stop        func()
}

// serve starts kabar serve on a free port, with its debug endpoints on
// another, and waits until it answers.
func serve(bin, db string, flags ...string) (*kabarProc, error) {
	addrs, err := freeAddrs(2)
	if err != nil {
		return nil, err
	}
	addr, debug := addrs[0], addrs[1]
	cmd := exec.Command(bin, append([]string{"--db", db, "serve", "--addr", addr, "--debug-addr", debug}, flags...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.Env = append(os.Environ(), "KABAR_LOG=text")
	stop, err := startAndWait(cmd, "http://"+addr+"/healthz")
	if err != nil {
		return nil, fmt.Errorf("kabar: %w", err)
	}
	return &kabarProc{addr: addr, debug: debug, pid: cmd.Process.Pid, stop: stop}, nil
}

func freeAddr() (string, error) {
	addrs, err := freeAddrs(1)
	if err != nil {
		return "", err
	}
	return addrs[0], nil
}

// freeAddrs returns n ports free now, all different: each is held until
// all are chosen, as a port closed at once may be the next one given
// (kabar's site and debug endpoints were once given the same).
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		// Closed to free the port for kabar; an error here would leave it
		// taken, which kabar's own listen then reports.
		defer func() { _ = ln.Close() }()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

// startAndWait starts cmd and waits until health answers 200; the function
// it returns stops the process.
func startAndWait(cmd *exec.Cmd, health string) (func(), error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop := func() {
		// Errors here mean the process has already gone, which is what
		// stopping it wants.
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case <-done:
			return nil, fmt.Errorf("exited (%v) before it answered %s", cmd.ProcessState, health)
		default:
		}
		res, err := http.Get(health)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return stop, nil
			}
		}
	}
	stop()
	return nil, errors.New("did not answer " + health + " within 30s")
}

// targets are the paths the load picks from.
type targets struct {
	posts  []string
	labels []string
	words  []string // for searches: each a word of the vocabulary
	common []string // the most frequent words, the searches with most matches
	images []string // posts' lead images, thumbnails and wide ones
}

func sample(ctx context.Context, db string, w *words, seed uint64) (*targets, error) {
	st, err := openStore(ctx, db)
	if err != nil {
		return nil, err
	}
	defer func() { _ = st.Close() }() // read-only use below; a failing close loses nothing
	t := &targets{}
	rng := rand.New(rand.NewPCG(seed, 10))
	n, err := st.CountPosts(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if isPostgres(db) {
		// On PostgreSQL an offset is a walk of that many rows (minutes
		// for the sample); the posts' IDs run from 1 to about n, as
		// build made them, and the sample takes them at random.
		for tries := 0; len(ids) < 5000; tries++ {
			if tries > 50_000 {
				return nil, errors.New("sample posts: too few posts found by ID")
			}
			p, err := st.Post(ctx, 1+rng.Int64N(int64(n)))
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("sample posts: %v", err)
			}
			t.posts = append(t.posts, p.Path())
			ids = append(ids, p.ID)
		}
	}
	for len(ids) < 5000 {
		ps, err := st.Posts(ctx, store.PostQuery{Limit: 1, Offset: rng.IntN(n)})
		if err != nil || len(ps) == 0 {
			return nil, fmt.Errorf("sample posts: %v", err)
		}
		t.posts = append(t.posts, ps[0].Path())
		ids = append(ids, ps[0].ID)
	}
	if t.images, err = sampleImages(ctx, st, ids); err != nil {
		return nil, err
	}
	labels, err := st.Labels(ctx, "", 200)
	if err != nil {
		return nil, err
	}
	for _, l := range labels {
		t.labels = append(t.labels, l.Name)
	}
	t.words = w.list[100:5000]
	t.common = w.list[2:30]
	return t, nil
}

// The request mix: kinds and their shares.
var mix = []struct {
	kind  string
	share float64
}{
	{"post", 0.37}, {"home", 0.15}, {"search", 0.12}, {"search-common", 0.03},
	{"label", 0.10}, {"feed", 0.10}, {"image", 0.08}, {"month", 0.05},
}

func (t *targets) pick(rng *rand.Rand) (kind, path string) {
	x := rng.Float64()
	for _, m := range mix {
		if x -= m.share; x < 0 || m.kind == mix[len(mix)-1].kind {
			kind = m.kind
			break
		}
	}
	switch kind {
	case "post":
		return kind, t.posts[rng.IntN(len(t.posts))]
	case "home":
		if rng.IntN(5) == 0 {
			return kind, fmt.Sprintf("/?page=%d", 2+rng.IntN(20))
		}
		return kind, "/"
	case "search":
		q := t.words[rng.IntN(len(t.words))]
		if rng.IntN(3) == 0 {
			q += " " + t.words[rng.IntN(len(t.words))]
		}
		return kind, "/search?q=" + url.QueryEscape(q)
	case "image":
		return kind, t.images[rng.IntN(len(t.images))]
	case "search-common":
		return kind, "/search?q=" + url.QueryEscape(t.common[rng.IntN(len(t.common))])
	case "label":
		return kind, "/search/label/" + url.PathEscape(t.labels[rng.IntN(len(t.labels))])
	case "feed":
		switch rng.IntN(4) {
		case 0:
			return kind, "/feeds/posts/default?alt=rss"
		case 1:
			return kind, "/feeds/posts/default/-/" + url.PathEscape(t.labels[rng.IntN(len(t.labels))])
		case 2:
			return kind, "/feeds/posts/default?alt=json"
		}
		return kind, "/feeds/posts/default"
	}
	return kind, fmt.Sprintf("/%d/%02d/", 2024+rng.IntN(2), 1+rng.IntN(12))
}

type result struct {
	kind, path string
	latency    time.Duration
	err        string
}

// run sends requests at rate for d, open-loop, to kabar and, at the same
// moments, to the control; it returns both's results.
func run(bases []string, control string, t *targets, rate float64, d time.Duration, seed uint64) (kabar, ctl []result) {
	newClient := func() *http.Client {
		return &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0, DisableCompression: true},
		}
	}
	// Each server has its own client, so that neither waits for the
	// other's connections.
	kc, cc := newClient(), newClient()
	rng := rand.New(rand.NewPCG(seed, 11))
	total := int(rate * d.Seconds())
	kabar, ctl = make([]result, total), make([]result, total)
	var wg sync.WaitGroup
	get := func(c *http.Client, url, kind, path string, due time.Time, out *result) {
		defer wg.Done()
		r := result{kind: kind, path: path}
		res, err := c.Get(url + path)
		if err != nil {
			r.err = "transport: " + err.Error()
		} else {
			if _, err := io.Copy(io.Discard, res.Body); err != nil {
				r.err = "body: " + err.Error()
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				r.err = fmt.Sprintf("status %d: %s", res.StatusCode, path)
			}
		}
		r.latency = time.Since(due)
		*out = r
	}
	start := time.Now()
	for i := range total {
		due := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		kind, path := t.pick(rng)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(2)
		go get(kc, bases[i%len(bases)], kind, path, due, &kabar[i])
		go get(cc, control, "control", path, due, &ctl[i])
	}
	wg.Wait()
	return kabar, ctl
}

// round is one round's results and what the machine and kabar's runtime
// did meanwhile.
type round struct {
	kabar, control []result
	psi            pressure
	gc             runtimeFigures
}

// figures are one kind's percentiles in one round.
type figures struct {
	n, errs             int
	p50, p90, p99, peak time.Duration
}

func measure(rs []result) figures {
	var lat []time.Duration
	f := figures{n: len(rs)}
	for _, r := range rs {
		lat = append(lat, r.latency)
		if r.err != "" {
			f.errs++
		}
	}
	if len(lat) == 0 {
		return f
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	f.p50, f.p90, f.p99, f.peak = q(0.50), q(0.90), q(0.99), lat[len(lat)-1]
	return f
}

func median[T cmp.Ordered](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// The goal of the issue that asked for the control: kabar's p99 within
// 3× the control's plus 10 ms.
func goal(ctl time.Duration) time.Duration { return 3*ctl + 10*time.Millisecond }

func report(w io.Writer, rounds []round, rate float64, d time.Duration, posts int) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "\nkabar bench-web: %d posts, %.0f requests/s for %s × %d rounds (and as many to the control), %d CPUs (%s/%s), host %s\n",
		posts, rate, d, len(rounds), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host)
	fmt.Fprintf(w, "figures are medians over the rounds; requests and errors are totals; p99/ctl is kabar's p99 ÷ the control's, goal p99 ≤ 3×control + 10ms\n\n")
	fmt.Fprintf(w, "%-14s %8s %7s %9s %9s %9s %9s %7s %8s %5s\n", "kind", "requests", "share", "p50", "p90", "p99", "max", "errors", "p99/ctl", "goal")
	all := 0
	for _, r := range rounds {
		all += len(r.kabar)
	}
	ctlP99 := median(collect(rounds, func(r round) time.Duration { return measure(r.control).p99 }))
	line := func(kind string, pick func(round) []result) {
		var n, errs int
		var p50, p90, p99, peak []time.Duration
		for _, r := range rounds {
			var rs []result
			for _, x := range pick(r) {
				if kind == "all" || kind == "control" || x.kind == kind {
					rs = append(rs, x)
				}
			}
			f := measure(rs)
			n, errs = n+f.n, errs+f.errs
			p50, p90, p99, peak = append(p50, f.p50), append(p90, f.p90), append(p99, f.p99), append(peak, f.peak)
		}
		ratio, ok := "", ""
		if kind != "control" && ctlP99 > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(median(p99))/float64(ctlP99))
			ok = "ok"
			if median(p99) > goal(ctlP99) {
				ok = "over"
			}
		}
		fmt.Fprintf(w, "%-14s %8d %6.1f%% %9s %9s %9s %9s %7d %8s %5s\n", kind, n, 100*float64(n)/float64(max(all, 1)),
			fmtDur(median(p50)), fmtDur(median(p90)), fmtDur(median(p99)), fmtDur(median(peak)), errs, ratio, ok)
	}
	kab := func(r round) []result { return r.kabar }
	for _, m := range mix {
		line(m.kind, kab)
	}
	line("all", kab)
	line("control", func(r round) []result { return r.control })

	fmt.Fprintf(w, "\nthe machine and kabar's runtime, per round (pressure: share of the round some/all tasks stalled, from /proc/pressure; disk read: from /proc/vmstat):\n")
	fmt.Fprintf(w, "%-6s %9s %9s %9s %9s %9s %10s %6s %10s %10s %8s\n", "round", "cpu some", "io some", "io full", "mem some", "mem full", "disk read", "GCs", "GC pauses", "max pause", "GC CPU")
	for i, r := range rounds {
		p, g := r.psi, r.gc
		fmt.Fprintf(w, "%-6d %8.2f%% %8.2f%% %8.2f%% %8.2f%% %8.2f%% %7.1f MB %6d %10s %10s %7.1f%%\n", i+1,
			p.cpuSome, p.ioSome, p.ioFull, p.memSome, p.memFull, p.diskMB, g.GCCycles,
			fmtDur(time.Duration(g.PauseTotalS*1e9)), fmtDur(time.Duration(g.PauseMaxS*1e9)), 100*g.GCCPUS/max(g.TotalCPUS, 1e-9))
	}

	var slow []result
	for _, r := range rounds {
		slow = append(slow, r.kabar...)
	}
	slices.SortFunc(slow, func(a, b result) int { return int(b.latency - a.latency) })
	fmt.Fprintln(w, "\nslowest:")
	for _, r := range slow[:min(5, len(slow))] {
		fmt.Fprintf(w, "  %9s %s\n", fmtDur(r.latency), r.path)
	}
	seen := map[string]bool{}
	for _, r := range rounds {
		for _, x := range append(r.kabar, r.control...) {
			if x.err != "" && !seen[x.err] && len(seen) < 5 {
				seen[x.err] = true
				fmt.Fprintf(w, "error: %s\n", x.err)
			}
		}
	}
}

func collect[T any](rounds []round, f func(round) T) []T {
	var out []T
	for _, r := range rounds {
		out = append(out, f(r))
	}
	return out
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// sampleImages gives every other sampled post a lead image (the same
// picture, re-encoded as the pipeline does) unless the database has them
// already, and returns their addresses on the site, both sizes.
func sampleImages(ctx context.Context, st store.Store, ids []int64) ([]string, error) {
	have, err := st.PostImages(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(have) == 0 {
		src := image.NewRGBA(image.Rect(0, 0, 1600, 900))
		for i := range src.Pix {
			src.Pix[i] = uint8(i / 4 % 251)
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, src, nil); err != nil {
			return nil, err
		}
		imgs, err := images.Process(ctx, b.Bytes(), images.Config{})
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			if i%2 != 0 {
				continue
			}
			for k := range imgs {
				imgs[k].PostID = id
			}
			if err := st.SavePostImages(ctx, id, imgs); err != nil {
				return nil, err
			}
		}
		if have, err = st.PostImages(ctx, ids); err != nil {
			return nil, err
		}
	}
	var out []string
	for id, sizes := range have {
		for _, im := range sizes {
			out = append(out, fmt.Sprintf("/img/%d/%s.jpg?v=%s", id, im.Size, strings.Trim(im.ETag, `"`)[:12]))
		}
	}
	sort.Strings(out) // the map's order is random; the mix must not be
	return out, nil
}

// writeResults writes each request of rounds into a file, for finding
// which requests make a kind's tail (the table shows percentiles only).
func writeResults(path string, rounds []round) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }
	for i, r := range rounds {
		for j, x := range r.kabar {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", i+1, x.kind, ms(x.latency), ms(r.control[j].latency), x.path)
		}
	}
	if err := w.Flush(); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}
