package feed

import (
	"bytes"
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Alternate is a feed an HTML page announces with <link rel="alternate">.
type Alternate struct {
	URL, Title, Type string
}

// feedTypes are the link types feed readers follow.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      true,
	"application/rdf+xml":   true,
	"application/xml":       true,
	"text/xml":              true,
}

// LooksLikeHTML tells an HTML page from other documents by its first tag.
func LooksLikeHTML(body []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM)))
	if len(head) > 1024 {
		head = head[:1024]
	}
	for _, p := range [][]byte{[]byte("<!doctype html"), []byte("<html"), []byte("<head"), []byte("<body")} {
		if bytes.Contains(head, p) {
			return true
		}
	}
	return false
}

// Discover lists the feeds an HTML page links with rel="alternate" and a
// feed type, as feed readers find them, resolved against pageURL, in page
// order and without repeats.
func Discover(body []byte, pageURL string) []Alternate {
	base, _ := url.Parse(pageURL)
	z := xhtml.NewTokenizer(bytes.NewReader(body))
	var out []Alternate
	seen := map[string]bool{}
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return out
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if atom.Lookup(name) == atom.Body {
				return out // feeds are announced in the head
			}
			if atom.Lookup(name) != atom.Link || !hasAttr {
				continue
			}
			var rel, typ, href, title string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "type":
					typ = strings.ToLower(strings.TrimSpace(string(v)))
				case "href":
					href = strings.TrimSpace(string(v))
				case "title":
					title = strings.TrimSpace(string(v))
				}
				if !more {
					break
				}
			}
			if !hasToken(rel, "alternate") || !feedTypes[typ] || href == "" {
				continue
			}
			u, err := url.Parse(href)
			if err != nil {
				continue
			}
			if base != nil {
				u = base.ResolveReference(u)
			}
			if u.Scheme != "http" && u.Scheme != "https" {
				continue
			}
			if s := u.String(); !seen[s] {
				seen[s] = true
				out = append(out, Alternate{URL: s, Title: title, Type: typ})
			}
		}
	}
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if f == tok {
			return true
		}
	}
	return false
}
