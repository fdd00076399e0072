package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// SavePostImages replaces every size of a post's image.
func (s *Store) SavePostImages(ctx context.Context, postID int64, imgs []store.PostImage) error {
	now := time.Now().UTC()
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM post_images WHERE post_id = $1`, postID); err != nil {
			return err
		}
		for _, im := range imgs {
			data, length, created := sqlshared.ImageRow(im, now)
			if _, err := tx.Exec(ctx, `INSERT INTO post_images
				(post_id, size, content_type, width, height, length, etag, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				postID, im.Size, im.ContentType, im.Width, im.Height, length, im.ETag, data, created); err != nil {
				return err
			}
		}
		return nil
	})
	if pgCode(err) == "23503" { // foreign_key_violation: no such post
		return fmt.Errorf("images of post %d: %w", postID, store.ErrNotFound)
	}
	return err
}

// PostImage is one size of a post's image with its bytes.
func (s *Store) PostImage(ctx context.Context, postID int64, size string) (*store.PostImage, error) {
	im := store.PostImage{PostID: postID, Size: size}
	err := s.pool.QueryRow(ctx, `SELECT content_type, width, height, length, etag, data, created_at
		FROM post_images WHERE post_id = $1 AND size = $2`, postID, size).
		Scan(&im.ContentType, &im.Width, &im.Height, &im.Length, &im.ETag, &im.Data, &im.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("image %s of post %d: %w", size, postID, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &im, nil
}

// PostImages lists the sizes of the images of the posts given.
func (s *Store) PostImages(ctx context.Context, postIDs []int64) (map[int64][]store.PostImage, error) {
	out := make(map[int64][]store.PostImage, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT post_id, size, content_type, width, height, length, etag, created_at
		FROM post_images WHERE post_id = ANY($1) ORDER BY post_id, width`, postIDs)
	if err != nil {
		return nil, err
	}
	var im store.PostImage
	_, err = pgx.ForEachRow(rows, []any{&im.PostID, &im.Size, &im.ContentType, &im.Width, &im.Height, &im.Length, &im.ETag, &im.CreatedAt}, func() error {
		out[im.PostID] = append(out[im.PostID], im)
		return nil
	})
	return out, err
}
