package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// Pages without date metadata mostly still show a date near the headline
// ("Published August 7, 2023", "Last updated: Dec 12, 2025", "23.07.2025").
// visibleDate reads it from the blocks around the article's start.

var monthNum = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	// Indonesian, for kabar's first languages
	"januari": 1, "februari": 2, "maret": 3, "mei": 5, "juni": 6, "juli": 7, "agustus": 8,
	"oktober": 10, "desember": 12,
}

const monthRe = `(jan(?:uary|uari)?|feb(?:ruary|ruari)?|mar(?:ch|et)?|apr(?:il)?|may|mei|jun[ei]?|jul[iy]?|aug(?:ust)?|agustus|sept?(?:ember)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|des(?:ember)?)\.?`

var (
	// "August 7, 2023", "Dec 12 2025", "Mar. 27, 2024"
	reDateMDY = regexp.MustCompile(`(?i)\b` + monthRe + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:\D|$)`)
	// "7 August 2023", "09 January, 2008"
	reDateDMY = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRe + `,?\s+(\d{4})(?:\D|$)`)
	// "2023-08-07"
	reDateISO = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})(?:\b|T)`)
	// "23.07.2025" (day first), "07/23/2025" (month first, as US pages write)
	reDateDots  = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`)
	reDateSlash = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})/(\d{4})\b`)
)

// findDates returns the dates written in s (at most two: "Published ...
// Updated ...").
func findDates(s string) []time.Time {
	var out []time.Time
	for len(out) < 2 {
		d, end := findDate(s)
		if d.IsZero() {
			break
		}
		out = append(out, d)
		s = s[end:]
	}
	return out
}

// findDate returns the first date written in s and where it ends, or the
// zero time.
func findDate(s string) (time.Time, int) {
	d, _, end := findDateAt(s)
	return d, end
}

// findDateAt returns the first date written in s, where it starts and
// where it ends, or the zero time.
func findDateAt(s string) (time.Time, int, int) {
	if !strings.ContainsAny(s, "0123456789") {
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
		try(m[0], m[1], atoi(s[m[6]:m[7]]), atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]))
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
)

// shownDate is a date written on the page, with its label and the order
// of its block.
type shownDate struct {
	t     time.Time
	kind  dateKind
	order int
}

var (
	// the label nearest before a date says what the date is
	reDateLabel = regexp.MustCompile(`(?i)\b(published|posted|first published|date|updated|last updated|last modified|modified|last reviewed|reviewed|revised|` +
		`diterbitkan|dipublikasikan|diperbarui|terbit|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|gepubliceerd|bijgewerkt)\b`)
	reUpdatedLabel = regexp.MustCompile(`(?i)^(updated|last updated|last modified|modified|last reviewed|reviewed|revised|diperbarui|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt)$`)
)

// labelledDates reads the dates of one block with the label before each.
func labelledDates(s string, order int) []shownDate {
	var out []shownDate
	from := 0
	for len(out) < 2 {
		d, at, end := findDateAt(s[from:])
		if d.IsZero() {
			break
		}
		kind := dateBare
		if ls := reDateLabel.FindAllString(s[from:from+at], -1); len(ls) > 0 {
			kind = datePublished
			if reUpdatedLabel.MatchString(strings.ToLower(ls[len(ls)-1])) {
				kind = dateUpdated
			}
		}
		out = append(out, shownDate{d, kind, order})
		from += end
	}
	return out
}

// proseDate tells a block that is a sentence of prose rather than a date
// line: a date inside it ("We updated this review on March 4, 2025 to
// ...") is not the page's date.
func proseDate(s string) bool {
	return wordCount(s) > 12 && !looksLikeDate(s)
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
		if c.order > start+2 && (c.order > start+15 || len(c.text) > 80 || !reDateLabel.MatchString(c.text)) {
			// past the body's start only a short labelled line counts
			continue
		}
		if c.order < start-25 {
			break
		}
		if len(c.text) > 200 || proseDate(c.text) {
			continue
		}
		out = append(out, labelledDates(c.text, c.order)...)
	}
	return out
}

