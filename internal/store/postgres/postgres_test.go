package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/storetest"
)

var _ store.Store = (*Store)(nil)

// open returns a store on a fresh schema of the test database.
func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The conformance suite, every test on a fresh schema: the same tests the
// SQLite store passes.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func TestReopenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Schema(t)
	for i := 0; i < 2; i++ {
		s, err := Open(ctx, url)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if i == 0 {
			if err := s.AddFeed(ctx, &model.Feed{URL: "https://a.example/f"}); err != nil {
				t.Fatal(err)
			}
		}
		versions, err := s.MigrationVersions(ctx)
		if err != nil || len(versions) == 0 || versions[0] != 1 {
			t.Fatalf("versions = %v, %v", versions, err)
		}
		files, _ := migrations.ReadDir("migrations")
		if len(versions) != len(files) {
			t.Fatalf("versions %v for %d files", versions, len(files))
		}
		feeds, _ := s.Feeds(ctx)
		if len(feeds) != 1 {
			t.Fatalf("feeds after reopen: %v", feeds)
		}
		s.Close()
	}
}

// Processes starting together apply each migration once.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.Schema(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			s, err := Open(context.Background(), url)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// The search column follows title and body, folded: with unaccent, Łódź
// and café match lodz and cafe.
func TestSearchVectorFollowsPosts(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	f := &model.Feed{URL: "https://a.example/f"}
	if err := s.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	it := &model.Item{FeedID: f.ID, GUID: "g"}
	if _, err := s.UpsertItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: "Łódź news", SourceURL: "https://x.example/1",
		Paragraphs: []string{"Café au lait in Kuźnica."}}
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	var unaccent bool
	s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent')`).Scan(&unaccent)
	query := "Łódź café"
	if unaccent {
		query = "lodz CAFE"
	} else {
		t.Log("unaccent is not installed: search is accent-sensitive")
	}
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM post_search
		WHERE search @@ websearch_to_tsquery('simple', kabar_fold($1))`, query).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("match %q = %d, %v", query, n, err)
	}
	// The column follows the stemmed text the store writes (migration 011).
	if err := s.UpdatePostText(ctx, &model.Post{ID: p.ID, Paragraphs: []string{"Something else"}}); err != nil {
		t.Fatal(err)
	}
	s.pool.QueryRow(ctx, `SELECT count(*) FROM post_search WHERE search @@ websearch_to_tsquery('simple', 'cafe')`).Scan(&n)
	if n != 0 {
		t.Fatal("search vector not updated with the body")
	}
	var plan string
	rows, _ := s.pool.Query(ctx, `EXPLAIN SELECT post_id FROM post_search WHERE search @@ websearch_to_tsquery('simple', 'x')`)
	for rows.Next() {
		var line string
		rows.Scan(&line)
		plan += line + "\n"
	}
	if !strings.Contains(plan, "post_search_search") && !strings.Contains(plan, "Seq Scan") {
		t.Fatalf("plan:\n%s", plan)
	}
}

func TestOpenRejectsBadURL(t *testing.T) {
	if _, err := Open(context.Background(), "postgres://%zz"); err == nil {
		t.Fatal("bad URL accepted")
	}
}
