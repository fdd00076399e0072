package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"golang.org/x/sync/singleflight"
)

// The page cache keeps rendered pages that everyone sees alike (home,
// listings, the archive, labels, feeds, stories and posts) in memory, so
// that a hot page costs one read of the site's generation instead of a
// dozen queries and a template.
//
// Invalidation is through the database: triggers bump the site's generation
// (store.SiteGeneration) in the transaction of every write that can change
// a page, whichever process makes it. Each page remembers the generation it
// was rendered at, read before rendering; a request that finds a newer
// generation renders the page again. So a write is on every process's pages
// from the next request on, with no message between processes to lose.
// Entries also expire after pageCacheTTL, for what a page shows that no
// write changes (the clock).
const (
	pageCacheTTL = 5 * time.Minute
	// DefaultPageCacheBytes bounds the cache's memory when Config does not.
	DefaultPageCacheBytes = 64 << 20
	// entryOverhead is counted per page besides its key and body.
	entryOverhead = 512
)

// Cache-Control of the pages a shared cache (CDN, reverse proxy) may keep
// briefly: readers see a write within a minute, and a cache may answer
// from a stale copy while it asks again, or for a day while kabar is down.
const (
	publicCacheControl  = "public, max-age=60, s-maxage=60, stale-while-revalidate=60, stale-if-error=86400"
	privateCacheControl = "private, no-store"
)

// surrogateKey names what a shared cache may purge a page by: every page
// has "kabar"; docs/operations.md explains.
const surrogateKey = "kabar"

// searchSlots is how many searches run at once: half the CPUs, at least
// one, leaving the other database connections to pages.
func searchSlots() int { return max(1, runtime.NumCPU()/2) }

type pageCache struct {
	c *otter.Cache[string, *cachedPage]
	// formToken stands for the comment form's token in a cached post page;
	// each response gets the reader's own in its place. Random per
	// process, so no post's text can contain it.
	formToken string
	lastGen   atomic.Int64
	// flight joins the readers of one page rendered at once (servePage).
	flight singleflight.Group
	hits   atomic.Int64
	misses atomic.Int64
}

type cachedPage struct {
	gen      int64
	modified time.Time
	header   http.Header
	body     []byte
	etag     string
	form     bool // body holds formToken
}

