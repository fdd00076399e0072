package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// OPMLFeed is one subscription of an OPML file: the feed's URL, its title,
// and the folder (category) it was filed under, "" for none. Nested folders
// are joined with "/".
type OPMLFeed struct {
	URL      string
	Title    string
	HTMLURL  string
	Category string
}

// MaxOPMLSize bounds the OPML documents ParseOPML reads.
const MaxOPMLSize = 16 << 20

// ErrNotOPML is wrapped by ParseOPML's errors for documents that are not
// OPML.
var ErrNotOPML = errors.New("not an OPML document")

type opmlDoc struct {
	XMLName xml.Name      `xml:"opml"`
	Version string        `xml:"version,attr"`
	Title   string        `xml:"head>title"`
	Body    []opmlOutline `xml:"body>outline"`
}

type opmlOutline struct {
	Attrs    []xml.Attr    `xml:",any,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

// attr reads an attribute whatever its case (xmlUrl, xmlURL, xmlurl all
// occur in the wild) and namespace.
func (o *opmlOutline) attr(name string) string {
	for _, a := range o.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// uncategorized are the folder names readers give feeds that have none;
// they do not become labels.
var uncategorized = map[string]bool{"uncategorized": true, "uncategorised": true, "sans catégorie": true, "unsorted": true}

// ParseOPML reads the subscriptions of an OPML 1.0 or 2.0 document, as
// Miniflux, FreshRSS, Feedly, Inoreader and most readers export it: every
// outline with an xmlUrl is a feed; outlines without one are folders, whose
// names become the feeds' category. A feed listed twice (Inoreader repeats a
// feed in each of its folders) is kept once, in its first folder. URLs are
// kept exactly, so a Google News feed keeps its edition (hl, gl, ceid).
func ParseOPML(body []byte) (title string, feeds []OPMLFeed, err error) {
	if len(body) > MaxOPMLSize {
		return "", nil, fmt.Errorf("opml: %w: %d bytes (limit %d)", ErrNotOPML, len(body), MaxOPMLSize)
	}
	var doc opmlDoc
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charset.NewReaderLabel // an OPML file in Latin-1 or another charset names it
	if err := dec.Decode(&doc); err != nil {
		return "", nil, fmt.Errorf("opml: %w: %v", ErrNotOPML, err)
	}
	seen := map[string]bool{}
	var walk func(outlines []opmlOutline, folder []string)
	walk = func(outlines []opmlOutline, folder []string) {
		for i := range outlines {
			o := &outlines[i]
			name := o.attr("text")
			if name == "" {
				name = o.attr("title")
			}
			feedURL := o.attr("xmlUrl")
			if feedURL == "" {
				sub := folder
				if name != "" && !uncategorized[strings.ToLower(name)] {
					sub = append(append([]string(nil), folder...), name)
				}
				walk(o.Outlines, sub)
				continue
			}
			// FreshRSS exports its web-scraping sources (type HTML+XPath)
			// with an xmlUrl too; they are not feeds.
			if t := strings.ToLower(o.attr("type")); t != "" && t != "rss" && t != "atom" && t != "feed" && !strings.Contains(t, "json") {
				continue
			}
			u, perr := url.Parse(feedURL)
			if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || seen[feedURL] {
				continue
			}
			seen[feedURL] = true
			cat := strings.Join(folder, "/")
			if cat == "" {
				cat = categoryAttr(o.attr("category"))
			}
			title := o.attr("title")
			if title == "" {
				title = o.attr("text")
			}
			feeds = append(feeds, OPMLFeed{URL: feedURL, Title: title, HTMLURL: o.attr("htmlUrl"), Category: cat})
			walk(o.Outlines, folder)
		}
	}
	walk(doc.Body, nil)
	return strings.TrimSpace(doc.Title), feeds, nil
}

// categoryAttr reads OPML 2.0's category attribute ("/News/World,/Tech"):
// the first path that is not a tag URL.
func categoryAttr(v string) string {
	for _, c := range strings.Split(v, ",") {
		c = strings.Trim(strings.TrimSpace(c), "/")
		if c != "" && !strings.Contains(c, "://") && !uncategorized[strings.ToLower(c)] {
			return c
		}
	}
	return ""
}

// WriteOPML writes feeds as an OPML 2.0 document: feeds without a category
// at the top, the others in one folder outline per category (nested for
// "a/b"), in the order given.
func WriteOPML(w io.Writer, title string, created time.Time, feeds []OPMLFeed) error {
	type node struct {
		name     string
		feeds    []OPMLFeed
		children []*node
		index    map[string]*node
	}
	root := &node{index: map[string]*node{}}
	for _, f := range feeds {
		n := root
		if f.Category != "" {
			for _, part := range strings.Split(f.Category, "/") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				c, ok := n.index[part]
				if !ok {
					c = &node{name: part, index: map[string]*node{}}
					n.index[part] = c
					n.children = append(n.children, c)
				}
				n = c
			}
		}
		n.feeds = append(n.feeds, f)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<opml version=\"2.0\">\n  <head>\n")
	fmt.Fprintf(&b, "    <title>%s</title>\n    <dateCreated>%s</dateCreated>\n  </head>\n  <body>\n",
		escape(title), created.UTC().Format(time.RFC1123Z))
	var write func(n *node, depth int)
	write = func(n *node, depth int) {
		ind := strings.Repeat("  ", depth)
		for _, f := range n.feeds {
			text := f.Title
			if text == "" {
				text = f.URL
			}
			fmt.Fprintf(&b, "%s<outline type=\"rss\" text=\"%s\" title=\"%s\" xmlUrl=\"%s\"", ind, escape(text), escape(text), escape(f.URL))
			if f.HTMLURL != "" {
				fmt.Fprintf(&b, " htmlUrl=\"%s\"", escape(f.HTMLURL))
			}
			b.WriteString("/>\n")
		}
		for _, c := range n.children {
			fmt.Fprintf(&b, "%s<outline text=\"%s\" title=\"%s\">\n", ind, escape(c.name), escape(c.name))
			write(c, depth+1)
			fmt.Fprintf(&b, "%s</outline>\n", ind)
		}
	}
	write(root, 2)
	b.WriteString("  </body>\n</opml>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // quotes too, so it serves attributes
	return b.String()
}
