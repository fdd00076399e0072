package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// seed fills a store with a feed, posts and approved comments, and
// returns the posts.
func seed(ctx context.Context, st store.Store, n int) ([]*model.Post, error) {
	f := &model.Feed{URL: "http://" + fixtureIP + "/seed.xml", Paused: true}
	if err := st.AddFeed(ctx, f); err != nil {
		return nil, err
	}
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var posts []*model.Post
	for i := 0; i < n; i++ {
		p := &model.Post{
			FeedID:    f.ID,
			Title:     fmt.Sprintf("Seeded story %d about the river bridge and the market", i),
			Publisher: fmt.Sprintf("Publisher %d", i%5),
			SourceURL: fmt.Sprintf("http://%s/seed/%d.html", fixtureIP, i),
			ItemLink:  fmt.Sprintf("http://%s/seed/%d.html", fixtureIP, i),
			Published: base.Add(time.Duration(i) * 7 * time.Hour),
			Language:  "en",
			Paragraphs: []string{
				fmt.Sprintf("The council met on Monday to discuss the bridge, story number %d.", i),
				"Officials said the market prices rose after the storm and the flood closed the road.",
				"Residents of the village asked the mayor for a plan before the next season.",
			},
		}
		if _, err := st.SavePost(ctx, p); err != nil {
			return nil, err
		}
		posts = append(posts, p)
		if i%3 == 0 {
			c := &model.Comment{PostID: p.ID, Name: "Reader", Body: "A plain comment.", Status: model.CommentApproved}
			if err := st.AddComment(ctx, c); err != nil {
				return nil, err
			}
		}
	}
	return posts, nil
}

// fuzzValues are the odd inputs, raw (they are percent-encoded on the way).
var fuzzValues = map[string]string{
	"empty":            "",
	"NUL":              "\x00",
	"NUL-in-word":      "bri\x00dge",
	"invalid-UTF-8":    "\xff\xfe\xc3\x28",
	"lone-surrogate":   "\xed\xa0\x80",
	"10kB":             strings.Repeat("a", 10_000),
	"10kB-words":       strings.Repeat("bridge ", 1500),
	"many-dashes":      strings.Repeat("-", 2000),
	"dash-words":       strings.Repeat("-a ", 500),
	"quotes":           `"'"'` + "`",
	"unbalanced-quote": `"bridge`,
	"NEAR(":            "NEAR(",
	"NEAR-big":         "NEAR(bridge market, 99999999999)",
	"star":             "*",
	"many-stars":       strings.Repeat("a*", 1000),
	"fts-ops":          "bridge AND OR NOT ( ) ^ : + - { } title:x body:",
	"column-filter":    "{title body}: bridge",
	"sql":              "' OR 1=1 --; DROP TABLE posts; --",
	"like-wildcards":   "%_%\\",
	"tsquery":          "bridge & !market | (a <-> b) :*",
	"websearch":        `"bridge" -market or -"x"`,
	"huge-number":      "99999999999999999999999",
	"int64-max+1":      "9223372036854775808",
	"negative":         "-1",
	"negative-big":     "-9223372036854775808",
	"zero":             "0",
	"float":            "1e309",
	"hex":              "0x10",
	"nan":              "NaN",
	"script":           "<script>alert(1)</script>",
	"path-traversal":   "../../../../etc/passwd",
	"percent":          "%",
	"rtl-override":     "\u202ebridge",
	"emoji":            "🌉🌉🌉",
	"crlf":             "a\r\nSet-Cookie: x=y",
	"backslash":        `\\\\`,
	"many-words":       strings.Repeat("w ", 3000),
}

var fuzzParams = []string{"q", "page", "alt", "max-results", "start-index", "label", "limit", "offset", "min_posts",
	"post", "publisher", "status", "kind", "hl", "comment", "reply", "done", "next", "updated-min", "orderby"}

// runFuzz fuzzes every route on both stores.
func runFuzz(c *config) []*row {
	rows := []*row{fuzzStore(c, "SQLite", "")}
	if c.pg == "" {
		rows = append(rows, &row{scenario: "query-string fuzz", store: "PostgreSQL", skipped: "no -pg server"})
	} else {
		rows = append(rows, fuzzStore(c, "PostgreSQL", c.pg))
	}
	return rows
}