// labelledDate is, for pages that show no date by the headline, the first
// short block that labels a publication date ("Posted on ..."), else the
// first that labels any date ("Last updated: ..."), else the first date
// before the body. A labelled month without a day ("Last updated: June
// 2022") stands for the month's first day when nothing better is shown.
// explicit tells a date labelled as the publication's.
func (t *titlePage) labelledDate(start int) (d time.Time, explicit bool) {
	var first, labelled, month time.Time
	for _, c := range t.cands {
		if len(c.text) > 120 || c.links || proseDate(c.text) {
			continue
		}
		ds := labelledDates(c.text, c.order)
		if len(ds) == 0 {
			if month.IsZero() && reDateLabel.MatchString(c.text) {
				month = findMonthYear(c.text)
			}
			continue
		}
		for _, sd := range ds {
			switch {
			case sd.kind == datePublished:
				return sd.t, true
			case sd.kind == dateUpdated && labelled.IsZero():
				labelled = sd.t
			}
		}
		if first.IsZero() && c.order < start {
			first = ds[0].t
		}
	}
	switch {
	case !labelled.IsZero():
		return labelled, false
	case !first.IsZero():
		return first, false
	}
	return month, false
}

// reMonthYear is a month and year without a day: "June 2022".
var reMonthYear = regexp.MustCompile(`(?i)\b` + monthRe + `,?\s+(\d{4})\b`)

func findMonthYear(s string) time.Time {
	m := reMonthYear.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}
	}
	mon := monthNum[strings.TrimSuffix(strings.ToLower(m[1]), ".")]
	y, _ := strconv.Atoi(m[2])
	if mon == 0 || y < 1990 || y > 2100 {
		return time.Time{}
	}
	return time.Date(y, mon, 1, 0, 0, 0, 0, time.UTC)
}

// reOriginally finds a sentence that tells when the article first came
// out: "This article was originally published on 26 Sep 2019".
var reOriginally = regexp.MustCompile(`(?i)\b(originally|first) (published|posted|appeared)\b`)

// originalDate is the date an article's text says it first came out on,
// or the zero time.
func originalDate(paras []string) time.Time {
	for _, p := range paras {
		loc := reOriginally.FindStringIndex(p)
		if loc == nil {
			continue
		}
		rest := p[loc[1]:]
		if len(rest) > 80 {
			rest = rest[:80]
		}
		if d, at, _ := findDateAt(rest); !d.IsZero() && at <= 30 {
			return d
		}
	}
	return time.Time{}
}

// settleDates chooses the published time from the metadata's (already in
// a) and the dates the page shows. The date the page shows by the
// headline is the one it stands by: metadata that names another day (a
// template's default, a republishing date) yields to it. A date the page
// labels as an update does not move the publication date (it is the
// update), nor does a day that the metadata's timestamp falls on in some
// time zone. A sentence telling when the article was first published
// stands above metadata and unlabelled dates.
func (t *titlePage) settleDates(a *model.Article) {
	if len(a.Paragraphs) == 0 {
		return
	}
	start := t.start(a.Paragraphs[0])
	shown := t.visibleDates(start)
	explicit := false
	firstOf := func(ok func(shownDate) bool) (shownDate, bool) {
		for _, d := range shown {
			if ok(d) {
				return d, true
			}
		}
		return shownDate{}, false
	}
	notUpdate := func(d shownDate) bool { return d.kind != dateUpdated }
	switch {
	case len(shown) == 0:
		if a.Published.IsZero() {
			a.Published, explicit = t.labelledDate(start)
		}
	case a.Published.IsZero():
		d, ok := firstOf(notUpdate)
		if !ok {
			d = shown[0]
		}
		a.Published, explicit = d.t, d.kind == datePublished
	default:
		for _, d := range shown {
			if sameDay(d.t, a.Published) || sameDay(d.t, a.Modified) || zoneDay(d.t, a.Published) {
				return
			}
		}
		if d, ok := firstOf(notUpdate); ok {
			a.Published, explicit = d.t, d.kind == datePublished
		}
	}
	if !explicit {
		if d := originalDate(a.Paragraphs); !d.IsZero() && (a.Published.IsZero() || d.Before(a.Published)) {
			a.Published = d
		}
	}
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

func anyDay(ds []time.Time, t time.Time) bool {
	for _, d := range ds {
		if sameDay(d, t) {
			return true
		}
	}
	return false
}
