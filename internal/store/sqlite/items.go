package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// UpsertItem stores an item once per (feed, guid). A re-polled item refreshes
// what the feed says about it but keeps kabar's own state (status, post).
func (s *Store) UpsertItem(ctx context.Context, it *model.Item) (bool, error) {
	var created bool
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		created, err = s.upsertItem(ctx, tx, it, fmtTime(time.Now()))
		return err
	})
	return created, err
}

// UpsertItems upserts a poll's items in one transaction: one commit (and
// one turn of the single writer) for the whole feed instead of one an item.
func (s *Store) UpsertItems(ctx context.Context, items []model.Item) (int, error) {
	created := 0
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		created = 0
		now := fmtTime(time.Now())
		for i := range items {
			isNew, err := s.upsertItem(ctx, tx, &items[i], now)
			if err != nil {
				return err
			}
			if isNew {
				created++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

func (s *Store) upsertItem(ctx context.Context, tx *sql.Tx, it *model.Item, now string) (bool, error) {
	if it.Status == "" {
		it.Status = model.ItemNew
	}
	related, err := encodeRelated(it.Related)
	if err != nil {
		return false, err
	}
	created := false
	err = s.stmt(ctx, tx, qItemByGUID).QueryRowContext(ctx, it.FeedID, it.GUID).Scan(&it.ID)
	switch {
	case err == sql.ErrNoRows:
		created = true
		err = s.stmt(ctx, tx, qInsertItem).QueryRowContext(ctx,
			it.FeedID, it.GUID, it.Link, it.Title, it.Publisher, it.PublisherURL,
			fmtTime(it.Published), it.Description, it.ArticleID, it.SourceURL, it.AMPURL,
			it.Status, now, now, related, it.StoryURL).Scan(&it.ID)
	case err == nil:
		_, err = s.stmt(ctx, tx, qUpdateItem).ExecContext(ctx, it.Link, it.Title, it.Publisher, it.PublisherURL,
			fmtTime(it.Published), it.Description, it.ArticleID, now, related, it.StoryURL, it.ID)
	}
	if err != nil {
		return false, fmt.Errorf("item %q of feed %d: %w", it.GUID, it.FeedID, err)
	}
	return created, nil
}

// ClaimItems takes the free items of ids for owner (store.ItemStore).
func (s *Store) ClaimItems(ctx context.Context, ids []int64, owner string, now, until time.Time) ([]model.Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	nowS := fmtTime(now)
	in, args := inList([]any{owner, fmtTime(until), model.ItemDone, model.ItemWaiting, nowS, owner, nowS}, ids)
	var items []model.Item
	// Times are fixed-width UTC text, so comparing them as text is
	// comparing them as times; an empty next_attempt_at sorts first.
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE items SET claimed_by = ?, claimed_until = ?
			WHERE status <> ? AND NOT (status = ? AND next_attempt_at > ?)
			AND (claimed_by = '' OR claimed_by = ? OR claimed_until <= ?)
			AND id IN `+in+` RETURNING `+sqlshared.ItemCols, args...)
		items, err = collect(rows, err, sqlshared.ScanItem)
		return err
	})
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
	in, args := inList([]any{owner}, ids)
	return s.exec(ctx, `UPDATE items SET claimed_by = '', claimed_until = ''
		WHERE claimed_by = ? AND id IN `+in, args...)
}

// Item returns one item.
func (s *Store) Item(ctx context.Context, id int64) (*model.Item, error) {
	it, err := sqlshared.ScanItem(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.ItemCols+` FROM items WHERE id = ?`, id))
	return it, notFound(err, fmt.Sprintf("item %d", id))
}

// UnfinishedItems lists a feed's items that still need work, oldest first.
func (s *Store) UnfinishedItems(ctx context.Context, feedID int64) ([]model.Item, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.ItemCols+` FROM items
		WHERE feed_id = ? AND status <> ? ORDER BY id`, feedID, model.ItemDone)
	return collect(rows, err, sqlshared.ScanItem)
}

// FailItem records a failed attempt; the item stays unfinished.
func (s *Store) FailItem(ctx context.Context, itemID int64, msg string) error {
	// An item another worker finished meanwhile stays done.
	return s.exec(ctx, `UPDATE items SET status = ?, error = ?, attempts = attempts + 1,
		updated_at = ?, claimed_by = '', claimed_until = '' WHERE id = ? AND status <> ?`, model.ItemFailed, msg, fmtTime(time.Now()), itemID, model.ItemDone)
}

// DeferItem makes an item wait until a given time.
func (s *Store) DeferItem(ctx context.Context, itemID int64, until time.Time, msg string) error {
	return s.exec(ctx, `UPDATE items SET status = ?, error = ?, attempts = attempts + 1,
		next_attempt_at = ?, updated_at = ?, claimed_by = '', claimed_until = '' WHERE id = ? AND status <> ?`,
		model.ItemWaiting, msg, fmtTime(until), fmtTime(time.Now()), itemID, model.ItemDone)
}

func encodeRelated(links []model.Link) (string, error) {
	if len(links) == 0 {
		return "", nil
	}
	b, err := json.Marshal(links)
	return string(b), err
}

// ResolveItem records the publisher URL found for an item.
func (s *Store) ResolveItem(ctx context.Context, itemID int64, sourceURL, ampURL string) error {
	return s.exec(ctx, `UPDATE items SET source_url = ?, amp_url = ?, updated_at = ?
		WHERE id = ?`, sourceURL, ampURL, fmtTime(time.Now()), itemID)
}

// ItemCounts counts a feed's items by status.
func (s *Store) ItemCounts(ctx context.Context, feedID int64) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT status, count(*) FROM items WHERE feed_id = ? GROUP BY status`, feedID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	return sqlshared.ScanMap(rows, counts)
}
