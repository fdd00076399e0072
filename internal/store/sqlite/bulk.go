package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

var _ store.BulkStore = (*Store)(nil)

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
			if _, err := tx.ExecContext(ctx, `INSERT INTO post_records (post_id, archive_path, member_offset, inner_offset)
				VALUES (?, ?, ?, ?)`, ip.Post.ID, progress.Path, ip.Record.Member, ip.Record.Inner); err != nil {
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
		p, err := scanPost(withExtra{row, []any{&e.StoryID, &e.CopyOf, &e.ArchivePath, &e.Record.Member, &e.Record.Inner}})
		if err != nil {
			return nil, err
		}
		e.Post = *p
		return &e, nil
	})
}
