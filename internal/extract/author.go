package extract

import (
	"regexp"
	"strings"
	"unicode"
)

// Authors come from JSON-LD and meta tags when they name a person, else
// from what the page shows: a rel=author link, an element named like a
// byline, or a "By ..." line by the headline.

var (
	reBylineLabel = regexp.MustCompile(`(?i)^\s*((this|the) (post|article|story|piece|guide) (was |is )?(written|posted|reported|authored) by|written by|posted by|published by|words by|story by|reported by|text by|article by|authored by|by|author|authors|written|writer|posted)\b\s*:?\s*`)
	// what ends a name in a byline
	// reDayOrMonth is what stands before a date's first digit: nothing,
	// or a weekday's and a month's names
	reDayOrMonth = regexp.MustCompile(`(?i)^[\s\p{P}]*((mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)?((jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?)?\s*$`)
	reLabelLast  = regexp.MustCompile(`(?i)\b(by|author|written|posted)\s*:?$`)
	reBylineEnd  = regexp.MustCompile(`(?i)\s+[|·•⋅●∙—–]\s*|\s+-\s+|\s+(on|updated|published|posted|last updated|reviewed|fact checked|edited)\b|\s*\b\d{1,2}\s*(min|minute)s?\b|\s*\(|\n`)
)

// bylineName cuts a byline ("By Jane Doe | Updated March 3, 2025") down to
// the name(s); "" when what is left does not look like names.
func bylineName(s string) string {
	s = decodeLeftover(collapse(s))
	s = reBylineLabel.ReplaceAllString(s, "")
	// a date line that goes on with the name ("Dec. 19, 2025 · Jane
	// Doe"): the name is what follows the date
	if d, end := findDate(s); !d.IsZero() && end > 0 && end < len(s) {
		if i := strings.IndexFunc(s, unicode.IsDigit); i >= 0 && reDayOrMonth.MatchString(s[:i]) {
			s = strings.TrimLeftFunc(s[end:], func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '·' || r == '|' })
			s = reBylineLabel.ReplaceAllString(s, "")
		}
	}
	if loc := reBylineEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	// a date after the name goes from where it starts, its month's name
	// with it ("Jane Doe Dec 18, 2025")
	if d, at, _ := findDateAt(s, false); !d.IsZero() {
		if i := strings.IndexFunc(s, unicode.IsDigit); i >= 0 {
			s = reWeekdayTail.ReplaceAllString(s[:min(i, at)], "")
		}
	}
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '.' })
	// a month's name left of a date, or a label whose name stands in
	// another element ("Jun 2 Written By"), names nobody
	if reDayOrMonth.MatchString(s) || reLabelLast.MatchString(s) || reLoneDateLabel.MatchString(s) {
		return ""
	}
	if reOrgName.MatchString(s) {
		return ""
	}
	if namesLike(s) && !hasRole(s) {
		return s
	}
	if n := namesOfByline(s); n != "" {
		return n
	}
	if namesLike(s) && (len(strings.Fields(s)) < 2 || !roleOnly(s)) {
		return s // a desk's name ("Podium Staff") is the author it gives
	}
	return ""
}

var (
	// a weekday before a date ("Jane Doe, Friday, Dec 5, 2008")
	reWeekdayTail = regexp.MustCompile(`(?i)[\s,]+(mon|tues|wednes|thurs|fri|satur|sun)day[\s,]*$`)
	// a date's label left alone ("Published: January 5, 2008")
	reLoneDateLabel = regexp.MustCompile(`(?i)^(published|updated|posted|last updated|date|modified)$`)
)

// reOrgName is a company's name, which a byline or an author link gives
// for want of a person.
var reOrgName = regexp.MustCompile(`(?i)\b(ltd|inc|llc|gmbh|limited|plc|corp|pty)\.?$`)

