// Package web serves kabar's site: the home page, one page per post with its
// comments and comment form, a small JSON API and the static style sheet.
//
// Templates, style sheet and locale files are embedded, so the binary is the
// whole site. Every string a reader sees comes from the locale files; the
// site's language is set in Config and can be overridden per request with
// ?hl=.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
)

//go:embed templates locales static
var files embed.FS

// Config configures the site. The zero value is a usable English site in UTC.
type Config struct {
	Lang      string         // "en" (default) or "id": the site's language
	SiteTitle string         // default "kabar"; the owner may change it in /admin/settings
	Location  *time.Location // time zone for displayed dates; default UTC
	PageSize  int            // posts per listing page, default 20

	// BaseURL is the site's public address (https://news.example), used in
	// feeds. Empty means the address each request came to.
	BaseURL string
	// TrustProxy takes the reader's address from the last hop of
	// X-Forwarded-For and the scheme from X-Forwarded-Proto: only behind a
	// reverse proxy that sets them.
	TrustProxy bool

	// CSRFKey signs form tokens and commenter keys. Empty means a random key
	// per Server; processes that share one site behind a load balancer need
	// the same key, or a form served by one is refused by another.
	CSRFKey []byte

	// Anti-spam. MinSubmit is the least time between showing a comment form
	// and accepting it (default 3s; negative: no minimum). CommentBurst
	// comments may come from one address at once, then one per CommentEvery
	// (defaults 5 and 1 minute). A comment with more than MaxLinks links is
	// refused (default 2; negative: no link at all).
	MinSubmit    time.Duration
	CommentBurst int
	CommentEvery time.Duration
	MaxLinks     int

	// FeedURLs, when set, checks a feed's address when one is added (API
	// and admin form) against the fetcher's private-network guard, with the
	// operator's allowed ranges, so that an address the fetcher would
	// refuse is refused at once instead of failing at every poll.
	// *fetch.Client is one.
	FeedURLs URLChecker

	// Reextract, when set, lets the owner fetch and extract a post again
	// from /admin. The pipeline provides it; nil hides the button.
	Reextract Reextractor

	// ShowImages shows posts' lead images (kept by the pipeline, served
	// from /img/ on this site) on pages, in feeds and in link previews.
	// ImageDir is where their bytes are when not in the database.
	ShowImages bool
	ImageDir   string

	// Now is the clock; default time.Now. Tests move it.
	Now func() time.Time

	// PageCacheBytes bounds the memory of rendered pages kept for readers;
	// 0 means DefaultPageCacheBytes, negative turns the cache off.
	PageCacheBytes int64

	// Logger receives errors the reader only sees as a 500; default
	// slog.Default().
	Logger *slog.Logger
}

// URLChecker tells whether an address may ever be fetched, without
// fetching it.
type URLChecker interface {
	CheckURL(raw string) error
}

// Reextractor fetches a post's page again and replaces its text. The site
// only asks; the pipeline does the work.
type Reextractor interface {
	Reextract(ctx context.Context, postID int64) error
}

// Server is the site's http.Handler.
type Server struct {
	st      Store
	cfg     Config
	log     *slog.Logger
	locales map[string]*locale
	langs   []string // sorted tags of locales, for the language switcher
	pages   pageSets
	static  map[string]staticFile
	cssURL  string
	csrfKey []byte
	cop     *http.CrossOriginProtection
	mux     *http.ServeMux
	api     *http.ServeMux

	commentLimit *rateLimiter
	usedForms    *usedTokens
	loginLimit   *rateLimiter
	cache        *siteCache
	pageCache    *pageCache
	searchSlots  chan struct{}
	counts       genMemo[string, int]               // listings' totals (count)
	sidebars     genMemo[sidebarKey, template.HTML] // rendered sidebars (withSidebar)
	matcher      language.Matcher
	matchTags    []string // the locale tag of each of matcher's tags
	sitemapMax   int      // posts per sitemap file; tests make it small
}

