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

// TestSearchWindow: past the window, the newest matches are ranked, with
// the newest strong ones (in a title or a lead) however old; the count
// stops past its cap.
func TestSearchWindow(t *testing.T) {
	defer func(w, sw, c int) {
		searchWindow, searchStrongWindow, searchCountCap = w, sw, c
	}(searchWindow, searchStrongWindow, searchCountCap)
	searchWindow, searchStrongWindow, searchCountCap = 3, 2, 4
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
			title = "Harbour harbour" // the best of all, older than the newest three
		}
		p := &model.Post{Title: title, SourceURL: fmt.Sprintf("https://x.example/%d", i),
			Published:  time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC),
			Paragraphs: []string{"A quiet day.", "The harbour was quiet."}}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	hits, total, err := s.Search(ctx, store.SearchQuery{Text: "harbour", Limit: 10})
	if err != nil || total != searchCountCap+1 || len(hits) != 4 {
		t.Fatalf("%d hits of %d, %v; want 4 of %d", len(hits), total, err, searchCountCap+1)
	}
	if hits[0].Post.ID != ids[0] || hits[1].Post.ID != ids[4] {
		t.Errorf("first hits %q, %q; want the two title matches", hits[0].Post.Title, hits[1].Post.Title)
	}
	for _, h := range hits {
		if h.Post.ID != ids[0] && h.Post.ID < ids[3] {
			t.Errorf("%q is outside the window", h.Post.Title)
		}
		if h.Snippet == "" {
			t.Errorf("%q has no snippet", h.Post.Title)
		}
	}
	page, _, _ := s.Search(ctx, store.SearchQuery{Text: "harbour", Limit: 3, Offset: 2})
	if len(page) != 2 {
		t.Errorf("second page: %d hits", len(page))
	}
}
