package evalset

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ParseOnly is the speed floor extraction is measured against: parse the
// page with x/net/html and keep all its visible text, one text node a line.
func ParseOnly(page []byte) string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				if t := strings.TrimSpace(c.Data); t != "" {
					b.WriteString(t)
					b.WriteByte('\n')
				}
			case html.ElementNode:
				switch c.DataAtom {
				case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head:
					continue
				}
				walk(c)
			default:
				walk(c)
			}
		}
	}
	walk(doc)
	return b.String()
}
