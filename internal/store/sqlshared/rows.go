package sqlshared

import (
	"fmt"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

// ImageRow is what a post image's row keeps beside the image's own fields:
// its bytes (NULL when only the size is known), their length (the bytes'
// when there are some, else the one given) and its time (now, unless
// given).
func ImageRow(im store.PostImage, now time.Time) (data any, length int, created time.Time) {
	length = im.Length
	if len(im.Data) > 0 {
		data, length = im.Data, len(im.Data)
	}
	created = now
	if !im.CreatedAt.IsZero() {
		created = im.CreatedAt
	}
	return data, length, created
}

// BeatErr is Beat's answer once its update has touched n rows: none means
// the process had been taken for dead and its row removed.
func BeatErr(id string, n int64) error {
	if n == 0 {
		return fmt.Errorf("process %s: %w (taken for dead)", id, store.ErrNotFound)
	}
	return nil
}

// RerootDelta is the change in a story's copies when its root moves from
// oldRoot to newRoot, read from rows of (post_id, is a copy) for the two:
// the old root becomes a copy, the new one stops being one. The caller
// closes rows.
func RerootDelta(rows Rows, oldRoot, newRoot int64) (int, error) {
	delta := 0
	for rows.Next() {
		var id int64
		var isCopy bool
		if err := rows.Scan(&id, &isCopy); err != nil {
			return 0, err
		}
		switch {
		case id == oldRoot && !isCopy:
			delta++
		case id == newRoot && isCopy:
			delta--
		}
	}
	return delta, rows.Err()
}
