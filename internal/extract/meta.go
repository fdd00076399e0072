package extract

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ldInfo is what kabar reads from JSON-LD.
type ldInfo struct {
	headline, author, authorOrg, published, modified, image, site, body, description, lang, url string
}

var articleTypes = map[string]int{
	"newsarticle": 3, "reportagenewsarticle": 3, "analysisnewsarticle": 3, "opinionnewsarticle": 3,
	"backgroundnewsarticle": 3, "reviewnewsarticle": 3, "article": 2, "blogposting": 3,
	"socialmediaposting": 1, "scholarlyarticle": 2, "techarticle": 2, "report": 1,
	"liveblogposting": 2, "posting": 1, "howto": 1, "recipe": 1, "review": 1, "webpage": 0,
}

// ldScan is what a walk over a page's JSON-LD finds: the most article-like
// node, the site's name, dates from any node (for articles without), and
// nodes by @id: a graph's article names its author and publisher by
// reference ({"@id": ".../#/schema/person/..."}).
type ldScan struct {
	best                      map[string]any
	bestRank                  int
	site                      string
	anyPublished, anyModified string
	ids                       map[string]map[string]any
}

func (sc *ldScan) visit(v any, depth int) {
	if depth > 6 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			sc.visit(e, depth+1)
		}
	case map[string]any:
		sc.visitNode(t, depth)
	}
}

func (sc *ldScan) visitNode(t map[string]any, depth int) {
	if g, ok := t["@graph"]; ok {
		sc.visit(g, depth+1)
	}
	if id, ok := t["@id"].(string); ok && len(t) > 1 && sc.ids[id] == nil {
		sc.ids[id] = t
	}
	if sc.anyPublished == "" {
		sc.anyPublished = ldString(t["datePublished"])
	}
	if sc.anyModified == "" {
		sc.anyModified = ldString(t["dateModified"])
	}
	for _, typ := range ldTypes(t["@type"]) {
		sc.rank(t, strings.ToLower(typ))
	}
	if me, ok := t["mainEntity"]; ok && depth < 3 {
		sc.visit(me, depth+1)
	}
}

// rank takes the site's name from a site or organisation node, and t as
// the article when its type ranks above the best so far.
func (sc *ldScan) rank(t map[string]any, typ string) {
	if (typ == "website" || typ == "organization" || typ == "newsmediaorganization") && sc.site == "" {
		sc.site = ldString(t["name"])
	}
	r, ok := articleTypes[typ]
	if !ok || r <= sc.bestRank {
		return
	}
	if typ == "webpage" && ldString(t["headline"]) == "" && ldString(t["articleBody"]) == "" {
		return
	}
	sc.best, sc.bestRank = t, r
}

func parseJSONLD(scripts []string) ldInfo {
	sc := &ldScan{bestRank: -1, ids: map[string]map[string]any{}}
	for _, s := range scripts {
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(s, "<!--")
		s = strings.TrimSuffix(s, "-->")
		s = strings.TrimSuffix(strings.TrimSpace(s), ";")
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			continue
		}
		sc.visit(v, 0)
	}
	var li ldInfo
	li.site = sc.site
	li.published, li.modified = sc.anyPublished, sc.anyModified
	if sc.best == nil {
		return li
	}
	best, ids := sc.best, sc.ids
	li.headline = ldString(best["headline"])
	if li.headline == "" {
		li.headline = ldString(best["name"])
	}
	li.author = ldNames(resolveIDs(best["author"], ids), false)
	if li.author == "" {
		li.author = ldNames(resolveIDs(best["creator"], ids), false)
	}
	// an organisation as author is the last resort: the page's
	// byline may name the person
	li.authorOrg = ldNames(resolveIDs(best["author"], ids), true)
	if v := ldString(best["datePublished"]); v != "" {
		li.published = v
	} else if v := ldString(best["dateCreated"]); v != "" {
		li.published = v
	}
	if v := ldString(best["dateModified"]); v != "" {
		li.modified = v
	}
	li.image = ldImage(best["image"])
	if li.image == "" {
		li.image = ldImage(best["thumbnailUrl"])
	}
	if p, ok := resolveIDs(best["publisher"], ids).(map[string]any); ok {
		if n := ldString(p["name"]); n != "" {
			li.site = n
		}
	}
	li.body = ldString(best["articleBody"])
	li.description = ldString(best["description"])
	li.lang = ldString(best["inLanguage"])
	li.url = ldString(best["url"])
	return li
}

func ldTypes(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(unescape(t))
	case []any:
		if len(t) > 0 {
			return ldString(t[0])
		}
	case map[string]any:
		if s := ldString(t["@value"]); s != "" {
			return s
		}
		return ldString(t["name"])
	}
	return ""
}

// resolveIDs replaces references ({"@id": x} alone) by the nodes of the
// same @id, one level deep.
func resolveIDs(v any, ids map[string]map[string]any) any {
	switch t := v.(type) {
	case map[string]any:
		if id, ok := t["@id"].(string); ok && t["name"] == nil {
			if n := ids[id]; n != nil {
				return n
			}
		}
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = resolveIDs(e, ids)
		}
		return out
	}
	return v
}

