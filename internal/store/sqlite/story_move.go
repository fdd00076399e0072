package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MoveStoryPost moves one post, its own reporting that no other post
// copies, from its story to story to, with a new score and evidence
// (internal/story: a report that joined on weak evidence leaving for a
// better story). Both stories' counts and first and last times follow.
// The post's link keeps its Seq.
func (s *Store) MoveStoryPost(ctx context.Context, postID, to int64, score float64, evidence string) error {
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var from int64
		var copyOf sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT story_id, copy_of FROM post_stories WHERE post_id = ?`, postID).Scan(&from, &copyOf)
		if err != nil {
			return notFound(err, fmt.Sprintf("story of post %d", postID))
		}
		var copies int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM post_stories WHERE copy_of = ?`, postID).Scan(&copies); err != nil {
			return err
		}
		if copyOf.Valid || copies > 0 {
			return fmt.Errorf("post %d is in a copy group: only own reporting moves", postID)
		}
		if to, err = s.liveStory(ctx, tx, to); err != nil {
			return err
		}
		if from == to {
			return nil
		}
		now := fmtTime(time.Now())
		for _, q := range []string{
			`UPDATE post_stories SET story_id = ?2, score = ?3, evidence = ?4 WHERE post_id = ?1`,
			`UPDATE stories SET posts = posts - 1, updated_at = ?6,
				first_published = COALESCE((SELECT min(p.published) FROM post_stories ps JOIN posts p ON p.id = ps.post_id WHERE ps.story_id = ?5), first_published),
				last_published = COALESCE((SELECT max(p.published) FROM post_stories ps JOIN posts p ON p.id = ps.post_id WHERE ps.story_id = ?5), last_published)
				WHERE id = ?5`,
			`UPDATE stories SET posts = posts + 1, updated_at = ?6,
				first_published = min(first_published, (SELECT published FROM posts WHERE id = ?1)),
				last_published = max(last_published, (SELECT published FROM posts WHERE id = ?1))
				WHERE id = ?2`,
		} {
			if _, err := tx.ExecContext(ctx, q, postID, to, score, evidence, from, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("move post %d to story %d: %w", postID, to, err)
	}
	return nil
}
