package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Blogger's feed API, which the widgets, themes and scripts written for
// Blogger read: the same addresses and parameters, and ?alt=json in the
// GData JSON shape (every value an object with "$t", links as arrays with
// rel, openSearch$totalResults), ?alt=json-in-script&callback=NAME the
// same as a script. Atom stays the default and ?alt=rss RSS 2.0; JSON Feed
// has moved to ?alt=jsonfeed and /feed.json.

const (
	gdataDefaultItems = 25
	// gdataMaxItems caps max-results silently, as Blogger does: widgets
	// that ask for 500 or 9999 posts get the most the site gives and page
	// on with start-index.
	gdataMaxItems = 500
	// jsonpPrefix is what Blogger writes before a callback.
	jsonpPrefix = "// API callback\n"
)

func (s *Server) gdataRoutes(m *http.ServeMux) {
	for _, kind := range []string{"default", "summary"} {
		m.HandleFunc("GET /feeds/posts/"+kind, s.handle(s.handleGDataPosts))
		m.HandleFunc("GET /feeds/posts/"+kind+"/-/{label}", s.handle(s.handleGDataPosts))
		m.HandleFunc("GET /feeds/comments/"+kind, s.handle(s.handleGDataComments))
		m.HandleFunc("GET /feeds/{post}/comments/"+kind, s.handle(s.handleGDataComments))
	}
	m.HandleFunc("GET /feed.json", s.handle(s.handleGDataPosts))
}

// gdataQuery is a feed request's parameters, checked.
type gdataQuery struct {
	alt      string // atom, rss, json, json-in-script or jsonfeed
	callback string
	max      int
	start    int // 1-based
	from, to time.Time
	text     string
	summary  bool
}

