package extract

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// Pages without date metadata mostly still show a date near the headline
// ("Published August 7, 2023", "Last updated: Dec 12, 2025", "23.07.2025").
// visibleDate reads it from the blocks around the article's start.

// monthNames are the month names (and the usual abbreviations) that dates
// are read in: English, Indonesian (kabar's first languages), German,
// Dutch, French, Spanish, Italian and Portuguese.
var monthNames = [12][]string{
	{"jan", "january", "januari", "januar", "janvier", "janv", "enero", "gennaio", "janeiro"},
	{"feb", "february", "februari", "februar", "février", "févr", "febrero", "febbraio", "fevereiro"},
	{"mar", "march", "maret", "märz", "maart", "mrt", "mars", "marzo", "março"},
	{"apr", "april", "avril", "avr", "abril", "aprile"},
	{"may", "mei", "mai", "mayo", "maggio", "maio"},
	{"jun", "june", "juni", "juin", "junio", "giugno", "junho"},
	{"jul", "july", "juli", "juillet", "juil", "julio", "luglio", "julho"},
	{"aug", "august", "agustus", "augustus", "août", "agosto"},
	{"sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"},
	{"oct", "october", "okt", "oktober", "octobre", "octubre", "ottobre", "outubro"},
	{"nov", "november", "novembre", "noviembre", "novembro"},
	{"dec", "december", "des", "desember", "dez", "dezember", "décembre", "déc", "diciembre", "dicembre", "dezembro"},
}

var monthNum = func() map[string]time.Month {
	m := map[string]time.Month{}
	for i, names := range monthNames {
		for _, n := range names {
			m[n] = time.Month(i + 1)
		}
	}
	return m
}()

// monthRe matches any of monthNames, longest first, with an optional dot.
var monthRe = func() string {
	var all []string
	for _, names := range monthNames {
		all = append(all, names...)
	}
	sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	for i, n := range all {
		all[i] = regexp.QuoteMeta(n)
	}
	return `(` + strings.Join(all, "|") + `)\.?`
}()

