package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// AddPostLabels gives a post the blog's labels (store.BlogStore).
func (s *Store) AddPostLabels(ctx context.Context, postID int64, names []string) error {
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, n := range names {
			if n == "" {
				continue
			}
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO blog_labels (post_id, name)
				SELECT id, ? FROM posts WHERE id = ?`, n, postID)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				var one int
				if err := tx.QueryRowContext(ctx, `SELECT 1 FROM posts WHERE id = ?`, postID).Scan(&one); err == sql.ErrNoRows {
					return store.ErrNotFound
				}
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

func scanPage(row scanner) (*model.Page, error) {
	var p model.Page
	var body, published, updated, created string
	if err := row.Scan(&p.ID, &p.Slug, &p.Title, &p.Author, &body, &published, &updated, &created); err != nil {
		return nil, err
	}
	if body != "" {
		p.Paragraphs = strings.Split(body, "\n")
	}
	p.Published, p.Updated, p.CreatedAt = parseTime(published), parseTime(updated), parseTime(created)
	return &p, nil
}

// SavePage stores a page unless its slug is taken (store.BlogStore).
func (s *Store) SavePage(ctx context.Context, p *model.Page) (bool, error) {
	if p.Slug == "" {
		return false, fmt.Errorf("page %q: empty slug", p.Title)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now().UTC()
	}
	if p.Published.IsZero() {
		p.Published = p.CreatedAt
	}
	var created bool
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		existing, err := scanPage(tx.QueryRowContext(ctx, `SELECT `+pageCols+` FROM blog_pages WHERE slug = ?`, p.Slug))
		if err == nil {
			*p, created = *existing, false
			return nil
		}
		if err != sql.ErrNoRows {
			return err
		}
		created = true
		return tx.QueryRowContext(ctx, `INSERT INTO blog_pages (slug, title, author, body, published, updated, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.Slug, p.Title, p.Author, strings.Join(p.Paragraphs, "\n"),
			fmtTime(p.Published), fmtTime(p.Updated), fmtTime(p.CreatedAt)).Scan(&p.ID)
	})
	if err != nil {
		return false, fmt.Errorf("save page %q: %w", p.Slug, err)
	}
	return created, nil
}

// Page finds a page by slug.
func (s *Store) Page(ctx context.Context, slug string) (*model.Page, error) {
	p, err := scanPage(s.r.QueryRowContext(ctx, `SELECT `+pageCols+` FROM blog_pages WHERE slug = ?`, slug))
	return p, notFound(err, "page "+slug)
}

// Pages lists every page by slug.
func (s *Store) Pages(ctx context.Context) ([]model.Page, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+pageCols+` FROM blog_pages ORDER BY slug`)
	return collect(rows, err, scanPage)
}

// AddOldPath records where an old address leads (store.BlogStore).
func (s *Store) AddOldPath(ctx context.Context, path string, postID, pageID int64) error {
	if (postID == 0) == (pageID == 0) {
		return fmt.Errorf("old path %s: want a post or a page", path)
	}
	_, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO old_paths (path, post_id, page_id) VALUES (?, ?, ?)`,
		path, sqlshared.NullID(postID), sqlshared.NullID(pageID))
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("old path %s: %w", path, err)
	}
	return nil
}

// OldPath returns the site path an old address leads to.
func (s *Store) OldPath(ctx context.Context, path string) (string, error) {
	to, err := sqlshared.ScanOldPath(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.OldPathCols+` FROM old_paths o
		LEFT JOIN posts p ON p.id = o.post_id LEFT JOIN blog_pages g ON g.id = o.page_id
		WHERE o.path = ?`, path))
	return to, notFound(err, "old path "+path)
}

// AddImportedComment stores an imported comment once (store.BlogStore).
func (s *Store) AddImportedComment(ctx context.Context, key string, c *model.Comment) (bool, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT comment_id FROM imported_comments WHERE key = ?`, key).Scan(&id)
	if err == nil {
		c.ID = id
		return false, nil
	}
	if err != sql.ErrNoRows {
		return false, err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	if c.Status == "" {
		c.Status = model.CommentApproved
	}
	created := false
	err = s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Asked again inside the transaction: two imports at once must not
		// both insert.
		if err := tx.QueryRowContext(ctx, `SELECT comment_id FROM imported_comments WHERE key = ?`, key).Scan(&c.ID); err == nil {
			return nil
		} else if err != sql.ErrNoRows {
			return err
		}
		if c.ParentID != 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM comments WHERE id = ? AND post_id = ?`, c.ParentID, c.PostID).Scan(&one)
			if err == sql.ErrNoRows {
				return fmt.Errorf("reply to comment %d of post %d: %w", c.ParentID, c.PostID, store.ErrNotFound)
			} else if err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO comments (post_id, parent_id, name, website, body, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.PostID, sqlshared.NullID(c.ParentID), c.Name, c.Website, c.Body,
			c.Status, fmtTime(c.CreatedAt)).Scan(&c.ID)
		if err != nil {
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				return fmt.Errorf("comment on post %d: %w", c.PostID, store.ErrNotFound)
			}
			return err
		}
		created = true
		_, err = tx.ExecContext(ctx, `INSERT INTO imported_comments (key, comment_id) VALUES (?, ?)`, key, c.ID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("import comment %s: %w", key, err)
	}
	return created, nil
}

// FeedPosts pages through the posts of a feed query (store.BlogStore).
func (s *Store) FeedPosts(ctx context.Context, q store.FeedQuery) ([]model.Post, int, error) {
	// A label's posts are counted and ordered in post_labels' index alone
	// (name, published, post_id): counting through posts, or ordering by
	// p.id, read every one of the label's posts (a second for a label of
	// 2 000 posts, cold). A post may carry one name as two kinds of label;
	// the count takes it once, the listing its first kind.
	from, count, dedup := `posts p`, `SELECT count(*) FROM posts p WHERE 1`, ``
	date, order := `p.published`, `p.published DESC, p.id DESC`
	var args []any
	if q.Label != "" {
		from = `post_labels l JOIN posts p ON p.id = l.post_id`
		count = `SELECT count(DISTINCT l.post_id) FROM post_labels l WHERE l.name = ?`
		dedup = ` AND NOT EXISTS (SELECT 1 FROM post_labels l2
			WHERE l2.post_id = l.post_id AND l2.name = l.name AND l2.kind < l.kind)`
		date, order = `l.published`, `l.published DESC, l.post_id DESC`
		args = append(args, q.Label)
	}
	var dates string
	if !q.From.IsZero() {
		dates, args = dates+` AND `+date+` >= ?`, append(args, fmtTime(q.From))
	}
	if !q.To.IsZero() {
		dates, args = dates+` AND `+date+` < ?`, append(args, fmtTime(q.To))
	}
	var total int
	if err := s.r.QueryRowContext(ctx, count+dates, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	where := `1`
	if q.Label != "" {
		where = `l.name = ?`
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+postColsP+` FROM `+from+` WHERE `+where+dedup+dates+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	posts, err := collect(rows, err, sqlshared.ScanPost)
	return posts, total, err
}
