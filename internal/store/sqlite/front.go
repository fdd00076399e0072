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

// frontFrom selects the home page's posts: those without a story, and of
// each story its lead, or, when the lead was deleted, its own reports
// (never its copies).
const frontFrom = ` FROM posts p
	LEFT JOIN post_stories ps ON ps.post_id = p.id
	LEFT JOIN stories st ON st.id = ps.story_id
	WHERE ps.post_id IS NULL OR st.lead_post_id = p.id
		OR (st.lead_post_id IS NULL AND ps.copy_of IS NULL)`

// FrontPosts lists the home page's posts, newest first.
func (s *Store) FrontPosts(ctx context.Context, limit, offset int) ([]store.FrontPost, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+postColsP+`, COALESCE(ps.story_id, 0), COALESCE(st.posts, 0)`+
		frontFrom+` ORDER BY p.published DESC, p.id DESC LIMIT ? OFFSET ?`, limit, max(offset, 0))
	return collect(rows, err, sqlshared.ScanFrontPost)
}

// CountFrontPosts counts the home page's posts.
func (s *Store) CountFrontPosts(ctx context.Context) (int, error) {
	var n int
	// All posts less the reports a story hides: the same figure as
	// count(*) over frontFrom, which looked up each of the posts' story
	// rows (two thirds of a home page's CPU at 100 000 posts).
	err := s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM posts) - (SELECT count(*)
		FROM post_stories ps JOIN stories st ON st.id = ps.story_id
		WHERE NOT COALESCE(st.lead_post_id = ps.post_id, 0)
			AND NOT (st.lead_post_id IS NULL AND ps.copy_of IS NULL))`).Scan(&n)
	return n, err
}

// AdjacentPosts finds the posts published just after and before p.
func (s *Store) AdjacentPosts(ctx context.Context, p *model.Post) (newer, older *model.Post, err error) {
	pub := fmtTime(p.Published)
	// A row value, not "published > ? OR (published = ? AND id > ?)": with
	// the OR the planner walks posts_published from its far end, reading
	// every post on the way (a second and more for one page on 20 000
	// posts); the row value is one step of the index.
	newerQ := `SELECT ` + sqlshared.PostCols + ` FROM posts WHERE (published, id) > (?, ?)
		ORDER BY published, id LIMIT 1`
	olderQ := `SELECT ` + sqlshared.PostCols + ` FROM posts WHERE (published, id) < (?, ?)
		ORDER BY published DESC, id DESC LIMIT 1`
	if newer, err = s.onePost(ctx, newerQ, pub, p.ID); err != nil {
		return nil, nil, err
	}
	if older, err = s.onePost(ctx, olderQ, pub, p.ID); err != nil {
		return nil, nil, err
	}
	return newer, older, nil
}

// onePost runs a query of at most one post; nil when it finds none.
func (s *Store) onePost(ctx context.Context, q string, args ...any) (*model.Post, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	list, err := collect(rows, err, sqlshared.ScanPost)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// PostStubs lists posts without their text, for sitemaps.
func (s *Store) PostStubs(ctx context.Context, since time.Time, limit, offset int) ([]model.Post, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, slug, title, publisher, language, published FROM posts
		WHERE published >= ? ORDER BY published DESC, id DESC LIMIT ? OFFSET ?`, fmtTime(since), limit, max(offset, 0))
	return collect(rows, err, func(r scanner) (*model.Post, error) {
		var p model.Post
		var pub string
		if err := r.Scan(&p.ID, &p.Slug, &p.Title, &p.Publisher, &p.Language, &pub); err != nil {
			return nil, err
		}
		p.Published = parseTime(pub)
		return &p, nil
	})
}

// filterWhere builds the owner's posts filter.
func filterWhere(f store.PostFilter) (string, []any) {
	conds := []string{"1"}
	var args []any
	if f.Text != "" {
		conds = append(conds, `title LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(f.Text)+"%")
	}
	if f.FeedID != 0 {
		conds = append(conds, `feed_id = ?`)
		args = append(args, f.FeedID)
	}
	switch f.Status {
	case store.PostFull:
		conds = append(conds, `body != ''`)
	case store.PostThin:
		conds = append(conds, `body = ''`)
	}
	if !f.From.IsZero() {
		conds = append(conds, `published >= ?`)
		args = append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, `published < ?`)
		args = append(args, fmtTime(f.To))
	}
	return strings.Join(conds, " AND "), args
}

// likeEscape makes text match itself in a LIKE pattern with ESCAPE '\'.
func likeEscape(text string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
}

// FilterPosts lists the posts f selects, newest first.
func (s *Store) FilterPosts(ctx context.Context, f store.PostFilter) ([]model.Post, error) {
	where, args := filterWhere(f)
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.PostCols+` FROM posts WHERE `+where+
		` ORDER BY published DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	return collect(rows, err, sqlshared.ScanPost)
}

// CountFilterPosts counts the posts f selects.
func (s *Store) CountFilterPosts(ctx context.Context, f store.PostFilter) (int, error) {
	where, args := filterWhere(f)
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM posts WHERE `+where, args...).Scan(&n)
	return n, err
}

// SetFeedNextPoll makes a feed due at at.
func (s *Store) SetFeedNextPoll(ctx context.Context, feedID int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE feeds SET next_poll_at = ? WHERE id = ?`, fmtTime(at), feedID)
	return affected(res, err, fmt.Sprintf("feed %d", feedID))
}
