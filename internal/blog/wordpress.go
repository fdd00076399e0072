package blog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func parseWordPress(root *node, readErr error) (*Export, error) {
	var channel *node
	for _, k := range root.kids {
		if k.local == "rss" {
			channel = k.child("", "channel")
		}
	}
	if channel == nil {
		return nil, fmt.Errorf("%w: no RSS <channel> element", ErrUnknownFormat)
	}
	ex := &Export{Format: WordPress, Dialect: "wxr", Title: channel.val("", "title"),
		URL: firstNonEmpty(channel.val("wp", "base_blog_url"), channel.val("", "link"))}
	items := channel.children("", "item")
	if len(items) > 0 && channel.child("wp", "wxr_version") == nil && items[0].child("wp", "post_type") == nil {
		return nil, fmt.Errorf("%w: an RSS feed, not a WordPress export (no wp: elements)", ErrUnknownFormat)
	}
	for _, it := range items {
		kind, ok := wordPressKind(ex, it)
		if !ok {
			continue
		}
		e := wordPressEntry(ex, it, kind)
		if kind == "page" {
			ex.Pages = append(ex.Pages, e)
		} else {
			ex.Posts = append(ex.Posts, e)
		}
	}
	return ex, readErr
}

// wordPressKind is an item's kind, post or page; ok false (and the item
// counted as skipped) for any other kind, or one not published.
func wordPressKind(ex *Export, it *node) (kind string, ok bool) {
	kind = it.val("wp", "post_type")
	if kind == "" {
		kind = "post"
	}
	if kind != "post" && kind != "page" {
		ex.skip(kind)
		return "", false
	}
	if st := it.val("wp", "status"); st != "publish" {
		if st == "" {
			st = "unknown status"
		}
		ex.skip(kind + " " + st)
		return "", false
	}
	return kind, true
}

// wordPressEntry reads one published post or page with its comments.
func wordPressEntry(ex *Export, it *node, kind string) Entry {
	id := it.val("wp", "post_id")
	e := Entry{
		SourceID: "wordpress:" + ex.URL + ":" + id,
		Title:    it.val("", "title"),
		HTML:     Autop(it.child("content", "encoded").inner()),
		Author:   it.val("dc", "creator"),
		Published: firstTime(it.val("wp", "post_date_gmt"), it.val("", "pubDate"),
			it.val("wp", "post_date")),
		Updated: parseTime(it.val("wp", "post_modified_gmt")),
	}
	e.URL, e.Path = urlPath(it.val("", "link"))
	e.Slug = slugOf(it.val("wp", "post_name"))
	if e.Slug == "" {
		e.Slug = slugOf(e.Path)
	}
	if id != "" {
		q := "p"
		if kind == "page" {
			q = "page_id"
		}
		e.OldPaths = append(e.OldPaths, "/?"+q+"="+id)
	}
	if _, guid := urlPath(it.val("", "guid")); guid != "" && guid != e.Path && !slices.Contains(e.OldPaths, guid) {
		e.OldPaths = append(e.OldPaths, guid)
	}
	for _, c := range it.children("", "category") {
		dom := c.attr("domain")
		name := strings.TrimSpace(c.content())
		if (dom == "category" || dom == "post_tag") && name != "" && c.attr("nicename") != "uncategorized" && !slices.Contains(e.Labels, name) {
			e.Labels = append(e.Labels, name)
		}
	}
	e.Comments = wordPressComments(ex, it, e.SourceID)
	threadComments(e.Comments, func(id string) string {
		return id[strings.LastIndex(id, ":comment-")+len(":comment-"):]
	})
	return e
}

// wordPressComments reads an item's approved comments; the rest (pingbacks,
// trackbacks, unapproved ones) are counted as skipped.
func wordPressComments(ex *Export, it *node, sourceID string) []Comment {
	var out []Comment
	for _, c := range it.children("wp", "comment") {
		switch t := c.val("wp", "comment_type"); {
		case t != "" && t != "comment":
			ex.skip(t)
			continue
		case c.val("wp", "comment_approved") != "1":
			ex.skip("comment not approved")
			continue
		}
		cid, parent := c.val("wp", "comment_id"), c.val("wp", "comment_parent")
		if parent == "0" {
			parent = ""
		}
		out = append(out, Comment{
			SourceID:  sourceID + ":comment-" + cid,
			ParentID:  parent,
			Author:    c.val("wp", "comment_author"),
			AuthorURL: c.val("wp", "comment_author_url"),
			HTML:      Autop(c.val("wp", "comment_content")),
			Published: firstTime(c.val("wp", "comment_date_gmt"), c.val("wp", "comment_date")),
		})
	}
	return out
}

func firstTime(ss ...string) (t0 time.Time) {
	for _, s := range ss {
		if t := parseTime(s); !t.IsZero() {
			return t
		}
	}
	return t0
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
