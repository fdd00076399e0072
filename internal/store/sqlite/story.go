package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

const storyCols = `id, title, COALESCE(lead_post_id, 0), posts, copies, first_published,
	last_published, created_at, updated_at, COALESCE(merged_into, 0)`

func scanStory(row scanner) (*store.Story, error) {
	var st store.Story
	var first, last, created, updated string
	if err := row.Scan(&st.ID, &st.Title, &st.LeadPostID, &st.Posts, &st.Copies, &first, &last, &created, &updated, &st.MergedInto); err != nil {
		return nil, err
	}
	st.FirstPublished, st.LastPublished = parseTime(first), parseTime(last)
	st.CreatedAt, st.UpdatedAt = parseTime(created), parseTime(updated)
	return &st, nil
}

// AssignStory puts a post in a story (a new one when a.StoryID is 0).
func (s *Store) AssignStory(ctx context.Context, a *store.StoryAssignment) (bool, error) {
	if a.Published.IsZero() {
		a.Published = time.Now().UTC()
	}
	keys := sqlshared.SortedKeys(a.Keys)
	var created bool
	orig := *a
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		*a, created = orig, false
		// The post no longer waits for its story (migration 008), in the
		// transaction that puts it in one.
		if _, err := s.stmt(ctx, tx, qStoryDone).ExecContext(ctx, a.PostID); err != nil {
			return err
		}
		existing, err := sqlshared.ScanStoryLink(s.stmt(ctx, tx, qStoryLinkOf).QueryRowContext(ctx, a.PostID))
		switch {
		case err == nil:
			a.StoryLink = *existing
			return s.insertStoryKeys(ctx, tx, a.StoryID, keys)
		case err != sql.ErrNoRows:
			return err
		}
		now := fmtTime(time.Now())
		pub := fmtTime(a.Published)
		copies := 0
		if a.CopyOf != 0 {
			copies = 1
		}
		if a.StoryID == 0 {
			if a.Evidence == "" {
				a.Evidence = store.EvidenceNew
			}
			if err := s.stmt(ctx, tx, qNewStory).QueryRowContext(ctx, a.Title, a.PostID, copies, pub, pub, now, now).Scan(&a.StoryID); err != nil {
				return err
			}
		} else {
			if a.StoryID, err = s.liveStory(ctx, tx, a.StoryID); err != nil {
				return err
			}
			if _, err := s.stmt(ctx, tx, qGrowStory).ExecContext(ctx, copies, pub, pub, now, a.StoryID); err != nil {
				return err
			}
		}
		var copyOf any
		if a.CopyOf != 0 {
			copyOf = a.CopyOf
		}
		if err := s.stmt(ctx, tx, qLinkPost).QueryRowContext(ctx, a.PostID, a.StoryID, copyOf, a.Score, a.Evidence, now).Scan(&a.Seq); err != nil {
			return err
		}
		created = true
		return s.insertStoryKeys(ctx, tx, a.StoryID, keys)
	})
	if isForeignKey(err) {
		// An unknown post (or copied post): the foreign keys of stories
		// and post_stories refused it, and the transaction was undone.
		err = fmt.Errorf("post %d or %d: %w", a.PostID, a.CopyOf, store.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("assign post %d to story: %w", a.PostID, err)
	}
	return created, nil
}

func isForeignKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// liveStory follows a story merged away to the one it was merged into;
// ErrNotFound for an unknown story.
func (s *Store) liveStory(ctx context.Context, tx *sql.Tx, id int64) (int64, error) {
	var live int64
	err := s.stmt(ctx, tx, qLiveStory).QueryRowContext(ctx, id).Scan(&live)
	if err == sql.ErrNoRows {
		return 0, fmt.Errorf("story %d: %w", id, store.ErrNotFound)
	}
	return live, err
}

