package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

const itemCols = `id, feed_id, guid, link, title, publisher, publisher_url, published,
	description, article_id, source_url, amp_url, status, error, attempts,
	COALESCE(post_id, 0), created_at, updated_at, next_attempt_at, related, story_url`

func scanItem(row interface{ Scan(...any) error }) (*model.Item, error) {
	var it model.Item
	var published, created, updated, next, related string
	err := row.Scan(&it.ID, &it.FeedID, &it.GUID, &it.Link, &it.Title, &it.Publisher,
		&it.PublisherURL, &published, &it.Description, &it.ArticleID, &it.SourceURL,
		&it.AMPURL, &it.Status, &it.Error, &it.Attempts, &it.PostID, &created, &updated,
		&next, &related, &it.StoryURL)
	if err != nil {
		return nil, err
	}
	it.Published, it.CreatedAt, it.UpdatedAt = parseTime(published), parseTime(created), parseTime(updated)
	it.NextAttemptAt = parseTime(next)
	if related != "" {
		if err := json.Unmarshal([]byte(related), &it.Related); err != nil {
			return nil, fmt.Errorf("item %d: related links: %w", it.ID, err)
		}
	}
	return &it, nil
}

// UpsertItem stores an item once per (feed, guid). A re-polled item refreshes
// what the feed says about it but keeps kabar's own state (status, post).
func (s *Store) UpsertItem(ctx context.Context, it *model.Item) (bool, error) {
	now := fmtTime(time.Now())
	if it.Status == "" {
		it.Status = model.ItemNew
	}
	related, err := encodeRelated(it.Related)
	if err != nil {
		return false, err
	}
	var created bool
	err = s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM items WHERE feed_id = ? AND guid = ?`, it.FeedID, it.GUID).Scan(&it.ID)
		switch {
		case err == sql.ErrNoRows:
			created = true
			return tx.QueryRowContext(ctx, `INSERT INTO items (feed_id, guid, link, title, publisher,
				publisher_url, published, description, article_id, source_url, amp_url, status,
				created_at, updated_at, related, story_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				it.FeedID, it.GUID, it.Link, it.Title, it.Publisher, it.PublisherURL,
				fmtTime(it.Published), it.Description, it.ArticleID, it.SourceURL, it.AMPURL,
				it.Status, now, now, related, it.StoryURL).Scan(&it.ID)
		case err != nil:
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE items SET link = ?, title = ?, publisher = ?,
			publisher_url = ?, published = ?, description = ?, article_id = ?, updated_at = ?,
			related = ?, story_url = ? WHERE id = ?`, it.Link, it.Title, it.Publisher, it.PublisherURL,
			fmtTime(it.Published), it.Description, it.ArticleID, now, related, it.StoryURL, it.ID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("item %q of feed %d: %w", it.GUID, it.FeedID, err)
	}
	return created, nil
}

// Item returns one item.
func (s *Store) Item(ctx context.Context, id int64) (*model.Item, error) {
	it, err := scanItem(s.r.QueryRowContext(ctx, `SELECT `+itemCols+` FROM items WHERE id = ?`, id))
	return it, notFound(err, fmt.Sprintf("item %d", id))
}

// UnfinishedItems lists a feed's items that still need work, oldest first.
func (s *Store) UnfinishedItems(ctx context.Context, feedID int64) ([]model.Item, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+itemCols+` FROM items
		WHERE feed_id = ? AND status <> ? ORDER BY id`, feedID, model.ItemDone)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []model.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, *it)
	}
	return items, rows.Err()
}

// FailItem records a failed attempt; the item stays unfinished.
func (s *Store) FailItem(ctx context.Context, itemID int64, msg string) error {
	// An item another worker finished meanwhile stays done.
	_, err := s.w.ExecContext(ctx, `UPDATE items SET status = ?, error = ?, attempts = attempts + 1,
		updated_at = ? WHERE id = ? AND status <> ?`, model.ItemFailed, msg, fmtTime(time.Now()), itemID, model.ItemDone)
	return err
}

// DeferItem makes an item wait until a given time.
func (s *Store) DeferItem(ctx context.Context, itemID int64, until time.Time, msg string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE items SET status = ?, error = ?, attempts = attempts + 1,
		next_attempt_at = ?, updated_at = ? WHERE id = ? AND status <> ?`,
		model.ItemWaiting, msg, fmtTime(until), fmtTime(time.Now()), itemID, model.ItemDone)
	return err
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
	_, err := s.w.ExecContext(ctx, `UPDATE items SET source_url = ?, amp_url = ?, updated_at = ?
		WHERE id = ?`, sourceURL, ampURL, fmtTime(time.Now()), itemID)
	return err
}

// ItemCounts counts a feed's items by status.
func (s *Store) ItemCounts(ctx context.Context, feedID int64) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT status, count(*) FROM items WHERE feed_id = ? GROUP BY status`, feedID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		counts[st] = n
	}
	return counts, rows.Err()
}
