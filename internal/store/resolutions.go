package store

import (
	"context"

	"github.com/kabarnews/kabar/internal/model"
)

// ResolutionStore caches Google News resolutions, so that an article ID is
// asked of Google once, ever, by any process.
type ResolutionStore interface {
	// Resolution returns what is known of an article ID, or ErrNotFound.
	Resolution(ctx context.Context, articleID string) (*model.Resolution, error)
	// SaveResolution records a resolution. A success overwrites any earlier
	// failure and is final; a failure counts an attempt.
	SaveResolution(ctx context.Context, r *model.Resolution) error
}
