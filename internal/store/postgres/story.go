package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

const storyCols = `id, title, COALESCE(lead_post_id, 0), posts, copies, first_published,
	last_published, created_at, updated_at, COALESCE(merged_into, 0)`

func scanStory(r row) (*store.Story, error) {
	var st store.Story
	var first, last, created, updated pgtype.Timestamptz
	if err := r.Scan(&st.ID, &st.Title, &st.LeadPostID, &st.Posts, &st.Copies, &first, &last, &created, &updated, &st.MergedInto); err != nil {
		return nil, err
	}
	st.FirstPublished, st.LastPublished = timeOf(first), timeOf(last)
	st.CreatedAt, st.UpdatedAt = timeOf(created), timeOf(updated)
	return &st, nil
}

func collectStoryLinks(rows pgx.Rows) ([]store.StoryLink, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.StoryLink, error) {
		l, err := sqlshared.ScanStoryLink(r)
		if err != nil {
			return store.StoryLink{}, err
		}
		return *l, nil
	})
}

// AssignStory puts a post in a story (a new one when a.StoryID is 0). The
// post's row is locked first, so two processes assigning one post at once
// take turns: the second finds the first's link and keeps it.
func (s *Store) AssignStory(ctx context.Context, a *store.StoryAssignment) (bool, error) {
	if a.Published.IsZero() {
		a.Published = time.Now().UTC()
	}
	keys := sqlshared.SortedKeys(a.Keys)
	var created bool
	orig := *a
	err := s.tx(ctx, func(tx pgx.Tx) error {
		*a = orig
		created = false
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM posts WHERE id = $1 FOR UPDATE`, a.PostID).Scan(&one); err != nil {
			return notFound(err, fmt.Sprintf("post %d", a.PostID))
		}
		// The post no longer waits for its story (migration 008), in the
		// transaction that puts it in one.
		if _, err := tx.Exec(ctx, `UPDATE posts SET story_pending = false WHERE id = $1 AND story_pending`, a.PostID); err != nil {
			return err
		}
		existing, err := sqlshared.ScanStoryLink(tx.QueryRow(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories WHERE post_id = $1`, a.PostID))
		switch {
		case err == nil:
			a.StoryLink = *existing
			return insertStoryKeys(ctx, tx, a.StoryID, keys)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		copies := 0
		if a.CopyOf != 0 {
			copies = 1
		}
		pub := a.Published.UTC()
		if a.StoryID == 0 {
			if a.Evidence == "" {
				a.Evidence = store.EvidenceNew
			}
			if err := tx.QueryRow(ctx, `INSERT INTO stories (title, lead_post_id, posts, copies,
				first_published, last_published, created_at, updated_at) VALUES ($1, $2, 1, $3, $4, $4, now(), now())
				RETURNING id`, a.Title, a.PostID, copies, pub).Scan(&a.StoryID); err != nil {
				return err
			}
		} else {
			if a.StoryID, err = lockLiveStory(ctx, tx, a.StoryID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE stories SET posts = posts + 1, copies = copies + $1,
				first_published = LEAST(first_published, $2), last_published = GREATEST(last_published, $2),
				updated_at = now() WHERE id = $3`, copies, pub, a.StoryID); err != nil {
				return err
			}
		}
		var copyOf any
		if a.CopyOf != 0 {
			copyOf = a.CopyOf
		}
		if err := tx.QueryRow(ctx, `INSERT INTO post_stories (post_id, story_id, copy_of, score, evidence, assigned_at)
			VALUES ($1, $2, $3, $4, $5, now()) RETURNING id`, a.PostID, a.StoryID, copyOf, a.Score, a.Evidence).Scan(&a.Seq); err != nil {
			if pgCode(err) == codeForeignKeyViolation {
				return fmt.Errorf("post %d: %w", a.CopyOf, store.ErrNotFound)
			}
			return err
		}
		created = true
		return insertStoryKeys(ctx, tx, a.StoryID, keys)
	})
	if err != nil {
		return false, fmt.Errorf("assign post %d to story: %w", orig.PostID, err)
	}
	return created, nil
}

// lockLiveStory locks a story's row, following a story merged away to the
// one it was merged into (a merge committed meanwhile is seen: FOR UPDATE
// reads the latest row); ErrNotFound for an unknown story.
func lockLiveStory(ctx context.Context, tx pgx.Tx, id int64) (int64, error) {
	for hops := 0; hops < 8; hops++ {
		var merged *int64
		err := tx.QueryRow(ctx, `SELECT merged_into FROM stories WHERE id = $1 FOR UPDATE`, id).Scan(&merged)
		if err != nil {
			return 0, notFound(err, fmt.Sprintf("story %d", id))
		}
		if merged == nil {
			return id, nil
		}
		id = *merged
	}
	return 0, fmt.Errorf("story %d: merged too many times over", id)
}

func insertStoryKeys(ctx context.Context, tx pgx.Tx, storyID int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO story_keys (key, story_id) SELECT k, $2 FROM unnest($1::text[]) AS k
		ORDER BY k ON CONFLICT DO NOTHING`, keys, storyID)
	return err
}

// StoryKeys finds the stories holding any of keys.
func (s *Store) StoryKeys(ctx context.Context, keys []string) (map[string]int64, error) {
	out := map[string]int64{}
	keys = sqlshared.SortedKeys(keys)
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := s.reader(ctx).Query(ctx, `SELECT key, story_id FROM story_keys WHERE key = ANY($1::text[])`, keys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return sqlshared.ScanMap(rows, out)
}

// AddStoryKeys records keys for a story; held keys stay where they are.
func (s *Store) AddStoryKeys(ctx context.Context, storyID int64, keys []string) error {
	keys = sqlshared.SortedKeys(keys)
	if len(keys) == 0 {
		return nil
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		live, err := lockLiveStory(ctx, tx, storyID)
		if err != nil {
			return err
		}
		return insertStoryKeys(ctx, tx, live, keys)
	})
	if err != nil {
		return fmt.Errorf("story keys: %w", err)
	}
	return nil
}

// MergeStories moves story from's posts and keys into story into. Both
// rows are locked in ID order, so concurrent merges cannot deadlock.
func (s *Store) MergeStories(ctx context.Context, from, into int64) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		first, second := min(from, into), max(from, into)
		if _, err = lockLiveStory(ctx, tx, first); err != nil {
			return err
		}
		if _, err = lockLiveStory(ctx, tx, second); err != nil {
			return err
		}
		if from, err = lockLiveStory(ctx, tx, from); err != nil {
			return err
		}
		if into, err = lockLiveStory(ctx, tx, into); err != nil {
			return err
		}
		if from == into {
			return nil
		}
		for _, q := range []string{
			`UPDATE post_stories SET story_id = $2::bigint WHERE story_id = $1::bigint`,
			`UPDATE story_keys SET story_id = $2::bigint WHERE story_id = $1::bigint`,
			// Counts add up rather than being counted again: a merge costs
			// the smaller story's size, however large the other one is.
			`UPDATE stories SET
				posts = posts + (SELECT posts FROM stories WHERE id = $1::bigint),
				copies = copies + (SELECT copies FROM stories WHERE id = $1::bigint),
				first_published = LEAST(first_published, (SELECT first_published FROM stories WHERE id = $1::bigint)),
				last_published = GREATEST(last_published, (SELECT last_published FROM stories WHERE id = $1::bigint)),
				updated_at = now() WHERE id = $2::bigint`,
			`UPDATE stories SET merged_into = $2::bigint, posts = 0, copies = 0, updated_at = now() WHERE id = $1::bigint`,
			`UPDATE stories SET merged_into = $2::bigint WHERE merged_into = $1::bigint`,
		} {
			if _, err := tx.Exec(ctx, q, from, into); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("merge story %d into %d: %w", from, into, err)
	}
	return nil
}

// RerootCopies makes newRoot the original of oldRoot's copy group.
func (s *Store) RerootCopies(ctx context.Context, oldRoot, newRoot int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		// The story's copies change by one for each of the two posts whose
		// state flips: the old root becomes a copy, the new one stops being
		// one. The rows are locked first (story row next), like AssignStory.
		rows, err := tx.Query(ctx, `SELECT post_id, copy_of IS NOT NULL FROM post_stories
			WHERE post_id = ANY($1::bigint[]) ORDER BY post_id FOR UPDATE`, []int64{oldRoot, newRoot})
		if err != nil {
			return err
		}
		delta, err := sqlshared.RerootDelta(rows, oldRoot, newRoot)
		rows.Close()
		if err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE post_stories SET copy_of = $2::bigint WHERE copy_of = $1::bigint AND post_id <> $2::bigint AND $3::int IS NOT NULL`,
			`UPDATE post_stories SET copy_of = $2::bigint WHERE post_id = $1::bigint AND $3::int IS NOT NULL`,
			`UPDATE post_stories SET copy_of = NULL WHERE post_id = $2::bigint AND $1::bigint IS NOT NULL AND $3::int IS NOT NULL`,
			`UPDATE stories SET copies = copies + $3::int
				WHERE id = (SELECT story_id FROM post_stories WHERE post_id = $2::bigint) AND $1::bigint IS NOT NULL`,
		} {
			if _, err := tx.Exec(ctx, q, oldRoot, newRoot, delta); err != nil {
				return fmt.Errorf("reroot copies of %d: %w", oldRoot, err)
			}
		}
		return nil
	})
}

// PostStory is a post's story link.
func (s *Store) PostStory(ctx context.Context, postID int64) (*store.StoryLink, error) {
	l, err := sqlshared.ScanStoryLink(s.pool.QueryRow(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories WHERE post_id = $1`, postID))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("story of post %d", postID))
	}
	return l, nil
}

