package store

import (
	"context"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
)

// Search highlighting: Search wraps each matched term of a hit's title and
// snippet in these two control characters, which never occur in stored text.
// The site escapes the text first and only then turns them into <mark>, so a
// post can never inject markup through its own snippet.
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)

// ListQuery selects posts for a listing, newest first. Zero fields do not
// filter; at most one of Label, Publisher and Year is expected.
type ListQuery struct {
	Label     string // posts carrying a label of this name, of any kind
	Publisher string // posts of this publisher
	// Publishers selects the posts of any of these publishers: the names
	// the site shows as one publisher ("The Guardian", "Guardian").
	Publishers []string
	Year       int // posts of this year (UTC, as in the post's path)
	Month      int // with Year: of this month
	Limit      int
	Offset     int
}

// SearchQuery is a reader's search. Text is what they typed: each backend
// turns it into its own query language and never fails on odd input.
type SearchQuery struct {
	Text   string
	Limit  int
	Offset int
	// OnPage, when set, is called on the caller's goroutine with the IDs
	// of the page's hits, best first, once ranking has chosen them and
	// before their posts are read and marked: a caller may ask its own
	// questions of them meanwhile (the site asks for their comment counts
	// and images), a round trip it would otherwise wait for after the
	// search. A hit deleted meanwhile may be named and not returned. A
	// search of filters alone, which ranks nothing, need not call it.
	OnPage func(ids []int64)
}

// SearchWindow bounds the work of ranking: when a search matches more posts
// than this, the backends rank the newest SearchWindow matches only
// (search.RankWindow), so a query for a word in every post costs no more
// than one for a rarer word. For news, the newest matches are the ones
// worth ranking.
const SearchWindow = search.RankWindow

// SearchStrongWindow is search.StrongWindow: how many of the newest strong
// matches (in a title or a lead) are ranked besides the window.
const SearchStrongWindow = search.StrongWindow

// SearchCountCap bounds the count of a search's matches: Search reports
// SearchCountCap+1 for any larger number ("more than 1,000 posts"), since
// an exact count walks every post a common word occurs in, and PostgreSQL
// reads each counted match's tsvector (330 ms for 10 000 at 100 000
// posts). Pages of results go no further than the ranked window anyway.
const SearchCountCap = 1_000

// PageIDs returns the IDs of one page (offset, limit; limit <= 0 for all)
// of ranked docs.
func PageIDs(docs []search.Doc, offset, limit int) []int64 {
	offset = max(offset, 0)
	if offset >= len(docs) {
		return nil
	}
	docs = docs[offset:]
	if limit > 0 && limit < len(docs) {
		docs = docs[:limit]
	}
	ids := make([]int64, len(docs))
	for i := range docs {
		ids[i] = docs[i].ID
	}
	return ids
}

// SearchHit is one post found by a search, best first, with its title and a
// snippet of its text highlighted with MarkStart/MarkEnd.
type SearchHit struct {
	Post    model.Post
	Title   string
	Snippet string
}

// MonthCount is one month of the archive.
type MonthCount struct {
	Year, Month, Count int
}

// CommentQuery selects comments, newest first. PostID 0 means every post;
// Status "" means every status.
type CommentQuery struct {
	PostID int64
	Status string
	Limit  int
	Offset int
}

// LoginThrottle is the per-account back-off of sign-ins: Free attempts
// in a row may fail without a wait; after that each attempt locks the name
// for First, doubling with every further attempt up to Max. A name with no
// attempt for Forget starts afresh, which also keeps the table of names
// that strangers tried from growing without end.
type LoginThrottle struct {
	Free   int
	First  time.Duration
	Max    time.Duration
	Forget time.Duration
}

