package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// AddFeed stores a new subscription.
func (s *Store) AddFeed(ctx context.Context, f *model.Feed) error {
	store.PrepareFeed(f, time.Now())
	err := s.pool.QueryRow(ctx, `INSERT INTO feeds (url, title, poll_interval_s, paused, next_poll_at, created_at, proxy)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		f.URL, f.Title, int64(f.PollInterval/time.Second), f.Paused, nullTime(f.NextPollAt),
		f.CreatedAt.UTC(), f.Proxy).Scan(&f.ID)
	if isUnique(err) {
		return fmt.Errorf("feed %s: %w", f.URL, store.ErrExists)
	}
	return err
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id int64) (*model.Feed, error) {
	f, err := sqlshared.ScanFeed(s.pool.QueryRow(ctx, `SELECT `+sqlshared.FeedCols+` FROM feeds WHERE id = $1`, id))
	return f, notFound(err, fmt.Sprintf("feed %d", id))
}

// Feeds lists every feed in the order they were added.
func (s *Store) Feeds(ctx context.Context) ([]model.Feed, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.FeedCols+` FROM feeds ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Feed, error) {
		f, err := sqlshared.ScanFeed(r)
		if err != nil {
			return model.Feed{}, err
		}
		return *f, nil
	})
}

// DeleteFeed removes a feed and its items; the posts made from them stay.
func (s *Store) DeleteFeed(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM feeds WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("feed %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// RecordPoll stores the outcome of one poll.
func (s *Store) RecordPoll(ctx context.Context, feedID int64, r store.PollResult) error {
	var n int64
	var err error
	interval := int64(r.Interval / time.Second)
	var changed any
	if r.Changed {
		changed = nullTime(r.At)
	}
	if r.Err != nil {
		tag, e := s.pool.Exec(ctx, `UPDATE feeds SET last_polled_at = $1, next_poll_at = $2,
			error_count = error_count + 1, last_error = $3,
			disabled_reason = CASE WHEN $4 <> '' THEN $4 ELSE disabled_reason END
			WHERE id = $5`,
			nullTime(r.At), nullTime(r.NextPollAt), r.Err.Error(), r.Disable, feedID)
		n, err = tag.RowsAffected(), e
	} else {
		tag, e := s.pool.Exec(ctx, `UPDATE feeds SET last_polled_at = $1, next_poll_at = $2,
			error_count = 0, last_error = '',
			title = CASE WHEN $3 <> '' THEN $3 ELSE title END,
			poll_interval_s = CASE WHEN $4::bigint > 0 THEN $4 ELSE poll_interval_s END,
			last_changed_at = COALESCE($5::timestamptz, last_changed_at),
			etag = $6, last_modified = $7 WHERE id = $8`,
			nullTime(r.At), nullTime(r.NextPollAt), r.Title, interval, changed, r.ETag, r.LastModified, feedID)
		n, err = tag.RowsAffected(), e
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("feed %d: %w", feedID, store.ErrNotFound)
	}
	return nil
}
