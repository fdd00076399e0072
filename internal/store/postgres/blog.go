package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// AddPostLabels gives a post the blog's labels (store.BlogStore).
func (s *Store) AddPostLabels(ctx context.Context, postID int64, names []string) error {
	for _, n := range names {
		if !storable(n) {
			return fmt.Errorf("labels of post %d: label %q is not valid text", postID, n)
		}
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM posts WHERE id = $1`, postID).Scan(&one); err != nil {
			return notFound(err, fmt.Sprintf("post %d", postID))
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO blog_labels (post_id, name) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, postID, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("labels of post %d: %w", postID, err)
	}
	return nil
}

const pageCols = `id, slug, title, author, body, published, updated, created_at`

func scanPage(row pgx.Row) (*model.Page, error) {
	var p model.Page
	var body string
	var published, updated, created pgtype.Timestamptz
	if err := row.Scan(&p.ID, &p.Slug, &p.Title, &p.Author, &body, &published, &updated, &created); err != nil {
		return nil, err
	}
	if body != "" {
		p.Paragraphs = strings.Split(body, "\n")
	}
	p.Published, p.Updated, p.CreatedAt = timeOf(published), timeOf(updated), timeOf(created)
	return &p, nil
}

func pgNullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// SavePage stores a page unless its slug is taken (store.BlogStore).
func (s *Store) SavePage(ctx context.Context, p *model.Page) (bool, error) {
	if p.Slug == "" {
		return false, fmt.Errorf("page %q: empty slug", p.Title)
	}
	if !storable(p.Slug, p.Title, p.Author, strings.Join(p.Paragraphs, "\n")) {
		return false, fmt.Errorf("page %q: not valid text", p.Slug)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now().UTC()
	}
	if p.Published.IsZero() {
		p.Published = p.CreatedAt
	}
	var created bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO blog_pages (slug, title, author, body, published, updated, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING RETURNING id`,
			p.Slug, p.Title, p.Author, strings.Join(p.Paragraphs, "\n"), p.Published.UTC(), pgNullTime(p.Updated),
			p.CreatedAt.UTC()).Scan(&id)
		if err == nil {
			p.ID, created = id, true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		existing, err := scanPage(tx.QueryRow(ctx, `SELECT `+pageCols+` FROM blog_pages WHERE slug = $1`, p.Slug))
		if err != nil {
			return err
		}
		*p = *existing
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("save page %q: %w", p.Slug, err)
	}
	return created, nil
}

// Page finds a page by slug.
func (s *Store) Page(ctx context.Context, slug string) (*model.Page, error) {
	if !storable(slug) {
		return nil, fmt.Errorf("page %q: %w", slug, store.ErrNotFound)
	}
	p, err := scanPage(s.pool.QueryRow(ctx, `SELECT `+pageCols+` FROM blog_pages WHERE slug = $1`, slug))
	return p, notFound(err, "page "+slug)
}

// Pages lists every page by slug.
func (s *Store) Pages(ctx context.Context) ([]model.Page, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+pageCols+` FROM blog_pages ORDER BY slug COLLATE "C"`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Page, error) {
		p, err := scanPage(r)
		if err != nil {
			return model.Page{}, err
		}
		return *p, nil
	})
}

