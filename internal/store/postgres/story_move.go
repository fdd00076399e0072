package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// MoveStoryPost moves one post, its own reporting that no other post
// copies, from its story to story to, with a new score and evidence
// (internal/story: a report that joined on weak evidence leaving for a
// better story). Both stories' counts and first and last times follow.
// The post's link keeps its Seq.
func (s *Store) MoveStoryPost(ctx context.Context, postID, to int64, score float64, evidence string) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var from int64
		var copyOf *int64
		err := tx.QueryRow(ctx, `SELECT story_id, copy_of FROM post_stories WHERE post_id = $1 FOR UPDATE`, postID).Scan(&from, &copyOf)
		if err != nil {
			return notFound(err, fmt.Sprintf("story of post %d", postID))
		}
		var copies int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM post_stories WHERE copy_of = $1`, postID).Scan(&copies); err != nil {
			return err
		}
		if copyOf != nil || copies > 0 {
			return fmt.Errorf("post %d is in a copy group: only own reporting moves", postID)
		}
		// Stories are locked in ID order, as MergeStories does.
		if _, err := lockLiveStory(ctx, tx, min(from, to)); err != nil {
			return err
		}
		if to, err = lockLiveStory(ctx, tx, to); err != nil {
			return err
		}
		if from == to {
			return nil
		}
		if _, err := lockLiveStory(ctx, tx, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE post_stories SET story_id = $2, score = $3, evidence = $4 WHERE post_id = $1`,
			postID, to, score, evidence); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE stories SET posts = posts - 1, updated_at = now(),
			first_published = COALESCE((SELECT min(p.published) FROM post_stories ps JOIN posts p ON p.id = ps.post_id WHERE ps.story_id = $1), first_published),
			last_published = COALESCE((SELECT max(p.published) FROM post_stories ps JOIN posts p ON p.id = ps.post_id WHERE ps.story_id = $1), last_published)
			WHERE id = $1`, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE stories SET posts = posts + 1, updated_at = now(),
			first_published = LEAST(first_published, (SELECT published FROM posts WHERE id = $1)),
			last_published = GREATEST(last_published, (SELECT published FROM posts WHERE id = $1))
			WHERE id = $2`, postID, to); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("move post %d to story %d: %w", postID, to, err)
	}
	return nil
}
