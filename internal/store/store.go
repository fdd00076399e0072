// Package store defines the one contract every storage backend implements.
// All SQL lives below this package; the other stages see only these methods.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// Errors a caller can test for with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// DefaultPollInterval is the poll interval of a feed added without one,
// until its polls adapt it.
const DefaultPollInterval = 15 * time.Minute

// PrepareFeed fills what AddFeed leaves to the store: the time the feed is
// added (now, unless given) and its poll interval (DefaultPollInterval,
// unless given). Every backend's AddFeed calls it first, so that the
// defaults are the same whichever database keeps the feed.
func PrepareFeed(f *model.Feed, now time.Time) {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = now.UTC()
	}
	if f.PollInterval <= 0 {
		f.PollInterval = DefaultPollInterval
	}
}

// PollResult is what one poll of a feed tells the store.
type PollResult struct {
	At           time.Time
	NextPollAt   time.Time
	Title        string // empty keeps the stored title
	ETag         string
	LastModified string
	// Changed reports that the feed's content differed from the last poll.
	Changed bool
	// Interval, when positive, becomes the feed's poll interval.
	Interval time.Duration
	// Disable, when set, stops polling the feed and says why (a 410 Gone).
	Disable string
	// Err is the poll's error; nil resets the feed's error count.
	Err error
}

// PostQuery selects posts for listing, newest first.
type PostQuery struct {
	Limit  int
	Offset int
}

// Store is kabar's storage. Writes are idempotent: re-polling a feed or
// re-running an item never duplicates a row.
//
// The contract is split by domain, one interface each, so that a change to
// one domain touches one interface, one file per backend and one file of the
// conformance suite.
type Store interface {
	Close() error
	FeedStore
	ItemStore
	PostStore
	CommentStore
	SiteStore
	ResolutionStore
	PaceStore
	OpsStore
	StoryStore
	StoryBacklogStore
	ProcessStore
	ImageStore
	BlogStore
}

// FeedStore keeps subscriptions and their polling state.
type FeedStore interface {
	AddFeed(ctx context.Context, f *model.Feed) error // sets f.ID; ErrExists on a known URL
	Feed(ctx context.Context, id int64) (*model.Feed, error)
	Feeds(ctx context.Context) ([]model.Feed, error)
	DeleteFeed(ctx context.Context, id int64) error
	RecordPoll(ctx context.Context, feedID int64, r PollResult) error
}

// ItemStore keeps feed items and their progress through the pipeline.
type ItemStore interface {
	// UpsertItem stores an item keyed by (FeedID, GUID). A known item keeps its
	// state; created reports whether the row is new. it.ID is set either way.
	UpsertItem(ctx context.Context, it *model.Item) (created bool, err error)
	// UpsertItems upserts a feed poll's items as UpsertItem does, in one
	// transaction, setting each item's ID; it reports how many were new.
	UpsertItems(ctx context.Context, items []model.Item) (created int, err error)
	// ClaimItems takes the items of ids that are free for owner to work on
	// until the given time, and returns them in the order of ids. An item
	// is free when it is not done, not waiting for a later time, and not
	// claimed by another owner whose claim lasts past now. Finishing,
	// failing or deferring an item ends its claim.
	ClaimItems(ctx context.Context, ids []int64, owner string, now, until time.Time) ([]model.Item, error)
	// ReleaseItems ends owner's claims on ids (work handed back unfinished).
	ReleaseItems(ctx context.Context, ids []int64, owner string) error
	Item(ctx context.Context, id int64) (*model.Item, error)
	// UnfinishedItems lists items that are not done (new or failed), oldest first.
	UnfinishedItems(ctx context.Context, feedID int64) ([]model.Item, error)
	// ResolveItem records the publisher URL (and AMP URL) found for an item.
	ResolveItem(ctx context.Context, itemID int64, sourceURL, ampURL string) error
	// FailItem records a failed attempt at an item.
	FailItem(ctx context.Context, itemID int64, msg string) error
	// DeferItem puts an item in the waiting state until the given time,
	// counting an attempt and keeping msg as the reason.
	DeferItem(ctx context.Context, itemID int64, until time.Time, msg string) error
	// ItemCounts counts a feed's items by status.
	ItemCounts(ctx context.Context, feedID int64) (map[string]int, error)
}

// PostStore keeps published posts.
type PostStore interface {
	// SavePost stores the post made from item p.ItemID and marks the item done.
	// A post with the same source URL or content hash already stored is reused:
	// the item is linked to it and created is false. p.ID and p.Slug are set.
	// Both this and UpdatePostText first bound the post (p.Limit): a longer
	// text is stored up to model.MaxArticleBytes and marked Truncated.
	SavePost(ctx context.Context, p *model.Post) (created bool, err error)
	// UpdatePostText replaces a post's text (p.Paragraphs, p.ContentHash)
	// and what came with it from the page (author, language, image,
	// description), for a post extracted again; its title, address and
	// date stay. The search index follows. ErrNotFound for an unknown
	// post; ErrExists when the new text is that of another post.
	UpdatePostText(ctx context.Context, p *model.Post) error
	Post(ctx context.Context, id int64) (*model.Post, error)
	// PostByPath finds a post by the year, month and slug of its site path.
	PostByPath(ctx context.Context, year, month int, slug string) (*model.Post, error)
	Posts(ctx context.Context, q PostQuery) ([]model.Post, error)
	CountPosts(ctx context.Context) (int, error)
}

// CommentStore keeps readers' comments.
type CommentStore interface {
	AddComment(ctx context.Context, c *model.Comment) error
	// Comments lists a post's comments, oldest first; approvedOnly hides the
	// moderation queue.
	Comments(ctx context.Context, postID int64, approvedOnly bool) ([]model.Comment, error)
}

// InOrder lists items in the order of ids (a claim's answer comes in the
// database's order); items not in ids are left out.
func InOrder(ids []int64, items []model.Item) []model.Item {
	byID := make(map[int64]model.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	out := make([]model.Item, 0, len(items))
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			out = append(out, it)
			delete(byID, id)
		}
	}
	return out
}
