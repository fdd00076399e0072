package extract

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// React's streamed server rendering sends a page in pieces: where content
// is not ready it writes a boundary, <template id="B:n"> followed by a
// fallback ("Loading…") up to a <!--/$--> comment, and later, at the end of
// the body, the real content in <div hidden id="S:m"> with a script
// $RC("B:n","S:m") that moves it in; segments can hold placeholders
// <template id="P:k"> that $RS("S:k","P:k") fills the same way. Browsers
// run the scripts; resolveStreaming does their work on the parsed page so
// that the article sits where a reader sees it.

var reStreamCall = regexp.MustCompile(`\$R([CS])\("([BSP]:[0-9a-zA-Z]+)","([BSP]:[0-9a-zA-Z]+)"`)

// hasStreaming is the cheap test that spares the other pages the work.
//
// It looks for `id="S:` by its rare part, "S:": a search whose first byte
// is a quote or an "i" stops at nearly every attribute and cost several
// times as much.
func hasStreaming(page []byte) bool {
	for s := page; ; {
		i := bytes.Index(s, []byte("S:"))
		if i < 0 {
			return false
		}
		if i >= 4 && string(s[i-4:i]) == `id="` {
			return bytes.Contains(page, []byte("<template"))
		}
		s = s[i+2:]
	}
}

// streamParts are the pieces of a streamed page: its boundaries' and
// placeholders' templates, its hidden segments and the pairs its scripts
// name.
type streamParts struct {
	segments   map[string]*html.Node
	templates  map[string]*html.Node
	order      []string          // template ids in document order
	boundaryOf map[string]string // B:n -> S:m from $RC
	fillOf     map[string]string // P:k -> S:k from $RS
}

func (sp *streamParts) walk(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Template:
			if id := attrOf(c, "id"); len(id) > 2 && (id[:2] == "B:" || id[:2] == "P:") {
				sp.templates[id] = c
				sp.order = append(sp.order, id)
			}
			continue
		case atom.Div:
			if id := attrOf(c, "id"); strings.HasPrefix(id, "S:") && hasAttrOf(c, "hidden") {
				sp.segments[id] = c
			}
		case atom.Script:
			sp.script(c)
			continue
		}
		sp.walk(c)
	}
}

// script reads the $RC and $RS calls of an inline script.
func (sp *streamParts) script(c *html.Node) {
	if c.FirstChild == nil || !strings.Contains(c.FirstChild.Data, "$R") {
		return
	}
	for _, m := range reStreamCall.FindAllStringSubmatch(c.FirstChild.Data, -1) {
		if m[1] == "C" {
			sp.boundaryOf[m[2]] = m[3]
		} else {
			sp.fillOf[m[3]] = m[2]
		}
	}
}

// segmentFor takes the segment that fills the template tid.
func (sp *streamParts) segmentFor(tid string) *html.Node {
	var sid string
	if tid[0] == 'B' {
		sid = sp.boundaryOf[tid]
	} else {
		sid = sp.fillOf[tid]
	}
	if sid == "" {
		// scripts stripped (a saved page): the ids pair up by number
		sid = "S:" + tid[2:]
	}
	s := sp.segments[sid]
	delete(sp.segments, sid)
	return s
}

func resolveStreaming(doc *html.Node) {
	sp := &streamParts{
		segments:   map[string]*html.Node{},
		templates:  map[string]*html.Node{},
		boundaryOf: map[string]string{},
		fillOf:     map[string]string{},
	}
	sp.walk(doc)
	if len(sp.segments) == 0 || len(sp.templates) == 0 {
		return
	}
	// placeholders first: they sit inside segments that boundaries move
	for _, pass := range []byte{'P', 'B'} {
		for _, tid := range sp.order {
			if tid[0] != pass {
				continue
			}
			t := sp.templates[tid]
			seg := sp.segmentFor(tid)
			if seg == nil || t.Parent == nil {
				continue
			}
			moveSegment(seg, t, pass == 'B')
		}
	}
}

// moveSegment puts the segment's content where the template t stands,
// without the boundary's fallback.
func moveSegment(seg, t *html.Node, boundary bool) {
	parent := t.Parent
	if boundary {
		removeFallback(t)
	}
	for c := seg.FirstChild; c != nil; {
		next := c.NextSibling
		seg.RemoveChild(c)
		parent.InsertBefore(c, t)
		c = next
	}
	parent.RemoveChild(t)
	if seg.Parent != nil {
		seg.Parent.RemoveChild(seg)
	}
}

// removeFallback removes what a boundary shows until its content arrives:
// the nodes up to the <!--/$--> comment, or, when the comments are gone,
// the next element if it holds little text.
func removeFallback(t *html.Node) {
	for c := t.NextSibling; c != nil; c = c.NextSibling {
		if c.Type == html.CommentNode && c.Data == "/$" {
			for d := t.NextSibling; d != c; {
				next := d.NextSibling
				t.Parent.RemoveChild(d)
				d = next
			}
			return
		}
	}
	c := t.NextSibling
	for c != nil && c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
		c = c.NextSibling
	}
	if c != nil && c.Type == html.ElementNode && c.DataAtom != atom.Template && len(collapse(textContent(c))) < 80 {
		t.Parent.RemoveChild(c)
	}
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttrOf(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
