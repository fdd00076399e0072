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
