package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
)

// Posts stored before the stemmed columns existed (search_version 0) are
// stemmed and indexed when the store opens, in batches.
func TestOpenStemsOlderPosts(t *testing.T) {
	defer func(n int) { backfillBatch = n }(backfillBatch)
	backfillBatch = 2
	ctx := context.Background()
	url := pgtest.Schema(t)
	s, err := Open(ctx, url)
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
	if _, err := s.pool.Exec(ctx, `UPDATE posts SET search_title = '', search_meta = '', search_body = '', search_version = 0`); err != nil {
		t.Fatal(err)
	}
	if _, total, err := s.Search(ctx, store.SearchQuery{Text: "evacuate", Limit: 10}); err != nil || total != 0 {
		t.Fatalf("unstemmed posts found: %d, %v", total, err)
	}
	s.Close()
	s, err = Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, total, err := s.Search(ctx, store.SearchQuery{Text: "evacuate flood", Limit: 10}); err != nil || total != 5 {
		t.Fatalf("after reopening: found %d, %v; want 5", total, err)
	}
}

// The window is the newest matches and the newest strong ones; past the
// count's cap they are looked for in growing ranges of the newest IDs,
// which must find the same posts as a look at every match.
func TestSearchWindow(t *testing.T) {
	setSearchBounds(t, 3, 2, 4, 1)
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []int64
	for i := range 9 {
		title := fmt.Sprintf("Post %d", i)
		switch i {
		case 7:
			title = "Harbour news" // the best match of the newest three
		case 0:
			title = "Harbour harbour" // the best of all, far older than the newest three
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
	if hits[0].Post.ID != ids[0] || hits[1].Post.ID != ids[7] {
		t.Errorf("first hits %q, %q; want the two title matches", hits[0].Post.Title, hits[1].Post.Title)
	}
	for _, h := range hits {
		if h.Post.ID != ids[0] && h.Post.ID < ids[6] {
			t.Errorf("%q is outside the window", h.Post.Title)
		}
	}
	// With every match counted, the window comes from one look at all of
	// them: the same posts.
	searchCountCap = 100
	all, _, err := s.Search(ctx, store.SearchQuery{Text: "harbour", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(hits) {
		t.Fatalf("without ranges %d hits, with %d", len(all), len(hits))
	}
	for i := range all {
		if all[i].Post.ID != hits[i].Post.ID {
			t.Errorf("hit %d: %q without ranges, %q with", i, all[i].Post.Title, hits[i].Post.Title)
		}
	}
}
