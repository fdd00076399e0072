package store

import (
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// The Prepare functions fill in what a write leaves to the store, the same
// whichever database keeps the row (see also PrepareFeed).

// PrepareComment gives a new comment its time (now, unless given) and its
// status (pending, unless given).
func PrepareComment(c *model.Comment, now time.Time) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now.UTC()
	}
	if c.Status == "" {
		c.Status = model.CommentPending
	}
}

// PrepareResolution gives a resolution its time (now, unless given) and
// returns the attempts it adds to the stored count: a failure is one more
// attempt, a success none.
func PrepareResolution(r *model.Resolution, now time.Time) (attempts int) {
	if r.ResolvedAt.IsZero() {
		r.ResolvedAt = now.UTC()
	}
	if !r.OK() {
		return 1
	}
	return 0
}
