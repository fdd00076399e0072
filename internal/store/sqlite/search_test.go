package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/storetest"
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

// post_rank (migration 018) is what ranking reads: it must follow posts
// through every write, and keep as much of the body as search reads.
func TestPostRankFollowsPosts(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	long := strings.Repeat("Residents were evacuated from the river bank overnight. ", 60)
	p := &model.Post{Title: "Floods in the valley", Language: "en", SourceURL: "https://x.example/1",
		Published: time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC), Paragraphs: []string{long}}
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	same := func(when string) {
		t.Helper()
		var n int
		err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM posts p JOIN post_rank r ON r.post_id = p.id
			WHERE r.title = p.search_title AND r.meta = p.search_meta AND r.published = p.published
				AND r.head = substr(p.search_body, 1, ?) AND r.body_bytes = octet_length(p.search_body)`,
			search.BodyScanBytes).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM post_rank`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		var posts int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM posts`).Scan(&posts); err != nil {
			t.Fatal(err)
		}
		if n != posts || rows != posts {
			t.Fatalf("%s: %d of %d posts ranked from their own fields, %d rank rows", when, n, posts, rows)
		}
	}
	same("saved")
	var head string
	if err := s.DB().QueryRowContext(ctx, `SELECT head FROM post_rank WHERE post_id = ?`, p.ID).Scan(&head); err != nil {
		t.Fatal(err)
	}
	if len(head) != search.BodyScanBytes {
		t.Fatalf("head of a long body holds %d bytes, want search.BodyScanBytes (%d): migration 018 and search disagree", len(head), search.BodyScanBytes)
	}
	p.Paragraphs = []string{"Dikungsi warga dari tepi sungai."}
	p.Language = "id"
	if err := s.UpdatePostText(ctx, p); err != nil {
		t.Fatal(err)
	}
	same("text updated")
	if _, err := s.DB().ExecContext(ctx, `UPDATE posts SET published = '2025-01-01T00:00:00Z' WHERE id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	same("date changed")
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	same("deleted")
}

// A process keeps the ranking fields it read (store.RankCache) under their
// revisions (post_rev, migration 023), and follows other processes' writes.
func TestRankCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kabar.db")
	a := storetest.RankCacheFollowsWrites(t, func() store.Store {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}, func(s store.Store, id int64, published time.Time) {
		if _, err := s.(*Store).DB().ExecContext(ctx, `UPDATE posts SET published = ? WHERE id = ?`, fmtTime(published), id); err != nil {
			t.Fatal(err)
		}
	}).(*Store)
	if a.rank.Len() == 0 {
		t.Fatal("searches kept no ranking fields")
	}
	// Every post has a revision, and a deleted one none.
	if _, err := a.DB().ExecContext(ctx, `DELETE FROM posts WHERE id = (SELECT min(id) FROM posts)`); err != nil {
		t.Fatal(err)
	}
	var revs, posts int
	if err := a.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM post_rev), (SELECT count(*) FROM posts)`).Scan(&revs, &posts); err != nil {
		t.Fatal(err)
	}
	if revs != posts || posts != 3 {
		t.Fatalf("%d revisions for %d posts; want 3 of each", revs, posts)
	}
}

// After its first search a process reads the newest posts' ranking fields
// in the background, newest first (storetest.RankWarm).
func TestRankWarm(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ps []*model.Post
	for i := range 6 {
		p := &model.Post{Title: fmt.Sprintf("Day %d", i), Language: "en", SourceURL: fmt.Sprintf("https://x.example/%d", i),
			Published: time.Now().Add(-time.Duration(6-i) * time.Hour), Paragraphs: []string{"The harbour was calm."}}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	storetest.RankWarm(t, s, ps, func(n int) *store.RankCache { s.rank.Close(); s.rank = store.NewRankCache(n); return s.rank }, func(id int64) int64 {
		var rev int64
		if err := s.r.QueryRowContext(ctx, `SELECT rev FROM post_rev WHERE post_id = ?`, id).Scan(&rev); err != nil {
			t.Fatal(err)
		}
		return rev
	})
}

// --search-cache-mb 0 (SetRankCacheBytes(0)): searches keep no ranking
// fields, and find the same posts.
func TestRankCacheOff(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetRankCacheBytes(0)
	p := &model.Post{Title: "Calm", Language: "en", SourceURL: "https://x.example/1", Published: time.Now(),
		Paragraphs: []string{"The harbour was calm."}}
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ids := storetest.HitIDs(t, s, "harbour"); len(ids) != 1 || ids[0] != p.ID {
			t.Fatalf("found %v; want post %d", ids, p.ID)
		}
	}
	if n := s.rank.Len(); n != 0 {
		t.Fatalf("a store without a ranking cache kept %d posts' fields", n)
	}
}
