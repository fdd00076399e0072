package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

func scanPosts(rows pgx.Rows) ([]model.Post, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Post, error) {
		p, err := sqlshared.ScanPost(r)
		if err != nil {
			return model.Post{}, err
		}
		return *p, nil
	})
}

// errRace means another transaction took the source URL, content hash or
// slug between our check and our insert; the check runs again.
var errRace = errors.New("concurrent insert")

// SavePost stores a post and marks its item done, in one transaction.
//
// Many workers may save the same article at once (two feeds carry it, or a
// rescued job runs beside the original). The insert is ON CONFLICT DO
// NOTHING against the unique source URL, content hash and (month, slug):
// when it inserts nothing, the conflicting row has committed (PostgreSQL
// waits for it), so the duplicate check, run again, finds it, or the slug
// check picks the next free slug. One article is one post whoever wins.
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
	itemID := p.ItemID
	orig := *p
	var created bool
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		*p = orig
		created = false
		err = s.tx(ctx, func(tx pgx.Tx) error {
			existing, err := findDuplicate(ctx, tx, p)
			if err != nil {
				return err
			}
			if existing != nil {
				*p = *existing
			} else {
				if err := insertPost(ctx, tx, p); err != nil {
					return err
				}
				created = true
			}
			if itemID == 0 {
				return nil
			}
			_, err = tx.Exec(ctx, `UPDATE items SET status = $1, error = '', post_id = $2,
				updated_at = now(), claimed_by = '', claimed_until = NULL WHERE id = $3`, model.ItemDone, p.ID, itemID)
			return err
		})
		if !errors.Is(err, errRace) {
			break
		}
	}
	if err != nil {
		return false, fmt.Errorf("save post %q: %w", orig.SourceURL, err)
	}
	return created, nil
}