var (
	// "August 7, 2023", "Dec 12 2025", "Mar. 27, 2024"
	reDateMDY = regexp.MustCompile(`(?i)\b` + monthRe + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:\D|$)`)
	// "7 August 2023", "09 January, 2008", "13. März 2024", "13 de marzo
	// de 2024", "1er mars 2024"
	reDateDMY = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s+(?:of\s+|de\s+)?` + monthRe + `,?\s+(?:de\s+)?(\d{4})(?:\D|$)`)
	// "2023-08-07"
	reDateISO = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})(?:\b|T)`)
	// "23.07.2025" (day first), "07/23/2025" or "23/07/2025" (see findDateAt)
	reDateDots  = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`)
	reDateSlash = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})/(\d{4})\b`)
)

// findDate returns the first date written in s and where it ends, or the
// zero time.
func findDate(s string) (time.Time, int) {
	d, _, end := findDateAt(s, false)
	return d, end
}

// hasYear tells whether s holds a four-digit number from 1990 to 2100,
// which every date form read here has (the regular expressions are far
// slower than this look).
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		if run == 4 && yearAt(s[i-4:i]) {
			return true
		}
		run = 0
	}
	return run == 4 && yearAt(s[len(s)-4:])
}

func yearAt(y string) bool {
	return y >= "1990" && y <= "2100"
}

// findDateAt returns the first date written in s, where it starts and
// where it ends, or the zero time. dayFirst reads "08/01/2008" as 8
// January (as most of the world writes), else as August 1 (as the US
// does); a date that is only valid one way is read that way.
func findDateAt(s string, dayFirst bool) (time.Time, int, int) {
	if !hasYear(s) {
		return time.Time{}, 0, 0
	}
	type hit struct {
		at, end int
		t       time.Time
	}
	var best hit
	best.at = -1
	try := func(at, end int, y, m, d int) {
		if m < 1 || m > 12 || d < 1 || d > 31 || y < 1990 || y > 2100 {
			return
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d {
			return
		}
		if best.at < 0 || at < best.at {
			best = hit{at, end, t}
		}
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	month := func(s string) int {
		return int(monthNum[strings.TrimSuffix(strings.ToLower(s), ".")])
	}
	if m := reDateMDY.FindStringSubmatchIndex(s); m != nil {
		try(m[0], m[1], atoi(s[m[6]:m[7]]), month(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]))
	}
	if m := reDateDMY.FindStringSubmatchIndex(s); m != nil {
		try(m[0], m[1], atoi(s[m[6]:m[7]]), month(s[m[4]:m[5]]), atoi(s[m[2]:m[3]]))
	}
	if m := reDateISO.FindStringSubmatchIndex(s); m != nil {
		try(m[0], m[1], atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]]))
	}
	if m := reDateDots.FindStringSubmatchIndex(s); m != nil {
		try(m[0], m[1], atoi(s[m[6]:m[7]]), atoi(s[m[4]:m[5]]), atoi(s[m[2]:m[3]]))
	}
	if m := reDateSlash.FindStringSubmatchIndex(s); m != nil {
		a, b := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]])
		if dayFirst {
			a, b = b, a
		}
		// the first valid reading at a place stands
		try(m[0], m[1], atoi(s[m[6]:m[7]]), a, b)
		try(m[0], m[1], atoi(s[m[6]:m[7]]), b, a)
	}
	if best.at < 0 {
		return time.Time{}, 0, 0
	}
	return best.t, best.at, best.end
}

// dateKind tells what a visible date is labelled as.
type dateKind int

const (
	dateBare      dateKind = iota // no label: "16 December 2025"
	datePublished                 // "Published ...", "Posted on ..."
	dateUpdated                   // "Updated ...", "Last modified ..."
	dateNamed                     // "Date: ...", which may be an event's
)

// shownDate is a date written on the page, with its label and the order
// of its block.
type shownDate struct {
	t     time.Time
	kind  dateKind
	order int
}

var (
	// the label nearest before a date says what the date is (bounded by
	// non-letters: \b knows ASCII letters only)
	reDateLabel = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(published|posted|first published|date|updated|last updated|last modified|modified|last reviewed|reviewed|revised|` +
		`diterbitkan|dipublikasikan|diperbarui|terbit|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|gepubliceerd|bijgewerkt)(?:[^\p{L}]|$)`)
	reUpdatedLabel = regexp.MustCompile(`(?i)^(updated|last updated|last modified|modified|last reviewed|reviewed|revised|diperbarui|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt)$`)
)

// labelledDates reads the dates of one block with the label before each.
func labelledDates(s string, order int, dayFirst bool) []shownDate {
	var out []shownDate
	from := 0
	for len(out) < 2 {
		d, at, end := findDateAt(s[from:], dayFirst)
		if d.IsZero() {
			break
		}
		out = append(out, shownDate{d, labelKind(s[from : from+at]), order})
		from += end
	}
	return out
}

// labelKind is what the last date label in the text before a date makes
// of it.
func labelKind(before string) dateKind {
	ls := reDateLabel.FindAllStringSubmatch(before, -1)
	if len(ls) == 0 {
		return dateBare
	}
	switch l := ls[len(ls)-1][1]; {
	case reUpdatedLabel.MatchString(l):
		return dateUpdated
	case strings.EqualFold(l, "date"):
		return dateNamed
	}
	return datePublished
}

// proseDate tells a block that is a sentence of prose rather than a date
// line: a date inside it ("Editor's note: we updated this review on March
// 4, 2025 to ...") is not the page's date. A line that opens with a
// byline or a date label ("Posted by ... on ...") is no prose.
func proseDate(s string) bool {
	if wordCount(s) <= 12 || !sentenceEnd(s) || looksLikeDate(s) || reBylineLabel.MatchString(s) {
		return false
	}
	loc := reDateLabel.FindStringSubmatchIndex(s)
	return loc == nil || loc[2] > 0
}

