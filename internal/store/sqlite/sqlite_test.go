package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kabar.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kabar.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO feeds (url, created_at) VALUES ('https://a.example/f', '')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	feeds, err := s.Feeds(ctx)
	if err != nil || len(feeds) != 1 {
		t.Fatalf("feeds after reopen = %v, %v", feeds, err)
	}
	var versions int
	s.DB().QueryRowContext(ctx, `SELECT count(*) FROM kabar_migrations`).Scan(&versions)
	if files, _ := fs.Glob(migrations, "migrations/*.sql"); versions != len(files) {
		t.Fatalf("migrations recorded = %d, want one per file (%d)", versions, len(files))
	}
}

func TestSearchIndexFollowsPosts(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	save := func(url, title, body string) *model.Post {
		t.Helper()
		p := &model.Post{Title: title, SourceURL: url, Paragraphs: []string{body},
			Published: time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC)}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	match := func(q string) int {
		t.Helper()
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?`, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	integrity := func() {
		t.Helper()
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')`); err != nil {
			t.Fatalf("search index damaged: %v", err)
		}
	}
	// A committed post is searchable at once, accents folded.
	p := save("https://x.example/1", "Łódź news", "Café au lait in Kuźnica")
	if n := match("cafe"); n != 1 {
		t.Fatalf("fts match = %d, want 1", n)
	}
	// Edits and deletions of indexed posts reach the index.
	// The index follows the stemmed columns the store writes (migration 011).
	if err := s.UpdatePostText(ctx, &model.Post{ID: p.ID, Paragraphs: []string{"Tea in Gdańsk"}}); err != nil {
		t.Fatal(err)
	}
	if match("cafe") != 0 || match("gdansk") != 1 {
		t.Fatal("edited post not re-indexed")
	}
	integrity()
	// A post deleted or edited while still queued (written outside the
	// store's committer, so not yet indexed) leaves the index sound, and
	// the next commit indexes what is queued.
	for i, stmt := range []string{
		`INSERT INTO posts (year, month, slug, title, source_url, published, body, search_body, created_at)
			VALUES (2021, 11, 'q1', 'Queued', 'https://x.example/q1', '2021-11-09 15:45:00.000000Z', 'Kopi tubruk', 'kopi tubruk', '')`,
		`UPDATE posts SET search_body = 'kopi luwak' WHERE slug = 'q1'`,
		`INSERT INTO posts (year, month, slug, title, source_url, published, body, search_body, created_at)
			VALUES (2021, 11, 'q2', 'Queued', 'https://x.example/q2', '2021-11-09 15:45:00.000000Z', 'Teh botol', 'teh botol', '')`,
		`DELETE FROM posts WHERE slug = 'q2'`,
	} {
		if _, err := s.DB().ExecContext(ctx, stmt); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	integrity()
	save("https://x.example/2", "Later", "Another post")
	if match("luwak") != 1 || match("tubruk") != 0 || match("botol") != 0 || match("post") != 1 {
		t.Fatalf("queue not indexed by the next commit: luwak %d tubruk %d botol %d post %d",
			match("luwak"), match("tubruk"), match("botol"), match("post"))
	}
	integrity()
}

func TestOpenRejectsEmptyPath(t *testing.T) {
	if _, err := Open(context.Background(), ""); err == nil {
		t.Fatal("empty path accepted")
	}
}
