package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Posts stored before the stemmed columns existed (search_version 0) are
// stemmed and indexed when the store opens, in batches.
func TestOpenStemsOlderPosts(t *testing.T) {
	defer func(n int) { backfillBatch = n }(backfillBatch)
	backfillBatch = 2
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kabar.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		p := &model.Post{Title: fmt.Sprintf("Floods %d", i), Language: "en", SourceURL: fmt.Sprintf("https://x.example/%d", i),
			Published: time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC), Paragraphs: []string{"Residents were evacuated."}}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE posts SET search_title = '', search_meta = '', search_body = '', search_version = 0`); err != nil {
		t.Fatal(err)
	}
	if _, total, err := s.Search(ctx, store.SearchQuery{Text: "evacuate", Limit: 10}); err != nil || total != 0 {
		t.Fatalf("unstemmed posts found: %d, %v", total, err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, total, err := s.Search(ctx, store.SearchQuery{Text: "evacuate flood", Limit: 10}); err != nil || total != 5 {
		t.Fatalf("after reopening: found %d, %v; want 5", total, err)
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("search index damaged: %v", err)
	}
}
