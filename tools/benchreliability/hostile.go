package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/andybalholm/brotli"

	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// fixtureIP is the one address kabar may reach (--allow-addr fixtureIP/32);
// the canary listens on 127.0.0.1 and ::1, which kabar must never reach.
const fixtureIP = "127.0.0.9"

// hostileFeed is one feed to serve: a file of the kit or a generated one.
type hostileFeed struct {
	name    string
	body    []byte
	headers [][2]string
	// serve, when set, answers instead of body (streams, drips).
	serve func(w http.ResponseWriter, r *http.Request, stop <-chan struct{})
}

// fixture is the loopback server of the hostile scenarios.
type fixture struct {
	ln    net.Listener
	srv   *http.Server
	feeds map[string]*hostileFeed
	mu    sync.Mutex
	stop  chan struct{}
	base  string
}

// canary counts connections to the addresses kabar must not reach.
type canary struct {
	port  int
	lns   []net.Listener
	conns atomic.Int64
	mu    sync.Mutex
	hits  []string
}

func startCanary() *canary {
	c := &canary{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	c.lns = append(c.lns, ln)
	if ln6, err := net.Listen("tcp", fmt.Sprintf("[::1]:%d", c.port)); err == nil {
		c.lns = append(c.lns, ln6)
	}
	for _, l := range c.lns {
		go func(l net.Listener) {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				c.conns.Add(1)
				go func() {
					// The canary only records what reached it: its own
					// connection's errors change nothing of that.
					defer func() { _ = conn.Close() }()
					_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
					line, _ := bufio.NewReader(conn).ReadString('\n')
					c.mu.Lock()
					c.hits = append(c.hits, strings.TrimSpace(line))
					c.mu.Unlock()
					_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\ncanary"))
				}()
			}
		}(l)
	}
	return c
}

func (c *canary) close() {
	for _, l := range c.lns {
		_ = l.Close() // the suite's own listeners, at its end
	}
}

func (c *canary) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.hits...)
}

func startFixture() *fixture {
	ln, err := net.Listen("tcp", fixtureIP+":0")
	if err != nil {
		log.Fatalf("listen on %s: %v", fixtureIP, err)
	}
	f := &fixture{ln: ln, feeds: map[string]*hostileFeed{}, stop: make(chan struct{}), base: "http://" + ln.Addr().String()}
	f.srv = &http.Server{Handler: http.HandlerFunc(f.handle), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }() // ends with ErrServerClosed when the suite closes it
	return f
}

func (f *fixture) close() {
	close(f.stop)
	_ = f.srv.Close() // the suite's own server, at its end
}

func (f *fixture) add(h *hostileFeed) string {
	f.mu.Lock()
	f.feeds[h.name] = h
	f.mu.Unlock()
	return f.base + "/f/" + url.PathEscape(h.name)
}