var (
	// what parts a byline's names: "A, B and C", "A & B", "A; B"
	reNameSep = regexp.MustCompile(`(?i)\s*[,;&]\s*(?:and\s+)?|\s+and\s+`)
	// a role, an outlet or a place after a name: "Political Editor",
	// "in Warsaw", "for Reuters", "@handle"
	reRoleWord = regexp.MustCompile(`(?i)\b(reporter|editor|correspondent|writer|columnist|contributor|producer|analyst|presenter|journalist|staff|chief|bureau|desk|intern|critic|photographer|anchor|host|commentator|economist|reviewer|researcher|manager|director|founder|co-founder|ceo|cto|head|lead|specialist|expert|strategist|officer|president|professor|student|fellow|team|newsroom|agencies)\b`)
	reRoleTail = regexp.MustCompile(`(?i)\s+(in|for|at|from|with)\s+\p{Lu}.*$|\s+@\S.*$`)
)

func hasRole(s string) bool { return reRoleWord.MatchString(s) || reRoleTail.MatchString(s) }

// namesOfByline keeps the names of a byline that also gives roles or
// several people ("Alix Culbertson, political reporter", "Jane Doe and
// John Roe in Kyiv", "Sam Lee Political Editor"), joined by ", "; "" when
// no part reads like a name.
func namesOfByline(s string) string {
	var names []string
	parts := reNameSep.Split(s, -1)
	roles := 0
	for _, part := range parts {
		if reRoleWord.MatchString(part) {
			roles++
		}
	}
	for i, part := range parts {
		if i > 0 && len(names) == 0 {
			break // names come first
		}
		whole := strings.TrimSpace(part)
		part = reRoleTail.ReplaceAllString(whole, "")
		if part != whole && len(strings.Fields(part)) < 2 {
			continue // "Human in the Loop" is no "Human" in a place
		}
		if loc := reRoleWord.FindStringIndex(part); loc != nil {
			if roles == 1 && len(names) > 0 {
				// "A, Head of Marketing and Community": the rest is
				// the role's
				break
			}
			// the name ends where the role's words start: drop the
			// capitalised or lower-case words that qualify the role
			f := strings.Fields(part[:loc[0]])
			for len(f) > 0 && roleModifier(f[len(f)-1]) {
				f = f[:len(f)-1]
			}
			if len(f) < 2 {
				continue // a role alone ("Political Editor")
			}
			part = strings.Join(f, " ")
		}
		part = strings.TrimFunc(part, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '.' })
		if part == "" || len(strings.Fields(part)) > 4 || !namesLike(part) {
			continue
		}
		names = append(names, part)
	}
	return strings.Join(names, ", ")
}

// roleOnly tells a role without a name ("Political Editor").
func roleOnly(s string) bool {
	for _, w := range strings.Fields(s) {
		if !roleModifier(w) && !reRoleWord.MatchString(w) {
			return false
		}
	}
	return true
}

// roleModifier tells a word that qualifies a role: any lower-case word and
// the usual capitalised desks and ranks.
func roleModifier(w string) bool {
	r := []rune(w)
	if len(r) == 0 || unicode.IsLower(r[0]) {
		return true
	}
	switch strings.ToLower(strings.Trim(w, ",.")) {
	case "senior", "junior", "deputy", "associate", "assistant", "executive", "managing", "contributing", "special", "political", "politics", "news", "business", "economics", "economy", "health", "science", "technology", "tech", "home", "foreign", "world", "international", "security", "defence", "defense", "sports", "sport", "entertainment", "arts", "culture", "digital", "data", "investigations", "investigative", "royal", "legal", "crime", "education", "environment", "climate", "media", "social", "finance", "markets", "money", "travel", "food", "lifestyle", "fashion", "opinion", "europe", "us", "uk", "africa", "asia", "middle", "east", "washington", "china", "diplomatic", "general", "staff", "freelance", "guest", "features", "feature", "breaking", "global", "national", "regional", "local", "state", "city", "video", "audio", "photo", "social-media", "content", "marketing", "product", "engineering", "community":
		return true
	}
	return false
}

