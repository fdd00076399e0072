package gnews

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Feed URLs for any Google News edition. Every feed URL carries the edition
// triple hl (interface language), gl (country) and ceid
// (country:edition language); without it Google picks an edition by IP
// address, or answers with a consent page.

// FeedBase is where Google News serves RSS.
const FeedBase = "https://news.google.com/rss"

// Topics are the named sections of /rss/headlines/section/topic/<NAME>.
var Topics = []string{"WORLD", "NATION", "BUSINESS", "TECHNOLOGY", "ENTERTAINMENT", "SPORTS", "SCIENCE", "HEALTH"}

// ErrEdition is wrapped by NewEdition's errors.
var ErrEdition = errors.New("gnews: bad Google News edition")

var (
	hlRE   = regexp.MustCompile(`^[a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}|[a-zA-Z]{4}))?$`)
	glRE   = regexp.MustCompile(`^[a-zA-Z]{2}$`)
	ceidRE = regexp.MustCompile(`^[A-Z]{2}:[a-z]{2,3}(-([A-Z]{2}|[0-9]{3}|[A-Z][a-z]{3}))?$`)
)

func validHL(s string) bool   { return hlRE.MatchString(s) }
func validGL(s string) bool   { return glRE.MatchString(s) }
func validCEID(s string) bool { return ceidRE.MatchString(s) }

// editionLanguages are the editions whose ceid language is not hl with its
// region dropped, keyed by canonical hl (and by "language/COUNTRY" for a
// bare hl). From public code and captured feeds: Brazil
// hl=pt-BR&gl=BR&ceid=BR:pt-419, Hong Kong hl=zh-HK&gl=HK&ceid=HK:zh-Hant,
// and the pt-150, zh-Hans, zh-Hant edition languages of GNews' table.
var editionLanguages = map[string]string{
	"pt-BR": "pt-419",
	"pt-PT": "pt-150",
	"zh-HK": "zh-Hant",
	"zh-TW": "zh-Hant",
	"zh-CN": "zh-Hans",
	"pt/BR": "pt-419",
	"pt/PT": "pt-150",
	"zh/HK": "zh-Hant",
	"zh/TW": "zh-Hant",
	"zh/CN": "zh-Hans",
}

// defaultLanguages is the hl for a country when only gl is given: the
// editions seen in captured feeds and public code.
var defaultLanguages = map[string]string{
	"US": "en-US", "GB": "en-GB", "AU": "en-AU", "CA": "en-CA", "IN": "en-IN",
	"IE": "en-IE", "NZ": "en-NZ", "SG": "en-SG", "ZA": "en-ZA", "PH": "en-PH",
	"NG": "en-NG", "KE": "en-KE", "PK": "en-PK", "MY": "en-MY",
	"ID": "id", "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr",
	"ES": "es", "MX": "es-419", "AR": "es-419", "CO": "es-419", "CL": "es-419",
	"PE": "es-419", "VE": "es-419", "BR": "pt-BR", "PT": "pt-PT", "IT": "it",
	"NL": "nl", "KR": "ko", "JP": "ja", "TW": "zh-TW", "HK": "zh-HK",
	"CN": "zh-CN", "RU": "ru", "UA": "uk", "PL": "pl", "TR": "tr", "IL": "he",
	"EG": "ar", "SA": "ar", "AE": "ar", "VN": "vi", "TH": "th", "SE": "sv",
	"NO": "no", "CZ": "cs", "HU": "hu", "RO": "ro", "GR": "el",
}

// defaultCountries is the gl for a bare language when only hl is given.
var defaultCountries = map[string]string{
	"en": "US", "id": "ID", "de": "DE", "fr": "FR", "es": "ES", "it": "IT",
	"nl": "NL", "pt": "BR", "ko": "KR", "ja": "JP", "ru": "RU", "uk": "UA",
	"pl": "PL", "tr": "TR", "he": "IL", "ar": "EG", "vi": "VN", "th": "TH",
	"sv": "SE", "no": "NO", "cs": "CZ", "hu": "HU", "ro": "RO", "el": "GR",
	"hi": "IN", "zh": "CN",
}

