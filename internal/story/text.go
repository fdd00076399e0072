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
			var end int
			out, end = appendBigrams(out, text, i, sentenceStart)
			sentenceStart = false
			i = end
		case isWordRune(r):
			tok, end, ok := asciiWord(text, i)
			if !ok {
				tok, end = readWord(text, i)
			}
			tok.sentenceStart = sentenceStart
			out = append(out, tok)
			sentenceStart = false
			i = end
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

// appendBigrams appends the run of a script written without spaces at
// text[i:] as overlapping character bigrams (a lone character as itself)
// and returns where the run ends.
func appendBigrams(out []token, text string, i int, sentenceStart bool) ([]token, int) {
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
	return out, j
}

// readWord reads the word at text[i:] (which starts with a word rune of
// a spaced script), lower case, with how it was written, and returns where
// it ends.
func readWord(text string, i int) (token, int) {
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
					capital = capital || first
				}
			}
			first = false
			b.WriteRune(unicode.ToLower(r2))
			j += s2
			continue
		}
		// An apostrophe inside a word: don't → dont, Fed's → fed.
		if (r2 == '\'' || r2 == '’') && j+s2 < len(text) {
			if next, goesOn := afterApostrophe(text, j+s2); goesOn {
				j = next
				continue
			} else if next > 0 {
				j = next // the possessive ends the word
			}
		}
		break
	}
	return token{text: b.String(), capital: capital, allCaps: letters > 1 && uppers == letters}, j
}

// afterApostrophe reads what follows an apostrophe inside a word, at
// text[rest:]: a word goes on there (goesOn, from rest), or it is an
// English possessive 's, which ends the word at next; next is 0 when no
// word character follows, and the apostrophe ends the word.
func afterApostrophe(text string, rest int) (next int, goesOn bool) {
	k := rest
	for k < len(text) {
		r3, s3 := utf8.DecodeRuneInString(text[k:])
		if !isWordRune(r3) || unspacedScript(r3) {
			break
		}
		k += s3
	}
	switch {
	case k == rest:
		return 0, false
	case strings.EqualFold(text[rest:k], "s"):
		return k, false
	}
	return rest, true
}

// asciiWord reads the word at text[i:] when it is plain ASCII, letters
// and digits up to a character that cannot continue it, as tokenize's
// general loop would, but without building the word a rune at a time: a
// word already in lower case is a slice of text. ok is false when the word
// runs into a non-ASCII character or an apostrophe, which the general
// loop handles.
func asciiWord(text string, i int) (tok token, end int, ok bool) {
	letters, uppers := 0, 0
	j := i
	for ; j < len(text); j++ {
		c := text[j]
		if c == '\'' {
			return token{}, 0, false
		}
		if c >= utf8.RuneSelf {
			// Past ASCII, the word goes on through a letter or an
			// apostrophe (the general loop's to read) and ends at
			// anything else, as at an ASCII space.
			r, _ := utf8.DecodeRuneInString(text[j:])
			if r == '’' || isWordRune(r) && !unspacedScript(r) {
				return token{}, 0, false
			}
			break
		}
		lower, upper := 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z'
		if !lower && !upper && (c < '0' || c > '9') {
			break
		}
		if lower || upper {
			letters++
		}
		if upper {
			uppers++
		}
	}
	w := text[i:j]
	if uppers > 0 {
		w = strings.ToLower(w)
	}
	first := text[i]
	return token{text: w, capital: 'A' <= first && first <= 'Z', allCaps: letters > 1 && uppers == letters}, j, true
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
