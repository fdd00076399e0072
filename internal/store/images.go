package store

import (
	"context"
	"time"
)

// PostImage is one size of a post's lead image as kabar re-encoded it
// (never the publisher's file): the site serves it from its own origin.
type PostImage struct {
	PostID        int64
	Size          string // "thumb", "wide"
	ContentType   string
	Width, Height int
	// Length is the encoded image's size in bytes (for feeds' enclosures).
	Length int
	// ETag identifies the bytes (a hash of them), quoted as HTTP wants.
	ETag string
	// Data is the encoded image; empty when the bytes are kept in a
	// directory (--image-dir) and always empty from PostImages.
	Data      []byte
	CreatedAt time.Time
}

// ImageStore keeps posts' lead images. A post without rows has no image
// (none found, images turned off, or the image failed): pages then show
// none.
type ImageStore interface {
	// SavePostImages replaces every size of a post's image with imgs, in
	// one transaction. ErrNotFound when the post does not exist.
	SavePostImages(ctx context.Context, postID int64, imgs []PostImage) error
	// PostImage is one size of a post's image with its bytes; ErrNotFound
	// when there is none.
	PostImage(ctx context.Context, postID int64, size string) (*PostImage, error)
	// PostImages lists the sizes of the images of the posts given, without
	// their bytes (nor, on SQLite, CreatedAt, which would cost reading
	// them), for pages and feeds to show them.
	PostImages(ctx context.Context, postIDs []int64) (map[int64][]PostImage, error)
}