func (f *fixture) handle(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		w.Write([]byte("User-agent: *\nAllow: /\n"))
	case strings.HasPrefix(p, "/f/"):
		f.mu.Lock()
		h := f.feeds[strings.TrimPrefix(p, "/f/")]
		f.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		for _, kv := range h.headers {
			w.Header().Set(kv[0], kv[1])
		}
		if h.serve != nil {
			h.serve(w, r, f.stop)
			return
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/xml")
		}
		w.Write(h.body)
	case p == "/redirect":
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	case p == "/loop/a":
		http.Redirect(w, r, "/loop/b", http.StatusFound)
	case p == "/loop/b":
		http.Redirect(w, r, "/loop/a", http.StatusFound)
	case strings.HasPrefix(p, "/chain/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(p, "/chain/"))
		if n >= 20 {
			w.Write([]byte("end of chain"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	default:
		// Every other path is an ordinary article, so that the items of
		// the hostile feeds go all the way to a post.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Fixture article %[1]s</title></head><body><article><h1>Fixture article %[1]s</h1>
<p>This is the fixture server's article for the path %[1]s, long enough to be kept by the extractor as the text of a news article.</p>
<p>The hostile feed that links here tests the feed parser and the sanitizer; the page itself is plain and friendly to readers.</p>
<p>A third paragraph gives the extractor enough text to be sure this is the article and not the navigation of the site.</p></article></body></html>`,
			htmlEscape(p))
	}
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

var (
	urlRe   = regexp.MustCompile(`(?i)(https?:)?//([^/\s"'<>()\\?#]+)`)
	xmlnsRe = regexp.MustCompile(`(?i)xmlns(:[a-z0-9_-]+)?\s*=\s*("[^"]*"|'[^']*')`)
)

// loopbackOnly rewrites every absolute or scheme-relative URL whose host
// is not a loopback address to the fixture server, so that no item link,
// base or enclosure can send kabar off the machine. Namespace URIs are
// names, not links, and stay.
func loopbackOnly(body []byte, fixtureHost string) []byte {
	var saved [][]byte
	body = xmlnsRe.ReplaceAllFunc(body, func(m []byte) []byte {
		saved = append(saved, append([]byte(nil), m...))
		return []byte(fmt.Sprintf("\x00NS%d\x00", len(saved)-1))
	})
	body = urlRe.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := urlRe.FindSubmatch(m)
		host := string(sub[2])
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(host, "[]")
		if a, err := netip.ParseAddr(host); err == nil && a.IsLoopback() {
			return m
		}
		return []byte(string(sub[1]) + "//" + fixtureHost)
	})
	for i, s := range saved {
		body = bytes.Replace(body, []byte(fmt.Sprintf("\x00NS%d\x00", i)), s, 1)
	}
	return body
}

type manifestRow struct {
	File        string     `json:"file"`
	HTTPHeaders [][]string `json:"http_headers"`
	Threat      string     `json:"threat"`
}

// hostileFeeds loads the kit's feeds and makes the generated ones.
func hostileFeeds(c *config, fx *fixture, canaryPort int) []*hostileFeed {
	var out []*hostileFeed
	host := strings.TrimPrefix(fx.base, "http://")
	for _, m := range []struct{ dir, manifest string }{
		{"feeds", "feeds/manifest.jsonl"},
		{"feeds/xml-attacks", "feeds/xml-attacks/manifest.jsonl"},
	} {
		b, err := os.ReadFile(filepath.Join(c.fixtures, m.manifest))
		if err != nil {
			log.Printf("hostile feeds: %v", err)
			continue
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			var r manifestRow
			if json.Unmarshal(line, &r) != nil || r.File == "" {
				continue
			}
			body, err := os.ReadFile(filepath.Join(c.fixtures, m.dir, r.File))
			if err != nil {
				log.Printf("hostile feeds: %v", err)
				continue
			}
			h := &hostileFeed{name: strings.ReplaceAll(r.File, "/", "_")}
			for _, kv := range r.HTTPHeaders {
				if len(kv) == 2 {
					h.headers = append(h.headers, [2]string{kv[0], kv[1]})
				}
			}
			if !strings.HasSuffix(r.File, ".gz") {
				body = bytes.ReplaceAll(body, []byte("{CANARY_PORT}"), []byte(strconv.Itoa(canaryPort)))
				body = loopbackOnly(body, host)
			}
			if strings.HasSuffix(r.File, ".json") {
				h.headers = append(h.headers, [2]string{"Content-Type", "application/feed+json"})
			}
			h.body = body
			out = append(out, h)
		}
	}
	return append(out, generatedFeeds(c, fx)...)
}

func rssHead(title string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>` + title + `</title><link>http://` + fixtureIP + `/</link><description>generated</description>`
}

// generatedFeeds are the cases the kit's README asks to generate rather
// than store.
func generatedFeeds(c *config, fx *fixture) []*hostileFeed {
	item := func(b *bytes.Buffer, i int, desc string) {
		fmt.Fprintf(b, `<item><title>Item %d</title><link>%s/a/%d</link><guid>g-%d</guid><description>%s</description></item>`, i, fx.base, i, i, desc)
	}
	var out []*hostileFeed
	// One 8 MiB text node.
	{
		var b bytes.Buffer
		b.WriteString(rssHead("8 MiB text node"))
		item(&b, 1, strings.Repeat("lorem ipsum ", (8<<20)/12))
		b.WriteString(`</channel></rss>`)
		out = append(out, &hostileFeed{name: "gen_text_node_8MiB.xml", body: b.Bytes()})
	}
	// One line of 10 MB with no newline (as an item's text).
	{
		var b bytes.Buffer
		b.WriteString(rssHead("10 MB line"))
		item(&b, 1, strings.Repeat("x", 10_000_000))
		b.WriteString(`</channel></rss>`)
		out = append(out, &hostileFeed{name: "gen_line_10MB.xml", body: b.Bytes()})
	}
	// A huge feed: many items, about 500 bytes each; their links are a few
	// pages, so the run's time goes to the items, not to fetching.
	if c.hugeItems > 0 {
		var b bytes.Buffer
		b.WriteString(rssHead("huge feed"))
		pad := strings.Repeat("word ", 60)
		for i := 0; i < c.hugeItems; i++ {
			fmt.Fprintf(&b, `<item><title>Huge item %d</title><link>%s/huge/%d</link><guid>h-%d</guid><description>%s</description></item>`, i, fx.base, i%50, i, pad)
		}
		b.WriteString(`</channel></rss>`)
		out = append(out, &hostileFeed{name: fmt.Sprintf("gen_huge_%d_items.xml", c.hugeItems), body: b.Bytes()})
	}
	// Streams that never end by themselves: each stops when kabar hangs up
	// or after 10 minutes.
	const streamBound = 10 * time.Minute
	endless := func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}, chunk []byte, every time.Duration) {
		deadline := time.Now().Add(streamBound)
		fl, _ := w.(http.Flusher)
		for time.Now().Before(deadline) {
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			default:
			}
			if _, err := w.Write(chunk); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			if every > 0 {
				time.Sleep(every)
			}
		}
	}
	out = append(out, &hostileFeed{name: "gen_endless_chunked.xml", headers: [][2]string{{"Content-Type", "application/rss+xml"}},
		serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			w.Write([]byte(rssHead("endless")))
			endless(w, r, stop, bytes.Repeat([]byte(`<item><title>again</title><description>and again</description></item>`), 400), 0)
		}})
	out = append(out, &hostileFeed{name: "gen_slow_drip_1Bps.xml", headers: [][2]string{{"Content-Type", "application/rss+xml"}},
		serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			endless(w, r, stop, []byte(" "), time.Second)
		}})
	out = append(out, &hostileFeed{name: "gen_headers_never_end.xml",
		serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			hj, ok := w.(http.Hijacker)
			if !ok {
				return
			}
			conn, buf, err := hj.Hijack()
			if err != nil {
				return
			}
			defer func() { _ = conn.Close() }() // the stream ends here either way
			buf.WriteString("HTTP/1.1 200 OK\r\n")
			if buf.Flush() != nil {
				return
			}
			deadline := time.Now().Add(streamBound)
			for i := 0; time.Now().Before(deadline); i++ {
				select {
				case <-stop:
					return
				default:
				}
				if conn.SetWriteDeadline(time.Now().Add(10*time.Second)) != nil {
					return
				}
				if _, err := fmt.Fprintf(conn, "X-Never-%d: ends\r\n", i); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
		}})
	zeros := make([]byte, 1<<20)
	for _, enc := range []string{"gzip", "br"} {
		out = append(out, &hostileFeed{name: "gen_1GiB_" + enc + "_stream.xml",
			headers: [][2]string{{"Content-Type", "application/rss+xml"}, {"Content-Encoding", enc}},
			serve: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				var zw io.WriteCloser
				if enc == "gzip" {
					zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
				} else {
					zw = brotli.NewWriterLevel(w, 1)
				}
				if _, err := zw.Write([]byte(rssHead("bomb"))); err != nil {
					return
				}
				for i := 0; i < 1024; i++ {
					select {
					case <-stop:
						return
					case <-r.Context().Done():
						return
					default:
					}
					if _, err := zw.Write(zeros); err != nil {
						return
					}
				}
				_ = zw.Close() // the reader may stop before the end; that is what the feed tests
			}})
	}
	return out
}

