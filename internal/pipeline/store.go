package pipeline

import (
	"context"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Store is the part of store.Store the pipeline uses: polling feeds,
// claiming and finishing their items, saving posts, and the job queue's
// signs of life and retention. It never reads the site's tables nor
// subscribes to feeds. store.Store satisfies it.
type Store interface {
	// Feeds, polled.
	Feed(ctx context.Context, id int64) (*model.Feed, error)
	Feeds(ctx context.Context) ([]model.Feed, error)
	RecordPoll(ctx context.Context, feedID int64, r store.PollResult) error

	// Items, through their states.
	UpsertItems(ctx context.Context, items []model.Item) (created int, err error)
	Item(ctx context.Context, id int64) (*model.Item, error)
	UnfinishedItems(ctx context.Context, feedID int64) ([]model.Item, error)
	ClaimItems(ctx context.Context, ids []int64, owner string, now, until time.Time) ([]model.Item, error)
	ReleaseItems(ctx context.Context, ids []int64, owner string) error
	ResolveItem(ctx context.Context, itemID int64, sourceURL, ampURL string) error
	FailItem(ctx context.Context, itemID int64, msg string) error
	DeferItem(ctx context.Context, itemID int64, until time.Time, msg string) error

	// Posts, made and made again.
	SavePost(ctx context.Context, p *model.Post) (created bool, err error)
	UpdatePostText(ctx context.Context, p *model.Post) error
	Post(ctx context.Context, id int64) (*model.Post, error)

	// Posts that wait for their story, the queue's processes, retention.
	store.StoryBacklogStore
	store.ProcessStore
	PruneItems(ctx context.Context, before time.Time) (int64, error)
}

// store.Store is the union of every consumer's contract.
var _ Store = store.Store(nil)
