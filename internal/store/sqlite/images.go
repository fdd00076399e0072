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

// SavePostImages replaces every size of a post's image.
func (s *Store) SavePostImages(ctx context.Context, postID int64, imgs []store.PostImage) error {
	now := time.Now()
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM post_images WHERE post_id = ?`, postID); err != nil {
			return err
		}
		for _, im := range imgs {
			data, length, created := sqlshared.ImageRow(im, now)
			if _, err := tx.ExecContext(ctx, `INSERT INTO post_images
				(post_id, size, content_type, width, height, length, etag, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				postID, im.Size, im.ContentType, im.Width, im.Height, length, im.ETag, data, fmtTime(created)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		return fmt.Errorf("images of post %d: %w", postID, store.ErrNotFound)
	}
	return err
}

// PostImage is one size of a post's image with its bytes.
func (s *Store) PostImage(ctx context.Context, postID int64, size string) (*store.PostImage, error) {
	im := store.PostImage{PostID: postID, Size: size}
	var created string
	err := s.r.QueryRowContext(ctx, `SELECT content_type, width, height, length, etag, data, created_at
		FROM post_images WHERE post_id = ? AND size = ?`, postID, size).
		Scan(&im.ContentType, &im.Width, &im.Height, &im.Length, &im.ETag, &im.Data, &created)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("image %s of post %d", size, postID))
	}
	im.CreatedAt = parseTime(created)
	return &im, nil
}

// PostImages lists the sizes of the images of the posts given.
func (s *Store) PostImages(ctx context.Context, postIDs []int64) (map[int64][]store.PostImage, error) {
	out := make(map[int64][]store.PostImage, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	in, args := inList(nil, postIDs)
	// Not created_at: it comes after the bytes in the row, and reaching it
	// reads every overflow page of them (on bench-web a fifth of the CPU
	// went into those reads for post pages).
	rows, err := s.r.QueryContext(ctx, `SELECT post_id, size, content_type, width, height, length, etag
		FROM post_images WHERE post_id IN `+in+` ORDER BY post_id, width`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var im store.PostImage
		if err := rows.Scan(&im.PostID, &im.Size, &im.ContentType, &im.Width, &im.Height, &im.Length, &im.ETag); err != nil {
			return nil, err
		}
		out[im.PostID] = append(out[im.PostID], im)
	}
	return out, rows.Err()
}