// runHostile runs `kabar run --once` over each hostile feed, each on a
// fresh SQLite database, four at a time.
func runHostile(c *config) []*row {
	r := &row{scenario: "hostile feeds", store: "SQLite"}
	if c.fixtures == "" {
		r.skipped = "the hostile-input kit was not found (-fixtures)"
		return []*row{r}
	}
	startT := time.Now()
	fx := startFixture()
	defer fx.close()
	can := startCanary()
	defer can.close()
	feeds := hostileFeeds(c, fx, can.port)
	dir := filepath.Join(c.tmp, "hostile")
	mkdir(dir)
	var mu sync.Mutex
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	var exitNotes []string
	for i, h := range feeds {
		feedURL := fx.add(h)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			problems, note, rss := hostileOne(c, filepath.Join(dir, fmt.Sprintf("%02d", i)), feedURL)
			mu.Lock()
			defer mu.Unlock()
			r.tried++
			r.rss(rss)
			if note != "" {
				exitNotes = append(exitNotes, note)
			}
			if len(problems) > 0 {
				r.fail("%s: %s", h.name, strings.Join(problems, "; "))
			}
		}()
	}
	wg.Wait()
	if n := can.conns.Load(); n > 0 {
		r.fail("the canary (127.0.0.1/::1, not allowed) accepted %d connections: %s", n, summarize(can.requests(), 5))
	}
	if len(exitNotes) > 0 {
		r.note("run --once exit codes: %s", summarize(exitNotes, 6))
	}
	r.took = time.Since(startT)
	return []*row{r}
}

