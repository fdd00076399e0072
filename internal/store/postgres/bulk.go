package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

var _ store.BulkStore = (*Store)(nil)

// ImportProgress reads an archive's import progress (store.BulkStore).
func (s *Store) ImportProgress(ctx context.Context, archive string) (store.ImportProgress, error) {
	var p store.ImportProgress
	err := s.pool.QueryRow(ctx, `SELECT archive, path, member_offset, inner_offset, records, done, updated_at
		FROM import_progress WHERE archive = $1`, archive).Scan(&p.Archive, &p.Path, &p.Next.Member,
		&p.Next.Inner, &p.Records, &p.Done, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ImportProgress{}, nil
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, err
}

// codeDeadlock and codeSerialization: two batches of processes importing
// at once took the same keys in opposite orders; one is rolled back and
// runs again.
const (
	codeDeadlock      = "40P01"
	codeSerialization = "40001"
)

// SaveImportBatch stores a batch and its progress in one transaction
// (store.BulkStore). Several processes may import at once: a post whose
// source URL, text or slug another transaction took meanwhile is looked
// up again inside the transaction (insertPost's ON CONFLICT DO NOTHING
// waits for the other to commit), and a deadlock between two batches runs
// the batch again.
func (s *Store) SaveImportBatch(ctx context.Context, posts []store.ImportedPost, progress store.ImportProgress) error {
	now := time.Now().UTC()
	origs, err := store.PrepareImportBatch(posts, now)
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 10; attempt++ {
		err = s.tx(ctx, func(tx pgx.Tx) error {
			copy(posts, origs)
			for i := range posts {
				if err := saveImported(ctx, tx, &posts[i], progress.Path); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO import_progress (archive, path, member_offset, inner_offset, records, done, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (archive) DO UPDATE SET path = excluded.path, member_offset = excluded.member_offset,
					inner_offset = excluded.inner_offset, records = excluded.records, done = excluded.done,
					updated_at = excluded.updated_at`,
				progress.Archive, progress.Path, progress.Next.Member, progress.Next.Inner, progress.Records,
				progress.Done, now)
			return err
		})
		if c := pgCode(err); c != codeDeadlock && c != codeSerialization {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("save import batch of %s: %w", progress.Path, err)
	}
	return nil
}

func saveImported(ctx context.Context, tx pgx.Tx, ip *store.ImportedPost, path string) error {
	orig := ip.Post
	for attempt := 0; attempt < 20; attempt++ {
		ip.Post = orig
		existing, err := findDuplicate(ctx, tx, &ip.Post)
		if err != nil {
			return err
		}
		if existing != nil {
			ip.Post, ip.Created = *existing, false
			return nil
		}
		err = insertPostIndexed(ctx, tx, &ip.Post, ip.Search)
		if errors.Is(err, errRace) {
			continue
		}
		if err != nil {
			return err
		}
		ip.Created = true
		_, err = tx.Exec(ctx, `INSERT INTO post_records (post_id, archive_path, member_offset, inner_offset)
			VALUES ($1, $2, $3, $4)`, ip.Post.ID, path, ip.Record.Member, ip.Record.Inner)
		return err
	}
	return fmt.Errorf("post %q: %w", orig.SourceURL, errRace)
}

// StoryBatch runs fn in one transaction (store.StoryBatcher): the
// store's writes given fn's context run in it, each as a savepoint that a
// failure rolls back alone, and StoryKeys reads through it. A batch of
// assignments pays one commit (one WAL flush) instead of one a post. Two
// batches of processes importing at once may deadlock on their stories'
// rows; the one PostgreSQL undoes runs again.
func (s *Store) StoryBatch(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.tx(ctx, func(tx pgx.Tx) error {
			return fn(context.WithValue(ctx, batchKey{}, &batchTx{s: s, tx: tx}))
		})
		if c := pgCode(err); c != codeDeadlock && c != codeSerialization {
			break
		}
	}
	return err
}

// batchKey keys the transaction of a StoryBatch in its context.
type batchKey struct{}

type batchTx struct {
	s  *Store
	tx pgx.Tx
}

// reader is where a read given ctx goes: inside a StoryBatch its
// transaction (whose writes other connections cannot see yet), else the
// pool.
func (s *Store) reader(ctx context.Context) interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
} {
	if b, ok := ctx.Value(batchKey{}).(*batchTx); ok && b.s == s {
		return b.tx
	}
	return s.pool
}

// ExportPosts pages through the posts q selects (store.BulkStore).
func (s *Store) ExportPosts(ctx context.Context, q store.ExportQuery, afterID int64, limit int) ([]store.ExportedPost, error) {
	args := []any{afterID}
	where := []string{"p.id > $1"}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if !q.Since.IsZero() {
		add("p.published >= $?", q.Since.UTC())
	}
	if !q.Until.IsZero() {
		add("p.published < $?", q.Until.UTC())
	}
	if q.Language != "" {
		add("p.language = $?", q.Language)
	}
	if q.Label != "" {
		add("EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = p.id AND l.name = $?)", q.Label)
	}
	if q.StoryID != 0 {
		add("ps.story_id = $?", q.StoryID)
	}
	lim := ""
	if limit > 0 {
		args = append(args, limit)
		lim = " LIMIT $" + strconv.Itoa(len(args))
	}
	rows, err := s.pool.Query(ctx, `SELECT `+postColsP+`, COALESCE(ps.story_id, 0), COALESCE(ps.copy_of, 0),
		COALESCE(r.archive_path, ''), COALESCE(r.member_offset, 0), COALESCE(r.inner_offset, 0)
		FROM posts p LEFT JOIN post_stories ps ON ps.post_id = p.id LEFT JOIN post_records r ON r.post_id = p.id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id`+lim, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.ExportedPost, error) {
		var e store.ExportedPost
		p, err := sqlshared.ScanPost(sqlshared.WithExtra{Scanner: r, Extra: []any{&e.StoryID, &e.CopyOf, &e.ArchivePath, &e.Record.Member, &e.Record.Inner}})
		if err != nil {
			return e, err
		}
		e.Post = *p
		return e, nil
	})
}