// findDuplicate finds a stored post for the same article: the same publisher
// URL, or the same text under another URL.
func findDuplicate(ctx context.Context, tx pgx.Tx, p *model.Post) (*model.Post, error) {
	// Two index lookups (the content hash's index is partial: the query
	// must say content_hash <> '' for the planner to use it).
	q := `SELECT ` + sqlshared.PostCols + ` FROM posts WHERE source_url = $1`
	args := []any{p.SourceURL}
	if p.ContentHash != "" {
		q += ` UNION ALL SELECT ` + sqlshared.PostCols + ` FROM posts WHERE content_hash = $2 AND content_hash <> ''`
		args = append(args, p.ContentHash)
	}
	existing, err := sqlshared.ScanPost(tx.QueryRow(ctx, q+` ORDER BY 1 LIMIT 1`, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return existing, err
}

// insertPost inserts p under a slug that is free in its month: the title's
// slug, or that slug with _2, _3… as Blogger does. errRace when a unique
// column was taken meanwhile.
func insertPost(ctx context.Context, tx pgx.Tx, p *model.Post) error {
	return insertPostIndexed(ctx, tx, p, nil)
}

// insertPostIndexed is insertPost with the post's search fields (search.Fields)
// worked out by the caller; nil works them out.
func insertPostIndexed(ctx context.Context, tx pgx.Tx, p *model.Post, fields *[3]string) error {
	base := p.Slug
	if base == "" {
		base = model.Slugify(p.Title)
	}
	pub := p.Published.UTC()
	year, month := pub.Year(), int(pub.Month())
	// One query finds every taken variant of the slug instead of one query
	// per candidate.
	rows, err := tx.Query(ctx, `SELECT slug FROM posts WHERE year = $1 AND month = $2
		AND (slug = $3 OR slug LIKE $4)`, year, month, base, likeEscape(base)+`\_%`)
	if err != nil {
		return err
	}
	taken, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	takenSet := make(map[string]bool, len(taken))
	for _, t := range taken {
		takenSet[t] = true
	}
	slug := base
	for n := 2; takenSet[slug]; n++ {
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
	body := strings.Join(p.Paragraphs, "\n")
	if fields == nil {
		fields = new([3]string)
		fields[0], fields[1], fields[2] = search.Fields(p.Title, p.Publisher, p.Author, body, p.Language)
	}
	st, sm, sb := fields[0], fields[1], fields[2]
	// A new post waits for its story (migration 008).
	err = tx.QueryRow(ctx, `INSERT INTO posts (feed_id, item_id, year, month, slug, title,
		author, publisher, source_url, amp_url, item_link, article_id, published, language,
		image, description, body, content_hash, created_at, truncated, story_pending,
		search_title, search_meta, search_body, search_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, true,
		$21, $22, $23, $24)
		ON CONFLICT DO NOTHING RETURNING id`,
		feedID, itemID, year, month, p.Slug, p.Title, p.Author, p.Publisher, p.SourceURL,
		p.AMPURL, p.ItemLink, p.ArticleID, p.Published.UTC(), p.Language, p.Image,
		p.Description, body, p.ContentHash, p.CreatedAt.UTC(), p.Truncated,
		st, sm, sb, search.Version).Scan(&p.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return errRace
	}
	if pgCode(err) == codeForeignKeyViolation {
		return fmt.Errorf("feed %d: %w", p.FeedID, store.ErrNotFound)
	}
	return err
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdatePostText replaces a post's text (store.PostStore); the search
// column follows by trigger. The unique index on content_hash settles a
// race with another post of the same text.
func (s *Store) UpdatePostText(ctx context.Context, p *model.Post) error {
	p.Limit()
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if p.ContentHash != "" {
			var other int64
			err := tx.QueryRow(ctx, `SELECT id FROM posts WHERE content_hash = $1 AND id <> $2 LIMIT 1`,
				p.ContentHash, p.ID).Scan(&other)
			if err == nil {
				return fmt.Errorf("the new text is that of post %d: %w", other, store.ErrExists)
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		// The stemmed columns follow the new text, author and language.
		var title, publisher string
		if err := tx.QueryRow(ctx, `SELECT title, publisher FROM posts WHERE id = $1`, p.ID).Scan(&title, &publisher); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("post %d: %w", p.ID, store.ErrNotFound)
			}
			return err
		}
		body := strings.Join(p.Paragraphs, "\n")
		st, sm, sb := search.Fields(title, publisher, p.Author, body, p.Language)
		tag, err := tx.Exec(ctx, `UPDATE posts SET author = $1, language = $2, image = $3,
			description = $4, body = $5, content_hash = $6, truncated = $7,
			search_title = $9, search_meta = $10, search_body = $11, search_version = $12 WHERE id = $8`, p.Author, p.Language, p.Image,
			p.Description, body, p.ContentHash, p.Truncated, p.ID, st, sm, sb, search.Version)
		if isUnique(err) {
			return fmt.Errorf("the new text is that of another post: %w", store.ErrExists)
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
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
	p, err := sqlshared.ScanPost(s.pool.QueryRow(ctx, `SELECT `+sqlshared.PostCols+` FROM posts WHERE id = $1`, id))
	return p, notFound(err, fmt.Sprintf("post %d", id))
}

// PostByPath finds a post by its site path's parts.
func (s *Store) PostByPath(ctx context.Context, year, month int, slug string) (*model.Post, error) {
	if !storable(slug) {
		return nil, fmt.Errorf("post %04d/%02d/%q: %w", year, month, slug, store.ErrNotFound)
	}
	p, err := sqlshared.ScanPost(s.pool.QueryRow(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		WHERE year = $1 AND month = $2 AND slug = $3`, year, month, slug))
	return p, notFound(err, fmt.Sprintf("post %04d/%02d/%s", year, month, slug))
}

// Posts lists posts newest first.
func (s *Store) Posts(ctx context.Context, q store.PostQuery) ([]model.Post, error) {
	var limit any // NULL: no limit
	if q.Limit > 0 {
		limit = q.Limit
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.PostCols+` FROM posts
		ORDER BY published DESC, id DESC LIMIT $1 OFFSET $2`, limit, max(q.Offset, 0))
	if err != nil {
		return nil, err
	}
	return scanPosts(rows)
}

// CountPosts counts every post.
func (s *Store) CountPosts(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM posts`).Scan(&n)
	return n, err
}
