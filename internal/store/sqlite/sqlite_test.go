package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

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
	_, err = s.DB().ExecContext(ctx, `INSERT INTO posts (year, month, slug, title, source_url, published, body, created_at)
		VALUES (2021, 11, 's', 'Łódź news', 'https://x.example/1', '2021-11-09 15:45:00.000000Z', 'Café au lait in Kuźnica', '')`)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'cafe'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("fts match = %d, %v", n, err)
	}
}

func TestOpenRejectsEmptyPath(t *testing.T) {
	if _, err := Open(context.Background(), ""); err == nil {
		t.Fatal("empty path accepted")
	}
}
