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

// TestSearchWindow: past the window, only the newest matches are ranked,
// total still counts them all, and the best of the window comes first.
func TestSearchWindow(t *testing.T) {
	defer func(w int) { searchWindow = w }(searchWindow)
	searchWindow = 3
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []int64
	for i := range 6 {
		title := fmt.Sprintf("Post %d", i)
		if i == 4 {
			title = "Harbour news" // the best match of the newest three
		}
		if i == 0 {
			title = "Harbour harbour" // the best of all, but outside the window
		}
		p := &model.Post{Title: title, SourceURL: fmt.Sprintf("https://x.example/%d", i),
			Published: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), Paragraphs: []string{"The harbour was quiet."}}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	hits, total, err := s.Search(ctx, store.SearchQuery{Text: "harbour", Limit: 10})
	if err != nil || total != 6 || len(hits) != 3 {
		t.Fatalf("%d hits of %d, %v", len(hits), total, err)
	}
	if hits[0].Post.ID != ids[4] {
		t.Errorf("first hit %q", hits[0].Post.Title)
	}
	for _, h := range hits {
		if h.Post.ID < ids[3] {
			t.Errorf("%q is outside the window", h.Post.Title)
		}
		if h.Snippet == "" {
			t.Errorf("%q has no snippet", h.Post.Title)
		}
	}
	page, _, _ := s.Search(ctx, store.SearchQuery{Text: "harbour", Limit: 2, Offset: 2})
	if len(page) != 1 {
		t.Errorf("second page: %d hits", len(page))
	}
}