func fuzzStore(c *config, kind, pg string) *row {
	r := &row{scenario: "query-string fuzz", store: kind}
	startT := time.Now()
	defer func() { r.took = time.Since(startT) }()
	ctx := context.Background()
	dir := filepath.Join(c.tmp, "fuzz-"+strings.ToLower(kind))
	mkdir(dir)
	db, st, drop, err := openScenarioStore(ctx, dir, pg)
	if err != nil {
		r.skipped = err.Error()
		return r
	}
	defer drop()
	posts, err := seed(ctx, st, 30)
	if err = closeAfterWrite(st, err); err != nil {
		r.fail("seed: %v", err)
		return r
	}
	p, base, err := serve(c, db, filepath.Join(dir, "serve.log"), nil)
	if err != nil {
		r.fail("serve: %v", err)
		return r
	}
	defer p.stop(10 * time.Second)
	reqs := fuzzRequests(posts[len(posts)/2])
	client := &http.Client{
		Timeout:       c.fuzzBound + 5*time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: c.fuzzWorkers, DisableCompression: true},
	}
	var mu sync.Mutex
	var fails []string
	var wg sync.WaitGroup
	next := make(chan fuzzReq)
	for w := 0; w < c.fuzzWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range next {
				why, sent := fuzzOne(client, base, q, c.fuzzBound)
				if !sent {
					continue // Go refuses to send it; nothing reached kabar
				}
				mu.Lock()
				r.tried++
				if why != "" {
					r.failed++
					fails = append(fails, why+" "+q.what)
				}
				mu.Unlock()
			}
		}()
	}
	deadline := time.Now().Add(10 * time.Minute)
	for _, q := range reqs {
		if time.Now().After(deadline) {
			r.note("stopped after 10 minutes")
			break
		}
		next <- q
	}
	close(next)
	wg.Wait()
	if bad, why := p.crashed(); bad {
		r.fail("kabar serve crashed: %s", why)
	}
	select {
	case <-p.done:
		r.fail("kabar serve exited during the fuzz: %s", p.lastLine())
	default:
	}
	r.rss(p.peakRSS())
	if len(fails) > 0 {
		r.reason("%s", summarize(fails, 12))
	}
	return r
}

// openScenarioStore opens a scenario's store: a SQLite file in dir, or a
// fresh schema on the PostgreSQL server pg, dropped by drop.
func openScenarioStore(ctx context.Context, dir, pg string) (db string, st store.Store, drop func(), err error) {
	if pg == "" {
		db = filepath.Join(dir, "kabar.db")
		st, err = sqlite.Open(ctx, db)
		return db, st, func() {}, err
	}
	db, drop, err = freshSchema(pg)
	if err != nil {
		return "", nil, nil, fmt.Errorf("PostgreSQL: %v", err)
	}
	if st, err = postgres.Open(ctx, db); err != nil {
		drop()
		return "", nil, nil, err
	}
	return db, st, drop, nil
}

// fuzzReq is one odd request and what it tries, for the reasons.
type fuzzReq struct{ method, path, body, what string }

// fuzzRoutes are the site's routes, their {parameters} filled from a post.
var fuzzRoutes = []struct{ method, tmpl string }{
	{"GET", "/"}, {"GET", "/{year}/{month}/{file}"}, {"POST", "/{year}/{month}/{file}"},
	{"GET", "/{year}/{month}/"}, {"GET", "/archive"}, {"GET", "/search"},
	{"GET", "/search/label/{label}"}, {"GET", "/labels"}, {"GET", "/publisher/{name}"},
	{"GET", "/publishers"}, {"GET", "/feeds/posts/default"}, {"GET", "/feeds/posts/default/-/{label}"},
	{"GET", "/feeds/comments/default"}, {"GET", "/feeds/{post}/comments/default"},
	{"GET", "/stories"}, {"GET", "/story/{id}"}, {"GET", "/story/{id}/feed"},
	{"GET", "/api/posts"}, {"GET", "/api/posts/{id}"}, {"GET", "/api/posts/{id}/comments"},
	{"POST", "/api/posts/{id}/reextract"}, {"GET", "/api/labels"}, {"GET", "/api/feeds"},
	{"GET", "/api/feeds/{id}"}, {"POST", "/api/feeds"}, {"PATCH", "/api/feeds/{id}"},
	{"DELETE", "/api/feeds/{id}"}, {"GET", "/api/comments"}, {"PATCH", "/api/comments/{id}"},
	{"DELETE", "/api/comments/{id}"}, {"GET", "/api/stories"}, {"GET", "/api/stories/{id}"},
	{"GET", "/admin"}, {"GET", "/admin/login"}, {"POST", "/admin/login"}, {"POST", "/admin/logout"},
	{"GET", "/admin/feeds"}, {"POST", "/admin/feeds"}, {"POST", "/admin/feeds/{id}/{action}"},
	{"GET", "/admin/comments"}, {"POST", "/admin/comments/{id}/{action}"}, {"GET", "/admin/posts"},
	{"POST", "/admin/posts/{id}/reextract"}, {"GET", "/admin/settings"}, {"POST", "/admin/settings"},
	{"POST", "/admin/tokens"}, {"POST", "/admin/tokens/{id}/delete"},
	{"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/metrics"}, {"GET", "/static/{file}"},
	{"GET", "/{any}"},
}

