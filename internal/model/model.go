// Package model holds the plain data types that travel between kabar's stages.
// It imports nothing of kabar's own, so every stage can depend on it.
package model

import (
	"strings"
	"time"
)

// Feed is a subscription: a feed URL that kabar polls on a schedule.
type Feed struct {
	ID    int64
	URL   string
	Title string
	// ETag and LastModified are the validators of the last 200 answer, sent back
	// on the next poll so that an unchanged feed costs a 304.
	ETag         string
	LastModified string
	LastPolledAt time.Time
	NextPollAt   time.Time
	// PollInterval is how long kabar waits between polls of this feed.
	PollInterval time.Duration
	ErrorCount   int
	LastError    string
	Paused       bool
	// DisabledReason is set when kabar stopped polling the feed by itself
	// (the feed answered 410 Gone); the owner re-enables it.
	DisabledReason string
	// Proxy is an HTTP proxy URL for this feed and its articles ("" = none).
	Proxy string
	// LastChangedAt is when the feed's content last changed; the adaptive
	// poll interval follows it.
	LastChangedAt time.Time
	CreatedAt     time.Time
}

// Item states: an item moves from ItemNew to ItemDone, or to ItemFailed with
// its error kept so that a later run can try it again.
const (
	ItemNew    = "new"
	ItemDone   = "done"
	ItemFailed = "failed"
	// ItemWaiting: the item cannot go on yet (its Google News link awaits
	// online resolution, or a host asked us to slow down) and is tried again
	// at NextAttemptAt. It is never published in the meantime.
	ItemWaiting = "waiting"
)

// Item is one entry of a feed, as the feed described it.
type Item struct {
	ID     int64
	FeedID int64
	// GUID identifies the item inside its feed; when the feed gives none, the
	// link stands in.
	GUID string
	// Link is the item's link exactly as it appeared in the feed (for Google
	// News, the news.google.com article link).
	Link  string
	Title string
	// Publisher is the name of the site that published the article (Google
	// News' <source>), PublisherURL its home page.
	Publisher    string
	PublisherURL string
	Published    time.Time
	Description  string
	// ArticleID is what the seed layout prints under the date: the Google News
	// article ID for Google News items, otherwise the feed's GUID.
	ArticleID string
	// SourceURL is the publisher's URL of the article once resolved; AMPURL its
	// AMP twin when known.
	SourceURL string
	AMPURL    string
	// Related lists the other reports of the same story that the feed linked
	// (Google News' related-coverage <ol>); StoryURL is its "Full Coverage"
	// page. Both are evidence for grouping reports into stories.
	Related       []Link
	StoryURL      string
	Status        string
	Error         string
	Attempts      int
	NextAttemptAt time.Time
	PostID        int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Resolution is what kabar learnt about one Google News article ID: the
// publisher's URL, or why it could not be had. An ID is resolved once, ever.
type Resolution struct {
	ArticleID string
	URL       string
	AMPURL    string
	Error     string
	// Permanent marks an ID that will never resolve (Google answered that it
	// has no URL for it); otherwise a failure may be retried after RetryAfter.
	Permanent  bool
	Attempts   int
	RetryAfter time.Time
	ResolvedAt time.Time
}

// OK reports whether the resolution holds a URL.
func (r *Resolution) OK() bool { return r != nil && r.URL != "" }

// Link is a titled link to another report, as a feed lists it.
type Link struct {
	Title     string
	URL       string
	Publisher string
}

// Article is what the extractor makes of a page.
type Article struct {
	Title     string
	Author    string
	Published time.Time
	Modified  time.Time
	Image     string
	SiteName  string
	Canonical string
	// AMPURL is the page's <link rel="amphtml">, a fallback when the page
	// itself yields too little.
	AMPURL      string
	Language    string
	Description string
	// Paragraphs are the article's text blocks in reading order, each one line
	// of plain text with its white space collapsed.
	Paragraphs []string
}

// Text is the article body as kabar prints it: one paragraph a line.
func (a *Article) Text() string {
	return strings.Join(a.Paragraphs, "\n")
}

// Post is an article as kabar publishes it.
type Post struct {
	ID     int64
	FeedID int64
	ItemID int64
	// Slug and Published together give the post's path on the site,
	// /YYYY/MM/slug.html (year and month of Published in UTC).
	Slug        string
	Title       string
	Author      string
	Publisher   string
	SourceURL   string
	AMPURL      string
	ItemLink    string
	ArticleID   string
	Published   time.Time
	Language    string
	Image       string
	Description string
	Paragraphs  []string
	// ContentHash is the SHA-256 of the normalised text, used to recognise the
	// same article arriving under another URL.
	ContentHash string
	CreatedAt   time.Time
	// Truncated means the article was longer than MaxArticleBytes and only
	// its beginning is kept (see Limit).
	Truncated bool
}

// Path is the post's path on the site.
func (p *Post) Path() string {
	return "/" + p.Published.UTC().Format("2006/01") + "/" + p.Slug + ".html"
}

// Comment states.
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentSpam     = "spam"
)

// Comment is a reader's comment on a post.
type Comment struct {
	ID        int64
	PostID    int64
	ParentID  int64
	Name      string
	Website   string
	Body      string
	Status    string
	CreatedAt time.Time
}