// A callback must be a name (dotted names allowed, as gdata.io.handle…):
// anything else could be script of the caller's choosing.
var callbackName = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$`)

func parseGData(r *http.Request) (gdataQuery, error) {
	q := r.URL.Query()
	g := gdataQuery{alt: q.Get("alt"), callback: q.Get("callback"), max: gdataDefaultItems, start: 1,
		text: searchText(r), summary: strings.HasPrefix(r.URL.Path, "/feeds/posts/summary") || strings.HasSuffix(r.URL.Path, "/comments/summary")}
	if r.URL.Path == "/feed.json" {
		g.alt = "jsonfeed"
	}
	switch g.alt {
	case "":
		g.alt = "atom"
	case "atom", "rss", "json", "json-in-script", "jsonfeed":
	default:
		return g, fmt.Errorf("alt must be atom, rss, json, json-in-script or jsonfeed, not %q", g.alt)
	}
	if g.callback != "" || g.alt == "json-in-script" {
		if g.callback == "" {
			g.callback = "gdata.io.handleScriptLoaded"
		}
		if len(g.callback) > 128 || !callbackName.MatchString(g.callback) {
			return g, errors.New("callback must be a JavaScript name (letters, digits, _ and $, dotted)")
		}
		if g.alt == "json" {
			g.alt = "json-in-script"
		}
	}
	if raw := q.Get("max-results"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return g, errors.New("max-results must be a whole number from 0")
		}
		g.max = min(n, gdataMaxItems)
	}
	if raw := q.Get("start-index"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return g, errors.New("start-index must be a whole number from 1")
		}
		g.start = n
	}
	switch o := q.Get("orderby"); o {
	case "", "published", "updated", "starttime":
		// Posts here are not edited after they appear, so every order is
		// by publication, newest first.
	default:
		return g, fmt.Errorf("orderby must be published or updated, not %q", o)
	}
	for _, b := range []struct {
		name string
		t    *time.Time
	}{{"published-min", &g.from}, {"published-max", &g.to}} {
		if raw := q.Get(b.name); raw != "" {
			t, err := parseGDataTime(raw)
			if err != nil {
				return g, fmt.Errorf("%s must be a date and time such as 2024-01-31T00:00:00Z", b.name)
			}
			*b.t = t
		}
	}
	return g, nil
}

func parseGDataTime(s string) (time.Time, error) {
	// A "+" in a query that was not escaped arrives as a space.
	s = strings.Replace(s, " ", "+", 1)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

func (s *Server) handleGDataPosts(w http.ResponseWriter, r *http.Request) error {
	g, err := parseGData(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil
	}
	ctx := r.Context()
	v := s.newView(r)
	base := s.baseURL(r)
	label := r.PathValue("label")
	f := &outFeed{Title: v.SiteTitle, Description: v.SiteDescription, Lang: v.Lang, HomeURL: base + "/",
		SelfURL: base + r.URL.Path}
	var posts []model.Post
	var total int
	if g.text != "" {
		var hits []store.SearchHit
		hits, total, err = s.st.Search(ctx, store.SearchQuery{Text: g.text, Limit: max(g.max, 1), Offset: g.start - 1})
		for _, h := range hits {
			posts = append(posts, h.Post)
		}
		f.Title = v.SiteTitle + ": " + v.loc.Format("search.heading", g.text)
		f.HomeURL = base + "/search?q=" + url.QueryEscape(g.text)
		f.SelfURL += "?q=" + url.QueryEscape(g.text)
	} else {
		posts, total, err = s.st.FeedPosts(ctx, store.FeedQuery{Label: label, From: g.from, To: g.to, Limit: max(g.max, 1), Offset: g.start - 1})
		if label != "" {
			f.Title = v.SiteTitle + ": " + label
			f.HomeURL = base + labelPath(label)
		}
	}
	if err != nil {
		return err
	}
	if g.max == 0 {
		posts = nil // max-results=0 asks only how many there are
	}
	if f.Description == "" {
		f.Description = f.Title
	}
	entries, err := s.postEntries(r, v, base, posts)
	if err != nil {
		return err
	}
	f.Entries = entries
	for _, e := range entries {
		f.Updated = maxTime(f.Updated, e.Published)
	}
	if g.summary {
		for i := range f.Entries {
			f.Entries[i].HTML = "<p>" + template.HTMLEscapeString(f.Entries[i].Summary) + "</p>"
		}
	}
	counts := map[int64]int{}
	if g.alt == "json" || g.alt == "json-in-script" {
		ids := make([]int64, len(posts))
		for i := range posts {
			ids[i] = posts[i].ID
		}
		if counts, err = s.st.CommentCounts(ctx, ids); err != nil {
			return err
		}
	}
	return s.sendGData(w, r, g, f, total, func(i int, e *gdataEntry) {
		p := &posts[i]
		id := strconv.FormatInt(p.ID, 10)
		e.ID = gt{gdataID(base, "post-"+id)}
		repl := base + "/feeds/" + id + "/comments/default"
		e.Link = append([]gdataLink{
			{Rel: "replies", Type: "application/atom+xml", Href: repl, Title: "Post Comments"},
			{Rel: "replies", Type: "text/html", Href: base + p.Path() + "#comments", Title: strconv.Itoa(counts[p.ID]) + " Comments"},
		}, e.Link...)
		e.Total = &gt{strconv.Itoa(counts[p.ID])}
	})
}

// postEntries are posts as feed entries, with their labels and images.
func (s *Server) postEntries(r *http.Request, v *view, base string, posts []model.Post) ([]outEntry, error) {
	var labels map[int64][]model.Label
	imgs, err := s.imagesBeside(r.Context(), postIDs(posts), func(ids []int64) (err error) {
		labels, err = s.st.PostsLabels(r.Context(), ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []outEntry
	for i := range posts {
		p := &posts[i]
		e := outEntry{
			ID:          base + p.Path(),
			Title:       p.Title,
			URL:         base + p.Path(),
			ExternalURL: p.SourceURL,
			Author:      firstOf(p.Author, p.Publisher, v.SiteTitle),
			Published:   p.Published,
			Summary:     excerpt(p),
			HTML:        s.postHTML(r, v, p),
		}
		for _, l := range labels[p.ID] {
			e.Tags = append(e.Tags, l.Name)
		}
		e.setImage(base, imgs[p.ID])
		out = append(out, e)
	}
	return out, nil
}

func (s *Server) handleGDataComments(w http.ResponseWriter, r *http.Request) error {
	g, err := parseGData(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil
	}
	ctx := r.Context()
	v := s.newView(r)
	base := s.baseURL(r)
	f := &outFeed{Title: v.SiteTitle + ": " + v.T("feed.comments"), Lang: v.Lang, HomeURL: base + "/", SelfURL: base + r.URL.Path}
	q := store.CommentQuery{Status: model.CommentApproved, Limit: g.max, Offset: g.start - 1}
	posts := map[int64]*model.Post{}
	if raw := r.PathValue("post"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			s.notFound(w, r)
			return nil
		}
		p, err := s.st.Post(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return nil
		} else if err != nil {
			return err
		}
		posts[id] = p
		q.PostID = id
		f.Title = v.SiteTitle + ": " + v.T("feed.comments") + " — " + p.Title
		f.HomeURL = base + p.Path()
	}
	f.Description = f.Title
	total, err := s.st.CountComments(ctx, q)
	if err != nil {
		return err
	}
	var comments []model.Comment
	if g.max > 0 {
		if comments, err = s.st.ListComments(ctx, q); err != nil {
			return err
		}
	}
	for _, c := range comments {
		p := posts[c.PostID]
		if p == nil {
			if p, err = s.st.Post(ctx, c.PostID); err != nil {
				return err
			}
			posts[c.PostID] = p
		}
		link := base + p.Path() + "#c" + strconv.FormatInt(c.ID, 10)
		f.Entries = append(f.Entries, outEntry{
			ID:        link,
			Title:     cut(strings.Join(strings.Fields(c.Body), " "), 80),
			URL:       link,
			Author:    c.Name,
			AuthorURL: c.Website,
			Published: c.CreatedAt,
			Summary:   c.Body,
			HTML:      strings.ReplaceAll(template.HTMLEscapeString(c.Body), "\n", "<br>\n"),
		})
		f.Updated = maxTime(f.Updated, c.CreatedAt)
	}
	return s.sendGData(w, r, g, f, total, func(i int, e *gdataEntry) {
		c := &comments[i]
		p := posts[c.PostID]
		pid := strconv.FormatInt(p.ID, 10)
		e.ID = gt{gdataID(base, "post-"+strconv.FormatInt(c.ID, 10))}
		ref := gdataID(base, "post-"+pid)
		if c.ParentID != 0 {
			e.Link = append(e.Link, gdataLink{Rel: "related", Type: "application/atom+xml",
				Href: base + "/feeds/" + pid + "/comments/default/" + strconv.FormatInt(c.ParentID, 10)})
		}
		e.InReplyTo = &gdataInReplyTo{Xmlns: "http://purl.org/syndication/thread/1.0", Href: base + p.Path(),
			Ref: ref, Source: base + p.Path(), Type: "text/html"}
		e.Ext = []gdataExt{{Name: "blogger.itemClass", Value: "pid-" + pid},
			{Name: "blogger.displayTime", Value: v.Date(c.CreatedAt)}}
	})
}

// gdataID is an entry's ID as Blogger shapes them, so that scripts which
// take a post's number from after ".post-" find it.
func gdataID(base, tail string) string {
	host := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	if i := strings.IndexAny(host, ":/"); i >= 0 {
		host = host[:i]
	}
	return "tag:" + host + ",1999:blog-1." + tail
}

// sendGData writes f in the format asked for. For GData JSON, each entry
// is built from f's and then given the feed's own extras by extra.
func (s *Server) sendGData(w http.ResponseWriter, r *http.Request, g gdataQuery, f *outFeed, total int, extra func(i int, e *gdataEntry)) error {
	// Feeds are public: scripts on any site may read them, as Blogger's.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	var body []byte
	var ctype string
	var err error
	switch g.alt {
	case "atom", "rss", "jsonfeed":
		return s.writeFeedAs(w, r, f, g.alt)
	default:
		if f.Updated.IsZero() {
			f.Updated = time.Unix(0, 0)
		}
		doc := gdataFeedOf(r, f, g, total)
		for i := range doc.Feed.Entry {
			extra(i, &doc.Feed.Entry[i])
		}
		var b bytes.Buffer
		if g.alt == "json-in-script" {
			b.WriteString(jsonpPrefix + g.callback + "(")
		}
		enc := json.NewEncoder(&b)
		// Escaped <, > and & keep a </script> inside a post from ending
		// the script that loads the feed.
		enc.SetEscapeHTML(true)
		err = enc.Encode(doc)
		if g.alt == "json-in-script" {
			b.Truncate(b.Len() - 1) // the encoder's newline
			b.WriteString(");")
			ctype = "text/javascript; charset=UTF-8"
		} else {
			ctype = "application/json; charset=UTF-8"
		}
		body = b.Bytes()
	}
	if err != nil {
		return err
	}
	s.sendFeed(w, r, body, ctype)
	return nil
}

// GData JSON: every value is an object whose text is "$t".

type gt struct {
	T string `json:"$t"`
}

type gtext struct {
	Type string `json:"type"`
	T    string `json:"$t"`
}

type gdataLink struct {
	Rel   string `json:"rel"`
	Type  string `json:"type"`
	Href  string `json:"href"`
	Title string `json:"title,omitempty"`
}

type gdataPerson struct {
	Name  gt          `json:"name"`
	URI   *gt         `json:"uri,omitempty"`
	Email gt          `json:"email"`
	Image *gdataImage `json:"gd$image,omitempty"`
}

type gdataImage struct {
	Rel    string `json:"rel"`
	Width  string `json:"width"`
	Height string `json:"height"`
	Src    string `json:"src"`
}

type gdataCategory struct {
	Scheme string `json:"scheme,omitempty"`
	Term   string `json:"term"`
}

type gdataThumb struct {
	Xmlns  string `json:"xmlns$media"`
	URL    string `json:"url"`
	Width  string `json:"width"`
	Height string `json:"height"`
}

type gdataInReplyTo struct {
	Xmlns  string `json:"xmlns$thr"`
	Href   string `json:"href"`
	Ref    string `json:"ref"`
	Source string `json:"source"`
	Type   string `json:"type"`
}

type gdataExt struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type gdataEntry struct {
	ID        gt              `json:"id"`
	Published gt              `json:"published"`
	Updated   gt              `json:"updated"`
	Category  []gdataCategory `json:"category,omitempty"`
	Title     gtext           `json:"title"`
	Content   *gtext          `json:"content,omitempty"`
	Summary   *gtext          `json:"summary,omitempty"`
	Link      []gdataLink     `json:"link"`
	Author    []gdataPerson   `json:"author"`
	Thumbnail *gdataThumb     `json:"media$thumbnail,omitempty"`
	Total     *gt             `json:"thr$total,omitempty"`
	InReplyTo *gdataInReplyTo `json:"thr$in-reply-to,omitempty"`
	Ext       []gdataExt      `json:"gd$extendedProperty,omitempty"`
}

type gdataGenerator struct {
	Version string `json:"version"`
	URI     string `json:"uri"`
	T       string `json:"$t"`
}

type gdataFeed struct {
	Xmlns           string          `json:"xmlns"`
	XmlnsOpenSearch string          `json:"xmlns$openSearch"`
	XmlnsBlogger    string          `json:"xmlns$blogger"`
	XmlnsGD         string          `json:"xmlns$gd"`
	XmlnsThr        string          `json:"xmlns$thr"`
	ID              gt              `json:"id"`
	Updated         gt              `json:"updated"`
	Category        []gdataCategory `json:"category,omitempty"`
	Title           gtext           `json:"title"`
	Subtitle        gtext           `json:"subtitle"`
	Link            []gdataLink     `json:"link"`
	Author          []gdataPerson   `json:"author"`
	Generator       gdataGenerator  `json:"generator"`
	TotalResults    gt              `json:"openSearch$totalResults"`
	StartIndex      gt              `json:"openSearch$startIndex"`
	ItemsPerPage    gt              `json:"openSearch$itemsPerPage"`
	// Blogger leaves entry out of an empty page; scripts written for it
	// test for that.
	Entry []gdataEntry `json:"entry,omitempty"`
}

type gdataDoc struct {
	Version  string    `json:"version"`
	Encoding string    `json:"encoding"`
	Feed     gdataFeed `json:"feed"`
}

const gdataTime = "2006-01-02T15:04:05.000Z07:00"

func gdataPersonOf(name, uri string) gdataPerson {
	p := gdataPerson{Name: gt{name}, Email: gt{"noreply@blogger.com"},
		Image: &gdataImage{Rel: "http://schemas.google.com/g/2005#thumbnail", Width: "16", Height: "16",
			Src: "https://img1.blogblog.com/img/b16-rounded.gif"}}
	if uri != "" {
		p.URI = &gt{uri}
	}
	return p
}

// gdataFeedOf is f in GData JSON, with the paging links of this request.
func gdataFeedOf(r *http.Request, f *outFeed, g gdataQuery, total int) gdataDoc {
	self := func(start int) string {
		q := r.URL.Query()
		q.Del("callback")
		q.Set("alt", g.alt)
		if g.alt == "json-in-script" {
			q.Set("alt", "json")
		}
		q.Set("start-index", strconv.Itoa(start))
		q.Set("max-results", strconv.Itoa(g.max))
		return f.SelfURL + sepFor(f.SelfURL) + q.Encode()
	}
	feed := gdataFeed{
		Xmlns: "http://www.w3.org/2005/Atom", XmlnsOpenSearch: "http://a9.com/-/spec/opensearchrss/1.0/",
		XmlnsBlogger: "http://schemas.google.com/blogger/2008", XmlnsGD: "http://schemas.google.com/g/2005",
		XmlnsThr: "http://purl.org/syndication/thread/1.0",
		ID:       gt{f.SelfURL}, Updated: gt{f.Updated.UTC().Format(gdataTime)},
		Title: gtext{"text", f.Title}, Subtitle: gtext{"html", f.Description},
		Link: []gdataLink{
			{Rel: "http://schemas.google.com/g/2005#feed", Type: "application/atom+xml", Href: f.SelfURL},
			{Rel: "self", Type: "application/atom+xml", Href: self(g.start)},
			{Rel: "alternate", Type: "text/html", Href: f.HomeURL},
		},
		Author:       []gdataPerson{gdataPersonOf(f.Title, "")},
		Generator:    gdataGenerator{Version: "kabar", URI: f.HomeURL, T: "Blogger"},
		TotalResults: gt{strconv.Itoa(total)}, StartIndex: gt{strconv.Itoa(g.start)},
		ItemsPerPage: gt{strconv.Itoa(g.max)},
	}
	if g.start > 1 {
		feed.Link = append(feed.Link, gdataLink{Rel: "previous", Type: "application/atom+xml", Href: self(max(1, g.start-max(g.max, 1)))})
	}
	if g.max > 0 && g.start-1+g.max < total {
		feed.Link = append(feed.Link, gdataLink{Rel: "next", Type: "application/atom+xml", Href: self(g.start + g.max)})
	}
	seen := map[string]bool{}
	for _, e := range f.Entries {
		ge := gdataEntry{
			Published: gt{e.Published.UTC().Format(gdataTime)},
			Updated:   gt{e.Published.UTC().Format(gdataTime)},
			Title:     gtext{"text", e.Title},
			Link:      []gdataLink{{Rel: "alternate", Type: "text/html", Href: e.URL, Title: e.Title}},
			Author:    []gdataPerson{gdataPersonOf(e.Author, e.AuthorURL)},
		}
		if g.summary {
			ge.Summary = &gtext{"text", e.Summary}
		} else {
			ge.Content = &gtext{"html", e.HTML}
		}
		for _, t := range e.Tags {
			ge.Category = append(ge.Category, gdataCategory{Scheme: "http://www.blogger.com/atom/ns#", Term: t})
			if !seen[t] {
				seen[t] = true
				feed.Category = append(feed.Category, gdataCategory{Term: t})
			}
		}
		if e.Thumb != nil {
			ge.Thumbnail = &gdataThumb{Xmlns: "http://search.yahoo.com/mrss/", URL: e.Thumb.URL,
				Width: strconv.Itoa(e.Thumb.Width), Height: strconv.Itoa(e.Thumb.Height)}
		}
		feed.Entry = append(feed.Entry, ge)
	}
	return gdataDoc{Version: "1.0", Encoding: "UTF-8", Feed: feed}
}

func sepFor(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}
