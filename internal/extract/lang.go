package extract

import (
	"strings"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// langWhitelist limits detection to common languages of news sites, which
// keeps whatlanggo from answering with a close relative on short texts.
var langWhitelist = whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{
	whatlanggo.Eng: true, whatlanggo.Ind: true, whatlanggo.Deu: true, whatlanggo.Fra: true,
	whatlanggo.Spa: true, whatlanggo.Ita: true, whatlanggo.Por: true, whatlanggo.Nld: true,
	whatlanggo.Rus: true, whatlanggo.Ukr: true, whatlanggo.Pol: true, whatlanggo.Tur: true,
	whatlanggo.Swe: true, whatlanggo.Vie: true, whatlanggo.Tha: true, whatlanggo.Jpn: true,
	whatlanggo.Cmn: true, whatlanggo.Kor: true, whatlanggo.Arb: true, whatlanggo.Hin: true,
	whatlanggo.Heb: true, whatlanggo.Ell: true,
}}

// detectLanguage guesses the ISO 639-1 code of the text; "" when unsure.
// maxLangSample bounds the text a paragraph lends to language detection.
const maxLangSample = 4096

func detectLanguage(paras []string) string {
	var b strings.Builder
	for _, p := range paras {
		if b.Len() > 700 {
			break
		}
		if len(p) > maxLangSample {
			// one endless paragraph: trigram counting over megabytes
			// took seconds
			n := maxLangSample
			for n > 0 && !utf8.RuneStart(p[n]) {
				n--
			}
			p = p[:n]
		}
		b.WriteString(p)
		b.WriteByte('\n')
	}
	if b.Len() < 20 {
		return ""
	}
	if l := quickLanguage(b.String()); l != "" {
		return l
	}
	info := whatlanggo.DetectWithOptions(b.String(), langWhitelist)
	if info.Confidence < 0.1 && b.Len() < 200 {
		return ""
	}
	return info.Lang.Iso6391()
}

// Function words that make up a good share of any English or Indonesian
// text (kabar's first languages) and seldom appear in other languages'.
var (
	enWords = map[string]bool{"the": true, "and": true, "of": true, "to": true, "in": true, "is": true,
		"that": true, "for": true, "it": true, "was": true, "on": true, "with": true, "as": true,
		"are": true, "be": true, "this": true, "have": true, "by": true, "at": true, "from": true}
	idWords = map[string]bool{"yang": true, "dan": true, "di": true, "ini": true, "itu": true,
		"dengan": true, "untuk": true, "dari": true, "dalam": true, "tidak": true, "akan": true,
		"pada": true, "juga": true, "ke": true, "karena": true, "ada": true, "oleh": true}
)

// quickLanguage answers for clearly English or Indonesian text by its
// function words, sparing the trigram detector the common case; "" when
// unsure.
func quickLanguage(s string) string {
	n, en, id := 0, 0, 0
	for _, w := range strings.Fields(normWords(s)) {
		n++
		if enWords[w] {
			en++
		}
		if idWords[w] {
			id++
		}
	}
	if n < 30 {
		return ""
	}
	switch {
	case en*100 >= n*15 && id*100 < n*2:
		return "en"
	case id*100 >= n*12 && en*100 < n*2:
		return "id"
	}
	return ""
}

// DetectLanguage guesses the ISO 639-1 code of paragraphs that came with no
// page to read a language from (a blog's export); "" when unsure.
func DetectLanguage(paras []string) string { return detectLanguage(paras) }
