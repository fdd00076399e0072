package search

import (
	"strings"
	"unicode/utf8"
)

// FieldCache makes Fields' output for a process that indexes many posts
// (a bulk import), remembering for each word as written ("Floods",
// "évacué") what the index holds for it (its folded stem): a word seen
// before costs one map look-up, with no folding, lower-casing or
// stemming, and no allocation. News text repeats its words, so most words
// are seen before. It forgets everything when it grows past its bound, so
// its memory stays fixed. The zero value is ready; it is not safe for
// concurrent use (take one per goroutine).
type FieldCache struct {
	// byLang maps a word as written to its indexed form, one map for each
	// stemmer language (Lang), since a word's stem depends on it.
	byLang map[string]map[string]string
	words  int
}

// fieldCacheWords bounds a FieldCache: about 10 MB of words and stems.
const fieldCacheWords = 100_000

// Fields is Fields, with this cache's indexed forms.
func (c *FieldCache) Fields(title, publisher, author, body, lang string) (t, meta, b string) {
	lang = Lang(lang)
	return fields(title, publisher, author, body, func(text string) string { return c.index(text, lang) })
}

// index is Index(text, lang) for a language already reduced by Lang.
func (c *FieldCache) index(text, lang string) string {
	m := c.forLang(lang)
	var b strings.Builder
	b.Grow(len(text))
	start := -1
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		word := false
		if r < utf8.RuneSelf {
			// IsWordRune's answer for ASCII, without the tables.
			word = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
			word = IsWordRune(r) && r != utf8.RuneError
		}
		if word {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			m = c.add(&b, m, text[start:i], lang)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		c.add(&b, m, text[start:], lang)
	}
	return b.String()
}

// add writes the indexed form of a word as written to b, space first
// unless b is empty, and returns the map to look words up in next (a new
// one when the cache was full and forgot).
func (c *FieldCache) add(b *strings.Builder, m map[string]string, raw, lang string) map[string]string {
	if len(raw) < 3 && raw[0] < utf8.RuneSelf && raw[len(raw)-1] < utf8.RuneSelf {
		// A short ASCII word ("a", "of", "to", a third of news text) is
		// too short to stem: its folding is its lower case, written
		// without a look-up.
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for i := 0; i < len(raw); i++ {
			c := raw[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
		return m
	}
	s, ok := m[raw]
	if !ok {
		if c.words >= fieldCacheWords {
			c.byLang, c.words = nil, 0
			m = c.forLang(lang)
		}
		if f := Fold(raw); f != "" {
			// A copy: Fold and Stem may give back a slice of the post's
			// text, which the cache must not hold.
			s = strings.Clone(Stem(f, lang))
		}
		m[strings.Clone(raw)] = s
		c.words++
	}
	if s == "" {
		// Folded to nothing (marks alone): Words gives no word for it.
		return m
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(s)
	return m
}

func (c *FieldCache) forLang(lang string) map[string]string {
	if c.byLang == nil {
		c.byLang = map[string]map[string]string{}
	}
	m := c.byLang[lang]
	if m == nil {
		m = make(map[string]string, 1024)
		c.byLang[lang] = m
	}
	return m
}