// fuzzRequests is every route with every odd value in every query
// parameter, in its path parameters, and in the search box alone.
func fuzzRequests(post *model.Post) []fuzzReq {
	parts := strings.Split(strings.Trim(post.Path(), "/"), "/")
	pid := fmt.Sprint(post.ID)
	valid := map[string]string{"year": parts[0], "month": parts[1], "file": parts[2], "label": "News", "name": "Publisher 1",
		"post": pid, "id": pid, "action": "approve", "any": "no-such-page"}
	fill := func(tmpl string, odd *string) string {
		out := tmpl
		for k, v := range valid {
			val := v
			if odd != nil {
				val = *odd
			}
			if k == "file" && strings.HasPrefix(tmpl, "/static/") && odd == nil {
				val = "site.css"
			}
			out = strings.ReplaceAll(out, "{"+k+"}", url.PathEscape(val))
		}
		return out
	}
	var reqs []fuzzReq
	for _, rt := range fuzzRoutes {
		hasParams := strings.Contains(rt.tmpl, "{")
		for name, v := range fuzzValues {
			q := url.Values{}
			for _, k := range fuzzParams {
				q.Set(k, v)
			}
			body := ""
			if rt.method != "GET" {
				f := url.Values{"name": {v}, "website": {v}, "text": {v}, "csrf": {v}, "parent": {v}, "password": {v},
					"url": {v}, "status": {v}, "title": {v}, "label": {v}}
				body = f.Encode()
			}
			reqs = append(reqs, fuzzReq{rt.method, fill(rt.tmpl, nil) + "?" + q.Encode(), body, rt.method + " " + rt.tmpl + " query=" + name})
			if hasParams {
				reqs = append(reqs, fuzzReq{rt.method, fill(rt.tmpl, &v), body, rt.method + " " + rt.tmpl + " path=" + name})
			}
		}
	}
	// The search box alone, one odd value at a time with ordinary paging:
	// the place where odd input reaches the database's text search.
	for name, v := range fuzzValues {
		for _, extra := range []string{"", "&page=2", "&page=-1", "&page=99999999999"} {
			reqs = append(reqs, fuzzReq{"GET", "/search?q=" + url.QueryEscape(v) + extra, "", "GET /search q=" + name + extra})
			reqs = append(reqs, fuzzReq{"GET", "/api/posts?q=" + url.QueryEscape(v) + strings.Replace(extra, "page", "offset", 1), "", "GET /api/posts q=" + name})
		}
	}
	return reqs
}

// fuzzOne sends q and says what was wrong with the answer ("" when
// nothing); sent is false when Go refused to make the request.
func fuzzOne(client *http.Client, base string, q fuzzReq, bound time.Duration) (why string, sent bool) {
	t0 := time.Now()
	hr, err := http.NewRequest(q.method, base+q.path, strings.NewReader(q.body))
	if err != nil {
		return "", false
	}
	if q.body != "" {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := client.Do(hr)
	took := time.Since(t0)
	switch {
	case err != nil && errors.Is(err, context.DeadlineExceeded) || err != nil && strings.Contains(err.Error(), "Timeout"):
		return "no answer in time", true
	case err != nil:
		return "transport: " + clip(err.Error(), 80), true
	}
	_, _ = io.Copy(io.Discard, res.Body) // read to its end so the connection is reused; only the status counts
	res.Body.Close()
	if res.StatusCode >= 500 {
		return fmt.Sprintf("%d", res.StatusCode), true
	}
	if took > bound {
		return fmt.Sprintf("answered in %s", took.Round(time.Millisecond)), true
	}
	return "", true
}
