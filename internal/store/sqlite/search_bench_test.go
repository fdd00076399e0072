package sqlite

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/storetest"
)

func openBench(tb testing.TB) *Store {
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "kabar.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkSearch: a page of small hits against a page of hits at the cap
// (docs/operations.md, "Limits").
func BenchmarkSearch(b *testing.B) {
	storetest.BenchSearch(b, func(tb testing.TB) store.Store { return openBench(tb) })
}

// BenchmarkSearchFTS5Snippet is the baseline the Go snippets replaced:
// FTS5's highlight() and snippet() over the same page of hits at the cap.
func BenchmarkSearchFTS5Snippet(b *testing.B) {
	s := openBench(b)
	storetest.SearchBenchPosts(b, s, model.MaxArticleBytes)
	match := search.FTS5(search.Parse(storetest.BenchSearchQuery))
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		rows, err := s.r.QueryContext(context.Background(), `SELECT highlight(posts_fts, 0, '[', ']'),
			snippet(posts_fts, 2, '[', ']', '…', 32) FROM posts_fts WHERE posts_fts MATCH ?
			ORDER BY rank LIMIT ?`, match, storetest.BenchSearchHits)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if rows.Close(); n != storetest.BenchSearchHits {
			b.Fatalf("%d hits", n)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
