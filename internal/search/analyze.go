// Package search is the text analysis that both stores share: a post's
// words and a reader's query go through the same tokenizer, diacritic
// folding and stemmer, so that "flood" finds "floods", "evacuate" finds
// "evacuated" and "pengungsi" finds "mengungsi" on SQLite and PostgreSQL
// alike. The stores index the stemmed text this package makes (Index) and
// search it with queries built from Parse; neither database stems.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
	"golang.org/x/text/unicode/norm"
)

// Version numbers the analysis. A post indexed under an older version is
// indexed again when its store opens (the stores' search_version column),
// so a change to the stemmers or to Fields must raise it. 2: the lead
// paragraph is in the meta.
const Version = 2

// maxWordBytes: longer "words" (base64, hashes) are not stemmed; they are
// indexed folded.
const maxWordBytes = 64

// IsWordRune tells the characters that make words: letters, digits and the
// marks that accent them. Everything else separates words.
func IsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// Words calls fn with each word of text, folded (Fold), in order.
func Words(text string, fn func(word string)) {
	start := -1
	for i, r := range text {
		if IsWordRune(r) && r != utf8.RuneError {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if w := Fold(text[start:i]); w != "" {
				fn(w)
			}
			start = -1
		}
	}
	if start >= 0 {
		if w := Fold(text[start:]); w != "" {
			fn(w)
		}
	}
}

// Fold lower-cases a word and strips its diacritics ("Évacué" → "evacue").
func Fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			r = unicode.ToLower(r)
			if f, ok := letterFolds[r]; ok {
				b.WriteString(f)
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// letterFolds are the letters whose accent is no combining mark, so NFD
// leaves them whole; SQLite's remove_diacritics and PostgreSQL's unaccent
// fold them too ("Łódź" → "lodz").
var letterFolds = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ħ': "h", 'ı': "i", 'ŀ': "l",
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ŧ': "t", 'ƀ': "b",
}

// Lang reduces a language tag to the stemmer's name for it: "en-US" →
// "en". Unknown and empty tags give "".
func Lang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	switch tag {
	case "en", "id", "es", "fr", "ru", "sv", "hu":
		return tag
	case "in": // the old code of Indonesian
		return "id"
	case "no", "nb", "nn":
		return "no"
	}
	return ""
}

// Stem returns the stem of a folded word in a language (Lang). A post of
// no known language is stemmed as English, the first language of the
// site's readers; a query word is stemmed in both (Forms).
func Stem(word, lang string) string {
	if len(word) > maxWordBytes || len(word) < 3 {
		return word
	}
	switch lang {
	case "id":
		return StemIndonesian(word)
	case "es":
		return spanish.Stem(word, true)
	case "fr":
		return french.Stem(word, true)
	case "ru":
		return russian.Stem(word, true)
	case "sv":
		return swedish.Stem(word, true)
	case "no":
		return norwegian.Stem(word, true)
	case "hu":
		return hungarian.Stem(word, true)
	}
	return english.Stem(word, true)
}

// Index returns the stemmed words of text in language lang, separated by
// spaces: what the stores index for a post.
func Index(text, lang string) string {
	lang = Lang(lang)
	var b strings.Builder
	b.Grow(len(text))
	Words(text, func(w string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Stem(w, lang))
	})
	return b.String()
}

// Forms returns the forms a query word is looked up under: its stems in
// English and Indonesian (the readers' languages), in lang too when the
// query names one, and the folded word itself (found in the posts whose
// stemmer leaves it as it is). No form repeats.
func Forms(word, lang string) []string {
	out := []string{word}
	add := func(f string) {
		for _, o := range out {
			if o == f {
				return
			}
		}
		out = append(out, f)
	}
	add(Stem(word, "en"))
	add(Stem(word, "id"))
	if l := Lang(lang); l != "" {
		add(Stem(word, l))
	}
	return out
}