// hostileOne runs one feed and returns what went wrong, a note on the
// exit code, and the peak RSS.
func hostileOne(c *config, dir, feedURL string) ([]string, string, int64) {
	mkdir(dir)
	db := filepath.Join(dir, "kabar.db")
	if _, err := kabar(c, "", "--db", db, "feeds", "add", feedURL); err != nil {
		return []string{"feeds add: " + err.Error()}, "", 0
	}
	p, err := start(c, filepath.Join(dir, "run.log"), nil, "--db", db, "run", "--once",
		"--allow-addr", fixtureIP+"/32", "--host-delay", "0", "--gnews-online=false")
	if err != nil {
		return []string{err.Error()}, "", 0
	}
	var problems []string
	if p.wait(c.hostileBound) {
		problems = append(problems, fmt.Sprintf("run --once still running after %s (killed)", c.hostileBound))
	}
	if bad, why := p.crashed(); bad {
		problems = append(problems, "crashed: "+clip(why, 160))
	}
	if rss := p.peakRSS(); rss > c.hostileRSS<<20 {
		problems = append(problems, fmt.Sprintf("peak RSS %s over %d MiB", mib(rss), c.hostileRSS))
	}
	note := fmt.Sprintf("exit %d", p.exitCode())
	problems = append(problems, checkDB(db, true)...)
	return problems, note, p.peakRSS()
}

// checkDB opens a SQLite database after a run and checks it: the file's
// integrity, no item left unfinished by a run --once (when finished), and every stored text
// valid UTF-8 without NUL or C0 controls, no entity expanded, no file read.
func checkDB(db string, finished bool) []string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return []string{"database does not open: " + err.Error()}
	}
	defer func() { _ = st.Close() }() // only read
	var problems []string
	var ic string
	if err := st.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ic); err != nil || ic != "ok" {
		problems = append(problems, fmt.Sprintf("integrity_check: %q %v", ic, err))
	}
	var pending int
	if err := st.DB().QueryRowContext(ctx, "SELECT count(*) FROM items WHERE status = 'new'").Scan(&pending); err != nil {
		problems = append(problems, fmt.Sprintf("counting new items: %v", err))
	}
	if pending > 0 && finished {
		problems = append(problems, fmt.Sprintf("%d items left 'new' by run --once", pending))
	}
	rows, err := st.DB().QueryContext(ctx, `SELECT 'post', title || ' ' || author || ' ' || publisher || ' ' || description || ' ' || body FROM posts
		UNION ALL SELECT 'item', title || ' ' || publisher || ' ' || description FROM items
		UNION ALL SELECT 'feed', title || ' ' || coalesce(last_error, '') FROM feeds`)
	if err != nil {
		// The feeds table may name its columns otherwise; posts and items
		// are the text that reaches readers.
		rows, err = st.DB().QueryContext(ctx, `SELECT 'post', title || ' ' || author || ' ' || publisher || ' ' || description || ' ' || body FROM posts
			UNION ALL SELECT 'item', title || ' ' || publisher || ' ' || description FROM items`)
	}
	if err != nil {
		return append(problems, "reading the stored text: "+err.Error())
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var kind, text string
		if rows.Scan(&kind, &text) != nil {
			continue
		}
		switch {
		case !utf8.ValidString(text):
			bad = append(bad, kind+" text not UTF-8")
		case strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }):
			bad = append(bad, kind+" text with NUL/C0 control")
		case strings.Contains(text, "lollollol"):
			bad = append(bad, kind+" text with an expanded entity")
		case strings.Contains(text, "root:x:0:0"):
			bad = append(bad, kind+" text with /etc/passwd")
		}
	}
	if len(bad) > 0 {
		problems = append(problems, summarize(bad, 4))
	}
	return problems
}
