// Package blog reads the exports of the blog platforms people move from —
// Blogger (the classic Atom export and the 2020 one) and WordPress (WXR) —
// into one shape the importer stores: published posts and pages with their
// old addresses, labels and threaded comments, and a count of everything
// left out and why.
//
// Nothing here is trusted: titles, bodies and comments are whatever the
// export holds. Text(), Paragraphs() and the importer's sanitizing make
// them safe; this package only reads.
package blog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"
)

// Formats.
const (
	Blogger   = "blogger"
	WordPress = "wordpress"
)

// Export is what an export file holds that kabar keeps.
type Export struct {
	Format  string // Blogger or WordPress
	Dialect string // "classic" or "2020" for Blogger; "wxr" for WordPress
	Title   string
	URL     string // the blog's old address, when the export says
	Posts   []Entry
	Pages   []Entry
	// Skipped counts what was left out, by reason ("draft", "template",
	// "settings", "trashed", "spam comment", "attachment"…).
	Skipped map[string]int
}

// Entry is a published post or page.
type Entry struct {
	SourceID string // the platform's ID, stable across exports
	Title    string
	HTML     string // the body as the platform stored it: untrusted
	Author   string
	Labels   []string
	// Published is when the entry appeared; Updated its last edit.
	Published, Updated time.Time
	// URL is the entry's old absolute address, when known; Path its path
	// there (/2019/03/hello.html, /p/about.html, /2019/03/14/hello/).
	URL, Path string
	// Slug is the file name the entry wants on kabar: Blogger's own for a
	// post whose old path kabar keeps, WordPress's post_name otherwise.
	Slug string
	// OldPaths are further addresses that should lead to the entry
	// (WordPress's /?p=123).
	OldPaths []string
	Comments []Comment
}

// Comment is an approved comment, ParentID naming the comment it answers.
type Comment struct {
	SourceID, ParentID string
	Author, AuthorURL  string
	HTML               string // untrusted
	Published          time.Time
}

// Total is the number of posts, pages and comments read.
func (e *Export) Total() (posts, pages, comments int) {
	for _, p := range e.Posts {
		comments += len(p.Comments)
	}
	for _, p := range e.Pages {
		comments += len(p.Comments)
	}
	return len(e.Posts), len(e.Pages), comments
}

// SkippedSummary lists the skipped counts as "3 drafts, 1 template", in a
// fixed order.
func (e *Export) SkippedSummary() string {
	var keys []string
	for k := range e.Skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", e.Skipped[k], k))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func (e *Export) skip(reason string) {
	if e.Skipped == nil {
		e.Skipped = map[string]int{}
	}
	e.Skipped[reason]++
}

// ErrUnknownFormat says an export is neither Blogger's nor WordPress's.
var ErrUnknownFormat = errors.New("not a Blogger or WordPress export")

// Parse reads an export. format is Blogger, WordPress or "" to tell from
// the file itself.
func Parse(r io.Reader, format string) (*Export, error) {
	br := bufio.NewReader(r)
	if format == "" {
		head, _ := br.Peek(64 << 10)
		format = Detect(head)
		if format == "" {
			return nil, fmt.Errorf("%w: expected an Atom <feed> from Blogger or an RSS file with wp: elements from WordPress (use --format to force one)", ErrUnknownFormat)
		}
	}
	root, err := parseTree(br)
	if root == nil {
		return nil, err
	}
	var out *Export
	switch format {
	case Blogger:
		out, err = parseBlogger(root, err)
	case WordPress:
		out, err = parseWordPress(root, err)
	default:
		return nil, fmt.Errorf("unknown format %q (blogger or wordpress)", format)
	}
	return out, err
}

// Detect tells an export's format from its first bytes; "" when it is
// neither.
func Detect(head []byte) string {
	h := bytes.ToLower(head)
	switch {
	case bytes.Contains(h, []byte("<rss")) && (bytes.Contains(h, []byte("wordpress.org/export")) || bytes.Contains(h, []byte("<wp:"))):
		return WordPress
	case bytes.Contains(h, []byte("feed")) && (bytes.Contains(h, []byte("blogger")) || bytes.Contains(h, []byte("w3.org/2005/atom"))):
		return Blogger
	}
	return ""
}

// cleanID removes the white space that some exports wrap inside IDs.
func cleanID(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// parseTime reads the time formats exports use; zero when none fits.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1990 {
				return time.Time{} // WordPress's 0000-00-00 of drafts
			}
			return t.UTC()
		}
	}
	return time.Time{}
}

// urlPath splits an absolute address into the address and its path; a
// bare path stays a path.
func urlPath(raw string) (abs, p string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	p = u.EscapedPath()
	if u.RawQuery != "" && p == "" || p == "/" && u.RawQuery != "" {
		p = "/?" + u.RawQuery
	}
	if u.IsAbs() {
		abs = raw
	}
	return abs, p
}

// slugOf is the file name of a path without .html.
func slugOf(p string) string {
	base := path.Base(strings.TrimSuffix(p, "/"))
	base = strings.TrimSuffix(base, ".html")
	if s, err := url.PathUnescape(base); err == nil {
		base = s
	}
	if base == "." || base == "/" {
		return ""
	}
	return base
}
