package extract

import (
	"regexp"
	"strings"
	"unicode"
)

// Authors come from JSON-LD and meta tags when they name a person, else
// from what the page shows: a rel=author link, an element named like a
// byline, or a "By ..." line by the headline.

var (
	reBylineLabel = regexp.MustCompile(`(?i)^\s*(written by|posted by|published by|words by|story by|reported by|text by|article by|authored by|by|author|authors|written|writer|posted)\b\s*:?\s*`)
	// what ends a name in a byline
	reBylineEnd = regexp.MustCompile(`(?i)\s+[|·•⋅—–]\s*|\s+-\s+|\s+(on|updated|published|posted|last updated|reviewed|fact checked|edited)\b|\s*\b\d{1,2}\s*(min|minute)s?\b|\s*\(|\n`)
)

// bylineName cuts a byline ("By Jane Doe | Updated March 3, 2025") down to
// the name(s); "" when what is left does not look like names.
func bylineName(s string) string {
	s = collapse(s)
	s = reBylineLabel.ReplaceAllString(s, "")
	if loc := reBylineEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	if _, end := findDate(s); end > 0 {
		if d, _ := findDate(s); !d.IsZero() {
			if i := strings.IndexFunc(s, unicode.IsDigit); i >= 0 {
				s = s[:i]
			}
		}
	}
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '.' })
	if !namesLike(s) {
		return ""
	}
	return s
}

// namesLike tells one or a few names: short, no sentence, no URL, most
// words capitalised.
func namesLike(s string) bool {
	if s == "" || len(s) > 100 || strings.Contains(s, "://") || strings.HasPrefix(s, "@") {
		return false
	}
	f := strings.Fields(s)
	if len(f) > 12 {
		return false
	}
	upper, lower := 0, 0
	for _, w := range f {
		r := []rune(w)
		switch {
		case unicode.IsUpper(r[0]):
			upper++
		case unicode.IsLower(r[0]):
			switch strings.ToLower(w) {
			case "and", "van", "von", "der", "de", "da", "di", "la", "le", "bin", "al", "del", "den", "du":
			default:
				lower++
			}
		}
	}
	if len(f) == 1 {
		return len(r0(s)) >= 2 // a single handle or first name
	}
	return upper > 0 && lower <= 1
}

func r0(s string) []rune { return []rune(s) }

// personLike rejects metadata authors that are not people: URLs, handles,
// numbers, the site's own name.
func personLike(s, site string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "://") || strings.HasPrefix(s, "@") || strings.Contains(s, ".") && !strings.Contains(s, " ") {
		return false
	}
	if site != "" && normWords(s) == normWords(site) {
		return false
	}
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits*2 < len(s)
}

// visibleByline finds a "By ..." line among the blocks around the body's
// start.
func (t *titlePage) visibleByline(start int) string {
	if start < 0 {
		return ""
	}
	for _, c := range t.cands {
		if c.order < start-25 || c.order > start+2 || len(c.text) > 200 {
			continue
		}
		if reByline.MatchString(c.text) || reBylineLabel.MatchString(c.text) && strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.text)), "by") {
			if n := bylineName(c.text); n != "" {
				return n
			}
		}
	}
	return ""
}
