package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

func scanItems(rows pgx.Rows) ([]model.Item, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Item, error) {
		it, err := sqlshared.ScanItem(r)
		if err != nil {
			return model.Item{}, err
		}
		return *it, nil
	})
}

func encodeRelated(links []model.Link) (string, error) {
	if len(links) == 0 {
		return "", nil
	}
	b, err := json.Marshal(links)
	return string(b), err
}

// UpsertItem stores an item once per (feed, guid) with one statement, so
// that two processes polling the same feed at once make one row: the loser
// of the race updates the winner's row. A re-polled item refreshes what the
// feed says about it but keeps kabar's own state (status, post).
func (s *Store) UpsertItem(ctx context.Context, it *model.Item) (bool, error) {
	q, args, err := upsertItemQuery(it, time.Now().UTC())
	if err != nil {
		return false, err
	}
	var created bool
	if err := s.pool.QueryRow(ctx, q, args...).Scan(&it.ID, &created); err != nil {
		return false, fmt.Errorf("item %q of feed %d: %w", it.GUID, it.FeedID, err)
	}
	return created, nil
}

// UpsertItems upserts a poll's items in one transaction and one round trip
// (a pipelined batch).
func (s *Store) UpsertItems(ctx context.Context, items []model.Item) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	now := time.Now().UTC()
	created := 0
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var b pgx.Batch
		for i := range items {
			it := &items[i]
			q, args, err := upsertItemQuery(it, now)
			if err != nil {
				return err
			}
			b.Queue(q, args...).QueryRow(func(r pgx.Row) error {
				var isNew bool
				if err := r.Scan(&it.ID, &isNew); err != nil {
					return fmt.Errorf("item %q of feed %d: %w", it.GUID, it.FeedID, err)
				}
				if isNew {
					created++
				}
				return nil
			})
		}
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// upsertItemQuery is the statement that upserts it and returns its ID and
// whether the row is new (xmax is 0 on a row the statement inserted, the
// locker's ID on one it updated).
func upsertItemQuery(it *model.Item, now time.Time) (string, []any, error) {
	if it.Status == "" {
		it.Status = model.ItemNew
	}
	related, err := encodeRelated(it.Related)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO items (feed_id, guid, link, title, publisher,
		publisher_url, published, description, article_id, source_url, amp_url, status,
		created_at, updated_at, related, story_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15)
		ON CONFLICT (feed_id, guid) DO UPDATE SET link = excluded.link, title = excluded.title,
			publisher = excluded.publisher, publisher_url = excluded.publisher_url,
			published = excluded.published, description = excluded.description,
			article_id = excluded.article_id, updated_at = excluded.updated_at,
			related = excluded.related, story_url = excluded.story_url
		RETURNING id, xmax = 0`, []any{
			it.FeedID, it.GUID, it.Link, it.Title, it.Publisher, it.PublisherURL,
			nullTime(it.Published), it.Description, it.ArticleID, it.SourceURL, it.AMPURL,
			it.Status, now, related, it.StoryURL}, nil
}

// ClaimItems takes the free items of ids for owner (store.ItemStore).
func (s *Store) ClaimItems(ctx context.Context, ids []int64, owner string, now, until time.Time) ([]model.Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// One statement: two workers claiming one item at once serialise on
	// its row lock, and the second finds it claimed.
	rows, err := s.pool.Query(ctx, `UPDATE items SET claimed_by = $1, claimed_until = $2
		WHERE id = ANY($3) AND status <> $4
		AND NOT (status = $5 AND next_attempt_at IS NOT NULL AND next_attempt_at > $6)
		AND (claimed_by = '' OR claimed_by = $1 OR claimed_until IS NULL OR claimed_until <= $6)
		RETURNING `+sqlshared.ItemCols, owner, until.UTC(), ids, model.ItemDone, model.ItemWaiting, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("claim items: %w", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, fmt.Errorf("claim items: %w", err)
	}
	return store.InOrder(ids, items), nil
}

// ReleaseItems ends owner's claims on ids.
func (s *Store) ReleaseItems(ctx context.Context, ids []int64, owner string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE items SET claimed_by = '', claimed_until = NULL
		WHERE claimed_by = $1 AND id = ANY($2)`, owner, ids)
	return err
}

// Item returns one item.
func (s *Store) Item(ctx context.Context, id int64) (*model.Item, error) {
	it, err := sqlshared.ScanItem(s.pool.QueryRow(ctx, `SELECT `+sqlshared.ItemCols+` FROM items WHERE id = $1`, id))
	return it, notFound(err, fmt.Sprintf("item %d", id))
}

// UnfinishedItems lists a feed's items that still need work, oldest first.
func (s *Store) UnfinishedItems(ctx context.Context, feedID int64) ([]model.Item, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.ItemCols+` FROM items
		WHERE feed_id = $1 AND status <> $2 ORDER BY id`, feedID, model.ItemDone)
	if err != nil {
		return nil, err
	}
	return scanItems(rows)
}

// FailItem records a failed attempt; the item stays unfinished. An item
// another worker finished meanwhile stays done.
func (s *Store) FailItem(ctx context.Context, itemID int64, msg string) error {
	_, err := s.pool.Exec(ctx, `UPDATE items SET status = $1, error = $2, attempts = attempts + 1,
		updated_at = now(), claimed_by = '', claimed_until = NULL WHERE id = $3 AND status <> $4`, model.ItemFailed, msg, itemID, model.ItemDone)
	return err
}

// DeferItem makes an item wait until a given time.
func (s *Store) DeferItem(ctx context.Context, itemID int64, until time.Time, msg string) error {
	_, err := s.pool.Exec(ctx, `UPDATE items SET status = $1, error = $2, attempts = attempts + 1,
		next_attempt_at = $3, updated_at = now(), claimed_by = '', claimed_until = NULL
		WHERE id = $4 AND status <> $5`,
		model.ItemWaiting, msg, nullTime(until), itemID, model.ItemDone)
	return err
}

// ResolveItem records the publisher URL found for an item.
func (s *Store) ResolveItem(ctx context.Context, itemID int64, sourceURL, ampURL string) error {
	_, err := s.pool.Exec(ctx, `UPDATE items SET source_url = $1, amp_url = $2, updated_at = now()
		WHERE id = $3`, sourceURL, ampURL, itemID)
	return err
}

// ItemCounts counts a feed's items by status.
func (s *Store) ItemCounts(ctx context.Context, feedID int64) (map[string]int, error) {
	return countBy(ctx, s, `SELECT status, count(*) FROM items WHERE feed_id = $1 GROUP BY status`, feedID)
}

func countBy(ctx context.Context, s *Store, q string, args ...any) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	return sqlshared.ScanMap(rows, counts)
}
