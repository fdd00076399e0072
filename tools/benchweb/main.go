// Command benchweb measures the site under load: it builds a database of
// many posts (once; later runs reuse it), starts `kabar serve` on it on
// 127.0.0.1, sends requests at a fixed rate mixing post pages, home pages,
// searches, label pages, feeds and posts' lead images, and prints latency percentiles and errors
// for each kind and overall. `make bench-web` runs it.
//
// The load is open-loop: request i is due at start + i/rate whether or not
// earlier ones have returned, and its latency counts from when it was due,
// so a slow server cannot hide its queueing delay (no coordinated omission).
//
//	go run ./tools/benchweb -kabar bin/kabar -posts 100000 -rate 100 -duration 30s
package main

import (
	"bytes"
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
	"strings"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/images"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

func main() {
	bin := flag.String("kabar", "bin/kabar", "the kabar binary to serve with")
	db := flag.String("db", filepath.Join(os.TempDir(), "kabar-bench-web.db"), "database to build (reused when it already holds -posts posts)")
	posts := flag.Int("posts", 100_000, "posts in the database")
	rate := flag.Float64("rate", 100, "requests per second")
	duration := flag.Duration("duration", 30*time.Second, "how long to send")
	warmup := flag.Duration("warmup", 3*time.Second, "load sent first and not counted")
	seed := flag.Uint64("seed", 1, "random seed of the data and the request mix")
	flag.Parse()
	log.SetFlags(0)

	ctx := context.Background()
	w := newWords(*seed)
	start := time.Now()
	n, err := build(ctx, *db, *posts, w, *seed)
	if err != nil {
		log.Fatalf("benchweb: build: %v", err)
	}
	log.Printf("database %s: %d posts (%s)", *db, n, time.Since(start).Round(time.Millisecond))

	addr, stop, err := serve(*bin, *db)
	if err != nil {
		log.Fatalf("benchweb: serve: %v", err)
	}
	defer stop()
	targets, err := sample(ctx, *db, w, *seed)
	if err != nil {
		log.Fatalf("benchweb: %v", err)
	}
	base := "http://" + addr
	log.Printf("kabar serving on %s; warm-up %s", base, *warmup)
	run(base, targets, *rate, *warmup, *seed+1)
	log.Printf("load: %.0f requests/s for %s", *rate, *duration)
	res := run(base, targets, *rate, *duration, *seed+2)
	report(os.Stdout, res, *rate, *duration, n)
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
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer st.Close()
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

// serve starts kabar serve on a free port and waits until it answers.
func serve(bin, db string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--db", db, "serve", "--addr", addr)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.Env = append(os.Environ(), "KABAR_LOG=text")
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return addr, stop, nil
			}
		}
	}
	stop()
	return "", nil, errors.New("kabar did not answer /healthz within 30s")
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
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	t := &targets{}
	rng := rand.New(rand.NewPCG(seed, 10))
	n, err := st.CountPosts(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for range 5000 {
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

// run sends requests at rate for d, open-loop, and returns every result.
func run(base string, t *targets, rate float64, d time.Duration, seed uint64) []result {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0, DisableCompression: true},
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	total := int(rate * d.Seconds())
	results := make([]result, total)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range total {
		due := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		kind, path := t.pick(rng)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := result{kind: kind, path: path}
			res, err := client.Get(base + path)
			if err != nil {
				r.err = "transport: " + err.Error()
			} else {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					r.err = fmt.Sprintf("status %d: %s", res.StatusCode, path)
				}
			}
			r.latency = time.Since(due)
			results[i] = r
		}()
	}
	wg.Wait()
	return results
}

func report(w io.Writer, results []result, rate float64, d time.Duration, posts int) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "\nkabar bench-web: %d posts, %.0f requests/s for %s, %d CPUs (%s/%s), host %s\n\n",
		posts, rate, d, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host)
	fmt.Fprintf(w, "%-14s %8s %8s %9s %9s %9s %9s %7s\n", "kind", "requests", "share", "p50", "p90", "p99", "max", "errors")
	byKind := map[string][]result{}
	for _, r := range results {
		byKind[r.kind] = append(byKind[r.kind], r)
	}
	line := func(kind string, rs []result) {
		var lat []time.Duration
		errs := 0
		for _, r := range rs {
			lat = append(lat, r.latency)
			if r.err != "" {
				errs++
			}
		}
		slices.Sort(lat)
		q := func(p float64) string {
			if len(lat) == 0 {
				return "-"
			}
			return fmtDur(lat[min(len(lat)-1, int(p*float64(len(lat))))])
		}
		fmt.Fprintf(w, "%-14s %8d %7.1f%% %9s %9s %9s %9s %7d\n", kind, len(rs), 100*float64(len(rs))/float64(len(results)),
			q(0.50), q(0.90), q(0.99), q(1), errs)
	}
	for _, m := range mix {
		line(m.kind, byKind[m.kind])
	}
	line("all", results)
	slow := slices.Clone(results)
	slices.SortFunc(slow, func(a, b result) int { return int(b.latency - a.latency) })
	fmt.Fprintln(w, "\nslowest:")
	for _, r := range slow[:min(5, len(slow))] {
		fmt.Fprintf(w, "  %9s %s\n", fmtDur(r.latency), r.path)
	}
	seen := map[string]bool{}
	for _, r := range results {
		if r.err != "" && !seen[r.err] && len(seen) < 5 {
			seen[r.err] = true
			fmt.Fprintf(w, "error: %s\n", r.err)
		}
	}
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
func sampleImages(ctx context.Context, st *sqlite.Store, ids []int64) ([]string, error) {
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
