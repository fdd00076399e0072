// Package loopweb is a small web on the loopback interface for tests and
// benchmarks of the whole pipeline: several hosts (one listener each, on
// 127.0.0.1, 127.0.0.2, …, so that each is its own host name to the fetcher's
// per-host pacing), each serving robots.txt, RSS feeds and article pages.
// Every request is recorded with its arrival time, per host, so that a test
// can check that no host was fetched faster than its limit.
//
// Articles are spread over feeds and hosts. Some articles are listed by two
// feeds (one URL, two items: one post), and some are mirrored, the same
// text under a second URL on another host (two URLs, one post by content
// hash), so that workers racing on one article through different items is
// part of every run.
package loopweb

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config shapes the web.
type Config struct {
	Hosts        int // listeners, 127.0.0.1 … 127.0.0.N (default 4)
	Feeds        int // default 4
	ItemsPerFeed int // default 50
	// SharedEvery puts every n-th article into a second feed as well (0:
	// none); MirrorEvery serves every n-th article's text under a second URL
	// too, listed by the next feed (0: none).
	SharedEvery, MirrorEvery int
	// Pages, when given, are article pages to serve (HTML); article i is
	// Pages[i%len(Pages)] with a line that makes its text unique inserted
	// after <body>. Without them each article is a generated news page.
	Pages [][]byte
	// MarkAt, when set, says where in a page of Pages to write the line
	// that makes its text unique (a byte offset, or -1 for the default:
	// the start of the first <p>), so that a benchmark can put it into the
	// text its extractor keeps.
	MarkAt func(page []byte) int
	// Latency is added to every answer (0: none).
	Latency time.Duration
	// Images gives each generated article a lead image (og:image) on its
	// own host: a JPEG, except that article i with i%9 == BombEvery's
	// remainder names a decompression bomb (a PNG of a few dozen bytes
	// claiming 40000×40000 pixels) and i%9 == MissingImage's an image that
	// answers 404.
	Images bool
}

// What article i's image is, with Config.Images (see ImageKind).
const (
	ImageJPEG = iota
	ImageBomb
	ImageMissing
)

// ImageKind is what article i's lead image is, with Config.Images.
func ImageKind(i int) int {
	switch i % 9 {
	case 4:
		return ImageBomb
	case 7:
		return ImageMissing
	}
	return ImageJPEG
}

// Web is a running loopback web.
type Web struct {
	cfg   Config
	hosts []*host
	feeds []feedDoc
	// Items is the number of feed items over all feeds; Articles the number
	// of distinct articles (distinct texts), which is how many posts a
	// complete run must make.
	Items, Articles int
	pages           map[string][]byte // host:port + path → page
	jpeg, bomb      []byte
}

type host struct {
	ip    string
	ln    net.Listener
	srv   *http.Server
	mu    sync.Mutex
	times []time.Time
	paths map[string]int
}

type feedDoc struct {
	host  *host
	path  string
	items []feedItem
}

type feedItem struct {
	guid, title, link string
	published         time.Time
}

// Start starts the hosts and builds the web.
func Start(cfg Config) (*Web, error) {
	if cfg.Hosts <= 0 {
		cfg.Hosts = 4
	}
	if cfg.Feeds <= 0 {
		cfg.Feeds = 4
	}
	if cfg.ItemsPerFeed <= 0 {
		cfg.ItemsPerFeed = 50
	}
	w := &Web{cfg: cfg, pages: map[string][]byte{}}
	for i := 0; i < cfg.Hosts; i++ {
		ip := fmt.Sprintf("127.0.0.%d", i+1)
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("loopweb: listen on %s: %w", ip, err)
		}
		h := &host{ip: ip, ln: ln, paths: map[string]int{}}
		h.srv = &http.Server{Handler: w.handler(h), ReadHeaderTimeout: 10 * time.Second,
			ConnContext: func(ctx context.Context, c net.Conn) context.Context {
				return context.WithValue(ctx, connKey{}, c)
			}}
		w.hosts = append(w.hosts, h)
		// Serve returns when Close stops the host, its only way to end.
		go func() { _ = h.srv.Serve(timedListener{ln}) }()
	}
	if cfg.Images {
		w.jpeg, w.bomb = photo(), bomb(40000, 40000)
	}
	w.build()
	return w, nil
}

func (h *host) base() string { return "http://" + h.ln.Addr().String() }

