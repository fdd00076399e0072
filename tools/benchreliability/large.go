package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
)

// largeWord is in every large page and nowhere else, for the searches.
const largeWord = "zephyrquartz"

// largePage is an article page of about size bytes: many paragraphs of
// ordinary words, with largeWord in some of them.
func largePage(i, size int) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 3))
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Large story %d</title></head><body><article><h1>Large story %d</h1>`, i, i)
	for p := 0; b.Len() < size-2048; p++ {
		b.WriteString("<p>")
		if p == 0 {
			fmt.Fprintf(&b, "(Ref %d) ", i)
		}
		for w := 0; w < 80; w++ {
			if w > 0 {
				b.WriteByte(' ')
			}
			if p%50 == 0 && w == 40 {
				b.WriteString(largeWord)
				continue
			}
			b.WriteString(vocabWords[rng.IntN(len(vocabWords))])
		}
		b.WriteString(".</p>\n")
	}
	b.WriteString(`</article></body></html>`)
	return b.Bytes()
}

var vocabWords = strings.Fields(`the a minister said on monday that government would council city river bridge
market prices rose fell percent after before during week month year officials report police court trial
election vote party leader opposition budget school hospital water power energy storm rain flood farmers
harvest company shares investors bank rate inflation jobs workers strike union talks agreement border
trade export import port ship train station road traffic museum festival music film team match goal coach
season players fans stadium residents village mayor plan project construction housing rent families children`)

// runLarge runs `run --once` with default workers over pages just under
// the body cap, records the peak RSS, then times searches for a word in
// them, on both stores.
func runLarge(c *config) []*row {
	rows := []*row{largeStore(c, "SQLite", "")}
	if c.pg == "" {
		rows = append(rows, &row{scenario: "pages at the body cap + search", store: "PostgreSQL", skipped: "no -pg server"})
	} else {
		rows = append(rows, largeStore(c, "PostgreSQL", c.pg))
	}
	return rows
}

func largeStore(c *config, kind, pg string) *row {
	r := &row{scenario: "pages at the body cap + search", store: kind}
	startT := time.Now()
	defer func() { r.took = time.Since(startT) }()
	fx := startFixture()
	defer fx.close()
	size := fetch.DefaultMaxBodyBytes - 16<<10
	var feed bytes.Buffer
	feed.WriteString(rssHead("large pages"))
	pages := map[string][]byte{}
	for i := 0; i < c.largePages; i++ {
		path := fmt.Sprintf("/large/%d.html", i)
		pages[path] = largePage(i, size)
		fmt.Fprintf(&feed, `<item><title>Large story %d</title><link>%s%s</link><guid>large-%d</guid></item>`, i, fx.base, path, i)
	}
	feed.WriteString(`</channel></rss>`)
	for path, body := range pages {
		fx.add(&hostileFeed{name: "page" + strings.ReplaceAll(path, "/", "_"), body: body,
			headers: [][2]string{{"Content-Type", "text/html; charset=utf-8"}}})
	}
	// The feed's links go to /large/N.html; serve them through /f/ names.
	var linked bytes.Buffer
	linked.Write(bytes.ReplaceAll(feed.Bytes(), []byte(fx.base+"/large/"), []byte(fx.base+"/f/page_large_")))
	feedURL := fx.add(&hostileFeed{name: "large.xml", body: linked.Bytes()})
	dir := filepath.Join(c.tmp, "large-"+kind)
	mkdir(dir)
	db := filepath.Join(dir, "kabar.db")
	if pg != "" {
		var drop func()
		var err error
		db, drop, err = freshSchema(pg)
		if err != nil {
			r.skipped = "PostgreSQL: " + err.Error()
			return r
		}
		defer drop()
	}
	if _, err := kabar(c, "", "--db", db, "feeds", "add", feedURL); err != nil {
		r.fail("%v", err)
		return r
	}
	t0 := time.Now()
	p, err := start(c, filepath.Join(dir, "run.log"), nil, "--db", db, "run", "--once", "--allow-addr", fixtureIP+"/32",
		"--host-delay", "0", "--gnews-online=false")
	if err != nil {
		r.fail("%v", err)
		return r
	}
	// The cases: each page made into a post, the RSS bound, and the two
	// search series.
	r.tried = c.largePages + 3
	if p.wait(c.finalRunBound) {
		r.fail("run --once did not end within %s (killed)", c.finalRunBound)
	} else if p.exitCode() != 0 {
		r.fail("run --once exited %d: %s", p.exitCode(), p.lastLine())
	}
	if bad, why := p.crashed(); bad {
		r.fail("run --once crashed: %s", why)
	}
	r.rss(p.peakRSS())
	if p.peakRSS() > c.largeRSS<<20 {
		r.fail("peak RSS %s over %d MiB", mib(p.peakRSS()), c.largeRSS)
	}
	r.note("%d pages of %.1f MiB (the cap %d MiB), run --once in %s: %s", c.largePages, float64(size)/(1<<20),
		fetch.DefaultMaxBodyBytes>>20, time.Since(t0).Round(time.Second), p.lastLine())
	ctx := context.Background()
	lost, failed, dup, _, why, err := account(ctx, db, c.largePages)
	if err == nil {
		r.lost, r.dup = lost+failed, dup
		for _, w := range why {
			r.reason("%s", w)
		}
	}
	sp, base, err := serve(c, db, filepath.Join(dir, "serve.log"), nil)
	if err != nil {
		r.fail("serve: %v", err)
		return r
	}
	defer sp.stop(10 * time.Second)
	client := &http.Client{Timeout: 60 * time.Second}
	for _, q := range []string{largeWord, "bridge market"} {
		var lat []time.Duration
		hits := false
		for i := 0; i < 10; i++ {
			t := time.Now()
			res, err := client.Get(base + "/search?q=" + url.QueryEscape(q))
			if err != nil {
				r.fail("search %q: %v", q, err)
				break
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			lat = append(lat, time.Since(t))
			if res.StatusCode != 200 {
				r.fail("search %q: status %d", q, res.StatusCode)
				break
			}
			hits = hits || bytes.Contains(body, []byte("Large story"))
			// Three searches are enough to show one far over its bound.
			if i >= 2 && lat[len(lat)-1] > 5*c.searchBound {
				break
			}
		}
		if len(lat) == 0 {
			continue
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p50, worst := lat[len(lat)/2], lat[len(lat)-1]
		r.note("search %q: p50 %s, max %s over %d searches, posts found: %v", q, p50.Round(time.Millisecond), worst.Round(time.Millisecond), len(lat), hits)
		if worst > c.searchBound {
			r.fail("search %q took %s (bound %s)", q, worst.Round(time.Millisecond), c.searchBound)
		}
		if !hits && r.lost == 0 {
			r.fail("search %q found none of the large posts", q)
		}
	}
	r.rss(sp.peakRSS())
	return r
}
