package extract

import (
	"strings"

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
func detectLanguage(paras []string) string {
	var b strings.Builder
	for _, p := range paras {
		if b.Len() > 3000 {
			break
		}
		b.WriteString(p)
		b.WriteByte('\n')
	}
	if b.Len() < 20 {
		return ""
	}
	info := whatlanggo.DetectWithOptions(b.String(), langWhitelist)
	if info.Confidence < 0.1 && b.Len() < 200 {
		return ""
	}
	return info.Lang.Iso6391()
}
