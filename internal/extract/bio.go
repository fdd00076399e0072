package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An author's box closes many posts: a line with the name ("Written by
// Jane Doe", "Jane Doe, Staff Writer"), a biography that starts with the
// name or the first name ("Jane is a finance writer…"), and a sentence or
// two more about the writer ("Her work has appeared in…"). It is about
// the writer, not the story, and may stand before a disclaimer or a call
// to comment, so it is looked for among the last paragraphs, not only in
// the last one.

// authorBoxReach is how many of the last paragraphs may open the box; a
// biography by the first name alone must be among the last two, as a
// story about someone who shares the writer's first name could end with
// a sentence about them.
const authorBoxReach = 4

var (
	reAboutAuthor  = regexp.MustCompile(`(?i)^(about the (author|writer)|meet the (author|writer)|written by|author)\s*[:\-–—]?\s*`)
	reAboutHeading = regexp.MustCompile(`(?i)^(about the (author|writer)|meet the (author|writer))\s*:?\s*$`)
	reBioMore      = regexp.MustCompile(`^(He|She|They|His|Her|Their)\s`)
)

// authorBox is the span [from, to) of the author's box among the last
// paragraphs, or from == -1. The paragraphs before it must be more than
// three.
func authorBox(paras []string, author string) (from, to int) {
	n := len(paras)
	if n <= 3 || author == "" {
		return -1, -1
	}
	for i := max(n-authorBoxReach, 3); i < n; i++ {
		if !bioOf(paras[i], author, i >= n-2) {
			continue
		}
		from, to = i, i+1
		if i > 3 && boxHeader(paras[i-1], author) {
			from = i - 1
		}
		for to < n && len(paras[to]) <= 400 && reBioMore.MatchString(paras[to]) {
			to++
		}
		// the box closes the post: a disclaimer or a call to comment may
		// follow, not a section ("Sources", a guest's byline over more
		// of the site's text)
		if to < n-1 || to == n-1 && len(paras[to]) > boxAfter {
			continue
		}
		return from, to
	}
	return -1, -1
}

// boxAfter is the longest paragraph that may follow an author's box.
const boxAfter = 250

// bioOf tells whether p is a biography of the author, one of several
// authors will do: it starts with the full name, or with the first name
// when firstName is set, after an "About the author:" label, and goes on
// like a biography.
func bioOf(p, author string, firstName bool) bool {
	if len(p) > 700 {
		return false
	}
	p = strings.TrimPrefix(p, reAboutAuthor.FindString(p))
	for _, name := range strings.Split(author, ",") {
		name = strings.TrimSpace(name)
		if strings.Count(name, " ") == 0 {
			// a site that signs with a first name ("Marta") has its
			// biography start with it
			if firstName && personalName(name) && strings.HasPrefix(p, name) && reBioVerb.MatchString(p[len(name):]) {
				return true
			}
			continue
		}
		if strings.HasPrefix(p, name) && reBioVerb.MatchString(p[len(name):]) {
			return true
		}
		if first := name[:strings.IndexByte(name, ' ')]; firstName && personalName(first) && strings.HasPrefix(p, first) && reBioVerb.MatchString(p[len(first):]) {
			return true
		}
	}
	return false
}

// personalName tells a first name: capitalised, two letters or more, no
// title ("Dr", "Mr.").
func personalName(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || utf8.RuneCountInString(w) < 2 || strings.HasSuffix(w, ".") {
		return false
	}
	switch strings.ToLower(w) {
	case "dr", "mr", "mrs", "ms", "prof", "sir", "the":
		return false
	}
	return true
}

// boxHeader tells the line over a biography: "About the author", or a
// short line naming the author ("Written by Jane Doe", "Jane Doe, Staff
// Writer").
func boxHeader(p, author string) bool {
	if reAboutHeading.MatchString(p) {
		return true
	}
	if wordCount(p) > 12 || sentenceEnd(p) {
		return false
	}
	for _, name := range strings.Split(author, ",") {
		if name = strings.TrimSpace(name); strings.Count(name, " ") > 0 && strings.Contains(p, name) {
			return true
		}
	}
	return false
}

// reBoxWriter is a line that names the writer and nothing else.
var reBoxWriter = regexp.MustCompile(`^(?:Written by|About the author:?)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’.-]*){1,3})$`)

// boxAuthor is the writer an author's box names when nothing else did:
// "Written by Jane Doe" over "Jane Doe is …" (or "Jane is …") among the
// last paragraphs.
func boxAuthor(paras []string) string {
	n := len(paras)
	for i := max(n-authorBoxReach-1, 3); i+1 < n; i++ {
		m := reBoxWriter.FindStringSubmatch(paras[i])
		if m == nil {
			continue
		}
		if bioOf(paras[i+1], m[1], true) {
			return m[1]
		}
	}
	return ""
}

// nameBox is where an author's box that opens with a line holding only
// a writer's name starts among the last paragraphs ("Jane Doe" over
// "Senior Editor" and a biography that need not name her again), or -1.
// Every line after it is short, at most three a writer (name, role,
// biography), and more than three paragraphs stand before it.
func nameBox(paras []string, author string) int {
	names := 0
	for _, name := range strings.Split(author, ",") {
		if strings.Count(strings.TrimSpace(name), " ") > 0 {
			names++
		}
	}
	n := len(paras)
	if names == 0 || n <= 4 {
		return -1
	}
	for i := max(n-3*names, 4); i < n-1; i++ {
		if !writerLine(paras[i], author) {
			continue
		}
		chars := 0
		for _, p := range paras[i+1:] {
			chars += len(p)
		}
		if chars <= nameBoxChars*names {
			return i
		}
		return -1
	}
	return -1
}

// nameBoxChars is the most text an author's box may hold after the name
// line, for each writer.
const nameBoxChars = 700

// writerLine tells a line that is one of the writers' full names and
// nothing else.
func writerLine(p, author string) bool {
	p = strings.TrimSpace(p)
	for _, name := range strings.Split(author, ",") {
		if name = strings.TrimSpace(name); strings.Count(name, " ") > 0 && p == name {
			return true
		}
	}
	return false
}

// aboutBox is where a box under an "About the author" heading starts
// among the last paragraphs, or -1: the heading and at most three short
// paragraphs after it (none when the biography went already) close the
// post, whoever they name.
func aboutBox(paras []string) int {
	n := len(paras)
	for i := max(n-4, 3); i < n; i++ {
		if !reAboutHeading.MatchString(paras[i]) {
			continue
		}
		chars := 0
		for _, p := range paras[i+1:] {
			chars += len(p)
		}
		if chars <= aboutBoxChars {
			return i
		}
	}
	return -1
}

// aboutBoxChars is the most text an "About the author" box may hold under
// its heading.
const aboutBoxChars = 1000