// LockFor is how long the attempts-th attempt in a row locks the name.
func (p LoginThrottle) LockFor(attempts int) time.Duration {
	if attempts < p.Free || p.First <= 0 {
		return 0
	}
	d := p.First
	for i := p.Free; i < attempts && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// SiteStore is what the site needs beyond publishing: listings, search,
// labels and the archive for readers; moderation, users, sessions, API tokens,
// settings and feed options for the owner.
type SiteStore interface {
	// ListPosts and CountListPosts page through the posts q selects.
	ListPosts(ctx context.Context, q ListQuery) ([]model.Post, error)
	CountListPosts(ctx context.Context, q ListQuery) (int, error)
	// Search finds posts by their title and text, ranked; total counts every
	// match. An empty or meaningless text finds nothing, without an error.
	Search(ctx context.Context, q SearchQuery) (hits []SearchHit, total int, err error)
	// PostLabels lists a post's labels (Count unset), kinds in a fixed order.
	PostLabels(ctx context.Context, postID int64) ([]model.Label, error)
	// PostsLabels lists the labels of each post given, as PostLabels
	// does, in one question of the database: a feed of 25 posts asked
	// once for each waited for 25 round trips.
	PostsLabels(ctx context.Context, postIDs []int64) (map[int64][]model.Label, error)
	// Labels lists the labels of one kind ("" for all) with their post
	// counts, most used first; limit <= 0 means all.
	Labels(ctx context.Context, kind string, limit int) ([]model.Label, error)
	// ArchiveMonths lists the months that have posts, newest first.
	ArchiveMonths(ctx context.Context) ([]MonthCount, error)
	// SiteGeneration is a number that grows, in the transaction that makes
	// it, with every write that can change a page readers see (posts,
	// comments, labels, settings, stories, images), from any process; and
	// when it last grew. The site's page cache checks it before serving.
	SiteGeneration(ctx context.Context) (gen int64, changed time.Time, err error)

	// Comment returns one comment.
	Comment(ctx context.Context, id int64) (*model.Comment, error)
	// AddCommentBy stores a comment like AddComment, remembering the
	// commenter's key (an opaque ID of their browser) for KnownCommenter.
	AddCommentBy(ctx context.Context, c *model.Comment, commenter string) error
	// KnownCommenter reports whether a comment by this key was ever approved.
	KnownCommenter(ctx context.Context, commenter string) (bool, error)
	ListComments(ctx context.Context, q CommentQuery) ([]model.Comment, error)
	CountComments(ctx context.Context, q CommentQuery) (int, error)
	// CommentCounts counts the approved comments of each post given.
	CommentCounts(ctx context.Context, postIDs []int64) (map[int64]int, error)
	SetCommentStatus(ctx context.Context, id int64, status string) error
	// DeleteComment removes a comment and its replies.
	DeleteComment(ctx context.Context, id int64) error

	// CreateUser stores a user; ErrExists when the name is taken.
	CreateUser(ctx context.Context, u *model.User) error
	User(ctx context.Context, id int64) (*model.User, error)
	UserByName(ctx context.Context, name string) (*model.User, error)
	// SetPassword replaces a user's password hash and, in the same
	// transaction, ends every session and API token of the user and forgets
	// the counted sign-in attempts of the user's name: whoever knew the old
	// password keeps nothing it gave them.
	SetPassword(ctx context.Context, userID int64, hash string) error
	CountUsers(ctx context.Context) (int, error)
	// RevokeAccess ends every session and API token of the user at once
	// ("sign out everywhere"); ErrNotFound when there is no such user.
	RevokeAccess(ctx context.Context, userID int64) error

	// LoginAttempt counts an attempt to sign in as name at now, before its
	// password is checked, so that attempts sent in parallel (from many
	// addresses, or to several processes) cannot all slip under the limit.
	// Names are counted whether or not a user has them, so the answer tells
	// nothing about which names exist. When name is locked at now, nothing
	// is counted and the end of the lock is returned; otherwise the zero
	// time, and the attempt locks name for p.LockFor(attempts) from now.
	LoginAttempt(ctx context.Context, name string, now time.Time, p LoginThrottle) (lockedUntil time.Time, err error)
	// LoginSucceeded forgets the counted attempts of name.
	LoginSucceeded(ctx context.Context, name string) error

	// CreateSession stores a session and forgets expired ones.
	CreateSession(ctx context.Context, s *model.Session) error
	// Session finds a live session; ErrNotFound once it has expired.
	Session(ctx context.Context, tokenHash string, now time.Time) (*model.Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error

	CreateToken(ctx context.Context, t *model.APIToken) error
	// TokenByHash finds a token and records its use.
	TokenByHash(ctx context.Context, hash string, now time.Time) (*model.APIToken, error)
	Tokens(ctx context.Context) ([]model.APIToken, error)
	DeleteToken(ctx context.Context, id int64) error

	// Settings returns every stored site setting; SetSetting stores one.
	Settings(ctx context.Context) (map[string]string, error)
	SetSetting(ctx context.Context, key, value string) error

	// SetFeedPaused pauses or resumes a feed's polling.
	SetFeedPaused(ctx context.Context, feedID int64, paused bool) error
	// FeedOptions returns a feed's display options (zero options when none
	// were set); SetFeedOptions stores them.
	FeedOptions(ctx context.Context, feedID int64) (model.FeedOptions, error)
	SetFeedOptions(ctx context.Context, o model.FeedOptions) error

	// FrontPosts lists the home page, newest first: one post per story (the
	// report that started it; every own report when that one is gone) and
	// every post that has no story. CountFrontPosts counts them.
	FrontPosts(ctx context.Context, limit, offset int) ([]FrontPost, error)
	CountFrontPosts(ctx context.Context) (int, error)
	// AdjacentPosts returns the posts published just after and just before
	// p (ties broken by ID); nil at either end.
	AdjacentPosts(ctx context.Context, p *model.Post) (newer, older *model.Post, err error)
	// PostStubs lists the posts published at or after since (zero: all),
	// newest first, with ID, slug, title, publisher, language and
	// publication time only: sitemaps need no text. limit <= 0 means all.
	PostStubs(ctx context.Context, since time.Time, limit, offset int) ([]model.Post, error)
	// SetFeedNextPoll makes a feed due at at: the owner's "refresh now".
	// ErrNotFound for an unknown feed.
	SetFeedNextPoll(ctx context.Context, feedID int64, at time.Time) error
	// FilterPosts and CountFilterPosts page through the owner's posts
	// table, newest first.
	FilterPosts(ctx context.Context, f PostFilter) ([]model.Post, error)
	CountFilterPosts(ctx context.Context, f PostFilter) (int, error)
}

// FrontPost is a post of the home page with its story.
type FrontPost struct {
	model.Post
	StoryID    int64 // 0 when the post has no story
	StoryPosts int   // the story's posts, this one included
}

// PostFilter selects posts for the owner's table. Zero fields do not
// filter.
type PostFilter struct {
	Text   string // in the title, case-insensitively (ASCII letters)
	FeedID int64
	// Status: "full" posts with their text, "thin" posts without (the
	// extraction found nothing; the feed's description stands in).
	Status string
	From   time.Time // published at or after
	To     time.Time // published before
	Limit  int
	Offset int
}

// Post filter statuses.
const (
	PostFull = "full"
	PostThin = "thin"
)