func (s *Store) insertStoryKeys(ctx context.Context, tx *sql.Tx, storyID int64, keys []string) error {
	ins := s.stmt(ctx, tx, qStoryKey)
	for _, k := range keys {
		if _, err := ins.ExecContext(ctx, k, storyID); err != nil {
			return err
		}
	}
	return nil
}

// StoryKeys finds the stories holding any of keys.
func (s *Store) StoryKeys(ctx context.Context, keys []string) (map[string]int64, error) {
	keys = sqlshared.SortedKeys(keys)
	out := map[string]int64{}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 500)]
		keys = keys[len(batch):]
		in, args := inList(nil, batch)
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT key, story_id FROM story_keys WHERE key IN `+in, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AddStoryKeys records keys for a story; held keys stay where they are.
func (s *Store) AddStoryKeys(ctx context.Context, storyID int64, keys []string) error {
	keys = sqlshared.SortedKeys(keys)
	if len(keys) == 0 {
		return nil
	}
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		live, err := s.liveStory(ctx, tx, storyID)
		if err != nil {
			return err
		}
		return s.insertStoryKeys(ctx, tx, live, keys)
	})
	if err != nil {
		return fmt.Errorf("story keys: %w", err)
	}
	return nil
}

// MergeStories moves story from's posts and keys into story into.
func (s *Store) MergeStories(ctx context.Context, from, into int64) error {
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		from, err := s.liveStory(ctx, tx, from)
		if err != nil {
			return err
		}
		into, err := s.liveStory(ctx, tx, into)
		if err != nil {
			return err
		}
		if from == into {
			return nil
		}
		now := fmtTime(time.Now())
		for _, q := range []string{
			`UPDATE post_stories SET story_id = ?2 WHERE story_id = ?1`,
			`UPDATE story_keys SET story_id = ?2 WHERE story_id = ?1`,
			// Counts add up rather than being counted again: a merge costs
			// the smaller story's size, however large the other one is.
			`UPDATE stories SET
				posts = posts + (SELECT posts FROM stories WHERE id = ?1),
				copies = copies + (SELECT copies FROM stories WHERE id = ?1),
				first_published = min(first_published, (SELECT first_published FROM stories WHERE id = ?1)),
				last_published = max(last_published, (SELECT last_published FROM stories WHERE id = ?1)),
				updated_at = ?3 WHERE id = ?2`,
			`UPDATE stories SET merged_into = ?2, posts = 0, copies = 0, updated_at = ?3 WHERE id = ?1`,
			`UPDATE stories SET merged_into = ?2 WHERE merged_into = ?1`,
		} {
			if _, err := tx.ExecContext(ctx, q, from, into, now); err != nil {
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
	return s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// The story's copies change by one for each of the two posts whose
		// state flips: the old root becomes a copy, the new one stops being
		// one.
		rows, err := tx.QueryContext(ctx, `SELECT post_id, copy_of IS NOT NULL FROM post_stories WHERE post_id IN (?, ?)`, oldRoot, newRoot)
		if err != nil {
			return err
		}
		delta, err := sqlshared.RerootDelta(rows, oldRoot, newRoot)
		rows.Close()
		if err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE post_stories SET copy_of = ?2 WHERE copy_of = ?1 AND post_id <> ?2`,
			`UPDATE post_stories SET copy_of = ?2 WHERE post_id = ?1`,
			`UPDATE post_stories SET copy_of = NULL WHERE post_id = ?2`,
			`UPDATE stories SET copies = copies + ?3 WHERE id = (SELECT story_id FROM post_stories WHERE post_id = ?2)`,
		} {
			if _, err := tx.ExecContext(ctx, q, oldRoot, newRoot, delta); err != nil {
				return fmt.Errorf("reroot copies of %d: %w", oldRoot, err)
			}
		}
		return nil
	})
}

