package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/kabarnews/kabar/internal/store"
)

// A post extracted again gets its new text; the search index follows.
func init() {
	register("UpdatePostTextReplacesTextAndSearch", testUpdatePostText)
}

func testUpdatePostText(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	it := mustItem(t, s, f.ID, "x")
	p := post(it, "https://publisher.example/x", "h1")
	p.Paragraphs = []string{"Cookie wall text only."}
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	other := post(mustItem(t, s, f.ID, "y"), "https://publisher.example/y", "h2")
	if _, err := s.SavePost(ctx, other); err != nil {
		t.Fatal(err)
	}
	again := *p
	again.Paragraphs = []string{"The harbour bridge reopened on Monday.", "Engineers replaced its cables."}
	again.ContentHash, again.Author, again.Language = "h3", "Rina Putri", "en"
	if err := s.UpdatePostText(ctx, &again); err != nil {
		t.Fatal(err)
	}
	got, err := s.Post(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Paragraphs, again.Paragraphs) || got.ContentHash != "h3" || got.Author != "Rina Putri" ||
		got.Title != p.Title || got.Slug != p.Slug || got.SourceURL != p.SourceURL || !got.Published.Equal(p.Published) {
		t.Fatalf("after update: %+v", got)
	}
	if _, n, err := s.Search(ctx, store.SearchQuery{Text: "cables"}); err != nil || n != 1 {
		t.Fatalf("new text not searchable: %d hits, %v", n, err)
	}
	if _, n, err := s.Search(ctx, store.SearchQuery{Text: "cookie"}); err != nil || n != 0 {
		t.Fatalf("old text still found: %d hits, %v", n, err)
	}
	// The text of another post is refused, and changes nothing.
	dup := again
	dup.Paragraphs, dup.ContentHash = other.Paragraphs, "h2"
	if err := s.UpdatePostText(ctx, &dup); !errors.Is(err, store.ErrExists) {
		t.Fatalf("text of another post: err = %v, want ErrExists", err)
	}
	if got, _ := s.Post(ctx, p.ID); got.ContentHash != "h3" {
		t.Fatalf("refused update changed the post: %+v", got)
	}
	missing := again
	missing.ID, missing.ContentHash = 987654, "h9"
	if err := s.UpdatePostText(ctx, &missing); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown post: err = %v, want ErrNotFound", err)
	}
}
