package blog

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/net/html/charset"
)

// node is one element of an export, read leniently: exports in the wild
// carry prefixes nobody declared, HTML entities and stray markup, and a
// strict reader would refuse a blog over one bad byte.
type node struct {
	space, local string
	attrs        []xml.Attr
	// kids holds child elements and, in order among them, text nodes
	// (local "#text"), so that inline XHTML content keeps its order.
	kids []*node
	text string // of a text node
}

const textNode = "#text"

// content is the node's own text, its text nodes joined.
func (n *node) content() string {
	var b strings.Builder
	for _, k := range n.kids {
		if k.local == textNode {
			b.WriteString(k.text)
		}
	}
	return b.String()
}

func parseTree(r io.Reader) (*node, error) {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(stack) > 2 {
				// A truncated export: what was read is worth keeping, but
				// the owner must hear of it.
				return root, fmt.Errorf("the export is cut short or broken (%v); fix or download it again", err)
			}
			return nil, fmt.Errorf("not an XML export: %w", err)
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{space: family(t.Name.Space), local: t.Name.Local, attrs: t.Attr}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if k := len(top.kids); k > 0 && top.kids[k-1].local == textNode {
				top.kids[k-1].text += string(t)
			} else {
				top.kids = append(top.kids, &node{local: textNode, text: string(t)})
			}
		}
	}
	if !slices.ContainsFunc(root.kids, func(k *node) bool { return k.local != textNode }) {
		return nil, fmt.Errorf("not an XML export: no elements")
	}
	return root, nil
}

// family names an element's namespace by the vocabulary it belongs to,
// whether the export bound its prefix (to any of the URIs the platforms
// used over the years) or not.
func family(space string) string {
	s := strings.ToLower(space)
	switch {
	case s == "":
		return ""
	case strings.Contains(s, "blogger"):
		return "blogger"
	case strings.Contains(s, "wordpress.org/export") || s == "wp":
		return "wp"
	case strings.Contains(s, "purl.org/rss/1.0/modules/content") || s == "content":
		return "content"
	case strings.Contains(s, "wordpress.org/export/1.") && strings.Contains(s, "excerpt") || s == "excerpt":
		return "excerpt"
	case strings.Contains(s, "purl.org/dc/") || s == "dc":
		return "dc"
	case strings.Contains(s, "purl.org/atom/app") || strings.Contains(s, "w3.org/2007/app") || s == "app":
		return "app"
	case strings.Contains(s, "syndication/thread") || s == "thr":
		return "thr"
	case strings.Contains(s, "schemas.google.com/g/2005") || s == "gd":
		return "gd"
	case strings.Contains(s, "w3.org/2005/atom") || s == "atom":
		return ""
	}
	return s
}

// child returns the first child named local in family space.
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.local == local && k.space == space {
			return k
		}
	}
	return nil
}

func (n *node) children(space, local string) []*node {
	var out []*node
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.local == local && k.space == space {
			out = append(out, k)
		}
	}
	return out
}

// val is the trimmed text of a child.
func (n *node) val(space, local string) string {
	c := n.child(space, local)
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.content())
}

func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// inner is an element's content as markup: its text for escaped content
// (type="html", CDATA), its children written out again for inline XHTML.
func (n *node) inner() string {
	if n == nil {
		return ""
	}
	elements := false
	for _, k := range n.kids {
		elements = elements || k.local != textNode
	}
	if !elements {
		return n.content()
	}
	var b strings.Builder
	n.writeInner(&b)
	return b.String()
}

func (n *node) writeInner(b *strings.Builder) {
	for _, k := range n.kids {
		if k.local == textNode {
			xml.EscapeText(b, []byte(k.text))
			continue
		}
		b.WriteString("<" + k.local)
		for _, a := range k.attrs {
			if a.Name.Space != "" || a.Name.Local == "xmlns" {
				continue
			}
			b.WriteString(" " + a.Name.Local + `="`)
			xml.EscapeText(b, []byte(a.Value))
			b.WriteString(`"`)
		}
		b.WriteString(">")
		k.writeInner(b)
		b.WriteString("</" + k.local + ">")
	}
}
