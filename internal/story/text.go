package story

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:embed stopwords.txt
var stopwordList string

var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(stopwordList, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			m[w] = true
		}
	}
	return m
}()

// IsStopword reports whether a (lower-case) token is a function word of
// the stop list (English and Indonesian).
func IsStopword(tok string) bool { return stopwords[tok] }

// token is one word of a text with how it was written.
type token struct {
	text string // lower case, NFKC
	// capital: the word began with an upper-case letter; allCaps: every
	// letter of it was upper case (an acronym when longer than one).
	capital, allCaps bool
	// sentenceStart: the first word of the text or of a sentence.
	sentenceStart bool
	// unspaced: a character n-gram of a script written without spaces.
	unspaced bool
}

// unspacedScript reports scripts written without spaces between words:
// their text is cut into overlapping character bigrams instead of words.
func unspacedScript(r rune) bool {
	if r < 0x0E00 { // below Thai: Latin, Greek, Cyrillic, Arabic, Indic…
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai,
		unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan)
}

func isWordRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// Tokens splits text into lower-case word tokens in any language: runs of
// letters, digits and combining marks (NFKC first, so full-width and
// compatibility forms fold together); apostrophes inside a word are dropped
// and an English possessive 's with them; scripts written without spaces
// (Chinese, Japanese, Thai, Lao, Khmer, Myanmar, Tibetan) become
// overlapping character bigrams.
func Tokens(text string) []string {
	toks := tokenize(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.text
	}
	return out
}

func tokenize(text string) []token {
	if !norm.NFKC.IsNormalString(text) {
		text = norm.NFKC.String(text)
	}
	var out []token
	sentenceStart := true
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unspacedScript(r):
			j := i
			var runes []rune
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !unspacedScript(r2) && !unicode.Is(unicode.Mn, r2) && !unicode.Is(unicode.Mc, r2) {
					break
				}
				runes = append(runes, unicode.ToLower(r2))
				j += s2
			}
			if len(runes) == 1 {
				out = append(out, token{text: string(runes), unspaced: true, sentenceStart: sentenceStart})
			}
			for k := 0; k+1 < len(runes); k++ {
				out = append(out, token{text: string(runes[k : k+2]), unspaced: true, sentenceStart: sentenceStart && k == 0})
			}
			sentenceStart = false
			i = j
		case isWordRune(r):
			j := i
			var b strings.Builder
			letters, uppers := 0, 0
			first := true
			capital := false
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if isWordRune(r2) && !unspacedScript(r2) {
					if unicode.IsLetter(r2) {
						letters++
						if unicode.IsUpper(r2) || unicode.IsTitle(r2) {
							uppers++
							if first {
								capital = true
							}
						}
					}
					first = false
					b.WriteRune(unicode.ToLower(r2))
					j += s2
					continue
				}
				// An apostrophe inside a word: don't → dont, Fed's → fed.
				if (r2 == '\'' || r2 == '’') && j+s2 < len(text) {
					rest := j + s2
					k := rest
					for k < len(text) {
						r3, s3 := utf8.DecodeRuneInString(text[k:])
						if !isWordRune(r3) || unspacedScript(r3) {
							break
						}
						k += s3
					}
					if k > rest {
						if strings.EqualFold(text[rest:k], "s") {
							j = k // the possessive ends the word
							break
						}
						j = rest // the word goes on after the apostrophe
						continue
					}
				}
				break
			}
			out = append(out, token{text: b.String(), capital: capital, allCaps: letters > 1 && uppers == letters,
				sentenceStart: sentenceStart})
			sentenceStart = false
			i = j
		default:
			switch r {
			case '.', '!', '?', '。', '！', '？', ':', ';', '\n', '"', '“', '”', '«', '»', '|', '—', '–':
				sentenceStart = true
			}
			i += size
		}
	}
	return out
}

// titleCase reports whether most words of a text start with a capital, as
// English headlines often do: their capitals tell nothing of names.
func titleCase(toks []token) bool {
	words, caps := 0, 0
	for _, t := range toks {
		if t.unspaced || utf8.RuneCountInString(t.text) < 4 {
			continue
		}
		words++
		if t.capital {
			caps++
		}
	}
	return words >= 3 && caps*4 >= words*3
}

// Entities are the words of a text that look like names: capitalised but
// not the first word of a sentence, or acronyms of two letters or more,
// stop words left out. The capitals of a Title Case text (most headlines)
// say nothing, so there only acronyms count. Lower case, in order, without
// repeats.
func Entities(text string) []string { return entities(tokenize(text)) }

// entities are Entities of a text's tokens.
func entities(toks []token) []string {
	tc := titleCase(toks)
	seen := map[string]bool{}
	var out []string
	for _, t := range toks {
		if !isEntity(t, tc) || seen[t.text] {
			continue
		}
		seen[t.text] = true
		out = append(out, t.text)
	}
	return out
}

func isEntity(t token, titleCase bool) bool {
	if t.unspaced || stopwords[t.text] || isNumber(t.text) {
		return false
	}
	if t.allCaps {
		return true
	}
	return t.capital && !t.sentenceStart && !titleCase
}

func isNumber(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