// canonHL writes a language tag as Google does: pt-BR, zh-Hant, es-419.
func canonHL(hl string) string {
	lang, sub, ok := strings.Cut(hl, "-")
	lang = strings.ToLower(lang)
	if !ok {
		return lang
	}
	switch len(sub) {
	case 2:
		sub = strings.ToUpper(sub)
	case 4:
		sub = strings.ToUpper(sub[:1]) + strings.ToLower(sub[1:])
	}
	return lang + "-" + sub
}

// editionLanguage is the language half of ceid for hl in country gl: the
// known exceptions, else hl without a two-letter region (en-US -> en),
// keeping a numeric region or a script (es-419, zh-Hant).
func editionLanguage(hl, gl string) string {
	hl = canonHL(hl)
	if l, ok := editionLanguages[hl]; ok {
		return l
	}
	lang, sub, hasSub := strings.Cut(hl, "-")
	if !hasSub {
		if l, ok := editionLanguages[lang+"/"+strings.ToUpper(gl)]; ok {
			return l
		}
		return lang
	}
	if len(sub) == 2 {
		return lang
	}
	return hl
}

// NewEdition checks and completes an edition. With neither hl nor gl it is
// the US English edition; with one of them the other is taken from a table
// (gl from hl's region, e.g. pt-BR -> BR); ceid, when empty, is
// gl:<edition language> with the exceptions Google uses (BR:pt-419,
// HK:zh-Hant…). A bare "en" becomes en-<GL>, as Google redirects it so.
// Only combinations Google offers give a feed; others end at
// https://news.google.com/rss/unsupported.
func NewEdition(hl, gl, ceid string) (Locale, error) {
	hl, gl, ceid = strings.TrimSpace(hl), strings.ToUpper(strings.TrimSpace(gl)), strings.TrimSpace(ceid)
	if hl == "" && gl == "" && ceid != "" {
		// The country from ceid alone ("BR:pt-419"), hl from the table.
		c, _, ok := strings.Cut(ceid, ":")
		if !ok || !validGL(c) {
			return Locale{}, fmt.Errorf("%w: ceid %q is not COUNTRY:language like ID:id or BR:pt-419", ErrEdition, ceid)
		}
		gl = strings.ToUpper(c)
	}
	if hl != "" && !validHL(hl) {
		return Locale{}, fmt.Errorf("%w: hl %q is not a language tag like id, en-US or pt-BR", ErrEdition, hl)
	}
	if gl != "" && !validGL(gl) {
		return Locale{}, fmt.Errorf("%w: gl %q is not a two-letter country code like ID or US", ErrEdition, gl)
	}
	if hl != "" {
		hl = canonHL(hl)
	}
	switch {
	case hl == "" && gl == "":
		return DefaultLocale, nil
	case gl == "":
		lang, sub, hasSub := strings.Cut(hl, "-")
		if hasSub && len(sub) == 2 {
			gl = sub
		} else if c, ok := defaultCountries[lang]; ok {
			gl = c
		} else {
			return Locale{}, fmt.Errorf("%w: no default country for hl %q; give gl too", ErrEdition, hl)
		}
	case hl == "":
		l, ok := defaultLanguages[gl]
		if !ok {
			return Locale{}, fmt.Errorf("%w: no default language for gl %q; give hl too", ErrEdition, gl)
		}
		hl = l
	}
	if hl == "en" {
		hl = "en-" + gl
	}
	if ceid == "" {
		ceid = gl + ":" + editionLanguage(hl, gl)
	} else if c, l, ok := strings.Cut(ceid, ":"); ok {
		ceid = strings.ToUpper(c) + ":" + canonHL(l)
	}
	if !validCEID(ceid) {
		return Locale{}, fmt.Errorf("%w: ceid %q is not COUNTRY:language like ID:id or BR:pt-419", ErrEdition, ceid)
	}
	return Locale{HL: hl, GL: gl, CEID: ceid}, nil
}