// build lays out articles over feeds and hosts.
func (w *Web) build() {
	cfg := w.cfg
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	w.feeds = make([]feedDoc, cfg.Feeds)
	for f := range w.feeds {
		w.feeds[f] = feedDoc{host: w.hosts[f%len(w.hosts)], path: fmt.Sprintf("/feeds/%d.xml", f)}
	}
	n := cfg.Feeds * cfg.ItemsPerFeed
	article := 0
	for i := 0; i < n; i++ {
		f := i % cfg.Feeds
		h := w.hosts[(i/cfg.Feeds+f+1)%len(w.hosts)]
		path := fmt.Sprintf("/news/%d/story-%d.html", 2026, i)
		title := fmt.Sprintf("Story %d: %s", i, words(rng, 6))
		page := w.page(i, title, rng, h)
		w.pages[h.ln.Addr().String()+path] = page
		it := feedItem{guid: fmt.Sprintf("item-%d", i), title: title, link: h.base() + path,
			published: base.Add(time.Duration(i) * time.Minute)}
		w.feeds[f].items = append(w.feeds[f].items, it)
		w.Items++
		article++
		if cfg.SharedEvery > 0 && i%cfg.SharedEvery == 0 && cfg.Feeds > 1 {
			// The same URL in the next feed: a second item, one post.
			other := (f + 1) % cfg.Feeds
			dup := it
			dup.guid = fmt.Sprintf("shared-%d", i)
			w.feeds[other].items = append(w.feeds[other].items, dup)
			w.Items++
		}
		if cfg.MirrorEvery > 0 && i%cfg.MirrorEvery == 1 && len(w.hosts) > 1 {
			// The same text under another URL on another host: one post.
			mh := w.hosts[(i/cfg.Feeds+f+2)%len(w.hosts)]
			mpath := fmt.Sprintf("/mirror/story-%d.html", i)
			w.pages[mh.ln.Addr().String()+mpath] = page
			other := (f + 1) % cfg.Feeds
			w.feeds[other].items = append(w.feeds[other].items, feedItem{guid: fmt.Sprintf("mirror-%d", i),
				title: title, link: mh.base() + mpath, published: it.published})
			w.Items++
		}
	}
	w.Articles = article
}

