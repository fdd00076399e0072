package store

import (
	"context"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// BlogStore keeps what a blog moved in from another platform brings
// besides posts and comments: its labels, its pages, the old addresses
// that must keep answering, and which comments were imported already.
type BlogStore interface {
	// AddPostLabels gives a post the blog's own labels, shown as topics;
	// labels it has are kept, so adding again changes nothing.
	AddPostLabels(ctx context.Context, postID int64, names []string) error
	// SavePage stores a page under its slug. When the slug is taken the
	// stored page is kept and returned in p, and created is false.
	SavePage(ctx context.Context, p *model.Page) (created bool, err error)
	// Page finds a page by slug; ErrNotFound when there is none.
	Page(ctx context.Context, slug string) (*model.Page, error)
	// Pages lists every page, by slug.
	Pages(ctx context.Context) ([]model.Page, error)
	// AddOldPath makes an old address (a path, with its query if any) lead
	// to a post (postID) or a page (pageID), exactly one of them non-zero.
	// An address already known keeps where it leads.
	AddOldPath(ctx context.Context, path string, postID, pageID int64) error
	// OldPath returns the site path an old address leads to;
	// ErrNotFound when it leads nowhere.
	OldPath(ctx context.Context, path string) (string, error)
	// AddImportedComment stores c, under key (the platform's ID of the
	// comment), unless a comment was imported under key before: then c.ID
	// is set to that comment's and created is false.
	AddImportedComment(ctx context.Context, key string, c *model.Comment) (created bool, err error)

	// FeedPosts pages through the posts a feed query selects, newest
	// first, and counts them all: what Blogger's feed API answers.
	FeedPosts(ctx context.Context, q FeedQuery) (posts []model.Post, total int, err error)
}

// FeedQuery selects posts for the feed API. Zero fields do not filter.
type FeedQuery struct {
	Label string    // posts carrying a label of this name, of any kind
	From  time.Time // published at or after
	To    time.Time // published before
	Limit int
	// Offset skips the newest posts: start-index minus one.
	Offset int
}
