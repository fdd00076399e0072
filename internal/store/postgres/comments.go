package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// AddComment stores a comment; a reply must belong to the same post.
func (s *Store) AddComment(ctx context.Context, c *model.Comment) error {
	store.PrepareComment(c, time.Now())
	parent := sqlshared.NullID(c.ParentID)
	err := s.pool.QueryRow(ctx, `INSERT INTO comments (post_id, parent_id, name, website, body, status, created_at)
		SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE $2::bigint IS NULL OR EXISTS (SELECT 1 FROM comments WHERE id = $2 AND post_id = $1)
		RETURNING id`,
		c.PostID, parent, c.Name, c.Website, c.Body, c.Status, c.CreatedAt.UTC()).Scan(&c.ID)
	switch {
	case pgCode(err) == codeForeignKeyViolation:
		return fmt.Errorf("comment on post %d: %w", c.PostID, store.ErrNotFound)
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("reply to comment %d of post %d: %w", c.ParentID, c.PostID, store.ErrNotFound)
	}
	return err
}

// Comments lists a post's comments, oldest first.
func (s *Store) Comments(ctx context.Context, postID int64, approvedOnly bool) ([]model.Comment, error) {
	q := `SELECT id, post_id, COALESCE(parent_id, 0), name, website, body, status, created_at
		FROM comments WHERE post_id = $1`
	args := []any{postID}
	if approvedOnly {
		q += ` AND status = $2`
		args = append(args, model.CommentApproved)
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Comment, error) {
		var c model.Comment
		var created pgtype.Timestamptz
		err := r.Scan(&c.ID, &c.PostID, &c.ParentID, &c.Name, &c.Website, &c.Body, &c.Status, &created)
		c.CreatedAt = timeOf(created)
		return c, err
	})
}
