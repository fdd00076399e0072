package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
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
	os.MkdirAll(dir, 0o755)
	var db string
	var st store.Store
	var err error
	if pg == "" {
		db = filepath.Join(dir, "kabar.db")
		st, err = sqlite.Open(ctx, db)
	} else {
		var drop func()
		db, drop, err = freshSchema(pg)
		if err != nil {
			r.skipped = "PostgreSQL: " + err.Error()
			return r
		}
		defer drop()
		st, err = postgres.Open(ctx, db)
	}
	if err != nil {
		r.skipped = err.Error()
		return r
	}
	posts, err := seed(ctx, st, 30)
	st.Close()
	if err != nil {
		r.fail("seed: %v", err)
		return r
	}
	p, base, err := serve(c, db, filepath.Join(dir, "serve.log"), nil)
	if err != nil {
		r.fail("serve: %v", err)
		return r
	}
	defer p.stop(10 * time.Second)
	post := posts[len(posts)/2]
	postPath := post.Path()
	parts := strings.Split(strings.Trim(postPath, "/"), "/")
	year, month, file := parts[0], parts[1], parts[2]
	pid := fmt.Sprint(post.ID)

	type route struct {
		method, tmpl string
		valid        map[string]string
	}
	routes := []route{
		{"GET", "/", nil}, {"GET", "/{year}/{month}/{file}", nil}, {"POST", "/{year}/{month}/{file}", nil},
		{"GET", "/{year}/{month}/", nil}, {"GET", "/archive", nil}, {"GET", "/search", nil},
		{"GET", "/search/label/{label}", nil}, {"GET", "/labels", nil}, {"GET", "/publisher/{name}", nil},
		{"GET", "/publishers", nil}, {"GET", "/feeds/posts/default", nil}, {"GET", "/feeds/posts/default/-/{label}", nil},
		{"GET", "/feeds/comments/default", nil}, {"GET", "/feeds/{post}/comments/default", nil},
		{"GET", "/stories", nil}, {"GET", "/story/{id}", nil}, {"GET", "/story/{id}/feed", nil},
		{"GET", "/api/posts", nil}, {"GET", "/api/posts/{id}", nil}, {"GET", "/api/posts/{id}/comments", nil},
		{"POST", "/api/posts/{id}/reextract", nil}, {"GET", "/api/labels", nil}, {"GET", "/api/feeds", nil},
		{"GET", "/api/feeds/{id}", nil}, {"POST", "/api/feeds", nil}, {"PATCH", "/api/feeds/{id}", nil},
		{"DELETE", "/api/feeds/{id}", nil}, {"GET", "/api/comments", nil}, {"PATCH", "/api/comments/{id}", nil},
		{"DELETE", "/api/comments/{id}", nil}, {"GET", "/api/stories", nil}, {"GET", "/api/stories/{id}", nil},
		{"GET", "/admin", nil}, {"GET", "/admin/login", nil}, {"POST", "/admin/login", nil}, {"POST", "/admin/logout", nil},
		{"GET", "/admin/feeds", nil}, {"POST", "/admin/feeds", nil}, {"POST", "/admin/feeds/{id}/{action}", nil},
		{"GET", "/admin/comments", nil}, {"POST", "/admin/comments/{id}/{action}", nil}, {"GET", "/admin/posts", nil},
		{"POST", "/admin/posts/{id}/reextract", nil}, {"GET", "/admin/settings", nil}, {"POST", "/admin/settings", nil},
		{"POST", "/admin/tokens", nil}, {"POST", "/admin/tokens/{id}/delete", nil},
		{"GET", "/healthz", nil}, {"GET", "/readyz", nil}, {"GET", "/metrics", nil}, {"GET", "/static/{file}", nil},
		{"GET", "/{any}", nil},
	}
	valid := map[string]string{"year": year, "month": month, "file": file, "label": "News", "name": "Publisher 1",
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
	type req struct{ method, path, body, what string }
	var reqs []req
	for _, rt := range routes {
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
			reqs = append(reqs, req{rt.method, fill(rt.tmpl, nil) + "?" + q.Encode(), body, rt.method + " " + rt.tmpl + " query=" + name})
			if hasParams {
				v := v
				reqs = append(reqs, req{rt.method, fill(rt.tmpl, &v), body, rt.method + " " + rt.tmpl + " path=" + name})
			}
		}
	}
	// The search box alone, one odd value at a time with ordinary paging:
	// the place where odd input reaches the database's text search.
	for name, v := range fuzzValues {
		for _, extra := range []string{"", "&page=2", "&page=-1", "&page=99999999999"} {
			reqs = append(reqs, req{"GET", "/search?q=" + url.QueryEscape(v) + extra, "", "GET /search q=" + name + extra})
			reqs = append(reqs, req{"GET", "/api/posts?q=" + url.QueryEscape(v) + strings.Replace(extra, "page", "offset", 1), "", "GET /api/posts q=" + name})
		}
	}
	client := &http.Client{
		Timeout:       c.fuzzBound + 5*time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: c.fuzzWorkers, DisableCompression: true},
	}
	var mu sync.Mutex
	var fails []string
	var wg sync.WaitGroup
	next := make(chan req)
	for w := 0; w < c.fuzzWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range next {
				t0 := time.Now()
				hr, err := http.NewRequest(q.method, base+q.path, strings.NewReader(q.body))
				if err != nil {
					continue // Go refuses to send it; nothing reached kabar
				}
				if q.body != "" {
					hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				res, err := client.Do(hr)
				took := time.Since(t0)
				why := ""
				switch {
				case err != nil && errors.Is(err, context.DeadlineExceeded) || err != nil && strings.Contains(err.Error(), "Timeout"):
					why = "no answer in time"
				case err != nil:
					why = "transport: " + clip(err.Error(), 80)
				default:
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode >= 500 {
						why = fmt.Sprintf("%d", res.StatusCode)
					} else if took > c.fuzzBound {
						why = fmt.Sprintf("answered in %s", took.Round(time.Millisecond))
					}
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