func newPageCache(maxBytes int64) *pageCache {
	if maxBytes <= 0 {
		return nil
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	return &pageCache{
		formToken: "kabarform" + hex.EncodeToString(tok),
		c: otter.Must(&otter.Options[string, *cachedPage]{
			MaximumWeight: uint64(maxBytes),
			Weigher: func(k string, p *cachedPage) uint32 {
				return uint32(min(len(k)+len(p.body)+entryOverhead, 1<<31))
			},
			ExpiryCalculator: otter.ExpiryWriting[string, *cachedPage](pageCacheTTL),
		}),
	}
}

type renderingForCacheKey struct{}

// renderingForCache reports whether the page is being rendered for the
// cache: then it must hold nothing of one reader's.
func renderingForCache(ctx context.Context) bool {
	return ctx.Value(renderingForCacheKey{}) != nil
}

// pageKind classes a GET path for the cache: "" for what servePage leaves
// alone (admin, the API, static files and images, which have validators
// of their own). Sitemaps get validators but are not kept: crawlers read
// them now and then.
func pageKind(p string) string {
	switch {
	case p == "/search":
		return "search"
	case p == "/":
		return "home"
	case p == "/archive", p == "/labels", p == "/publishers", p == "/stories":
		return strings.TrimPrefix(p, "/")
	case strings.HasPrefix(p, "/search/label/"):
		return "label"
	case strings.HasPrefix(p, "/publisher/"):
		return "publisher"
	case strings.HasPrefix(p, "/feeds/"):
		return "feed"
	case strings.HasPrefix(p, "/story/"):
		return "story"
	case p == "/sitemap.xml", p == "/sitemap-news.xml":
		return "sitemap"
	}
	// /YYYY/MM/ and /YYYY/MM/slug.html
	if len(p) >= 9 && p[0] == '/' && p[5] == '/' && p[8] == '/' && allDigits(p[1:5]) && allDigits(p[6:8]) {
		if len(p) == 9 {
			return "month"
		}
		return "post"
	}
	return ""
}

// personal reports whether the answer to r may depend on who asks: the
// owner's session always; on a post page, also the name the reader
// commented under and the comments of theirs that await moderation.
func personal(r *http.Request, kind string) bool {
	for _, c := range r.Cookies() {
		switch c.Name {
		case sessionCookie:
			return true
		case rememberCookie, pendingCookie:
			if kind == "post" {
				return true
			}
		}
	}
	return false
}

// servePage answers a reader's GET: from the page cache when it can, else
// rendered and (when everyone would see it alike) kept. Every page it
// answers gets a validator for conditional GET and the Cache-Control that
// suits its kind.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	kind := pageKind(r.URL.Path)
	if r.Method != http.MethodGet && r.Method != http.MethodHead || kind == "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	if personal(r, kind) {
		rec := newRecorder()
		s.mux.ServeHTTP(rec, unconditional(r))
		rec.header.Set("Cache-Control", privateCacheControl)
		rec.header.Add("Vary", "Cookie")
		s.writeRecorded(w, r, rec, "")
		return
	}
	pc := s.pageCache
	if pc == nil || kind == "sitemap" {
		s.serveUncached(w, r, kind)
		return
	}
	gen, changed, err := s.st.SiteGeneration(r.Context())
	if err != nil {
		s.log.Warn("web: site generation; page served without the cache", "err", err)
		s.serveUncached(w, r, kind)
		return
	}
	// Settings and the sidebar, cached apart, change with the generation too.
	if last := pc.lastGen.Load(); gen != last && pc.lastGen.CompareAndSwap(last, gen) && last != 0 {
		s.cache.invalidate()
	}
	key := s.pageKey(r)
	if p, ok := pc.c.GetIfPresent(key); ok && p.gen == gen {
		pc.hits.Add(1)
		s.writeCached(w, r, p)
		return
	}
	pc.misses.Add(1)
	// Readers who ask for a page while another renders it wait for that
	// one and share it: after a write every hot page is stale at once, and
	// each reader rendering it anew (the home page's count alone is tens
	// of milliseconds of the database at 100 000 posts) made a burst the
	// size of the traffic.
	led := false
	res, _, _ := pc.flight.Do(strconv.FormatInt(gen, 10)+" "+key, func() (any, error) {
		led = true
		// A search found in the cache above never waits for a slot.
		if !s.searchGate(r, kind) {
			return nil, nil
		}
		defer s.searchDone(kind)
		return s.renderForCache(r, key, gen, changed, kind), nil
	})
	switch res := res.(type) {
	case *cachedPage:
		s.writeCached(w, r, res)
	case *recorder:
		if led {
			s.writeKept(w, r, res, kind)
			return
		}
		// What the leader got was its own (an error, a redirect, a
		// cookie): this reader's is rendered for this reader.
		s.serveUncached(w, r, kind)
	default:
		if !led {
			s.serveUncached(w, r, kind)
		}
	}
}

// renderForCache renders the page for every reader alike and keeps it,
// returning it as a *cachedPage; one it cannot keep (an error, a
// redirect, anything personal) comes back as the *recorder it was
// rendered into.
func (s *Server) renderForCache(r *http.Request, key string, gen int64, changed time.Time, kind string) any {
	pc := s.pageCache
	rec := newRecorder()
	s.mux.ServeHTTP(rec, unconditional(r.WithContext(context.WithValue(r.Context(), renderingForCacheKey{}, gen))))
	if rec.status != http.StatusOK || rec.header.Get("Set-Cookie") != "" || strings.Contains(rec.header.Get("Cache-Control"), "no-store") {
		return rec
	}
	p := &cachedPage{gen: gen, modified: changed, header: rec.header, body: rec.body.Bytes()}
	p.form = bytes.Contains(p.body, []byte(pc.formToken))
	sum := sha256.Sum256(p.body)
	p.etag = hex.EncodeToString(sum[:12])
	s.setPolicy(p.header, kind)
	pc.c.Set(key, p)
	return p
}

// writeKept answers with a page rendered for the cache and not kept.
// One that holds the form's placeholder is rendered again for this
// reader.
func (s *Server) writeKept(w http.ResponseWriter, r *http.Request, rec *recorder, kind string) {
	if bytes.Contains(rec.body.Bytes(), []byte(s.pageCache.formToken)) {
		rec = newRecorder()
		s.mux.ServeHTTP(rec, unconditional(r))
	}
	s.writeRecorded(w, r, rec, kind)
}