// PostStory is a post's story link.
func (s *Store) PostStory(ctx context.Context, postID int64) (*store.StoryLink, error) {
	l, err := sqlshared.ScanStoryLink(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories WHERE post_id = ?`, postID))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("story of post %d", postID))
	}
	return l, nil
}

// Story returns one story.
func (s *Store) Story(ctx context.Context, id int64) (*store.Story, error) {
	st, err := scanStory(s.r.QueryRowContext(ctx, `SELECT `+storyCols+` FROM stories WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("story %d", id))
	}
	return st, nil
}

// Stories lists stories, newest report first.
func (s *Store) Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+storyCols+` FROM stories
		WHERE merged_into IS NULL AND posts >= ?
		ORDER BY last_published DESC, id DESC LIMIT ? OFFSET ?`, max(q.MinPosts, 0), limit, max(q.Offset, 0))
	return collect(rows, err, scanStory)
}

// CountStories counts the stories q selects.
func (s *Store) CountStories(ctx context.Context, q store.StoryQuery) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM stories WHERE merged_into IS NULL AND posts >= ?`, max(q.MinPosts, 0)).Scan(&n)
	return n, err
}

// StoryReports lists a story's reports, newest first, with their items.
func (s *Store) StoryReports(ctx context.Context, storyID int64) ([]store.StoryReport, error) {
	if _, err := s.Story(ctx, storyID); err != nil {
		return nil, err
	}
	links, err := linksByPost(s.r.QueryContext(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories WHERE story_id = ?`, storyID))
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE id IN (SELECT post_id FROM post_stories WHERE story_id = ?)
		ORDER BY published DESC, id DESC`, storyID)
	posts, err := collect(rows, err, sqlshared.ScanPost)
	if err != nil {
		return nil, err
	}
	var out []store.StoryReport
	at := map[int64]int{}
	for _, p := range posts {
		at[p.ID] = len(out)
		out = append(out, store.StoryReport{Post: p, Link: links[p.ID]})
	}
	rows, err = s.r.QueryContext(ctx, `SELECT `+sqlshared.ItemCols+` FROM items
		WHERE post_id IN (SELECT post_id FROM post_stories WHERE story_id = ?)
		ORDER BY published, id`, storyID)
	items, err := collect(rows, err, sqlshared.ScanItem)
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

// linksByPost reads story links by their post.
func linksByPost(rows *sql.Rows, err error) (map[int64]store.StoryLink, error) {
	list, err := collect(rows, err, sqlshared.ScanStoryLink)
	if err != nil {
		return nil, err
	}
	links := make(map[int64]store.StoryLink, len(list))
	for _, l := range list {
		links[l.PostID] = l
	}
	return links, nil
}

// StoryPosts lists the posts with a story published at or after since,
// oldest first.
func (s *Store) StoryPosts(ctx context.Context, since time.Time, limit int) ([]store.StoryPost, error) {
	if limit <= 0 {
		limit = -1
	}
	from := fmtTime(since)
	links, err := linksByPost(s.r.QueryContext(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories
		WHERE post_id IN (SELECT id FROM posts WHERE published >= ?)`, from))
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE published >= ? AND id IN (SELECT post_id FROM post_stories)
		ORDER BY published, id LIMIT ?`, from, limit)
	posts, err := collect(rows, err, sqlshared.ScanPost)
	if err != nil {
		return nil, err
	}
	var out []store.StoryPost
	for _, p := range posts {
		l, ok := links[p.ID]
		if !ok {
			continue // assigned after the first query: the next catch-up has it
		}
		out = append(out, store.StoryPost{Post: p, Link: l})
	}
	return out, nil
}

// StoryLinksAfter lists story links with Seq > seq, in order.
func (s *Store) StoryLinksAfter(ctx context.Context, seq int64, limit int) ([]store.StoryLink, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.StoryLinkCols+` FROM post_stories WHERE id > ? ORDER BY id LIMIT ?`, seq, limit)
	return collect(rows, err, sqlshared.ScanStoryLink)
}
