package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// AddComment stores a comment; a reply must belong to the same post.
func (s *Store) AddComment(ctx context.Context, c *model.Comment) error {
	store.PrepareComment(c, time.Now())
	parent := sqlshared.NullID(c.ParentID)
	err := s.w.QueryRowContext(ctx, `INSERT INTO comments (post_id, parent_id, name, website, body, status, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?
		WHERE ? IS NULL OR EXISTS (SELECT 1 FROM comments WHERE id = ? AND post_id = ?)
		RETURNING id`,
		c.PostID, parent, c.Name, c.Website, c.Body, c.Status, fmtTime(c.CreatedAt),
		parent, parent, c.PostID).Scan(&c.ID)
	switch {
	case err != nil && strings.Contains(err.Error(), "FOREIGN KEY"):
		return fmt.Errorf("comment on post %d: %w", c.PostID, store.ErrNotFound)
	case err != nil && strings.Contains(err.Error(), "no rows"):
		return fmt.Errorf("reply to comment %d of post %d: %w", c.ParentID, c.PostID, store.ErrNotFound)
	}
	return err
}

// Comments lists a post's comments, oldest first.
func (s *Store) Comments(ctx context.Context, postID int64, approvedOnly bool) ([]model.Comment, error) {
	q := `SELECT id, post_id, COALESCE(parent_id, 0), name, website, body, status, created_at
		FROM comments WHERE post_id = ?`
	args := []any{postID}
	if approvedOnly {
		q += ` AND status = ?`
		args = append(args, model.CommentApproved)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Comment
	for rows.Next() {
		var c model.Comment
		var created string
		if err := rows.Scan(&c.ID, &c.PostID, &c.ParentID, &c.Name, &c.Website, &c.Body, &c.Status, &created); err != nil {
			return nil, err
		}
		c.CreatedAt = parseTime(created)
		out = append(out, c)
	}
	return out, rows.Err()
}
