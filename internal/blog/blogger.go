package blog

import (
	"fmt"
	"sort"
	"strings"
)

// Blogger's kinds, the last part of the classic export's kind category
// (http://schemas.google.com/blogger/2008/kind#post) and the 2020 export's
// <blogger:type> (POST).
const (
	kindPost     = "post"
	kindPage     = "page"
	kindComment  = "comment"
	kindSettings = "settings"
	kindTemplate = "template"
)

// bloggerEntry is one <entry> of either dialect, read into one shape.
type bloggerEntry struct {
	n                  *node
	id, kind, status   string // status: "live", "draft", or the 2020 one lower-cased
	parent, inReplyTo  string // comments: the post, and the comment answered
	path, url          string
	title, html        string
	author, authorURL  string
	published, updated string
	labels             []string
}

func parseBlogger(root *node, readErr error) (*Export, error) {
	feed := root.child("", "feed")
	if feed == nil {
		for _, k := range root.kids {
			if k.local == "feed" {
				feed = k
			}
		}
	}
	if feed == nil {
		return nil, fmt.Errorf("%w: no Atom <feed> element", ErrUnknownFormat)
	}
	ex := &Export{Format: Blogger, Dialect: "classic", Title: feed.val("", "title")}
	for _, l := range feed.children("", "link") {
		if l.attr("rel") == "alternate" {
			ex.URL = l.attr("href")
		}
	}
	var entries []*bloggerEntry
	for _, n := range feed.children("", "entry") {
		e := readBloggerEntry(n)
		if n.child("blogger", "type") != nil {
			ex.Dialect = "2020"
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 && readErr == nil {
		if feed.child("", "generator") == nil && !strings.Contains(feed.val("", "id"), "blogger") {
			return nil, fmt.Errorf("%w: an Atom feed without Blogger entries", ErrUnknownFormat)
		}
	}
	comments := ex.addBloggerEntries(entries)
	ex.addBloggerComments(comments)
	for i := range ex.Posts {
		threadComments(ex.Posts[i].Comments, shortID)
	}
	return ex, readErr
}

// addBloggerEntries adds the live posts and pages to ex, counts the rest as
// skipped, and returns the comments for addBloggerComments.
func (ex *Export) addBloggerEntries(entries []*bloggerEntry) (comments []*bloggerEntry) {
	for _, e := range entries {
		switch e.kind {
		case kindPost, kindPage:
			if e.status != "live" {
				ex.skip(e.kind + " " + e.status)
				continue
			}
			entry := Entry{
				SourceID: e.id, Title: e.title, HTML: e.html, Author: e.author, Labels: e.labels,
				Published: parseTime(e.published), Updated: parseTime(e.updated),
				URL: e.url, Path: e.path,
			}
			if entry.Published.IsZero() {
				entry.Published = entry.Updated
			}
			entry.Slug = slugOf(entry.Path)
			if e.kind == kindPost {
				ex.Posts = append(ex.Posts, entry)
			} else {
				ex.Pages = append(ex.Pages, entry)
			}
		case kindComment:
			comments = append(comments, e)
		case kindSettings:
			ex.skip("settings")
		case kindTemplate:
			ex.skip("template")
		case "":
			ex.skip("entry of no kind")
		default:
			ex.skip(e.kind)
		}
	}
	return comments
}

// addBloggerComments puts each live comment on its post.
func (ex *Export) addBloggerComments(comments []*bloggerEntry) {
	// Pointers into ex.Posts are stable now that it no longer grows.
	byID := map[string]*Entry{}
	for i := range ex.Posts {
		byID[shortID(ex.Posts[i].SourceID)] = &ex.Posts[i]
	}
	for _, c := range comments {
		if c.status != "live" {
			ex.skip("comment " + c.status)
			continue
		}
		post := byID[shortID(c.parent)]
		if post == nil {
			ex.skip("comment on a skipped post")
			continue
		}
		post.Comments = append(post.Comments, Comment{
			SourceID: c.id, ParentID: c.inReplyTo, // short until threadComments
			Author: c.author, AuthorURL: c.authorURL, HTML: c.html,
			Published: parseTime(c.published),
		})
	}
}

func readBloggerEntry(n *node) *bloggerEntry {
	e := &bloggerEntry{n: n, id: cleanID(n.val("", "id")), title: n.val("", "title"),
		published: n.val("", "published"), updated: n.val("", "updated"), status: "live"}
	e.html = n.child("", "content").inner()
	if a := n.child("", "author"); a != nil {
		e.author = a.val("", "name")
		e.authorURL = a.val("", "uri")
	}
	e.readCategories(n)
	// The 2020 dialect says in elements what the classic one says in
	// categories and links.
	if t := n.val("blogger", "type"); t != "" {
		e.read2020(n, t)
	}
	if ctl := n.child("app", "control"); ctl != nil && strings.EqualFold(ctl.val("app", "draft"), "yes") {
		e.status = "draft"
	}
	e.readLinks(n)
	if e.kind == kindComment {
		e.readThread(n)
	}
	return e
}

// readCategories reads the entry's kind (classic dialect) and labels.
func (e *bloggerEntry) readCategories(n *node) {
	for _, c := range n.children("", "category") {
		scheme, term := c.attr("scheme"), c.attr("term")
		switch {
		case strings.HasSuffix(scheme, "#kind"):
			if i := strings.LastIndex(term, "#"); i >= 0 {
				e.kind = term[i+1:]
			}
		case term != "":
			e.labels = append(e.labels, term)
		}
	}
}

// read2020 reads the 2020 dialect's blogger: elements; t is blogger:type.
func (e *bloggerEntry) read2020(n *node, t string) {
	e.kind = strings.ToLower(t)
	e.status = strings.ToLower(n.val("blogger", "status"))
	if e.status == "" {
		e.status = "live"
	}
	e.parent = cleanID(n.val("blogger", "parent"))
	e.inReplyTo = cleanID(n.val("blogger", "inReplyTo"))
	if f := n.val("blogger", "filename"); f != "" {
		e.url, e.path = urlPath(f)
	}
	if c := n.val("blogger", "created"); e.published == "" {
		e.published = c
	}
}

// readLinks reads the entry's address and, for a threaded reply, the
// comment it answers.
func (e *bloggerEntry) readLinks(n *node) {
	for _, l := range n.children("", "link") {
		href := l.attr("href")
		switch l.attr("rel") {
		case "alternate":
			if e.path == "" {
				e.url, e.path = urlPath(href)
			}
		case "related":
			// A threaded reply names the comment it answers by the
			// address of that comment in the comments feed.
			if i := strings.LastIndex(href, "/comments/default/"); i >= 0 && e.inReplyTo == "" {
				e.inReplyTo = href[i+len("/comments/default/"):]
			}
		}
	}
}

// readThread reads which post a comment is on and which comment it
// answers.
func (e *bloggerEntry) readThread(n *node) {
	if r := n.child("thr", "in-reply-to"); r != nil && e.parent == "" {
		e.parent = cleanID(r.attr("ref"))
		if e.parent == "" {
			e.parent = cleanID(r.attr("source"))
		}
	}
	if e.parent == "" {
		// Old exports name the post only in the item class.
		for _, p := range n.children("gd", "extendedProperty") {
			if p.attr("name") == "blogger.itemClass" {
				e.parent = strings.TrimPrefix(p.attr("value"), "pid-")
			}
		}
	}
	e.inReplyTo = shortID(e.inReplyTo)
	if e.inReplyTo != "" && e.inReplyTo == shortID(e.parent) {
		e.inReplyTo = "" // the 2020 dialect may name the post itself
	}
}

// shortID is the number at the end of a Blogger ID
// (tag:blogger.com,1999:blog-1.post-42 → 42; …/posts/default/42 → 42), by
// which entries refer to each other in both dialects.
func shortID(id string) string {
	id = cleanID(id)
	if i := strings.LastIndex(id, "post-"); i >= 0 {
		return id[i+len("post-"):]
	}
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// threadComments puts a post's comments oldest first (a reply after the
// comment it answers) and turns each ParentID, which names the comment
// answered in whatever form the export used (key(SourceID)), into that
// comment's SourceID; "" when the comment answered is not among them.
func threadComments(cs []Comment, key func(string) string) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Published.Before(cs[j].Published) })
	ids := map[string]string{}
	for _, c := range cs {
		ids[key(c.SourceID)] = c.SourceID
	}
	for i := range cs {
		if cs[i].ParentID != "" {
			cs[i].ParentID = ids[cs[i].ParentID]
		}
		if cs[i].ParentID == cs[i].SourceID {
			cs[i].ParentID = ""
		}
	}
}
