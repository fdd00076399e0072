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

var _ store.BulkStore = (*Store)(nil)

// qImportRecord notes the archive record a post came from: once a post of
// an import, so prepared once (stmt.go) rather than parsed every time.
const qImportRecord = `INSERT INTO post_records (post_id, archive_path, member_offset, inner_offset) VALUES (?, ?, ?, ?)`

func init() { preparedQueries = append(preparedQueries, qImportRecord) }

// ImportProgress reads an archive's import progress (store.BulkStore).
func (s *Store) ImportProgress(ctx context.Context, archive string) (store.ImportProgress, error) {
	var p store.ImportProgress
	var updated string
	err := s.r.QueryRowContext(ctx, `SELECT archive, path, member_offset, inner_offset, records, done, updated_at
		FROM import_progress WHERE archive = ?`, archive).Scan(&p.Archive, &p.Path, &p.Next.Member,
		&p.Next.Inner, &p.Records, &p.Done, &updated)
	if err == sql.ErrNoRows {
		return store.ImportProgress{}, nil
	}
	p.UpdatedAt = parseTime(updated)
	return p, err
}

// SaveImportBatch stores a batch and its progress in one transaction
// (store.BulkStore). It goes through the group committer like any write,
// so the batch's posts are added to the search index in the same
// transaction.
func (s *Store) SaveImportBatch(ctx context.Context, posts []store.ImportedPost, progress store.ImportProgress) error {
	now := time.Now().UTC()
	origs, err := store.PrepareImportBatch(posts, now)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// An import touches more of the file than a site does (every
		// index and the full-text index grow with each batch): a larger
		// page cache for the writer's connection keeps them read once.
		// 32 MiB, within the import's memory bound (300 MiB).
		// The WAL is copied into the database every 10 000 pages (40 MB)
		// rather than every 1 000: an index page a batch rewrites is then
		// mostly copied once for several batches.
		// (The savepoints' journal stays a temporary file: held in
		// memory, PRAGMA temp_store = MEMORY, it cost an import more CPU,
		// in the allocator, than the file's writes.)
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 10000`); err != nil {
			return err
		}
		// The group committer may run this more than once: start afresh.
		copy(posts, origs)
		for i := range posts {
			ip := &posts[i]
			existing, err := s.findDuplicate(ctx, tx, &ip.Post)
			if err != nil {
				return err
			}
			if existing != nil {
				ip.Post, ip.Created = *existing, false
				continue
			}
			if err := s.insertPostIndexed(ctx, tx, &ip.Post, ip.Search); err != nil {
				return err
			}
			ip.Created = true
			if _, err := s.stmt(ctx, tx, qImportRecord).ExecContext(ctx, ip.Post.ID, progress.Path, ip.Record.Member, ip.Record.Inner); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO import_progress (archive, path, member_offset, inner_offset, records, done, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (archive) DO UPDATE SET path = excluded.path, member_offset = excluded.member_offset,
				inner_offset = excluded.inner_offset, records = excluded.records, done = excluded.done,
				updated_at = excluded.updated_at`,
			progress.Archive, progress.Path, progress.Next.Member, progress.Next.Inner, progress.Records,
			progress.Done, fmtTime(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("save import batch of %s: %w", progress.Path, err)
	}
	return nil
}

// StoryBatch runs fn in one write transaction (store.StoryBatcher): the
// store's writes given fn's context run in it, each as a savepoint that a
// failure rolls back alone, and StoryKeys reads through it, so that a
// batch's assignments see each other's keys before the commit. A batch
// of assignments pays one commit (the WAL frames of the pages it touched,
// once) instead of one a post. fn runs on the committer's goroutine and
// may run more than once, as any write (write.go).
func (s *Store) StoryBatch(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(context.WithValue(ctx, batchKey{}, &batchTx{s: s, tx: tx}))
	})
}

// batchKey keys the transaction of a StoryBatch in its context.
type batchKey struct{}

type batchTx struct {
	s  *Store
	tx *sql.Tx
}

// savepoint runs a write inside the batch's transaction, undone alone
// when it fails.
func (b *batchTx) savepoint(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if _, err := b.tx.ExecContext(ctx, "SAVEPOINT b"); err != nil {
		return err
	}
	unindexed := b.s.unindexed
	if err := fn(ctx, b.tx); err != nil {
		b.s.unindexed = unindexed
		if _, rerr := b.tx.ExecContext(ctx, "ROLLBACK TO b"); rerr != nil {
			return fmt.Errorf("%w (the batch was rolled back: %v)", err, rerr)
		}
		if _, rerr := b.tx.ExecContext(ctx, "RELEASE b"); rerr != nil {
			return rerr
		}
		return err
	}
	_, err := b.tx.ExecContext(ctx, "RELEASE b")
	return err
}

// querier is what reads need: the reader pool, or a batch's transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// reader is where a read given ctx goes: inside a StoryBatch its
// transaction (whose writes the reader pool cannot see yet), else the
// reader pool.
func (s *Store) reader(ctx context.Context) querier {
	if b, ok := ctx.Value(batchKey{}).(*batchTx); ok && b.s == s {
		return b.tx
	}
	return s.r
}

// ExportPosts pages through the posts q selects (store.BulkStore).
func (s *Store) ExportPosts(ctx context.Context, q store.ExportQuery, afterID int64, limit int) ([]store.ExportedPost, error) {
	where := []string{"p.id > ?"}
	args := []any{afterID}
	if !q.Since.IsZero() {
		where, args = append(where, "p.published >= ?"), append(args, fmtTime(q.Since))
	}
	if !q.Until.IsZero() {
		where, args = append(where, "p.published < ?"), append(args, fmtTime(q.Until))
	}
	if q.Language != "" {
		where, args = append(where, "p.language = ?"), append(args, q.Language)
	}
	if q.Label != "" {
		where, args = append(where, "EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = p.id AND l.name = ?)"), append(args, q.Label)
	}
	if q.StoryID != 0 {
		where, args = append(where, "ps.story_id = ?"), append(args, q.StoryID)
	}
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+postColsP+`, COALESCE(ps.story_id, 0), COALESCE(ps.copy_of, 0),
		COALESCE(r.archive_path, ''), COALESCE(r.member_offset, 0), COALESCE(r.inner_offset, 0)
		FROM posts p LEFT JOIN post_stories ps ON ps.post_id = p.id LEFT JOIN post_records r ON r.post_id = p.id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, nil, func(row scanner) (*store.ExportedPost, error) {
		var e store.ExportedPost
		p, err := sqlshared.ScanPost(sqlshared.WithExtra{Scanner: row, Extra: []any{&e.StoryID, &e.CopyOf, &e.ArchivePath, &e.Record.Member, &e.Record.Inner}})
		if err != nil {
			return nil, err
		}
		e.Post = *p
		return &e, nil
	})
}