// visibleDates are the dates written in the short blocks around the
// body's start (bylines, datelines), nearest first.
func (t *titlePage) visibleDates(start int) []shownDate {
	if start < 0 {
		return nil
	}
	var out []shownDate
	for i := len(t.cands) - 1; i >= 0 && len(out) < 4; i-- {
		c := t.cands[i]
		if c.order < start-25 {
			break
		}
		if c.order > start+15 || len(c.text) > 200 || !hasYear(c.text) {
			continue
		}
		if c.order > start+2 && (len(c.text) > 80 || !reDateLabel.MatchString(c.text)) {
			// past the body's start only a short labelled line counts
			continue
		}
		if proseDate(c.text) {
			continue
		}
		out = append(out, labelledDates(c.text, c.order, t.dayFirst)...)
	}
	return out
}

// labelledDate is, for pages that show no date by the headline, the first
// short block that labels a publication date ("Posted on ..."), else the
// first that labels any date ("Last updated: ..."), else the first date
// before the body. A labelled month without a day ("Last updated: June
// 2022") stands for the month's first day.
// explicit tells a date labelled as the publication's. Blocks before
// from are not read.
func (t *titlePage) labelledDate(start, from int) (d time.Time, explicit bool) {
	var first, labelled time.Time
	for _, c := range t.cands {
		if c.order < from || len(c.text) > 120 || c.links || !hasYear(c.text) || proseDate(c.text) {
			continue
		}
		ds := labelledDates(c.text, c.order, t.dayFirst)
		if len(ds) == 0 {
			// a labelled month: "Last updated: June 2022"
			m, at := findMonthYear(c.text)
			if m.IsZero() || labelKind(c.text[:at]) == dateBare {
				continue
			}
			// a month is too coarse to state the publication
			ds = []shownDate{{m, dateNamed, c.order}}
		}
		for _, sd := range ds {
			switch {
			case sd.kind == datePublished:
				return sd.t, true
			case sd.kind != dateBare && labelled.IsZero():
				labelled = sd.t
			}
		}
		if first.IsZero() && c.order < start {
			first = ds[0].t
		}
	}
	if !labelled.IsZero() {
		return labelled, false
	}
	return first, false
}

// reMonthYear is a month and year without a day: "June 2022".
var reMonthYear = regexp.MustCompile(`(?i)\b` + monthRe + `,?\s+(\d{4})\b`)

// findMonthYear returns the first day of the first month-and-year written
// in s and where it starts, or the zero time.
func findMonthYear(s string) (time.Time, int) {
	m := reMonthYear.FindStringSubmatchIndex(s)
	if m == nil {
		return time.Time{}, 0
	}
	mon := monthNum[strings.TrimSuffix(strings.ToLower(s[m[2]:m[3]]), ".")]
	y, _ := strconv.Atoi(s[m[4]:m[5]])
	if mon == 0 || y < 1990 || y > 2100 {
		return time.Time{}, 0
	}
	return time.Date(y, mon, 1, 0, 0, 0, 0, time.UTC), m[0]
}

// reOriginally finds a sentence that tells when the article first came
// out: "This article was originally published on 26 Sep 2019".
var reOriginally = regexp.MustCompile(`(?i)\b(originally|first) (published|posted|appeared)\b`)

// originalDate is the date an article's text says it first came out on,
// or the zero time.
func originalDate(paras []string, dayFirst bool) time.Time {
	for _, p := range paras {
		if !strings.Contains(p, "riginally ") && !strings.Contains(p, "irst p") && !strings.Contains(p, "irst a") &&
			!strings.Contains(p, "RIGINALLY ") && !strings.Contains(p, "IRST ") {
			continue // (the regular expression is slower)
		}
		loc := reOriginally.FindStringIndex(p)
		if loc == nil {
			continue
		}
		rest := p[loc[1]:]
		if len(rest) > 80 {
			rest = rest[:80]
		}
		if d, at, _ := findDateAt(rest, dayFirst); !d.IsZero() && at <= 30 {
			return d
		}
	}
	return time.Time{}
}

