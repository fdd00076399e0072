// Package sanitize is the last step before anything from the web is stored or
// shown: allow-list policies, never block-lists, so that markup nobody
// thought of is dropped rather than passed on.
package sanitize

import (
	"html"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
)

var (
	strict = bluemonday.StrictPolicy()
	ugc    = newUGC()
)

func newUGC() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoFollowOnLinks(true)
	return p
}

// Text turns untrusted HTML or text into one line of plain text: tags are
// removed, entities decoded once, control characters and invalid UTF-8
// dropped and white space collapsed. The result still needs escaping when it
// is written into HTML; html/template does that.
func Text(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = html.UnescapeString(strict.Sanitize(s))
	}
	return collapse(s)
}

// Plain cleans text that is already plain text, such as the paragraphs
// the extractor took from a page's text nodes: control characters and
// invalid UTF-8 dropped, white space collapsed, nothing else. Text never
// goes through an HTML sanitizer: an article that writes about
// "<img src=x>" (&lt;img src=x&gt; in its page) holds those words, which a
// sanitizer would take for a tag and delete, and "&amp;" in such text is
// five characters, not an entity to decode. Plain text stays inert because
// every place that shows it escapes it (html/template, the feeds'
// HTMLEscapeString).
func Plain(s string) string {
	return collapse(s)
}

// HTML keeps the safe subset of untrusted HTML (links, emphasis, lists,
// quotes, images) for places that show markup, such as feed descriptions.
func HTML(s string) string {
	return ugc.Sanitize(strings.ToValidUTF8(s, ""))
}

func collapse(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B':
			// Zero-width and control characters hide text and break layouts.
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return b.String()
}
