package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxArticleBytes bounds a stored article's text: its paragraphs joined by
// newlines, in bytes of UTF-8. A longer article is kept up to it, cut at a
// paragraph boundary, and marked Truncated.
//
// Every cost that grows with an article (indexing, ranking, snippets, the
// post page) is bounded by it, and anyone who can put a link into a
// subscribed feed chooses the article. 512 KiB is some fifty times a long
// news article, and half of PostgreSQL's limit on one tsvector (1 MiB of
// distinct words): lower-casing can lengthen a word (Ⱥ, two bytes, becomes
// ⱥ, three), so a text of 512 KiB indexes to at most 768 KiB, leaving room
// for the title.
const MaxArticleBytes = 512 << 10

// MaxTitleBytes bounds a stored title for the same reasons; a feed may
// carry any title at all.
const MaxTitleBytes = 1 << 10

// Limit cuts p's title and text to MaxTitleBytes and MaxArticleBytes, and
// marks the post Truncated when its text was cut. It reports whether it cut
// anything. A post within the limits is left as it is, so Limit may run
// more than once.
func (p *Post) Limit() bool {
	title, titleCut := CutText(p.Title, MaxTitleBytes)
	p.Title = title
	paras, cut := LimitParagraphs(p.Paragraphs, MaxArticleBytes)
	p.Paragraphs = paras
	if cut {
		p.Truncated = true
	}
	return cut || titleCut
}

// LimitParagraphs keeps the leading paragraphs whose text, joined by
// newlines, fits in max bytes. When the first paragraph alone does not fit,
// its beginning is kept, cut at a word boundary. It reports whether anything
// was dropped; paras itself is never modified.
func LimitParagraphs(paras []string, max int) ([]string, bool) {
	size := 0
	for i, p := range paras {
		if i > 0 {
			size++ // the newline between paragraphs
		}
		size += len(p)
		if size <= max {
			continue
		}
		if i > 0 {
			return paras[:i:i], true
		}
		head, _ := CutText(p, max)
		if head == "" {
			return nil, true
		}
		return []string{head}, true
	}
	return paras, false
}

// CutText returns the beginning of s in at most max bytes, cut after the
// last whole word that fits (or inside a word longer than max, at a rune
// boundary), with trailing spaces removed. It reports whether s was cut.
func CutText(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	end := max
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	head := s[:end]
	// Cut at the last space, unless that would throw most of it away (a
	// text in a script without spaces).
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > len(head)/2 {
		head = head[:i]
	}
	return strings.TrimRightFunc(head, unicode.IsSpace), true
}
