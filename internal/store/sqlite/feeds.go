package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// AddFeed stores a new subscription.
func (s *Store) AddFeed(ctx context.Context, f *model.Feed) error {
	store.PrepareFeed(f, time.Now())
	err := s.w.QueryRowContext(ctx, `INSERT INTO feeds (url, title, poll_interval_s, paused, next_poll_at, created_at, proxy)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.URL, f.Title, int64(f.PollInterval/time.Second), f.Paused, fmtTime(f.NextPollAt), fmtTime(f.CreatedAt), f.Proxy).Scan(&f.ID)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("feed %s: %w", f.URL, store.ErrExists)
	}
	return err
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id int64) (*model.Feed, error) {
	f, err := sqlshared.ScanFeed(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.FeedCols+` FROM feeds WHERE id = ?`, id))
	return f, notFound(err, fmt.Sprintf("feed %d", id))
}

// Feeds lists every feed in the order they were added.
func (s *Store) Feeds(ctx context.Context) ([]model.Feed, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.FeedCols+` FROM feeds ORDER BY id`)
	return collect(rows, err, sqlshared.ScanFeed)
}

// DeleteFeed removes a feed and its items; the posts made from them stay.
func (s *Store) DeleteFeed(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM feeds WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("feed %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// RecordPoll stores the outcome of one poll.
func (s *Store) RecordPoll(ctx context.Context, feedID int64, r store.PollResult) error {
	var res sql.Result
	var err error
	interval := int64(r.Interval / time.Second)
	changed := ""
	if r.Changed {
		changed = fmtTime(r.At)
	}
	if r.Err != nil {
		res, err = s.w.ExecContext(ctx, `UPDATE feeds SET last_polled_at = ?, next_poll_at = ?,
			error_count = error_count + 1, last_error = ?,
			disabled_reason = CASE WHEN ? <> '' THEN ? ELSE disabled_reason END
			WHERE id = ?`,
			fmtTime(r.At), fmtTime(r.NextPollAt), r.Err.Error(), r.Disable, r.Disable, feedID)
	} else {
		res, err = s.w.ExecContext(ctx, `UPDATE feeds SET last_polled_at = ?, next_poll_at = ?,
			error_count = 0, last_error = '',
			title = CASE WHEN ? <> '' THEN ? ELSE title END,
			poll_interval_s = CASE WHEN ? > 0 THEN ? ELSE poll_interval_s END,
			last_changed_at = CASE WHEN ? <> '' THEN ? ELSE last_changed_at END,
			etag = ?, last_modified = ? WHERE id = ?`,
			fmtTime(r.At), fmtTime(r.NextPollAt), r.Title, r.Title, interval, interval,
			changed, changed, r.ETag, r.LastModified, feedID)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("feed %d: %w", feedID, store.ErrNotFound)
	}
	return nil
}