// page is article i's HTML.
func (w *Web) page(i int, title string, rng *rand.Rand, h *host) []byte {
	if len(w.cfg.Pages) > 0 {
		src := w.cfg.Pages[i%len(w.cfg.Pages)]
		// Make the text unique: a dateline paragraph at the top of the
		// article's first paragraph, so that each page is its own post.
		mark := []byte(fmt.Sprintf("(Ref %d) ", i))
		at := -1
		if w.cfg.MarkAt != nil {
			at = w.cfg.MarkAt(src)
		}
		if at < 0 {
			if j := bytes.Index(src, []byte("<p>")); j >= 0 {
				at = j + 3
			}
		}
		if at < 0 || at > len(src) {
			return src
		}
		out := make([]byte, 0, len(src)+len(mark))
		out = append(out, src[:at]...)
		out = append(out, mark...)
		return append(out, src[at:]...)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s | Loopback Post</title>
<meta property="og:title" content="%s"><meta name="author" content="%s">
<meta property="article:published_time" content="2026-03-01T08:00:00Z">
<script>window.analytics = {id: %d};</script><style>body{font-family:serif}</style></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>%s</h1><p class="byline">By %s</p>`,
		html.EscapeString(title), html.EscapeString(title), words(rng, 2), i, html.EscapeString(title), words(rng, 2))
	if w.cfg.Images {
		ext := ".jpg"
		if ImageKind(i) == ImageBomb {
			ext = ".png"
		}
		// A figure in the article and the page's og:image, as news sites
		// have them.
		fmt.Fprintf(&b, `<figure><img src="%s/img/story-%d%s" alt=""></figure>`, h.base(), i, ext)
		b.WriteString("\n")
		head := fmt.Sprintf(`<meta property="og:image" content="%s/img/story-%d%s"></head>`, h.base(), i, ext)
		page := strings.Replace(b.String(), "</head>", head, 1)
		b.Reset()
		b.WriteString(page)
	}
	paras := 6 + rng.IntN(6)
	for p := 0; p < paras; p++ {
		fmt.Fprintf(&b, "<p>%s.</p>\n", sentence(rng, 25+rng.IntN(40)))
	}
	b.WriteString(`</article><aside><h2>Most read</h2><ul>`)
	for k := 0; k < 5; k++ {
		fmt.Fprintf(&b, `<li><a href="/news/2026/story-%d.html">%s</a></li>`, rng.IntN(1000), words(rng, 5))
	}
	b.WriteString(`</ul></aside></main><footer><p>© Loopback Post. All rights reserved.</p><a href="/privacy">Privacy</a></footer></body></html>`)
	return []byte(b.String())
}

var vocab = strings.Fields(`the a minister said on monday that government would council city river bridge
market prices rose fell percent after before during week month year officials report police court trial
election vote party leader opposition budget school hospital water power energy storm rain flood farmers
harvest company shares investors bank rate inflation jobs workers strike union talks agreement border
trade export import port ship train station road traffic museum festival music film team match goal coach
season players fans stadium residents village mayor plan project construction housing rent families children`)

func words(rng *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = vocab[rng.IntN(len(vocab))]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func sentence(rng *rand.Rand, n int) string { return words(rng, n) }

func (w *Web) handler(h *host) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		now := time.Now()
		if tc, ok := r.Context().Value(connKey{}).(*timedConn); ok {
			if at := tc.take(); !at.IsZero() {
				now = at
			}
		}
		h.mu.Lock()
		h.times = append(h.times, now)
		h.paths[r.URL.Path]++
		h.mu.Unlock()
		if w.cfg.Latency > 0 {
			time.Sleep(w.cfg.Latency)
		}
		switch {
		case r.URL.Path == "/robots.txt":
			rw.Header().Set("Content-Type", "text/plain")
			rw.Write([]byte("User-agent: *\nAllow: /\n"))
			return
		case strings.HasPrefix(r.URL.Path, "/feeds/"):
			for _, f := range w.feeds {
				if f.host == h && f.path == r.URL.Path {
					rw.Header().Set("Content-Type", "application/rss+xml")
					rw.Write(f.rss(h))
					return
				}
			}
		case w.cfg.Images && strings.HasPrefix(r.URL.Path, "/img/"):
			var i int
			var ext string
			if n, _ := fmt.Sscanf(strings.Replace(r.URL.Path, ".", " ", 1), "/img/story-%d %s", &i, &ext); n == 2 {
				switch {
				case ext == "jpg" && ImageKind(i) == ImageJPEG:
					rw.Header().Set("Content-Type", "image/jpeg")
					rw.Write(w.jpeg)
					return
				case ext == "png" && ImageKind(i) == ImageBomb:
					rw.Header().Set("Content-Type", "image/png")
					rw.Write(w.bomb)
					return
				}
			}
		default:
			if page, ok := w.pages[h.ln.Addr().String()+r.URL.Path]; ok {
				rw.Header().Set("Content-Type", "text/html; charset=utf-8")
				rw.Header().Set("Content-Length", strconv.Itoa(len(page)))
				rw.Write(page)
				return
			}
		}
		http.NotFound(rw, r)
	})
}

func (f feedDoc) rss(h *host) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Loopback %s</title><link>%s/</link><description>test feed</description>`,
		f.path, h.base())
	for _, it := range f.items {
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><guid isPermaLink="false">%s</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			html.EscapeString(it.title), html.EscapeString(it.link), it.guid, it.published.Format(time.RFC1123Z),
			html.EscapeString("<p>"+it.title+"</p>"))
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// FeedURLs are the feeds to subscribe to.
func (w *Web) FeedURLs() []string {
	out := make([]string, len(w.feeds))
	for i, f := range w.feeds {
		out[i] = f.host.base() + f.path
	}
	return out
}

// PageBodies returns every article page served, once per distinct page.
func (w *Web) PageBodies() [][]byte {
	keys := make([]string, 0, len(w.pages))
	for k := range w.pages {
		if !strings.Contains(k, "/mirror/") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = w.pages[k]
	}
	return out
}

// PageURL is the URL a page of PageBodies is served at, in the same order.
func (w *Web) PageURLs() []string {
	var out []string
	for k := range w.pages {
		if !strings.Contains(k, "/mirror/") {
			out = append(out, "http://"+k)
		}
	}
	sort.Strings(out)
	return out
}

// Hosts are the host names ("127.0.0.1", …).
func (w *Web) Hosts() []string {
	out := make([]string, len(w.hosts))
	for i, h := range w.hosts {
		out[i] = h.ip
	}
	return out
}

// Requests returns each host's request arrival times, in order.
func (w *Web) Requests() map[string][]time.Time {
	out := map[string][]time.Time{}
	for _, h := range w.hosts {
		h.mu.Lock()
		ts := append([]time.Time(nil), h.times...)
		h.mu.Unlock()
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		out[h.ip] = ts
	}
	return out
}

// Fetches counts the requests for one path over all hosts.
func (w *Web) Fetches(path string) int {
	n := 0
	for _, h := range w.hosts {
		h.mu.Lock()
		n += h.paths[path]
		h.mu.Unlock()
	}
	return n
}

// Close stops every host.
func (w *Web) Close() {
	for _, h := range w.hosts {
		_ = h.srv.Close() // closing listeners of a test web
	}
}

// Arrival times are taken when a request's first bytes are read off the
// connection, not when its handler runs: on a busy machine the server's
// own scheduling would otherwise blur the gaps it is asked to judge.
type timedListener struct{ net.Listener }

func (l timedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &timedConn{Conn: c, armed: true}, nil
}

type connKey struct{}

// timedConn remembers when the first read since the last request handled
// returned data: HTTP/1.1 clients (kabar's) send the next request on a
// connection only after the previous answer, so that read is the next
// request's arrival.
type timedConn struct {
	net.Conn
	mu    sync.Mutex
	armed bool
	at    time.Time
}

func (c *timedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		now := time.Now()
		c.mu.Lock()
		if c.armed {
			c.at, c.armed = now, false
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *timedConn) take() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	at := c.at
	c.at, c.armed = time.Time{}, true
	return at
}
