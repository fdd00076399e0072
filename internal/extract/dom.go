package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// node is the extractor's own light copy of the parsed page: only the
// elements and text that can matter, with the statistics that scoring needs
// computed once, bottom-up, when the tree is built.
type node struct {
	tag      atom.Atom // 0 for text nodes
	tagName  string
	text     string // text nodes only
	class    string
	id       string
	attrs    []html.Attribute
	parent   *node
	kids     []*node
	textLen  int // runes of whitespace-collapsed text in the subtree
	linkLen  int // of which inside <a>
	commas   int
	pCount   int // <p> descendants
	liCount  int
	imgCount int
	inputs   int
	embeds   int
	brs      int     // direct <br> children
	unlikely bool    // class/id look like boilerplate (dropped in strict mode)
	boiler   bool    // class/id/role look like clear boilerplate (share, ads, ...)
	positive bool    // class/id look like an article body container
	inBoiler bool    // some ancestor is boiler
	removed  bool    // dropped by the cleaning of the chosen container
	hasBlock bool    // some descendant element is a block
	cw       float64 // class weight (Readability's), from class and id
	score    float64
	mass     float64 // paragraph text (not link text) in the subtree
	junkLen  int     // text inside boilerplate- or unlikely-marked subtrees
	junkLink int     // of which link text
	boilLen  int     // text inside boilerplate-marked subtrees
	boilLink int     // of which link text
	scored   bool
	// anchor: the id is the slug of the element's own text (a heading's
	// "h-why-use-social-shopping"), a target for links and no name of
	// what the element is
	anchor bool
}

// markID is the id as a name of what n is: none for an anchor.
func (n *node) markID() string {
	if n.anchor {
		return ""
	}
	return n.id
}

func (n *node) attr(key string) string {
	for _, a := range n.attrs {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func (n *node) isText() bool { return n.tag == 0 && n.tagName == "" }

// linkDensity is the share of the node's text that is link text.
func (n *node) linkDensity() float64 {
	if n.textLen == 0 {
		return 0
	}
	return float64(n.linkLen) / float64(n.textLen)
}

// textOf returns the whitespace-collapsed text of a subtree, skipping removed
// nodes.
func (n *node) textOf() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		if m.removed {
			return
		}
		if m.isText() {
			b.WriteString(m.text)
			return
		}
		if m.tag == atom.Br {
			b.WriteByte(' ')
		}
		for _, k := range m.kids {
			walk(k)
		}
		if isBlock(m.tag) {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return collapse(b.String())
}

// collapse folds runs of white space into one space and trims the ends.
// Text that needs no change (most of it) is returned as it is, and ASCII
// is copied in runs rather than rune by rune: the collector and the
// headline walk call this for every text on the page.
func collapse(s string) string {
	if collapsed(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				space = true
				i++
				continue
			}
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && !asciiSpace[s[j]] {
				j++
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString(s[i:j])
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\u200b' || r == '\ufeff' || r == '\u00ad' {
			continue
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(r) // as a range over the string reads it
		} else {
			b.WriteString(s[i-size : i])
		}
	}
	return b.String()
}

// asciiSpace is unicode.IsSpace for bytes below 0x80.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// collapsed tells whether collapse would return s unchanged: plain ASCII
// without spaces at the ends, doubled spaces or other white space.
func collapsed(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c != ' ' && asciiSpace[c] || c == ' ' && prev == ' ' {
			return false
		}
		prev = c
	}
	return true
}

// textStats returns the collapsed length and the number of commas of s.
func textStats(s string) (n, commas int) {
	space := true
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		if r < utf8.RuneSelf && asciiSpace[r] || r >= utf8.RuneSelf && unicode.IsSpace(r) {
			if !space {
				n++
			}
			space = true
			continue
		}
		space = false
		n++
		if r == ',' || r == '，' || r == '、' || r == '،' {
			commas++
		}
	}
	return n, commas
}

// isBlock reports whether an element ends a text block.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote,
		atom.Pre, atom.Table, atom.Tbody, atom.Thead, atom.Tfoot, atom.Tr, atom.Td, atom.Th,
		atom.Caption, atom.Section, atom.Article, atom.Main, atom.Header, atom.Footer,
		atom.Aside, atom.Nav, atom.Figure, atom.Figcaption, atom.Form, atom.Fieldset,
		atom.Address, atom.Hr, atom.Center, atom.Details, atom.Summary, atom.Body,
		atom.Html, atom.Hgroup, atom.Menu, atom.Legend, atom.Option, atom.Dialog:
		return true
	}
	return false
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// dropTags are never content.
func dropTag(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Math,
		atom.Canvas, atom.Iframe, atom.Object, atom.Embed, atom.Button, atom.Input,
		atom.Select, atom.Textarea, atom.Option, atom.Link, atom.Meta, atom.Head,
		atom.Nav, atom.Dialog, atom.Audio, atom.Video, atom.Map, atom.Area,
		atom.Label, atom.Frameset, atom.Frame, atom.Base, atom.Title, atom.Param, atom.Source,
		atom.Track, atom.Picture:
		return true
	}
	return false
}

func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			s := strings.ToLower(a.Val)
			if strings.Contains(s, "display") || strings.Contains(s, "visibility") {
				s = strings.ReplaceAll(s, " ", "")
				if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
					return true
				}
			}
		case "type":
			if n.DataAtom == atom.Input && a.Val == "hidden" {
				return true
			}
		}
	}
	return false
}
