package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/storetest"
)

// BenchmarkSearch: a page of small hits against a page of hits at the cap
// (docs/operations.md, "Limits").
func BenchmarkSearch(b *testing.B) {
	if !pgtest.Available() {
		b.Skip("no PostgreSQL at " + pgtest.URL())
	}
	storetest.BenchSearch(b, func(tb testing.TB) store.Store {
		s, err := Open(context.Background(), pgtest.Schema(tb))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	})
}

// BenchmarkCollectPostRevs: a window of post IDs and revisions (1 001
// rows, the count's cap and one) read by collectPostRevs against
// pgx.RowToStructByPos, which it replaced.
func BenchmarkCollectPostRevs(b *testing.B) {
	if !pgtest.Available() {
		b.Skip("no PostgreSQL at " + pgtest.URL())
	}
	s, err := Open(context.Background(), pgtest.Schema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		collect func(pgx.Rows) ([]postRev, error)
	}{
		{"RowToStructByPos", func(rows pgx.Rows) ([]postRev, error) { return pgx.CollectRows(rows, pgx.RowToStructByPos[postRev]) }},
		{"collectPostRevs", collectPostRevs},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := s.pool.Query(ctx, `SELECT g::bigint, g::bigint * 2 FROM generate_series(1, 1001) g`)
				if err != nil {
					b.Fatal(err)
				}
				got, err := c.collect(rows)
				if err != nil || len(got) != 1001 || got[1000].Rev != 2002 {
					b.Fatalf("%d rows, %v", len(got), err)
				}
			}
		})
	}
}