// ldNames joins the names of the people (or, with orgs, of the
// organisations) a JSON-LD author value gives; a bare name counts as a
// person's.
func ldNames(v any, orgs bool) string {
	var names []string
	seen := map[string]bool{}
	var f func(v any, named bool)
	f = func(v any, named bool) {
		switch t := v.(type) {
		case string:
			s := strings.TrimSpace(t)
			if (named || !orgs) && s != "" && !strings.HasPrefix(s, "http") && !seen[s] {
				seen[s] = true
				names = append(names, s)
			}
		case []any:
			for _, e := range t {
				f(e, false)
			}
		case map[string]any:
			org := false
			for _, typ := range ldTypes(t["@type"]) {
				if strings.HasSuffix(strings.ToLower(typ), "organization") {
					org = true
				}
			}
			if org == orgs {
				f(t["name"], true)
			}
		}
	}
	f(v, false)
	return unescape(strings.Join(names, ", "))
}

func ldImage(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case []any:
		for _, e := range t {
			if s := ldImage(e); s != "" {
				return s
			}
		}
	case map[string]any:
		if s := ldImage(t["url"]); s != "" {
			return s
		}
		return ldImage(t["contentUrl"])
	}
	return ""
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02 15:04:05Z",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"January 2, 2006 15:04",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"02 Jan 2006",
}

// parseTime reads the many date formats found in page metadata. A time
// keeps the zone offset the page gave (so that its day is the page's day);
// times without a zone are taken as UTC. The zero time means "unknown".
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2100 {
				return time.Time{}
			}
			if _, off := t.Zone(); off == 0 {
				return t.UTC()
			}
			return t
		}
	}
	return time.Time{}
}

var reTitleSep = regexp.MustCompile(`\s+[|\-–—:·•»«›>/]\s+|\s+::\s+`)

// reDomainHead is a domain name opening a title as its site's name
// ("example.com: Headline", "Example.com - Section - Headline").
// The top-level domain is lower case: "St.Louis: ..." is no site.
var reDomainHead = regexp.MustCompile(`^(?:www\.)?[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.[a-z]{2,}\s*[:|\-–—·•»]\s+`)

// cleanTitle strips a " | Site" style suffix (or prefix) from a page title.
func cleanTitle(t, site string) string {
	t = collapse(t)
	if t == "" {
		return t
	}
	if loc := reDomainHead.FindStringIndex(t); loc != nil && wordCount(t[loc[1]:]) >= 3 {
		t = t[loc[1]:]
		// what follows the site's name may be a section's ("Site -
		// Sport - Headline")
		if l := reTitleSep.FindStringIndex(t); l != nil && wordCount(t[:l[0]]) <= 2 && wordCount(t[l[1]:]) >= 4 {
			t = t[l[1]:]
		}
	}
	locs := reTitleSep.FindAllStringIndex(t, -1)
	if len(locs) == 0 {
		return t
	}
	siteN := normWords(site)
	// a part equal to the site name goes
	last := locs[len(locs)-1]
	tail := t[last[1]:]
	head := t[:last[0]]
	first := locs[0]
	if siteN != "" {
		if normWords(tail) == siteN || strings.Contains(siteN, normWords(tail)) && normWords(tail) != "" {
			return strings.TrimSpace(head)
		}
		if normWords(t[:first[0]]) == siteN {
			return strings.TrimSpace(t[first[1]:])
		}
	}
	// otherwise drop a short tail (a site name is a few words)
	if wordCount(tail) <= 4 && wordCount(head) >= 3 {
		return strings.TrimSpace(head)
	}
	if pre := t[:first[0]]; wordCount(pre) <= 3 && wordCount(t[first[1]:]) >= 4 && len(locs) == 1 && strings.ContainsAny(t[first[0]:first[1]], "|»") {
		return strings.TrimSpace(t[first[1]:])
	}
	return t
}

func absURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	if base == nil {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

// normLang turns "en-GB", "en_US", "EN" into "en".
func normLang(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	if i := strings.IndexAny(s, ",;"); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z' {
		return s
	}
	switch s {
	case "eng", "english":
		return "en"
	case "ind", "indonesian", "bahasa":
		return "id"
	}
	return ""
}

// cp1252 holds the Windows-1252 characters of bytes 0x80-0x9F.
var cp1252 = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88,
	'‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E, '‘': 0x91, '’': 0x92, '“': 0x93,
	'”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B,
	'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// fixMojibake undoes text whose UTF-8 bytes were read once more as
// Latin-1 or Windows-1252 ("Investorâ\u0080\u0099s", "Investorâ€™s"):
// when every character maps back to one byte and those bytes are valid
// UTF-8 with some multi-byte character, they were the text. Real Latin-1
// text almost never forms valid UTF-8 that way ("SÃO" does not).
func fixMojibake(s string) string {
	multi := false
	for _, r := range s {
		if r >= 0xC2 && r <= 0xF4 {
			multi = true
			break
		}
	}
	if !multi {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x100:
			b = append(b, byte(r))
		case cp1252[r] != 0:
			b = append(b, cp1252[r])
		default:
			return s
		}
	}
	if !utf8.Valid(b) {
		return s
	}
	return string(b)
}
