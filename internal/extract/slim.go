package extract

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// A parsed page costs far more than its bytes: every element and text run
// becomes an html.Node (about 120 bytes) and a node of the extractor's own
// tree (about 250 more), so a 10 MB page of tiny table cells took 700 MB.
// slim bounds that before anything is built: one pass of the tokenizer
// copies the page minus what is never content (the text of scripts, styles,
// noscript, iframes and textareas, the insides of templates, comments, huge
// attribute values such as inlined data: images or island props), and
// stops copying content once the copy holds slimMaxBytes, slimMaxText of
// text or slimMaxElements elements. The parser then sees only that copy, so an extraction's memory
// is bounded by the limits, whatever the page.
//
// What stays is byte for byte what the page had, so ordinary pages parse to
// the same tree, minus subtrees that the tree building drops anyway.
const (
	// slimMaxBytes bounds the copy: text and markup kept. An article's
	// page is a few hundred kilobytes once its scripts are gone; the
	// longest articles hold a few hundred kilobytes of text.
	slimMaxBytes = 3 << 20
	// slimMaxElements bounds the elements kept (each costs two nodes of
	// a few hundred bytes). Heavy news pages have ten to twenty thousand.
	slimMaxElements = 40_000
	// slimMaxText bounds the text kept, and so the article: the longest
	// articles hold a few hundred kilobytes, and the article's text is
	// copied several times downstream (paragraphs, the post, the story's
	// features, the store's search index).
	slimMaxText = 1 << 20
	// slimMaxAttr is the longest attribute value kept whole; longer
	// values (data: URIs, serialized props, giant srcsets) are cut.
	slimMaxAttr = 2 << 10
	// slimMaxJSON bounds the JSON-LD kept (the metadata's source): what
	// comes after is dropped.
	slimMaxJSON = 1 << 20
	// slimMaxStreamScript is the largest script kept for the streamed
	// rendering's moves ($RC/$RS calls are a few hundred bytes).
	slimMaxStreamScript = 64 << 10
	// slimMaxComment is the longest comment kept: React's boundary
	// markers (<!--$-->, <!--/$-->) end the fallbacks that
	// resolveStreaming removes.
	slimMaxComment = 16
)

// slimmed is the copy slim makes and what it left out.
type slimmed struct {
	page []byte
	// cut is set when the limits stopped the copy; cutAt is the offset
	// in the original page where that happened.
	cut   bool
	cutAt int
	// dropped counts the bytes left out.
	dropped int
}

func (s *slimmed) String() string {
	if !s.cut {
		return ""
	}
	return fmt.Sprintf("page cut at byte %d: content after it dropped (limits %d bytes, %d of them text, %d elements)", s.cutAt, slimMaxBytes, slimMaxText, slimMaxElements)
}

// rawMode is what to do with the text of a raw text element (script,
// style, ...), which the tokenizer gives as the token after the start tag.
type rawMode int

const (
	rawNone   rawMode = iota // not a raw text element's text: content
	rawDrop                  // never content
	rawJSON                  // JSON-LD: kept up to slimMaxJSON in all
	rawStream                // an inline script: kept when it moves streamed content
)

// slimmer is slim's pass over a page: the copy and what it has counted.
type slimmer struct {
	s         *slimmed
	out       bytes.Buffer
	z         *html.Tokenizer
	elements  int // start tags copied
	jsonBytes int // JSON-LD copied
	textBytes int // text copied
	// inTemplate is set inside a <template>, whose content is dropped
	// (skipDepth counts nested templates)
	inTemplate bool
	skipDepth  int
	pending    rawMode
}

func slim(page []byte) *slimmed {
	sm := &slimmer{s: &slimmed{}, z: html.NewTokenizer(bytes.NewReader(page))}
	sm.out.Grow(min(len(page), 256<<10))
	offset := 0 // of the current token in page
	for {
		tt := sm.z.Next()
		if tt == html.ErrorToken {
			break
		}
		// the page's own bytes, not z.Raw(): TagAttr unescapes the
		// tokenizer's buffer in place
		start := offset
		offset += len(sm.z.Raw())
		raw := page[start:offset]
		mode := sm.pending
		sm.pending = rawNone
		if sm.inTemplate {
			sm.template(tt, raw)
			continue
		}
		sm.token(tt, raw, start, mode)
	}
	sm.s.page = sm.out.Bytes()
	return sm.s
}

func (sm *slimmer) drop(raw []byte) { sm.s.dropped += len(raw) }

// template takes a token inside a <template>: only the tags that close it
// matter.
func (sm *slimmer) template(tt html.TokenType, raw []byte) {
	if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
		sm.drop(raw)
		return
	}
	if tagAtom(raw) == atom.Template {
		switch tt {
		case html.StartTagToken:
			sm.skipDepth++
		case html.EndTagToken:
			sm.skipDepth--
		}
	}
	if sm.skipDepth > 0 {
		sm.drop(raw)
		return
	}
	sm.inTemplate = false
	if sm.s.cut {
		sm.drop(raw)
	} else {
		sm.out.Write(raw)
	}
}

