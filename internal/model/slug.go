package model

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// maxSlugLen keeps post paths short enough to read and share, as Blogger does.
const maxSlugLen = 60

// Slugify makes the file name of a post's path from its title: lower-case
// words joined by hyphens. Accents that Unicode decomposes are dropped
// ("café" → "cafe"); letters of other scripts are kept, so that a Korean or
// Russian title still gives a readable slug. An empty result becomes "post".
func Slugify(title string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, title)
	if err != nil {
		folded = title
	}
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(folded) {
		switch {
		case r == '\'' || r == '’':
			// "Germany's" reads better as "germanys" than "germany-s".
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() > maxSlugLen {
			break
		}
	}
	s := b.String()
	if len(s) > maxSlugLen {
		s = s[:maxSlugLen]
		// Never cut a multi-byte letter in half, and end on a whole word.
		for len(s) > 0 && !utf8ValidEnd(s) {
			s = s[:len(s)-1]
		}
		if i := strings.LastIndexByte(s, '-'); i > maxSlugLen/2 {
			s = s[:i]
		}
	}
	s = strings.Trim(s, "-")
	if s == "" {
		return "post"
	}
	return s
}

func utf8ValidEnd(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s
}
