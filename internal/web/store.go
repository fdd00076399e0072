package web

import (
	"context"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Store is the part of store.Store the site uses: the reading side of posts,
// stories, images and pages, the site's own tables (comments, users,
// sessions, settings, labels), and the feed management of the admin pages
// and API. It leaves out the pipeline's work (items, claims, resolutions,
// pacing, processes) and bulk import: the site never writes a post.
// store.Store satisfies it; a test may pass anything smaller that does.
type Store interface {
	store.SiteStore

	// Feeds, for the admin pages and the API.
	AddFeed(ctx context.Context, f *model.Feed) error
	Feed(ctx context.Context, id int64) (*model.Feed, error)
	Feeds(ctx context.Context) ([]model.Feed, error)
	DeleteFeed(ctx context.Context, id int64) error
	ItemCounts(ctx context.Context, feedID int64) (map[string]int, error)

	// Posts and their comments.
	Post(ctx context.Context, id int64) (*model.Post, error)
	PostByPath(ctx context.Context, year, month int, slug string) (*model.Post, error)
	Posts(ctx context.Context, q store.PostQuery) ([]model.Post, error)
	CountPosts(ctx context.Context) (int, error)
	Comments(ctx context.Context, postID int64, approvedOnly bool) ([]model.Comment, error)

	// Stories, read.
	PostStory(ctx context.Context, postID int64) (*store.StoryLink, error)
	Story(ctx context.Context, id int64) (*store.Story, error)
	Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error)
	CountStories(ctx context.Context, q store.StoryQuery) (int, error)
	StoryReports(ctx context.Context, storyID int64) ([]store.StoryReport, error)

	// Posts' images, served.
	PostImage(ctx context.Context, postID int64, size string) (*store.PostImage, error)
	PostImages(ctx context.Context, postIDs []int64) (map[int64][]store.PostImage, error)

	// The Blogger-compatible feeds, pages and old addresses.
	FeedPosts(ctx context.Context, q store.FeedQuery) (posts []model.Post, total int, err error)
	Page(ctx context.Context, slug string) (*model.Page, error)
	OldPath(ctx context.Context, path string) (string, error)
}

// TokenStore is where NewAPIToken keeps a token's hash.
type TokenStore interface {
	CreateToken(ctx context.Context, t *model.APIToken) error
}

// store.Store is the union of every consumer's contract.
var _ Store = store.Store(nil)