func (sm *slimmer) token(tt html.TokenType, raw []byte, start int, mode rawMode) {
	switch tt {
	case html.TextToken:
		sm.text(raw, start, mode)
	case html.CommentToken:
		if len(raw) > slimMaxComment+len("<!---->") || sm.s.cut {
			sm.drop(raw)
			return
		}
		sm.out.Write(raw)
	case html.DoctypeToken:
		sm.out.Write(raw)
	case html.EndTagToken:
		if sm.s.cut && tagAtom(raw) != atom.Script {
			sm.drop(raw)
			return
		}
		sm.out.Write(raw)
	case html.StartTagToken, html.SelfClosingTagToken:
		sm.startTag(tt, raw, start)
	}
}

// text takes a text token; mode tells a raw text element's.
func (sm *slimmer) text(raw []byte, start int, mode rawMode) {
	switch mode {
	case rawDrop:
		sm.drop(raw)
		return
	case rawStream:
		if len(raw) > slimMaxStreamScript || !bytes.Contains(raw, []byte("$R")) {
			sm.drop(raw)
			return
		}
	case rawJSON:
		// the metadata, wherever it stands: kept after a cut too
		if sm.jsonBytes+len(raw) > slimMaxJSON {
			sm.drop(raw)
			return
		}
		sm.jsonBytes += len(raw)
		sm.out.Write(raw)
		return
	}
	room := min(slimMaxBytes-sm.out.Len(), slimMaxText-sm.textBytes)
	if !sm.s.cut && len(raw) > room {
		// the text's start still fits: a page of one endless text keeps
		// its beginning
		n := max(room, 0)
		for n > 0 && n < len(raw) && !utf8.RuneStart(raw[n]) {
			n--
		}
		sm.out.Write(raw[:n])
		sm.drop(raw[n:])
		sm.s.cutHere(start + n)
		return
	}
	if sm.s.cut {
		sm.drop(raw)
		return
	}
	sm.textBytes += len(raw)
	sm.out.Write(raw)
}

// startTag takes a start tag, its long attribute values cut.
func (sm *slimmer) startTag(tt html.TokenType, raw []byte, start int) {
	a := tagAtom(raw)
	long := len(raw) > slimMaxAttr
	var tag []byte
	jsonLD := false
	if long {
		tag, jsonLD = cutTag(sm.z, tt, slimMaxAttr)
	} else if a == atom.Script {
		jsonLD = isJSONLD(sm.z)
	}
	switch a {
	case atom.Script:
		// <script/> is no void element either: its text follows
		sm.pending = rawStream
		if jsonLD {
			sm.pending = rawJSON
		}
	case atom.Style, atom.Noscript, atom.Iframe, atom.Textarea:
		sm.pending = rawDrop
	}
	if !sm.s.cut && (sm.out.Len()+len(raw) > slimMaxBytes || sm.elements >= slimMaxElements) {
		sm.s.cutHere(start)
	}
	if sm.s.cut {
		sm.afterCut(a, raw, tag, long)
		return
	}
	sm.elements++
	if a == atom.Template && tt == html.StartTagToken {
		// React's streamed rendering needs the element (a boundary's
		// place), never its content
		sm.inTemplate, sm.skipDepth = true, 1
	}
	if long {
		sm.drop(raw[len(tag):])
		raw = tag
	}
	sm.out.Write(raw)
}

// afterCut takes a start tag after the cut: the metadata's elements stay.
func (sm *slimmer) afterCut(a atom.Atom, raw, tag []byte, long bool) {
	if a == atom.Meta || a == atom.Link || a == atom.Base || sm.pending == rawJSON {
		if long {
			raw = tag
		}
		sm.out.Write(raw)
		return
	}
	sm.drop(raw)
	if sm.pending != rawNone {
		sm.pending = rawDrop
	}
}

func (s *slimmed) cutHere(at int) {
	s.cut, s.cutAt = true, at
}

// isJSONLD tells a JSON-LD script (the metadata's source).
func isJSONLD(z *html.Tokenizer) bool {
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if string(k) == "type" && bytes.Contains(bytes.ToLower(v), []byte("ld+json")) {
			return true
		}
	}
	return false
}

// cutTag writes the current start tag again with every attribute value
// longer than max cut to max bytes, and tells whether it is a JSON-LD
// script's. The values are read in place from the tokenizer's buffer, so
// the megabytes cut are never copied.
func cutTag(z *html.Tokenizer, tt html.TokenType, max int) (tag []byte, jsonLD bool) {
	name, more := z.TagName()
	var b bytes.Buffer
	b.WriteByte('<')
	b.Write(name)
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if string(k) == "type" && bytes.Contains(bytes.ToLower(v), []byte("ld+json")) {
			jsonLD = true
		}
		if len(v) > max {
			v = bytes.ToValidUTF8(v[:max], nil)
		}
		b.WriteByte(' ')
		b.Write(k)
		b.WriteString(`="`)
		b.WriteString(html.EscapeString(string(v)))
		b.WriteByte('"')
	}
	if tt == html.SelfClosingTagToken {
		b.WriteByte('/')
	}
	b.WriteByte('>')
	return b.Bytes(), jsonLD
}

// tagAtom reads a tag's name from its raw bytes as the tokenizer does
// (up to white space, '/' or '>', case folded), without touching the
// tokenizer's buffer. Names no atom has are 0.
func tagAtom(raw []byte) atom.Atom {
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	var buf [16]byte
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '/' || c == '>' {
			break
		}
		if n == len(buf) {
			return 0
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return atom.Lookup(buf[:n])
}
