package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kabarnews/kabar/internal/model"
)

// Resolution returns what is known of a Google News article ID.
func (s *Store) Resolution(ctx context.Context, articleID string) (*model.Resolution, error) {
	var r model.Resolution
	var retry, resolved pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `SELECT article_id, url, amp_url, error, permanent, attempts,
		retry_after, resolved_at FROM gnews_resolutions WHERE article_id = $1`, articleID).Scan(
		&r.ArticleID, &r.URL, &r.AMPURL, &r.Error, &r.Permanent, &r.Attempts, &retry, &resolved)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("resolution of %.20s…", articleID))
	}
	r.RetryAfter, r.ResolvedAt = timeOf(retry), timeOf(resolved)
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
	_, err := s.pool.Exec(ctx, `INSERT INTO gnews_resolutions (article_id, url, amp_url, error,
		permanent, attempts, retry_after, resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (article_id) DO UPDATE SET
			url = excluded.url, amp_url = excluded.amp_url, error = excluded.error,
			permanent = excluded.permanent, attempts = gnews_resolutions.attempts + excluded.attempts,
			retry_after = excluded.retry_after, resolved_at = excluded.resolved_at
		WHERE gnews_resolutions.url = ''`,
		r.ArticleID, r.URL, r.AMPURL, r.Error, r.Permanent, attempts, nullTime(r.RetryAfter), r.ResolvedAt.UTC())
	return err
}