// query is the edition part of a feed URL's query. ceid keeps its ':' as
// Google's own links write it.
func (e Locale) query() string {
	return "hl=" + url.QueryEscape(e.HL) + "&gl=" + url.QueryEscape(e.GL) + "&ceid=" + strings.ReplaceAll(url.QueryEscape(e.CEID), "%3A", ":")
}

func (e Locale) check() error {
	if !validHL(e.HL) || !validGL(e.GL) || !validCEID(e.CEID) {
		return fmt.Errorf("%w: %+v (use NewEdition)", ErrEdition, e)
	}
	return nil
}

// TopStoriesFeed is the edition's top stories, /rss?hl=…&gl=…&ceid=….
func TopStoriesFeed(e Locale) (string, error) {
	if err := e.check(); err != nil {
		return "", err
	}
	return FeedBase + "?" + e.query(), nil
}

// MaxQueryLen bounds a search query.
const MaxQueryLen = 2048

// SearchFeed is a search, /rss/search?q=…. The query may use Google News'
// operators (when:7d, after:2024-01-31, site:, intitle:, OR, -term,
// "phrase").
func SearchFeed(q string, e Locale) (string, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", errors.New("gnews: empty search query")
	}
	if len(q) > MaxQueryLen || strings.IndexFunc(q, unicode.IsControl) >= 0 {
		return "", fmt.Errorf("gnews: search query too long or with control characters")
	}
	if err := e.check(); err != nil {
		return "", err
	}
	return FeedBase + "/search?q=" + url.QueryEscape(q) + "&" + e.query(), nil
}

// TopicFeed is a section: one of Topics by name (any case),
// /rss/headlines/section/topic/NAME, or a topic ID "CAAq…" (optionally
// "CAAq…/sections/CAQ…", or a news.google.com/topics/… web URL), which is
// /rss/topics/ID. Topic IDs are edition-specific: use the one the edition's
// web page shows.
func TopicFeed(topic string, e Locale) (string, error) {
	if err := e.check(); err != nil {
		return "", err
	}
	t := strings.TrimSpace(topic)
	for _, name := range Topics {
		if strings.EqualFold(t, name) {
			return FeedBase + "/headlines/section/topic/" + name + "?" + e.query(), nil
		}
	}
	if u, err := url.Parse(t); err == nil && u.Host != "" {
		if !strings.EqualFold(u.Hostname(), hostNews) {
			return "", fmt.Errorf("gnews: %q is not a news.google.com topic URL", topic)
		}
		_, after, ok := strings.Cut(u.Path, "/topics/")
		if !ok {
			return "", fmt.Errorf("gnews: %q is not a news.google.com topic URL", topic)
		}
		t = after
	}
	t = strings.Trim(t, "/")
	id, section, hasSection := strings.Cut(t, "/sections/")
	if d, _ := DecodeID(id); d == nil || d.Kind != KindTopic {
		return "", fmt.Errorf("gnews: topic %q is neither one of %s nor a topic ID (CAAq…)", abbrev(topic, 80), strings.Join(Topics, ", "))
	}
	path := "/topics/" + id
	if hasSection {
		if !validIDText(section) {
			return "", fmt.Errorf("gnews: topic section %q is not an ID", abbrev(section, 80))
		}
		path += "/sections/" + section
	}
	return FeedBase + path + "?" + e.query(), nil
}

// MaxPlaceLen bounds a geo place name.
const MaxPlaceLen = 200

// GeoFeed is local news for a place named in any language ("Jakarta",
// "San Francisco", "Київ"), /rss/headlines/section/geo/PLACE.
func GeoFeed(place string, e Locale) (string, error) {
	p := strings.Join(strings.Fields(place), " ")
	if p == "" {
		return "", errors.New("gnews: empty place")
	}
	if len(p) > MaxPlaceLen || strings.IndexFunc(p, unicode.IsControl) >= 0 || strings.ContainsAny(p, "/?#") {
		return "", fmt.Errorf("gnews: place %q is too long or has /, ?, # or control characters", abbrev(p, 80))
	}
	if err := e.check(); err != nil {
		return "", err
	}
	return FeedBase + "/headlines/section/geo/" + url.PathEscape(p) + "?" + e.query(), nil
}
