package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// frontFrom selects the home page's posts; see the SQLite store. The
// posts a story hides are left out by NOT EXISTS, the condition of
// hiddenByStory (the same as SQLite's filter on the joined rows): the
// planner priced that filter, an OR over columns of outer joins, as
// keeping one post in 200, so past the first page it sorted all the posts
// (115 ms at 100 000) instead of walking them newest first; an anti-join
// it prices as keeping nearly all.
const frontFrom = ` FROM posts p
	LEFT JOIN post_stories ps ON ps.post_id = p.id
	LEFT JOIN stories st ON st.id = ps.story_id
	WHERE NOT EXISTS (SELECT 1 FROM post_stories h JOIN stories hs ON hs.id = h.story_id
		WHERE h.post_id = p.id AND ` + hiddenByStory + `)`

// hiddenByStory holds of a post_stories row h of a story hs when the post
// is a report the story hides: neither its lead nor, without a lead, one
// of its own reports.
const hiddenByStory = `NOT COALESCE(hs.lead_post_id = h.post_id, false)
	AND NOT (hs.lead_post_id IS NULL AND h.copy_of IS NULL)`

// FrontPosts lists the home page's posts, newest first.
func (s *Store) FrontPosts(ctx context.Context, limit, offset int) ([]store.FrontPost, error) {
	lim, args := limitOffset(nil, limit, offset)
	rows, err := s.pool.Query(ctx, `SELECT `+postColsP+`, COALESCE(ps.story_id, 0), COALESCE(st.posts, 0)`+
		frontFrom+` ORDER BY p.published DESC, p.id DESC`+lim, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.FrontPost, error) {
		return sqlshared.Value(sqlshared.ScanFrontPost(r))
	})
}

// CountFrontPosts counts the home page's posts.
func (s *Store) CountFrontPosts(ctx context.Context) (int, error) {
	var n int
	// All posts less the reports a story hides: the same figure as
	// count(*) over frontFrom, which looked up each of the posts' story
	// rows (two thirds of a home page's CPU at 100 000 posts).
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM posts) - (SELECT count(*)
		FROM post_stories h JOIN stories hs ON hs.id = h.story_id WHERE `+hiddenByStory+`)`).Scan(&n)
	return n, err
}

// AdjacentPosts finds the posts published just after and before p.
func (s *Store) AdjacentPosts(ctx context.Context, p *model.Post) (newer, older *model.Post, err error) {
	if newer, err = s.onePost(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE (published, id) > ($1, $2) ORDER BY published, id LIMIT 1`, p.Published, p.ID); err != nil {
		return nil, nil, err
	}
	if older, err = s.onePost(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE (published, id) < ($1, $2) ORDER BY published DESC, id DESC LIMIT 1`, p.Published, p.ID); err != nil {
		return nil, nil, err
	}
	return newer, older, nil
}

// onePost runs a query of at most one post; nil when it finds none.
func (s *Store) onePost(ctx context.Context, q string, args ...any) (*model.Post, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	list, err := scanPosts(rows)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// PostStubs lists posts without their text, for sitemaps.
func (s *Store) PostStubs(ctx context.Context, since time.Time, limit, offset int) ([]model.Post, error) {
	lim, args := limitOffset([]any{since}, limit, offset)
	rows, err := s.pool.Query(ctx, `SELECT id, slug, title, publisher, language, published FROM posts
		WHERE published >= $1 ORDER BY published DESC, id DESC`+lim, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Post, error) {
		var p model.Post
		var pub pgtype.Timestamptz
		err := r.Scan(&p.ID, &p.Slug, &p.Title, &p.Publisher, &p.Language, &pub)
		p.Published = pub.Time.UTC()
		return p, err
	})
}

// filterWhere builds the owner's posts filter.
func filterWhere(f store.PostFilter) (string, []any) {
	conds := []string{"true"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Text != "" {
		conds = append(conds, `title ILIKE `+arg("%"+likeEscape(f.Text)+"%")+` ESCAPE '\'`)
	}
	if f.FeedID != 0 {
		conds = append(conds, `feed_id = `+arg(f.FeedID))
	}
	switch f.Status {
	case store.PostFull:
		conds = append(conds, `body <> ''`)
	case store.PostThin:
		conds = append(conds, `body = ''`)
	}
	if !f.From.IsZero() {
		conds = append(conds, `published >= `+arg(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, `published < `+arg(f.To))
	}
	return strings.Join(conds, " AND "), args
}

// FilterPosts lists the posts f selects, newest first.
func (s *Store) FilterPosts(ctx context.Context, f store.PostFilter) ([]model.Post, error) {
	where, args := filterWhere(f)
	lim, args := limitOffset(args, f.Limit, f.Offset)
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.PostCols+` FROM posts WHERE `+where+
		` ORDER BY published DESC, id DESC`+lim, args...)
	if err != nil {
		return nil, err
	}
	return scanPosts(rows)
}

// CountFilterPosts counts the posts f selects.
func (s *Store) CountFilterPosts(ctx context.Context, f store.PostFilter) (int, error) {
	where, args := filterWhere(f)
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM posts WHERE `+where, args...).Scan(&n)
	return n, err
}

// SetFeedNextPoll makes a feed due at at.
func (s *Store) SetFeedNextPoll(ctx context.Context, feedID int64, at time.Time) error {
	return s.exec(ctx, fmt.Sprintf("feed %d", feedID), `UPDATE feeds SET next_poll_at = $1 WHERE id = $2`, at, feedID)
}