// settleDates chooses the published time from the metadata's (already in
// a) and the dates the page shows by its headline and byline.
//
//   - A shown date on the metadata's day confirms it.
//   - Metadata that names another day yields to a shown date: a template's
//     default, a republishing date, or the record's creation date on a page
//     that presents itself as of its last update ("Updated March 5, 2025"
//     and no publication date in sight).
//   - Except for a publication time the page states in its Open Graph tags
//     (article:published_time, stated): that one yields only to a shown
//     date that is not an update, and stands next to a shown update of its
//     own modification time.
//   - A shown day that the metadata's timestamp falls on in some time zone
//     is the same moment: the timestamp stays, in the page's zone.
//   - A sentence telling when the article was first published stands above
//     metadata and unlabelled dates.
func (t *titlePage) settleDates(a *model.Article, zone *time.Location, stated bool) {
	if len(a.Paragraphs) == 0 {
		return
	}
	start := t.start(a.Paragraphs[0])
	shown := t.visibleDates(start)
	explicit := false
	pick := func() shownDate { // the first shown date not an update, else the first
		for _, d := range shown {
			if d.kind != dateUpdated {
				return d
			}
		}
		return shown[0]
	}
	switch {
	case len(shown) == 0:
		if a.Published.IsZero() {
			a.Published, explicit = t.labelledDate(start, 0)
		} else if d, ok := t.labelledDate(start, start-25); ok && !sameDay(d, a.Published) {
			// no date by the headline, but a line stating the
			// publication date elsewhere in the article
			a.Published, explicit = d, true
		}
	case a.Published.IsZero():
		d := pick()
		a.Published, explicit = d.t, d.kind == datePublished
	default:
		for _, d := range shown {
			if sameDay(d.t, a.Published) {
				return
			}
		}
		for _, d := range shown {
			if zoneDay(d.t, a.Published) {
				if zone != nil && sameDay(d.t, a.Published.In(zone)) {
					a.Published = a.Published.In(zone)
				}
				return
			}
		}
		d := pick()
		if stated && (d.kind == dateUpdated || anyShownDay(shown, a.Modified)) {
			break
		}
		a.Published, explicit = d.t, d.kind == datePublished
	}
	if !explicit {
		if d := originalDate(a.Paragraphs, t.dayFirst); !d.IsZero() && (a.Published.IsZero() || d.Before(a.Published)) {
			a.Published = d
		}
	}
}

func anyShownDay(ds []shownDate, t time.Time) bool {
	for _, d := range ds {
		if sameDay(d.t, t) {
			return true
		}
	}
	return false
}

// pageZone is the time zone the page writes its timestamps in (the first
// one with an offset), nil when it gives none.
func pageZone(info *pageInfo, ld ldInfo) *time.Location {
	try := func(v string) *time.Location {
		if t := parseTime(v); !t.IsZero() {
			if _, off := t.Zone(); off != 0 {
				return time.FixedZone("", off)
			}
		}
		return nil
	}
	for _, v := range []string{ld.published, ld.modified, info.metas["article:published_time"], info.metas["article:modified_time"]} {
		if z := try(v); z != nil {
			return z
		}
	}
	for i, v := range info.times {
		if i >= 10 {
			break
		}
		if z := try(v); z != nil {
			return z
		}
	}
	return nil
}

// zoneDay reports whether the instant t (with a time of day) falls on the
// calendar day d in some time zone (UTC-12 to UTC+14): a page that shows
// its local day next to a UTC timestamp.
func zoneDay(d, t time.Time) bool {
	if d.IsZero() || t.IsZero() {
		return false
	}
	if h, m, s := t.Clock(); h == 0 && m == 0 && s == 0 {
		return false // a day, not an instant
	}
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	u := t.UTC()
	return !u.Before(day.Add(-14*time.Hour)) && u.Before(day.Add(36*time.Hour))
}

// sameDay reports whether b falls on a's calendar day (a is a date read
// from the page's text; b keeps the page's own zone).
func sameDay(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return false
	}
	return a.Format("2006-01-02") == b.Format("2006-01-02")
}

// dayFirstLocale tells whether a page writes numeric dates day first: all
// but US English pages do. The page's language tag ("en-US", "en-GB",
// "id") decides, else its host's country domain; a .com page in plain
// English is taken as American.
func dayFirstLocale(host string, langs ...string) bool {
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" {
			continue
		}
		lang, region, _ := strings.Cut(strings.ReplaceAll(l, "_", "-"), "-")
		switch {
		case lang != "en":
			return true
		case region != "":
			return region != "us"
		}
	}
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		switch tld := host[i+1:]; {
		case tld == "us":
			return false
		case len(tld) == 2:
			return true
		}
	}
	return false
}
