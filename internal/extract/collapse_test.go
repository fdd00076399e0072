package extract

import (
	"strings"
	"testing"
	"unicode"
)

// collapseRuneByRune is the plain form of collapse that the fast one must
// match.
func collapseRuneByRune(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
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
		b.WriteRune(r)
	}
	return b.String()
}

func TestCollapse(t *testing.T) {
	for _, s := range []string{
		"", " ", "plain text", "  lead and trail  ", "a\t\tb\n\nc", "double  space",
		"non\u00a0breaking and\u2003em space", "zero\u200bwidth\ufeffand\u00adsoft", "\u200b lead",
		"caf\u00e9 \u2014 na\u00efve", "bad \xff\xfe bytes", "x\r\ny\vz\fw", "\u3000ideographic\u3000",
		"ends with\u200b", "\u0085next line",
	} {
		if got, want := collapse(s), collapseRuneByRune(s); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzCollapse(f *testing.F) {
	f.Add("a  b\t\u00a0c\u200b")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapse(s), collapseRuneByRune(s); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	})
}
