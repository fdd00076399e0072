package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// Feeds out follow Blogger's addresses (gdata.go serves them): /feeds/posts/default
// is Atom, ?alt=rss RSS 2.0, ?alt=json Blogger's GData JSON and ?alt=jsonfeed
// JSON Feed 1.1; /-/LABEL narrows to a label,
// ?q= to a search; /feeds/comments/default and /feeds/POSTID/comments/default
// carry comments. Every entry holds the full text (or the excerpt, per its
// feed's setting).
const (
	feedDefaultItems = 25
	feedMaxItems     = 100
	feedCacheAge     = 5 * time.Minute
)

// outFeed is a feed before it is written in one of the three formats.
type outFeed struct {
	Title, Description, Lang string
	HomeURL, SelfURL         string // absolute
	Updated                  time.Time
	Entries                  []outEntry
}

type outEntry struct {
	ID, Title, URL string
	ExternalURL    string // the publisher's article
	Author         string
	AuthorURL      string
	Published      time.Time
	Summary        string // plain text
	HTML           string // the whole entry as HTML
	Tags           []string
	// Thumb and Image are the post's lead image on this site (absolute
	// URLs), small and wide; nil for none.
	Thumb, Image *imgLink
}

// feedLinks are the <link rel=alternate> of a feed path in each format.
func feedLinks(path, title string) []feedLink {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return []feedLink{
		{Type: "application/atom+xml", Title: title + " (Atom)", URL: path},
		{Type: "application/rss+xml", Title: title + " (RSS)", URL: path + sep + "alt=rss"},
		{Type: "application/feed+json", Title: title + " (JSON Feed)", URL: path + sep + "alt=jsonfeed"},
	}
}

// baseURL is the site's absolute address for this request.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func feedItems(r *http.Request) (int, bool) {
	return queryInt(r.URL.Query().Get("max-results"), feedDefaultItems, 1, feedMaxItems)
}

// postHTML is a post's text for a feed: the full text, or the excerpt when
// its feed shows excerpts, and a link to the original either way.
func (s *Server) postHTML(r *http.Request, v *view, p *model.Post) string {
	var b strings.Builder
	more := v.T("post.original")
	if s.cache.feedOptions(r.Context(), p.FeedID).Excerpt {
		b.WriteString("<p>" + template.HTMLEscapeString(excerpt(p)) + "</p>\n")
		more = v.T("post.continue")
	} else {
		for _, para := range p.Paragraphs {
			b.WriteString("<p>" + template.HTMLEscapeString(para) + "</p>\n")
		}
		if len(p.Paragraphs) == 0 && p.Description != "" {
			b.WriteString("<p>" + template.HTMLEscapeString(p.Description) + "</p>\n")
		}
	}
	if p.Publisher != "" {
		more += " (" + p.Publisher + ")"
	}
	b.WriteString(`<p><a href="` + template.HTMLEscapeString(p.SourceURL) + `">` + template.HTMLEscapeString(more) + "</a></p>")
	return b.String()
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// writeFeed writes f in the format ?alt= asks for, with an ETag so that a
// reader polling an unchanged feed gets a 304.
func (s *Server) writeFeed(w http.ResponseWriter, r *http.Request, f *outFeed) error {
	return s.writeFeedAs(w, r, f, r.URL.Query().Get("alt"))
}

// writeFeedAs writes f as alt: atom (or ""), rss, or json and jsonfeed
// (JSON Feed).
func (s *Server) writeFeedAs(w http.ResponseWriter, r *http.Request, f *outFeed, alt string) error {
	if f.Updated.IsZero() {
		f.Updated = time.Unix(0, 0)
	}
	var body []byte
	var ctype string
	var err error
	switch alt {
	case "", "atom":
		body, err = f.atom()
		ctype = "application/atom+xml; charset=utf-8"
	case "rss":
		body, err = f.rss()
		ctype = "application/rss+xml; charset=utf-8"
	case "json", "jsonfeed":
		body, err = f.jsonFeed(alt)
		ctype = "application/feed+json; charset=utf-8"
	default:
		http.Error(w, "alt must be atom, rss or json", http.StatusBadRequest)
		return nil
	}
	if err != nil {
		return err
	}
	s.sendFeed(w, r, body, ctype)
	return nil
}

// sendFeed writes a feed's body with an ETag, so that a reader polling an
// unchanged feed gets a 304.
func (s *Server) sendFeed(w http.ResponseWriter, r *http.Request, body []byte, ctype string) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(feedCacheAge/time.Second)))
	h.Set("Vary", "Accept-Language")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

// Atom (RFC 4287).

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Gen      string      `xml:"generator"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Href   string `xml:"href,attr"`
	Length int    `xml:"length,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

func (f *outFeed) atom() ([]byte, error) {
	a := atomFeed{
		Lang: f.Lang, ID: f.SelfURL, Title: f.Title, Subtitle: f.Description,
		Updated: f.Updated.UTC().Format(time.RFC3339),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: f.SelfURL},
			{Rel: "alternate", Type: "text/html", Href: f.HomeURL},
		},
		Author: atomPerson{Name: f.Title},
		Gen:    "kabar",
	}
	for _, e := range f.Entries {
		ae := atomEntry{
			ID: e.ID, Title: e.Title,
			Published: e.Published.UTC().Format(time.RFC3339),
			Updated:   e.Published.UTC().Format(time.RFC3339),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: e.URL}},
			Author:    atomPerson{Name: e.Author, URI: e.AuthorURL},
			Summary:   atomText{Type: "text", Text: e.Summary},
			Content:   atomText{Type: "html", Text: e.HTML},
		}
		if e.ExternalURL != "" {
			ae.Links = append(ae.Links, atomLink{Rel: "related", Type: "text/html", Href: e.ExternalURL})
		}
		if e.Image != nil {
			ae.Links = append(ae.Links, atomLink{Rel: "enclosure", Type: "image/jpeg", Href: e.Image.URL, Length: e.Image.Length})
		}
		for _, t := range e.Tags {
			ae.Categories = append(ae.Categories, atomCategory{Term: t})
		}
		a.Entries = append(a.Entries, ae)
	}
	return marshalXML(a)
}