// serveUncached renders the page for this reader alone.
func (s *Server) serveUncached(w http.ResponseWriter, r *http.Request, kind string) {
	if !s.searchGate(r, kind) {
		return
	}
	defer s.searchDone(kind)
	rec := newRecorder()
	s.mux.ServeHTTP(rec, unconditional(r))
	s.writeRecorded(w, r, rec, kind)
}

// searchGate waits for a search slot when kind is "search", and reports
// false when the reader left meanwhile. A search costs tens of times a
// page and holds a database connection; unbounded, a burst of them takes
// every connection and the cheap pages queue behind it (the block profile
// under bench-web showed 97 % of waiting in the pool). Searches answered
// from the page cache take no slot.
func (s *Server) searchGate(r *http.Request, kind string) bool {
	if kind != "search" {
		return true
	}
	select {
	case s.searchSlots <- struct{}{}:
		return true
	case <-r.Context().Done():
		return false
	}
}

// searchDone gives back the slot searchGate took.
func (s *Server) searchDone(kind string) {
	if kind == "search" {
		<-s.searchSlots
	}
}

// unconditional is r without its validators: the page is rendered whole,
// and servePage answers them itself.
func unconditional(r *http.Request) *http.Request {
	if r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Modified-Since") == "" {
		return r
	}
	r = r.Clone(r.Context())
	r.Header.Del("If-None-Match")
	r.Header.Del("If-Modified-Since")
	return r
}

// pageKey is what a page's content depends on besides the database: the
// address asked for (with its query, in a canonical order), the language
// chosen and, when the site has no fixed address, the host and scheme its
// links name.
func (s *Server) pageKey(r *http.Request) string {
	lang := s.cfg.Lang
	if hl := r.URL.Query().Get("hl"); hl != "" && s.locales[hl] != nil {
		lang = hl
	} else if tag := s.acceptLanguage(r); tag != "" {
		lang = tag
	}
	return lang + " " + s.baseURL(r) + r.URL.Path + "?" + r.URL.Query().Encode()
}

// setPolicy sets the Cache-Control of a page everyone sees alike, unless
// its handler chose one (a post page's form token makes it private).
func (s *Server) setPolicy(h http.Header, kind string) {
	if h.Get("Cache-Control") == "" || kind == "feed" {
		h.Set("Cache-Control", publicCacheControl)
	}
	if strings.Contains(h.Get("Cache-Control"), "private") {
		h.Add("Vary", "Cookie")
	}
	h.Set("Surrogate-Key", surrogateKey+" "+surrogateKey+"-"+kind)
	if h.Get("Vary") == "" {
		h.Set("Vary", "Accept-Language")
	}
}

// writeCached answers from a kept page. A page with a comment form gets
// this reader's token; its validator changes every hour, so that a browser
// revalidating never keeps a form older than a token lives.
func (s *Server) writeCached(w http.ResponseWriter, r *http.Request, p *cachedPage) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	body, modified := p.body, p.modified
	etag := `W/"` + p.etag + `"`
	if p.form {
		etag = `W/"` + p.etag + "-" + strconv.FormatInt(s.cfg.Now().Unix()/3600, 36) + `"`
		modified = time.Time{}
		body = bytes.ReplaceAll(body, []byte(s.pageCache.formToken), []byte(s.csrfToken(w, r)))
	}
	h.Set("ETag", etag)
	h.Del("Content-Length")
	http.ServeContent(w, r, "", modified, bytes.NewReader(body))
}

// writeRecorded answers with a page rendered for this request alone; a
// successful one still gets a validator.
func (s *Server) writeRecorded(w http.ResponseWriter, r *http.Request, rec *recorder, kind string) {
	if kind != "" && rec.status == http.StatusOK {
		s.setPolicy(rec.header, kind)
	}
	h := w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	if rec.status != http.StatusOK {
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
		return
	}
	if h.Get("ETag") == "" {
		sum := sha256.Sum256(rec.body.Bytes())
		h.Set("ETag", `W/"`+hex.EncodeToString(sum[:12])+`"`)
	}
	h.Del("Content-Length")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(rec.body.Bytes()))
}

// recorder keeps a handler's answer to be kept or rewritten before it is
// sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

// PageCacheStats are the page cache's hits and misses since the start.
func (s *Server) PageCacheStats() (hits, misses int64) {
	if s.pageCache == nil {
		return 0, 0
	}
	return s.pageCache.hits.Load(), s.pageCache.misses.Load()
}
