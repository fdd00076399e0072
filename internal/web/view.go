package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// view is what every page's template sees: the request's language, the
// site's settings and the helpers that depend on them.
type view struct {
	Lang            string
	SiteTitle       string
	SiteDescription string
	Title           string // the document title; empty on the home page
	Canonical       string
	NoIndex         bool
	CSSURL          string
	HomeURL         string
	SearchURL       string
	Query           string // the search box's text
	HL              string // the ?hl= override, for forms that must carry it
	Languages       []langLink
	// Menu is the header's menu: the site's pages and the labels the
	// owner chose.
	Menu []navLink
	// Description is the page's meta description: the site's, or a
	// post's excerpt.
	Description string
	// OG are the page's Open Graph and Twitter card tags.
	OG *openGraph
	// Alternates are the page in each language, for hreflang; XDefault is
	// the page without ?hl=.
	Alternates []langLink
	XDefault   string
	// Feeds are the page's feeds, offered as <link rel="alternate">.
	Feeds   []feedLink
	Sidebar *sidebar
	// User is the signed-in owner on admin pages.
	User *model.User

	loc    *locale
	tz     *time.Location
	hl     string
	path   string
	labels labelNamer
}

// openGraph is what a shared link shows: Open Graph and Twitter card tags.
type openGraph struct {
	Type, Title, Description, URL, Image, SiteName, Locale string
	Published, Author                                      string
}

type langLink struct {
	Tag, Name, URL string
	Current        bool
}

type feedLink struct {
	Type, Title, URL string
}

// sidebar is the column beside every reader's page: labels, the archive
// and the site's feeds.
type sidebar struct {
	Labels     []labelLink
	Months     []monthLink
	MoreMonths bool
	// HTML is the column rendered (withSidebar), what pages show.
	HTML template.HTML
}

type labelLink struct {
	Name, URL, Count string
	n                int
}

type monthLink struct {
	Name, URL, Count string
}

// newView picks the request's language: ?hl= when it names a locale, else
// the best of Accept-Language, else the site's.
func (s *Server) newView(r *http.Request) *view {
	set := s.cache.settings(r.Context())
	v := &view{
		Lang:            s.cfg.Lang,
		SiteTitle:       s.cfg.SiteTitle,
		SiteDescription: set.Description,
		CSSURL:          s.cssURL,
		Description:     set.Description,
		NoIndex:         !set.Index,
		tz:              s.cfg.Location,
		path:            r.URL.Path,
	}
	if set.Title != "" {
		v.SiteTitle = set.Title
	}
	if hl := r.URL.Query().Get("hl"); hl != "" && s.locales[hl] != nil {
		v.Lang, v.hl, v.HL = hl, hl, hl
	} else if tag := s.acceptLanguage(r); tag != "" {
		v.Lang = tag
	}
	v.loc = s.locales[v.Lang]
	v.labels = labelNamer{names: set.LabelNames, lang: v.Lang}
	v.HomeURL = v.Link("/")
	v.SearchURL = "/search"
	base := s.baseURL(r)
	for _, tag := range s.langs {
		q := r.URL.Query()
		q.Set("hl", tag)
		q.Del("comment")
		q.Del("reply")
		u := (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
		l := langLink{Tag: tag, Name: v.loc.T("lang." + tag), URL: u, Current: tag == v.Lang}
		v.Languages = append(v.Languages, l)
		l.URL = base + u
		v.Alternates = append(v.Alternates, l)
	}
	q := r.URL.Query()
	q.Del("hl")
	q.Del("comment")
	q.Del("reply")
	v.XDefault = base + (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
	v.Menu = s.menu(v, set)
	return v
}

// acceptLanguage returns the locale the browser prefers, or "" when it
// names none of the site's languages.
func (s *Server) acceptLanguage(r *http.Request) string {
	h := r.Header.Get("Accept-Language")
	if h == "" {
		return ""
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return ""
	}
	_, i, conf := s.matcher.Match(tags...)
	if conf < language.High {
		return ""
	}
	return s.matchTags[i]
}

// withSidebar adds the reader's column: the most used labels and the latest
// months of the archive. It is rendered once for each language and load of
// the site cache (sidebars) and placed in each page as it is: rendered with
// every page, it was a quarter of a post page's CPU.
func (s *Server) withSidebar(r *http.Request, v *view) {
	v.Feeds = append(v.Feeds, feedLinks("/feeds/posts/default", v.SiteTitle)...)
	labels, months, ver := s.cache.sidebar(r.Context())
	key := sidebarKey{lang: v.Lang, hl: v.hl}
	html, ok := s.sidebars.get(ver, key)
	if !ok {
		v.Sidebar = newSidebar(v, labels, months)
		var b strings.Builder
		if err := s.pages[v.loc.tag]["list"].ExecuteTemplate(&b, "sidebar", v); err != nil {
			// The page is still worth showing, without its column.
			s.log.Error("web: render sidebar", "err", err)
			v.Sidebar = nil
			return
		}
		html = template.HTML(b.String())
		s.sidebars.put(ver, key, html)
	}
	v.Sidebar = &sidebar{HTML: html}
}

// newSidebar makes the sidebar's lists for v's reader.
func newSidebar(v *view, labels []model.Label, months []store.MonthCount) *sidebar {
	sb := &sidebar{}
	// Publishers that differ only by "The", case or punctuation are one
	// entry, under their most used name (labels come most used first).
	pubs := map[string]int{}
	for _, l := range labels {
		if l.Kind == model.LabelPublisher {
			k := publisherKey(l.Name)
			if i, ok := pubs[k]; ok && k != "" {
				sb.Labels[i].n += l.Count
				sb.Labels[i].Count = v.Num(sb.Labels[i].n)
				continue
			}
			pubs[k] = len(sb.Labels)
			sb.Labels = append(sb.Labels, labelLink{Name: l.Name, URL: v.Link(publisherPath(l.Name)), Count: v.Num(l.Count), n: l.Count})
			continue
		}
		sb.Labels = append(sb.Labels, labelLink{Name: v.LabelName(l), URL: v.Link(labelPath(l.Name)), Count: v.Num(l.Count), n: l.Count})
	}
	for i, m := range months {
		if i == sidebarMonths {
			sb.MoreMonths = true
			break
		}
		sb.Months = append(sb.Months, v.month(m))
	}
	return sb
}

// sidebarKey is what a rendered sidebar depends on besides the site
// cache's load (labels, months and the owner's names for labels, the
// generation it is kept under): the reader's language and the ?hl= its
// links carry.
type sidebarKey struct {
	lang, hl string
}

// maxSidebars bounds the sidebars one load keeps: a language and a ?hl=
// each, a handful.
const maxSidebars = 64

const (
	sidebarLabels = 20
	sidebarMonths = 12
)

func (v *view) month(m store.MonthCount) monthLink {
	return monthLink{
		Name:  v.loc.MonthYear(m.Year, m.Month),
		URL:   v.Link(monthPath(m.Year, m.Month)),
		Count: v.Num(m.Count),
	}
}

func labelPath(name string) string { return "/search/label/" + url.PathEscape(name) }

func publisherPath(name string) string { return "/publisher/" + url.PathEscape(name) }

func monthPath(year, month int) string {
	return "/" + strconv.Itoa(year) + "/" + twoDigits(month) + "/"
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// T returns the localized string for key.
func (v *view) T(key string) string { return v.loc.T(key) }

// N returns the localized string for key with {n} as a localized number.
func (v *view) N(key string, n int) string { return v.loc.N(key, n) }

// Num formats n with the locale's digit grouping.
func (v *view) Num(n int) string { return v.loc.Num(n) }

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
