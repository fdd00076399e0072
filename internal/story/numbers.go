package story

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Numbers are the figures of a text as language-neutral keys ("#6.2",
// "#1500", "#1.5e+12"), each once, in order: an Indonesian "6,2" and an
// English "6.2" are one key, and so are "Rp 1,5 triliun" and "1.5
// trillion". lang is the text's language: in Indonesian (and most of
// Europe) a dot groups thousands and a comma marks decimals, in English
// the other way round; unknown, a comma before exactly three digits groups
// thousands and a dot is a decimal point. Whole numbers below 10 are left
// out: "two dead", "3 things" say nothing of which event.
func Numbers(text, lang string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isASCIIDigit(r) || i > 0 && isWordBefore(text[:i]) {
			i += size
			continue
		}
		j := i
		for j < len(text) {
			c := text[j]
			if isASCIIDigit(rune(c)) || (c == '.' || c == ',') && j+1 < len(text) && isASCIIDigit(rune(text[j+1])) {
				j++
				continue
			}
			break
		}
		raw := text[i:j]
		i = j
		// A number glued to letters ("4G", "COVID19") is a name.
		if j < len(text) {
			if r2, _ := utf8.DecodeRuneInString(text[j:]); unicode.IsLetter(r2) {
				continue
			}
		}
		v, ok := parseNumber(raw, lang)
		if !ok {
			continue
		}
		if m := scaleAfter(text[j:]); m > 0 {
			v *= m
		}
		if v < 10 && v == float64(int64(v)) {
			continue
		}
		k := "#" + strconv.FormatFloat(v, 'g', 6, 64)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func isASCIIDigit(r rune) bool { return '0' <= r && r <= '9' }

// isWordBefore reports whether a letter comes right before, as in "B52".
func isWordBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r)
}

// parseNumber reads a figure written with thousands groups and a decimal
// mark as lang writes them.
func parseNumber(raw, lang string) (float64, bool) {
	dec, group := byte(0), byte(0)
	switch lang {
	case "id", "ms", "de", "nl", "es", "it", "pt", "tr", "da":
		dec, group = ',', '.'
	case "en":
		dec, group = '.', ','
	default:
		// Unknown: a comma followed by exactly three digits groups them.
		if k := strings.LastIndexByte(raw, ','); k >= 0 && len(raw)-k-1 != 3 && !strings.Contains(raw, ".") {
			dec, group = ',', '.'
		} else {
			dec, group = '.', ','
		}
	}
	var b strings.Builder
	seenDec := false
	for k := 0; k < len(raw); k++ {
		switch c := raw[k]; {
		case c == group:
			// A group mark is followed by exactly three digits.
			n := 0
			for m := k + 1; m < len(raw) && isASCIIDigit(rune(raw[m])); m++ {
				n++
			}
			if n != 3 {
				return 0, false
			}
		case c == dec:
			if seenDec {
				return 0, false
			}
			seenDec = true
			b.WriteByte('.')
		default:
			b.WriteByte(c)
		}
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	return v, err == nil
}

// scales are the words that multiply a figure, English and Indonesian.
var scales = map[string]float64{
	"thousand": 1e3, "ribu": 1e3, "rb": 1e3,
	"million": 1e6, "juta": 1e6, "jt": 1e6, "mln": 1e6,
	"billion": 1e9, "miliar": 1e9, "milyar": 1e9, "bn": 1e9,
	"trillion": 1e12, "triliun": 1e12, "tn": 1e12,
}

// scaleAfter is the multiplier named by the word after a figure (1.5
// million, 1,5 juta), 0 for none.
func scaleAfter(s string) float64 {
	s = strings.TrimLeft(s, " \u00a0")
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(s)
	}
	return scales[strings.ToLower(s[:end])]
}
