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
	"net/url"
	"slices"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

//go:embed templates locales static
var files embed.FS

// Config configures the site. The zero value is a usable English site in UTC.
type Config struct {
	Lang      string         // "en" (default) or "id": the site's language
	SiteTitle string         // default "kabar"
	Location  *time.Location // time zone for displayed dates; default UTC
	PageSize  int            // posts per home page, default 20

	// CSRFKey signs the comment form's tokens. Empty means a random key per
	// Server; processes that share one site behind a load balancer need the
	// same key, or a form served by one is refused by another.
	CSRFKey []byte
	// Logger receives errors the reader only sees as a 500; default
	// slog.Default().
	Logger *slog.Logger
}

// Server is the site's http.Handler.
type Server struct {
	st      store.Store
	cfg     Config
	log     *slog.Logger
	locales map[string]*locale
	langs   []string // sorted tags of locales, for the language switcher
	pages   map[string]*template.Template
	static  map[string]staticFile
	cssURL  string
	csrfKey []byte
	cop     *http.CrossOriginProtection
	mux     *http.ServeMux
}

// New returns the site for st.
func New(st store.Store, cfg Config) (*Server, error) {
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
	s := &Server{st: st, cfg: cfg, log: cfg.Logger, cop: http.NewCrossOriginProtection()}
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
	if s.pages, err = parsePages(files); err != nil {
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
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /{$}", s.handleHome)
	s.mux.HandleFunc("GET /{year}/{month}/{file}", s.handlePost)
	s.mux.HandleFunc("POST /{year}/{month}/{file}", s.handleComment)
	s.mux.HandleFunc("GET /api/posts", s.handleAPIPosts)
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("GET /static/{file}", s.handleStatic)
	s.mux.HandleFunc("/", s.notFound)
}

// ServeHTTP serves the site.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The site runs no script and loads nothing from elsewhere, so the
	// policy can forbid both outright.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, "ok")
}

// parsePages builds one template set per page, each the layout plus the
// page's own blocks.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, name := range names {
		if name == "templates/layout.html" {
			continue
		}
		t, err := template.ParseFS(fsys, "templates/layout.html", name)
		if err != nil {
			return nil, err
		}
		pages[name[len("templates/"):len(name)-len(".html")]] = t
	}
	return pages, nil
}

// view is what every page's template sees: the request's language and the
// helpers that depend on it.
type view struct {
	Lang      string
	SiteTitle string
	Title     string // the document title; empty on the home page
	Canonical string
	NoIndex   bool
	CSSURL    string
	HomeURL   string
	Languages []langLink

	loc  *locale
	tz   *time.Location
	hl   string // the ?hl= override, carried on the site's own links
	path string
}

type langLink struct {
	Tag, Name, URL string
	Current        bool
}

// newView picks the request's language: ?hl= when it names a locale, else
// the site's.
func (s *Server) newView(r *http.Request) *view {
	v := &view{
		Lang:      s.cfg.Lang,
		SiteTitle: s.cfg.SiteTitle,
		CSSURL:    s.cssURL,
		tz:        s.cfg.Location,
		path:      r.URL.Path,
	}
	if hl := r.URL.Query().Get("hl"); hl != "" {
		if _, ok := s.locales[hl]; ok {
			v.Lang, v.hl = hl, hl
		}
	}
	v.loc = s.locales[v.Lang]
	v.HomeURL = v.Link("/")
	for _, tag := range s.langs {
		q := r.URL.Query()
		q.Set("hl", tag)
		q.Del("comment")
		v.Languages = append(v.Languages, langLink{
			Tag:     tag,
			Name:    v.loc.T("lang." + tag),
			URL:     (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String(),
			Current: tag == v.Lang,
		})
	}
	return v
}

// T returns the localized string for key.
func (v *view) T(key string) string { return v.loc.T(key) }

// Date formats t for the reader, in the site's time zone.
func (v *view) Date(t time.Time) string { return v.loc.Date(t.In(v.tz)) }

// ISODate formats t for a <time datetime> attribute.
func (v *view) ISODate(t time.Time) string { return t.In(v.tz).Format(time.RFC3339) }

// Link returns a path on the site that keeps the request's ?hl= override,
// so a reader who chose a language keeps it while browsing.
func (v *view) Link(p string) string {
	u, err := url.Parse(p)
	if err != nil || v.hl == "" {
		return p
	}
	q := u.Query()
	q.Set("hl", v.hl)
	u.RawQuery = q.Encode()
	return u.String()
}

// render executes page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, page string, data any) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("web: render", "page", page, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
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
	s.renderError(w, r, http.StatusNotFound, "not_found")
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
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

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static[r.PathValue("file")]
	if !ok {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "public, max-age=604800")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}
