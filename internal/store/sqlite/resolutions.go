package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// Resolution returns what is known of a Google News article ID.
func (s *Store) Resolution(ctx context.Context, articleID string) (*model.Resolution, error) {
	var r model.Resolution
	var retry, resolved string
	err := s.r.QueryRowContext(ctx, `SELECT article_id, url, amp_url, error, permanent, attempts,
		retry_after, resolved_at FROM gnews_resolutions WHERE article_id = ?`, articleID).Scan(
		&r.ArticleID, &r.URL, &r.AMPURL, &r.Error, &r.Permanent, &r.Attempts, &retry, &resolved)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("resolution of %.20s…", articleID))
	}
	r.RetryAfter, r.ResolvedAt = parseTime(retry), parseTime(resolved)
	return &r, nil
}

// SaveResolution upserts a resolution. A stored success is never replaced
// by a later failure: a URL, once known, is known for good.
func (s *Store) SaveResolution(ctx context.Context, r *model.Resolution) error {
	if r.ResolvedAt.IsZero() {
		r.ResolvedAt = time.Now().UTC()
	}
	attempts := 0
	if !r.OK() {
		attempts = 1
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO gnews_resolutions (article_id, url, amp_url, error,
		permanent, attempts, retry_after, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (article_id) DO UPDATE SET
			url = excluded.url, amp_url = excluded.amp_url, error = excluded.error,
			permanent = excluded.permanent, attempts = gnews_resolutions.attempts + excluded.attempts,
			retry_after = excluded.retry_after, resolved_at = excluded.resolved_at
		WHERE gnews_resolutions.url = ''`,
		r.ArticleID, r.URL, r.AMPURL, r.Error, r.Permanent, attempts, fmtTime(r.RetryAfter), fmtTime(r.ResolvedAt))
	return err
}
