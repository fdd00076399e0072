package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// SavePost stores a post and marks its item done, in one transaction, so that
// a crash between the two can never leave a post whose item is re-processed.
// When the article is already stored, p is overwritten with the stored post.
func (s *Store) SavePost(ctx context.Context, p *model.Post) (bool, error) {
	if p.SourceURL == "" {
		return false, fmt.Errorf("post %q: empty source URL", p.Title)
	}
	p.Limit() // whoever the writer, a stored article is bounded
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now().UTC()
	}
	if p.Published.IsZero() {
		p.Published = p.CreatedAt
	}
	var created bool
	itemID := p.ItemID
	orig := *p
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		*p, created = orig, false
		existing, err := s.findDuplicate(ctx, tx, p)
		if err != nil {
			return err
		}
		if existing != nil {
			*p = *existing
		} else {
			created = true
			if err := s.insertPost(ctx, tx, p); err != nil {
				return err
			}
		}
		if itemID == 0 {
			return nil
		}
		_, err = s.stmt(ctx, tx, qItemDone).ExecContext(ctx, model.ItemDone, p.ID, fmtTime(time.Now()), itemID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("save post %q: %w", p.SourceURL, err)
	}
	return created, nil
}

// findDuplicate finds a stored post for the same article: the same publisher
// URL, or the same text under another URL.
func (s *Store) findDuplicate(ctx context.Context, tx *sql.Tx, p *model.Post) (*model.Post, error) {
	q, args := qFindBySource, []any{p.SourceURL}
	if p.ContentHash != "" {
		q, args = qFindBySourceOrHash, append(args, p.ContentHash)
	}
	existing, err := sqlshared.ScanPost(s.stmt(ctx, tx, q).QueryRowContext(ctx, args...))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return existing, err
}

// insertPost inserts p under a slug that is free in its month: the title's
// slug, or that slug with _2, _3… as Blogger does.
func (s *Store) insertPost(ctx context.Context, tx *sql.Tx, p *model.Post) error {
	return s.insertPostIndexed(ctx, tx, p, nil)
}

// insertPostIndexed is insertPost with the post's search fields (search.Fields)
// worked out by the caller; nil works them out.
func (s *Store) insertPostIndexed(ctx context.Context, tx *sql.Tx, p *model.Post, fields *[3]string) error {
	base := p.Slug
	if base == "" {
		base = model.Slugify(p.Title)
	}
	pub := p.Published.UTC()
	year, month := pub.Year(), int(pub.Month())
	slug := base
	taken := s.stmt(ctx, tx, qSlugTaken)
	for n := 2; ; n++ {
		var taken1 int
		if err := taken.QueryRowContext(ctx, year, month, slug).Scan(&taken1); err != nil {
			return err
		}
		if taken1 == 0 {
			break
		}
		slug = fmt.Sprintf("%s_%d", base, n)
	}
	p.Slug = slug
	var feedID, itemID any
	if p.FeedID != 0 {
		feedID = p.FeedID
	}
	if p.ItemID != 0 {
		itemID = p.ItemID
	}
	s.unindexed = true // the insert trigger queued it for the search index
	body := strings.Join(p.Paragraphs, "\n")
	if fields == nil {
		fields = new([3]string)
		fields[0], fields[1], fields[2] = search.Fields(p.Title, p.Publisher, p.Author, body, p.Language)
	}
	st, sm, sb := fields[0], fields[1], fields[2]
	return s.stmt(ctx, tx, qInsertPost).QueryRowContext(ctx,
		feedID, itemID, year, month, p.Slug, p.Title, p.Author, p.Publisher, p.SourceURL,
		p.AMPURL, p.ItemLink, p.ArticleID, fmtTime(p.Published), p.Language, p.Image,
		p.Description, body, p.ContentHash, fmtTime(p.CreatedAt), p.Truncated,
		st, sm, sb, search.Version).Scan(&p.ID)
}

// UpdatePostText replaces a post's text (store.PostStore); the search
// index follows by trigger.
func (s *Store) UpdatePostText(ctx context.Context, p *model.Post) error {
	p.Limit()
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if p.ContentHash != "" {
			var other int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM posts WHERE content_hash = ? AND id <> ? LIMIT 1`,
				p.ContentHash, p.ID).Scan(&other)
			if err == nil {
				return fmt.Errorf("the new text is that of post %d: %w", other, store.ErrExists)
			}
			if err != sql.ErrNoRows {
				return err
			}
		}
		// The stemmed columns follow the new text, author and language.
		var title, publisher string
		if err := tx.QueryRowContext(ctx, `SELECT title, publisher FROM posts WHERE id = ?`, p.ID).Scan(&title, &publisher); err != nil {
			if err == sql.ErrNoRows {
				return fmt.Errorf("post %d: %w", p.ID, store.ErrNotFound)
			}
			return err
		}
		body := strings.Join(p.Paragraphs, "\n")
		st, sm, sb := search.Fields(title, publisher, p.Author, body, p.Language)
		res, err := tx.ExecContext(ctx, `UPDATE posts SET author = ?, language = ?, image = ?,
			description = ?, body = ?, content_hash = ?, truncated = ?,
			search_title = ?, search_meta = ?, search_body = ?, search_version = ? WHERE id = ?`, p.Author, p.Language, p.Image,
			p.Description, body, p.ContentHash, p.Truncated, st, sm, sb, search.Version, p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("post %d: %w", p.ID, store.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update text of post %d: %w", p.ID, err)
	}
	return nil
}

// Post returns one post.
func (s *Store) Post(ctx context.Context, id int64) (*model.Post, error) {
	p, err := sqlshared.ScanPost(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.PostCols+` FROM posts WHERE id = ?`, id))
	return p, notFound(err, fmt.Sprintf("post %d", id))
}

// PostByPath finds a post by its site path's parts.
func (s *Store) PostByPath(ctx context.Context, year, month int, slug string) (*model.Post, error) {
	p, err := sqlshared.ScanPost(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE year = ? AND month = ? AND slug = ?`, year, month, slug))
	return p, notFound(err, fmt.Sprintf("post %04d/%02d/%s", year, month, slug))
}

// Posts lists posts newest first.
func (s *Store) Posts(ctx context.Context, q store.PostQuery) ([]model.Post, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		ORDER BY published DESC, id DESC LIMIT ? OFFSET ?`, limit, max(q.Offset, 0))
	return collect(rows, err, sqlshared.ScanPost)
}

// CountPosts counts every post.
func (s *Store) CountPosts(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM posts`).Scan(&n)
	return n, err
}
