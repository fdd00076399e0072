package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// Comment returns one comment.
func (s *Store) Comment(ctx context.Context, id int64) (*model.Comment, error) {
	c, err := sqlshared.ScanComment(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.CommentCols+` FROM comments WHERE id = ?`, id))
	return c, notFound(err, fmt.Sprintf("comment %d", id))
}

// AddCommentBy stores a comment with its commenter's key.
func (s *Store) AddCommentBy(ctx context.Context, c *model.Comment, commenter string) error {
	if err := s.AddComment(ctx, c); err != nil {
		return err
	}
	if commenter == "" {
		return nil
	}
	_, err := s.w.ExecContext(ctx, `UPDATE comments SET commenter = ? WHERE id = ?`, commenter, c.ID)
	return err
}

// KnownCommenter reports whether a comment by this key was ever approved.
func (s *Store) KnownCommenter(ctx context.Context, commenter string) (bool, error) {
	if commenter == "" {
		return false, nil
	}
	var known bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM comments WHERE commenter = ? AND status = ?)`,
		commenter, model.CommentApproved).Scan(&known)
	return known, err
}

func commentWhere(q store.CommentQuery) (string, []any) {
	var conds []string
	var args []any
	if q.PostID != 0 {
		conds = append(conds, `post_id = ?`)
		args = append(args, q.PostID)
	}
	if q.Status != "" {
		conds = append(conds, `status = ?`)
		args = append(args, q.Status)
	}
	if len(conds) == 0 {
		return `1`, nil
	}
	return strings.Join(conds, ` AND `), args
}

// ListComments lists the comments q selects, newest first.
func (s *Store) ListComments(ctx context.Context, q store.CommentQuery) ([]model.Comment, error) {
	where, args := commentWhere(q)
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.CommentCols+` FROM comments WHERE `+where+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	return collect(rows, err, sqlshared.ScanComment)
}

// CountComments counts the comments q selects.
func (s *Store) CountComments(ctx context.Context, q store.CommentQuery) (int, error) {
	where, args := commentWhere(q)
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM comments WHERE `+where, args...).Scan(&n)
	return n, err
}

// CommentCounts counts the approved comments of each post given.
func (s *Store) CommentCounts(ctx context.Context, postIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	in, args := inList([]any{model.CommentApproved}, postIDs)
	rows, err := s.r.QueryContext(ctx, `SELECT post_id, count(*) FROM comments WHERE status = ? AND post_id IN `+
		in+` GROUP BY post_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return sqlshared.ScanMap(rows, out)
}

// SetCommentStatus approves a comment, marks it spam or holds it again.
func (s *Store) SetCommentStatus(ctx context.Context, id int64, status string) error {
	switch status {
	case model.CommentPending, model.CommentApproved, model.CommentSpam:
	default:
		return fmt.Errorf("comment %d: unknown status %q", id, status)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE comments SET status = ? WHERE id = ?`, status, id)
	return affected(res, err, fmt.Sprintf("comment %d", id))
}

// DeleteComment removes a comment; its replies go with it.
func (s *Store) DeleteComment(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, id)
	return affected(res, err, fmt.Sprintf("comment %d", id))
}
