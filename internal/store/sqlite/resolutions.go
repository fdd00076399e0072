package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// Resolution returns what is known of a Google News article ID.
func (s *Store) Resolution(ctx context.Context, articleID string) (*model.Resolution, error) {
	r, err := sqlshared.ScanResolution(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.ResolutionCols+`
		FROM gnews_resolutions WHERE article_id = ?`, articleID))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("resolution of %.20s…", articleID))
	}
	return r, nil
}

// SaveResolution upserts a resolution. A stored success is never replaced
// by a later failure: a URL, once known, is known for good.
func (s *Store) SaveResolution(ctx context.Context, r *model.Resolution) error {
	attempts := store.PrepareResolution(r, time.Now())
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
