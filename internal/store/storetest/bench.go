package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// BenchSearchHits is how many posts SearchBenchPosts stores: one page of
// hits.
const BenchSearchHits = 10

// BenchSearchQuery finds every post of SearchBenchPosts: its first word is
// in every paragraph (the worst case for FTS5's snippet(), which weighs
// every match), its second at the end only (the worst case for a snippet
// that looks for a place showing both).
const BenchSearchQuery = "alpha omega"

// SearchBenchPosts stores BenchSearchHits posts of size bytes of text each
// (paragraphs of a few hundred distinct words), with "alpha" in every
// paragraph and "omega" in the last.
func SearchBenchPosts(tb testing.TB, s store.Store, size int) {
	tb.Helper()
	f := &model.Feed{URL: "https://example.com/bench.xml"}
	if err := s.AddFeed(ctx, f); err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < BenchSearchHits; i++ {
		var paras []string
		used := 0
		for j := 0; used < size-200; j++ {
			var b strings.Builder
			for k := 0; b.Len() < 600; k++ {
				fmt.Fprintf(&b, "word%d report%d ", (j*7+k)%300, k%50)
			}
			p := "An alpha paragraph: " + strings.TrimSpace(b.String())
			if used+len(p)+1 > size-200 {
				break
			}
			paras = append(paras, p)
			used += len(p) + 1
		}
		paras = append(paras, "And so the omega end.")
		it := &model.Item{FeedID: f.ID, GUID: fmt.Sprint("bench-", i), Link: fmt.Sprint("https://example.com/", i),
			Title: fmt.Sprint("Bench story ", i), Published: at.Add(time.Duration(i) * time.Minute)}
		if _, err := s.UpsertItem(ctx, it); err != nil {
			tb.Fatal(err)
		}
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: it.Title, SourceURL: it.Link, Published: it.Published, Paragraphs: paras}
		if _, err := s.SavePost(ctx, p); err != nil {
			tb.Fatal(err)
		}
		if p.Truncated {
			tb.Fatalf("a bench post of %d bytes was cut", size)
		}
	}
}

// BenchSearch measures one search whose page of hits are posts of a few
// KiB (post=small) and posts at model.MaxArticleBytes (post=cap); open
// returns an empty store. The ratio of the two is the cost of the longest
// articles kabar stores.
func BenchSearch(b *testing.B, open func(testing.TB) store.Store) {
	for _, c := range []struct {
		name string
		size int
	}{{"small", 4 << 10}, {"cap", model.MaxArticleBytes}} {
		b.Run("post="+c.name, func(b *testing.B) {
			s := open(b)
			SearchBenchPosts(b, s, c.size)
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				hits, _, err := s.Search(ctx, store.SearchQuery{Text: BenchSearchQuery, Limit: BenchSearchHits})
				if err != nil || len(hits) != BenchSearchHits {
					b.Fatalf("search: %d hits, %v", len(hits), err)
				}
			}
			// The process's CPU time: the store's own (SQLite runs in it;
			// PostgreSQL's work is in its server and is not counted).
			if cpu > 0 {
				b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			}
		})
	}
}