// AddOldPath records where an old address leads (store.BlogStore).
func (s *Store) AddOldPath(ctx context.Context, path string, postID, pageID int64) error {
	if (postID == 0) == (pageID == 0) {
		return fmt.Errorf("old path %s: want a post or a page", path)
	}
	if !storable(path) {
		return fmt.Errorf("old path %q: not valid text", path)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO old_paths (path, post_id, page_id) VALUES ($1, $2, $3)
		ON CONFLICT (path) DO NOTHING`, path, sqlshared.NullID(postID), sqlshared.NullID(pageID))
	if pgCode(err) == codeForeignKeyViolation {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("old path %s: %w", path, err)
	}
	return nil
}

// OldPath returns the site path an old address leads to.
func (s *Store) OldPath(ctx context.Context, path string) (string, error) {
	if !storable(path) {
		return "", fmt.Errorf("old path %q: %w", path, store.ErrNotFound)
	}
	to, err := sqlshared.ScanOldPath(s.pool.QueryRow(ctx, `SELECT `+sqlshared.OldPathCols+` FROM old_paths o
		LEFT JOIN posts p ON p.id = o.post_id LEFT JOIN blog_pages g ON g.id = o.page_id
		WHERE o.path = $1`, path))
	return to, notFound(err, "old path "+path)
}

// AddImportedComment stores an imported comment once (store.BlogStore).
func (s *Store) AddImportedComment(ctx context.Context, key string, c *model.Comment) (bool, error) {
	if !storable(key, c.Name, c.Website, c.Body) {
		return false, fmt.Errorf("import comment %q: not valid text", key)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	if c.Status == "" {
		c.Status = model.CommentApproved
	}
	created := false
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// The key is locked first, so that two imports at once cannot both
		// insert the comment.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 20))`, key); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT comment_id FROM imported_comments WHERE key = $1`, key).Scan(&c.ID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO comments (post_id, parent_id, name, website, body, status, created_at)
			SELECT $1, $2, $3, $4, $5, $6, $7
			WHERE $2::bigint IS NULL OR EXISTS (SELECT 1 FROM comments WHERE id = $2 AND post_id = $1)
			RETURNING id`, c.PostID, sqlshared.NullID(c.ParentID), c.Name, c.Website, c.Body, c.Status, c.CreatedAt.UTC()).Scan(&c.ID)
		switch {
		case pgCode(err) == codeForeignKeyViolation:
			return fmt.Errorf("comment on post %d: %w", c.PostID, store.ErrNotFound)
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("reply to comment %d of post %d: %w", c.ParentID, c.PostID, store.ErrNotFound)
		case err != nil:
			return err
		}
		created = true
		_, err = tx.Exec(ctx, `INSERT INTO imported_comments (key, comment_id) VALUES ($1, $2)`, key, c.ID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("import comment %s: %w", key, err)
	}
	return created, nil
}

// FeedPosts pages through the posts of a feed query (store.BlogStore).
func (s *Store) FeedPosts(ctx context.Context, q store.FeedQuery) ([]model.Post, int, error) {
	if !storable(q.Label) {
		return nil, 0, nil
	}
	// A label's posts are counted and ordered in post_labels' index alone,
	// as in SQLite; a post may carry one name as two kinds of label, and the
	// count takes it once, the listing its first kind.
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	from, where, count := `posts p`, `true`, `SELECT count(*) FROM posts p WHERE true`
	date, order := `p.published`, `p.published DESC, p.id DESC`
	if q.Label != "" {
		name := arg(q.Label)
		from = `post_labels l JOIN posts p ON p.id = l.post_id`
		where = `l.name = ` + name + ` AND NOT EXISTS (SELECT 1 FROM post_labels l2
			WHERE l2.post_id = l.post_id AND l2.name = l.name AND l2.kind < l.kind)`
		count = `SELECT count(DISTINCT l.post_id) FROM post_labels l WHERE l.name = ` + name
		date, order = `l.published`, `l.published DESC, l.post_id DESC`
	}
	var dates string
	if !q.From.IsZero() {
		dates += ` AND ` + date + ` >= ` + arg(q.From.UTC())
	}
	if !q.To.IsZero() {
		dates += ` AND ` + date + ` < ` + arg(q.To.UTC())
	}
	var total int
	if err := s.pool.QueryRow(ctx, count+dates, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	lo, args := limitOffset(args, q.Limit, q.Offset)
	rows, err := s.pool.Query(ctx, `SELECT `+postColsP+` FROM `+from+` WHERE `+where+dates+
		` ORDER BY `+order+lo, args...)
	if err != nil {
		return nil, 0, err
	}
	posts, err := scanPosts(rows)
	return posts, total, err
}
