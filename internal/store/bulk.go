package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// ArchivePosition is a place in a WARC file where a record starts: the
// file offset of the gzip member holding it (0 for an uncompressed file)
// and the offset within that member's decompressed bytes (the file offset
// itself for an uncompressed file).
type ArchivePosition struct {
	Member int64
	Inner  int64
}

// ImportProgress is how far an import of one archive got: every record
// before Next is committed, posts and skips alike.
type ImportProgress struct {
	// Archive identifies the archive whatever its path (internal/bulk
	// derives it from the file's content), with the shard when the import
	// was split.
	Archive string
	Path    string
	Next    ArchivePosition
	Records int64
	Done    bool
	// UpdatedAt is set by the store.
	UpdatedAt time.Time
}

// ImportedPost is a post of an import batch and the record it came from.
type ImportedPost struct {
	Post   model.Post
	Record ArchivePosition
	// Search, when set, is search.Fields of the post (bounded by
	// Post.Limit) worked out beforehand: stemming is a good part of a
	// post's cost, and the importer's workers do it in parallel instead
	// of the store's single writer.
	Search *[3]string
	// Created is set by SaveImportBatch: false when the article was stored
	// already (Post is then the stored post).
	Created bool
}

// ExportQuery selects posts for a dataset. Zero fields select everything.
type ExportQuery struct {
	Since, Until time.Time // published in [Since, Until)
	Label        string
	Language     string
	StoryID      int64
}

// ExportedPost is a post with its story link and, for an imported post,
// the archive record it came from.
type ExportedPost struct {
	Post    model.Post
	StoryID int64
	CopyOf  int64
	// ArchivePath is the archive an imported post was read from ("" for
	// other posts), Record its record there.
	ArchivePath string
	Record      ArchivePosition
}

// BulkStore is what bulk import and dataset export need of a store. Both
// backends implement it; it is apart from Store so that test doubles of
// Store need not.
type BulkStore interface {
	// ImportProgress is the stored progress of an archive; a zero value
	// (Archive "") when it was never imported.
	ImportProgress(ctx context.Context, archive string) (ImportProgress, error)
	// SaveImportBatch stores a batch of posts as SavePost would (a known
	// source URL or text reuses the stored post; new posts wait for their
	// story) and records the archive's progress, in one transaction: a
	// batch is stored whole with its progress or not at all.
	SaveImportBatch(ctx context.Context, posts []ImportedPost, progress ImportProgress) error
	// ExportPosts lists up to limit posts q selects with ID > afterID, in
	// ID order (for paging through any number of posts).
	ExportPosts(ctx context.Context, q ExportQuery, afterID int64, limit int) ([]ExportedPost, error)
}

// StoryBatcher is a store that can put many story writes in one
// transaction (both of kabar's stores can): a bulk import assigns the
// stories of a batch of posts at the price of one commit.
type StoryBatcher interface {
	// StoryBatch runs fn in one transaction: the story writes and StoryKeys
	// given fn's context go through it (each write undone alone when it
	// fails), and it commits when fn returns nil. An error from fn, or
	// from the commit, undoes all of it. fn may run more than once (a
	// transaction the database chose to undo is run again) and must start
	// afresh each time.
	StoryBatch(ctx context.Context, fn func(ctx context.Context) error) error
}

// PrepareImportBatch readies a batch for SaveImportBatch as SavePost
// readies a post (a source URL required, the text bounded, times set) and
// returns a copy to start from again when a transaction runs more than
// once.
func PrepareImportBatch(posts []ImportedPost, now time.Time) ([]ImportedPost, error) {
	for i := range posts {
		p := &posts[i].Post
		if p.SourceURL == "" {
			return nil, fmt.Errorf("post %q: empty source URL", p.Title)
		}
		p.Limit()
		if p.CreatedAt.IsZero() {
			p.CreatedAt = now
		}
		if p.Published.IsZero() {
			p.Published = p.CreatedAt
		}
	}
	return append([]ImportedPost(nil), posts...), nil
}