// namesLike tells one or a few names: short, no sentence, no URL, most
// words capitalised.
func namesLike(s string) bool {
	if s == "" || len(s) > 100 || strings.Contains(s, "://") || strings.HasPrefix(s, "@") {
		return false
	}
	f := strings.Fields(s)
	if len(f) > 12 {
		return false
	}
	upper, lower := 0, 0
	for _, w := range f {
		r := []rune(w)
		switch {
		case unicode.IsUpper(r[0]):
			upper++
		case unicode.IsLower(r[0]):
			if lw := strings.ToLower(w); lw != "and" && !nameParticle(lw) {
				lower++
			}
		}
	}
	if len(f) == 1 {
		return len(r0(s)) >= 2 // a single handle or first name
	}
	return upper > 0 && lower <= 1
}

func r0(s string) []rune { return []rune(s) }

// personLike rejects metadata authors that are not people: URLs, handles,
// numbers, the site's own name.
func personLike(s, site string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "://") || strings.HasPrefix(s, "@") || strings.Contains(s, ".") && !strings.Contains(s, " ") {
		return false
	}
	if site != "" && normWords(s) == normWords(site) {
		return false
	}
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits*2 < len(s)
}

// visibleByline finds a "By ..." line among the blocks around the body's
// start.
func (t *titlePage) visibleByline(start int) string {
	if start < 0 {
		return ""
	}
	for _, c := range t.cands {
		if c.order < start-25 || c.order > start+2 || len(c.text) > 200 {
			continue
		}
		if reByline.MatchString(c.text) || reBylineLabel.MatchString(c.text) && strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.text)), "by") {
			if n := bylineName(c.text); n != "" {
				return n
			}
		}
	}
	return ""
}

// reNotPersonWord is a word that names a business or publication, not a
// person ("Daily Planet", "Acme Labs").
var reNotPersonWord = regexp.MustCompile(`(?i)^(news|times|post|daily|weekly|media|press|group|team|staff|blog|journal|magazine|network|herald|tribune|gazette|guide|guides|review|today|digital|studio|studios|labs?|llc|inc|ltd|co|company|agency|online|tv|radio|report|insider|world|global|official|association|university|college|institute|school|academy|foundation|society|council|club|center|centre|shop|store|services|solutions|systems|consulting|partners|the|of|and|&)$`)

// fullName tells a person's full name: two to five capitalised words of
// letters ("Jane Doe", "Mary-Kate O'Neill", "Marna van der Merwe"), none of them a word that
// names a business or a publication. A personal site is named after its
// writer, so a site name of this shape is a person's.
func fullName(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 5 {
		return false
	}
	for i, w := range f {
		if i > 0 && i < len(f)-1 && nameParticle(w) {
			continue
		}
		r := []rune(w)
		if len(r) < 2 || !unicode.IsUpper(r[0]) || reNotPersonWord.MatchString(w) {
			return false
		}
		for _, c := range r[1:] {
			if !unicode.IsLetter(c) && c != '-' && c != '\'' && c != '’' {
				return false
			}
		}
	}
	return true
}

// stripHonorific drops a title before a name ("Dr Jane Doe").
func stripHonorific(s string) string {
	s = strings.TrimSpace(s)
	for _, h := range []string{"Dr. ", "Dr ", "Prof. ", "Prof ", "Mr ", "Mr. ", "Mrs ", "Mrs. ", "Ms ", "Ms. "} {
		if strings.HasPrefix(s, h) {
			return strings.TrimSpace(s[len(h):])
		}
	}
	return s
}

// nameParticle tells the small words inside surnames ("van der Merwe",
// "bin Salman").
func nameParticle(w string) bool {
	switch w {
	case "van", "von", "der", "de", "da", "di", "la", "le", "bin", "al", "del", "den", "du":
		return true
	}
	return false
}
