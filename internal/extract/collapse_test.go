package extract

import (
	"strings"
	"testing"
	"unicode"
)

// collapsePlain is what collapse must give, said the slow way: every
// rune read (an invalid byte as U+FFFD), zero-width characters dropped,
// the words that white space parts joined by one space.
func collapsePlain(s string) string {
	var rs []rune
	for _, r := range s {
		if r != '\u200b' && r != '\ufeff' && r != '\u00ad' {
			rs = append(rs, r)
		}
	}
	return strings.Join(strings.FieldsFunc(string(rs), unicode.IsSpace), " ")
}

func TestCollapse(t *testing.T) {
	for _, s := range []string{
		"", " ", "plain text", "  lead and trail  ", "a\t\tb\n\nc", "double  space",
		"non\u00a0breaking and\u2003em space", "zero\u200bwidth\ufeffand\u00adsoft", "\u200b lead",
		"caf\u00e9 \u2014 na\u00efve", "bad \xff\xfe bytes", "x\r\ny\vz\fw", "\u3000ideographic\u3000",
		"ends with\u200b", "\u0085next line",
	} {
		if got, want := collapse(s), collapsePlain(s); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzCollapse(f *testing.F) {
	f.Add("a  b\t\u00a0c\u200b")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapse(s), collapsePlain(s); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	})
}