// RSS 2.0, with the full text in content:encoded.

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Content string     `xml:"xmlns:content,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Media   string     `xml:"xmlns:media,attr,omitempty"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Self          rssSelf   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Creator     string   `xml:"dc:creator,omitempty"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
	Content     string   `xml:"content:encoded"`
	// The lead image: a thumbnail for readers that show one (Media RSS)
	// and the wide image as the item's enclosure.
	Thumbnail *rssThumbnail `xml:"media:thumbnail"`
	Enclosure *rssEnclosure `xml:"enclosure"`
}

type rssThumbnail struct {
	URL    string `xml:"url,attr"`
	Width  int    `xml:"width,attr"`
	Height int    `xml:"height,attr"`
}

type rssEnclosure struct {
	URL    string `xml:"url,attr"`
	Length int    `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

func (f *outFeed) rss() ([]byte, error) {
	d := rssDoc{
		Version: "2.0",
		Content: "http://purl.org/rss/1.0/modules/content/",
		Atom:    "http://www.w3.org/2005/Atom",
		DC:      "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{
			Title: rssText(f.Title), Link: f.HomeURL, Description: template.HTMLEscapeString(f.Description), Language: f.Lang,
			LastBuildDate: f.Updated.UTC().Format(time.RFC1123Z),
			Generator:     "kabar",
			Self:          rssSelf{Href: f.SelfURL + altQuery(f.SelfURL, "rss"), Rel: "self", Type: "application/rss+xml"},
		},
	}
	for _, e := range f.Entries {
		it := rssItem{
			Title: rssText(e.Title), Link: e.URL,
			GUID:    rssGUID{IsPermaLink: "true", Value: e.URL},
			PubDate: e.Published.UTC().Format(time.RFC1123Z),
			Creator: rssText(e.Author),
			// description is HTML in RSS 2.0: the plain-text summary is
			// escaped here once as HTML and once more by the XML encoder,
			// so a reader that decodes both shows the text, not markup.
			Description: template.HTMLEscapeString(e.Summary),
			Content:     e.HTML,
		}
		for _, t := range e.Tags {
			it.Categories = append(it.Categories, rssText(t))
		}
		if e.Thumb != nil {
			d.Media = "http://search.yahoo.com/mrss/"
			it.Thumbnail = &rssThumbnail{URL: e.Thumb.URL, Width: e.Thumb.Width, Height: e.Thumb.Height}
			it.Enclosure = &rssEnclosure{URL: e.Image.URL, Length: e.Image.Length, Type: "image/jpeg"}
		}
		d.Channel.Items = append(d.Channel.Items, it)
	}
	return marshalXML(d)
}

// rssText makes plain text safe for the RSS elements that have no declared
// type (title, dc:creator, category). Readers disagree about them: some
// show them as text, many render them as HTML. Escaping them as HTML would
// show "&lt;" to the first kind, so markup is stripped instead and every
// '<' left is kept from opening a tag: the result reads the same as text
// and parses to text alone as HTML. Entities need nothing: decoded, they
// only ever make text.
func rssText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' || i+1 == len(s) || !opensTag(s[i+1]) {
			b.WriteByte(c)
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			if end := strings.Index(s[i+4:], "-->"); end >= 0 {
				i += 4 + end + 3
				b.WriteByte(' ')
				continue
			}
		} else if end := strings.IndexByte(s[i:], '>'); end >= 0 {
			i += end + 1
			b.WriteByte(' ')
			continue
		}
		// An unclosed '<' ("a<b and c") is text: a space after it means
		// no HTML parser takes it for the start of a tag.
		b.WriteString("< ")
		i++
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// opensTag reports whether c after '<' makes an HTML tokenizer start a tag,
// an end tag, a comment or a bogus comment.
func opensTag(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

func altQuery(u, alt string) string {
	if strings.Contains(u, "?") {
		return "&alt=" + alt
	}
	return "?alt=" + alt
}

func marshalXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

type jsonFeedDoc struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Description string         `json:"description,omitempty"`
	Language    string         `json:"language,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	ExternalURL   string           `json:"external_url,omitempty"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html"`
	Summary       string           `json:"summary,omitempty"`
	DatePublished string           `json:"date_published"`
	Authors       []jsonFeedAuthor `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Image         string           `json:"image,omitempty"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

func (f *outFeed) jsonFeed(alt string) ([]byte, error) {
	d := jsonFeedDoc{
		Version: "https://jsonfeed.org/version/1.1", Title: f.Title, HomePageURL: f.HomeURL,
		FeedURL: f.SelfURL + altQuery(f.SelfURL, alt), Description: f.Description, Language: f.Lang,
		Items: []jsonFeedItem{},
	}
	for _, e := range f.Entries {
		it := jsonFeedItem{
			ID: e.ID, URL: e.URL, ExternalURL: e.ExternalURL, Title: e.Title, ContentHTML: e.HTML,
			Summary: e.Summary, DatePublished: e.Published.UTC().Format(time.RFC3339), Tags: e.Tags,
		}
		if e.Image != nil {
			it.Image = e.Image.URL
		}
		if e.Author != "" {
			it.Authors = []jsonFeedAuthor{{Name: e.Author, URL: e.AuthorURL}}
		}
		d.Items = append(d.Items, it)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	err := enc.Encode(d)
	return b.Bytes(), err
}