// New returns the site for st.
func New(st Store, cfg Config) (*Server, error) {
	if cfg.Lang == "" {
		cfg.Lang = "en"
	}
	if cfg.SiteTitle == "" {
		cfg.SiteTitle = "kabar"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 20
	}
	if cfg.MinSubmit == 0 {
		cfg.MinSubmit = 3 * time.Second
	}
	if cfg.CommentBurst <= 0 {
		cfg.CommentBurst = 5
	}
	if cfg.CommentEvery <= 0 {
		cfg.CommentEvery = time.Minute
	}
	if cfg.MaxLinks == 0 {
		cfg.MaxLinks = 2
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{st: st, cfg: cfg, log: cfg.Logger, cop: http.NewCrossOriginProtection(), sitemapMax: sitemapMaxURLs}
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.locales, err = loadLocales(files); err != nil {
		return nil, err
	}
	if _, ok := s.locales[cfg.Lang]; !ok {
		return nil, fmt.Errorf("web: no locale for language %q", cfg.Lang)
	}
	for tag := range s.locales {
		s.langs = append(s.langs, tag)
	}
	slices.Sort(s.langs)
	// The site's own language comes first: it is the matcher's fallback.
	s.matchTags = append([]string{cfg.Lang}, slices.DeleteFunc(slices.Clone(s.langs), func(t string) bool { return t == cfg.Lang })...)
	var tags []language.Tag
	for _, t := range s.matchTags {
		tags = append(tags, language.Make(t))
	}
	s.matcher = language.NewMatcher(tags)
	if s.pages, err = parsePages(files, s.locales, true); err != nil {
		return nil, err
	}
	if s.static, err = loadStatic(files); err != nil {
		return nil, err
	}
	// The version in the style sheet's URL changes with its content, so
	// browsers may cache it for long without serving a stale one.
	s.cssURL = "/static/style.css?v=" + s.static["style.css"].etag[1:9]
	s.csrfKey = cfg.CSRFKey
	if len(s.csrfKey) == 0 {
		s.csrfKey = make([]byte, 32)
		rand.Read(s.csrfKey)
	}
	s.commentLimit = newRateLimiter(cfg.CommentBurst, cfg.CommentEvery, cfg.Now)
	s.usedForms = newUsedTokens()
	// Ten tries at a password, then one every half minute: enough for a
	// person who mistypes, far too few for guessing.
	s.loginLimit = newRateLimiter(10, 30*time.Second, cfg.Now)
	s.cache = newSiteCache(st, cfg.Now, s.log)
	if cfg.PageCacheBytes == 0 {
		cfg.PageCacheBytes = DefaultPageCacheBytes
	}
	s.pageCache = newPageCache(cfg.PageCacheBytes)
	s.searchSlots = make(chan struct{}, searchSlots())
	s.counts.max, s.sidebars.max = maxCounts, maxSidebars
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	m := s.mux
	m.HandleFunc("GET /{$}", s.handle(s.handleHome))
	m.HandleFunc("GET /{year}/{month}/{file}", s.handle(s.handlePost))
	m.HandleFunc("POST /{year}/{month}/{file}", s.handle(s.handleComment))
	m.HandleFunc("GET /{year}/{month}/{$}", s.handle(s.handleMonth))
	m.HandleFunc("GET /archive", s.handle(s.handleArchive))
	m.HandleFunc("GET /search", s.handle(s.handleSearch))
	m.HandleFunc("GET /search/label/{label}", s.handle(s.handleLabel))
	m.HandleFunc("GET /labels", s.handle(s.handleLabels))
	m.HandleFunc("GET /publisher/{name}", s.handle(s.handlePublisher))
	m.HandleFunc("GET /publishers", s.handle(s.handlePublishers))

	s.gdataRoutes(m)
	s.storyRoutes(m)
	s.imageRoutes(m)
	s.seoRoutes(m)
	s.blogRoutes(m)

	// The API has a mux of its own, so that an unknown /api/ path is never a
	// redirect to a page's path with a trailing slash; apiErrorWriter turns
	// its 404 and 405 into JSON.
	s.api = http.NewServeMux()
	s.apiRoutes(s.api)
	s.adminRoutes(m)

	m.HandleFunc("GET /healthz", s.handle(s.handleHealth))
	m.HandleFunc("GET /static/{file}", s.handle(s.handleStatic))
	m.HandleFunc("/", s.notFound)
}

// ServeHTTP serves the site.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The site runs no script and loads nothing from elsewhere, so the
	// policy can forbid both outright.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if isAPI(r) {
		// The mux answers a wrong method or path in plain text; the API
		// answers everything in JSON.
		s.api.ServeHTTP(&apiErrorWriter{ResponseWriter: w, method: r.Method}, r)
		return
	}
	if r.URL.Path == "/" && r.URL.RawQuery != "" && s.oldLink(w, r) {
		return
	}
	s.servePage(w, r)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, "ok")
	return nil
}

// render executes page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, page string, data pageData) {
	var buf bytes.Buffer
	if err := s.pages[data.pageView().loc.tag][page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("web: render", "page", page, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The language follows Accept-Language, so caches must key on it.
	w.Header().Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorPage struct {
	*view
	Heading, Message string
}

// renderError shows a localized error page; kind names its strings in the
// locale files (error.<kind>.title and error.<kind>.message).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, kind string) {
	v := s.newView(r)
	v.NoIndex = true
	p := &errorPage{view: v, Heading: v.T("error." + kind + ".title"), Message: v.T("error." + kind + ".message")}
	v.Title = p.Heading
	s.render(w, status, "error", p)
}

// notFound answers an unknown path: JSON under /api/, a page elsewhere.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		writeAPIError(w, http.StatusNotFound, "not_found", "no such endpoint")
		return
	}
	if s.oldLink(w, r) {
		return
	}
	s.renderError(w, r, http.StatusNotFound, "not_found")
}

// handlerFunc is a handler that returns an error it cannot answer itself
// (a store that failed, a page that did not render) instead of answering
// it: handle answers it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle serves h, and answers the error h returns with fail.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// fail answers a request that failed on the server's side, in the one way
// for every handler: it logs the error once, with the request, and answers
// 500 in the request's kind, a JSON error under /api/ and a page elsewhere.
// The reader learns nothing of the cause.
// A request whose reader left (its context ended) failed on neither side
// and has no one to answer: it is logged at debug level, not as an error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		s.log.Debug("web: reader left", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	if isAPI(r) {
		writeAPIError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	s.renderError(w, r, http.StatusInternalServerError, "internal")
}

// staticFile is one embedded asset with its validator.
type staticFile struct {
	data  []byte
	etag  string
	ctype string
}

func loadStatic(fsys fs.FS) (map[string]staticFile, error) {
	sub, err := fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	out := make(map[string]staticFile)
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ctype := "application/octet-stream"
		if len(name) > 4 && name[len(name)-4:] == ".css" {
			ctype = "text/css; charset=utf-8"
		}
		out[name] = staticFile{data: data, etag: `"` + hex.EncodeToString(sum[:]) + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, ok := out["style.css"]; !ok {
		return nil, errors.New("web: static/style.css missing")
	}
	return out, nil
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	f, ok := s.static[r.PathValue("file")]
	if !ok {
		s.notFound(w, r)
		return nil
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "public, max-age=604800")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
	return nil
}
