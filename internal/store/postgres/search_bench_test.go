package postgres

import (
	"context"
	"testing"

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