// Story returns one story.
func (s *Store) Story(ctx context.Context, id int64) (*store.Story, error) {
	st, err := scanStory(s.pool.QueryRow(ctx, `SELECT `+storyCols+` FROM stories WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("story %d", id))
	}
	return st, nil
}

// Stories lists stories, newest report first.
func (s *Store) Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error) {
	var limit any
	if q.Limit > 0 {
		limit = q.Limit
	}
	rows, err := s.pool.Query(ctx, `SELECT `+storyCols+` FROM stories
		WHERE merged_into IS NULL AND posts >= $1
		ORDER BY last_published DESC, id DESC LIMIT $2 OFFSET $3`, max(q.MinPosts, 0), limit, max(q.Offset, 0))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Story, error) {
		st, err := scanStory(r)
		if err != nil {
			return store.Story{}, err
		}
		return *st, nil
	})
}

// CountStories counts the stories q selects.
func (s *Store) CountStories(ctx context.Context, q store.StoryQuery) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM stories WHERE merged_into IS NULL AND posts >= $1`, max(q.MinPosts, 0)).Scan(&n)
	return n, err
}

// StoryReports lists a story's reports, newest first, with their items.
func (s *Store) StoryReports(ctx context.Context, storyID int64) ([]store.StoryReport, error) {
	if _, err := s.Story(ctx, storyID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories WHERE story_id = $1`, storyID)
	if err != nil {
		return nil, err
	}
	ls, err := collectStoryLinks(rows)
	if err != nil {
		return nil, err
	}
	links := make(map[int64]store.StoryLink, len(ls))
	for _, l := range ls {
		links[l.PostID] = l
	}
	rows, err = s.pool.Query(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE id IN (SELECT post_id FROM post_stories WHERE story_id = $1)
		ORDER BY published DESC, id DESC`, storyID)
	if err != nil {
		return nil, err
	}
	posts, err := scanPosts(rows)
	if err != nil {
		return nil, err
	}
	out := make([]store.StoryReport, len(posts))
	at := make(map[int64]int, len(posts))
	for i, p := range posts {
		at[p.ID] = i
		out[i] = store.StoryReport{Post: p, Link: links[p.ID]}
	}
	rows, err = s.pool.Query(ctx, `SELECT `+sqlshared.ItemCols+` FROM items
		WHERE post_id IN (SELECT post_id FROM post_stories WHERE story_id = $1)
		ORDER BY published NULLS FIRST, id`, storyID)
	if err != nil {
		return nil, err
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if i, ok := at[it.PostID]; ok {
			out[i].Items = append(out[i].Items, it)
		}
	}
	return out, nil
}

// StoryPosts lists the posts with a story published at or after since,
// oldest first.
func (s *Store) StoryPosts(ctx context.Context, since time.Time, limit int) ([]store.StoryPost, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories
		WHERE post_id IN (SELECT id FROM posts WHERE published >= $1)`, since.UTC())
	if err != nil {
		return nil, err
	}
	ls, err := collectStoryLinks(rows)
	if err != nil {
		return nil, err
	}
	links := make(map[int64]store.StoryLink, len(ls))
	for _, l := range ls {
		links[l.PostID] = l
	}
	rows, err = s.pool.Query(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE published >= $1 AND id IN (SELECT post_id FROM post_stories)
		ORDER BY published, id LIMIT $2`, since.UTC(), lim)
	if err != nil {
		return nil, err
	}
	posts, err := scanPosts(rows)
	if err != nil {
		return nil, err
	}
	out := make([]store.StoryPost, 0, len(posts))
	for _, p := range posts {
		if l, ok := links[p.ID]; ok {
			out = append(out, store.StoryPost{Post: p, Link: l})
		}
	}
	return out, nil
}

// StoryLinksAfter lists story links with Seq > seq, in order.
func (s *Store) StoryLinksAfter(ctx context.Context, seq int64, limit int) ([]store.StoryLink, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories WHERE id > $1 ORDER BY id LIMIT $2`, seq, lim)
	if err != nil {
		return nil, err
	}
	return collectStoryLinks(rows)
}
