package extract

import (
	"html"
	"strings"
)

// unescape decodes a metadata string's character references, then any
// that the page escaped twice (see decodeLeftover).
func unescape(s string) string {
	return decodeLeftover(html.UnescapeString(s))
}

// decodeLeftover decodes character references left in text that was
// already decoded once: a template that escapes a string which is escaped
// already prints "&amp;#x26;" and the reader sees "&#x26;". In a title,
// a name or a description such a reference is never meant literally.
// Only complete references ("&#38;", "&#x26;", "&amp;") are decoded, so
// "AT&T" or "Q&A;" stay as they are.
func decodeLeftover(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			continue
		}
		n := referenceLen(s[i:])
		if n == 0 {
			continue
		}
		ref := s[i : i+n]
		dec := html.UnescapeString(ref)
		if dec == ref {
			continue // an unknown name
		}
		b.WriteString(s[last:i])
		b.WriteString(dec)
		last = i + n
		i += n - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// referenceLen is the length of the character reference s starts with
// ("&#38;", "&#x26;", "&name;"), or 0 when it starts with none.
func referenceLen(s string) int {
	const maxRef = 34 // the longest entity name is 31 bytes
	j := 1
	numeric, hex := false, false
	if j < len(s) && s[j] == '#' {
		numeric = true
		j++
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			hex = true
			j++
		}
	}
	start := j
	for j < len(s) && j < maxRef && refByte(s[j], numeric, hex) {
		j++
	}
	if j == start || j >= len(s) || s[j] != ';' {
		return 0
	}
	if !numeric && (s[start] < 'A' || s[start] > 'z') {
		return 0 // a name starts with a letter
	}
	return j + 1
}

// refByte tells a byte that can stand in a reference's name or number.
func refByte(c byte, numeric, hex bool) bool {
	switch {
	case c >= '0' && c <= '9':
		return true
	case !numeric:
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	default:
		return hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
	}
}
