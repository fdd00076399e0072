package store

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/search"
)

// Warm reads the newest posts, newest first, a batch at a time, until
// three quarters of the cache are filled or no post is left.
func TestRankCacheWarmBatches(t *testing.T) {
	doc := func(id int64) search.Doc { return search.Doc{ID: id, Title: "t", Body: strings.Repeat("x", 872)} }
	weight := int(newRankEntry(0, doc(1)).weight) // about 1 000 bytes
	for _, tc := range []struct {
		name      string
		posts     int64 // IDs 1 to posts
		room      int   // posts three quarters of the cache hold
		wantCalls int
	}{
		{"budget ends it", 3 * WarmBatch, WarmBatch + 10, 2},
		{"posts end it", WarmBatch + 5, 3 * WarmBatch, 2},
		{"no posts", 0, 10, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewRankCache(tc.room * weight * 4 / 3)
			var befores []int64
			c.Warm(func(ctx context.Context, before int64, keep func(int64, search.Doc) bool) error {
				befores = append(befores, before)
				top := min(tc.posts, before-1)
				for id := top; id > max(top-WarmBatch, 0); id-- {
					if !keep(7, doc(id)) {
						return nil
					}
				}
				return nil
			})
			<-c.Warmed()
			if len(befores) != tc.wantCalls || befores[0] != math.MaxInt64 {
				t.Fatalf("batches asked below %v; want %d, the first below every ID", befores, tc.wantCalls)
			}
			held := min(int64(tc.room), tc.posts)
			for id := tc.posts; id > 0; id-- {
				_, ok := c.Get(id, 7)
				if want := id > tc.posts-held; ok != want {
					t.Fatalf("post %d of %d: held %v, want %v (the newest %d)", id, tc.posts, ok, want, held)
				}
			}
		})
	}
}

// A cache of no bytes keeps nothing, and its Warm reads nothing.
func TestRankCacheNone(t *testing.T) {
	c := NewRankCache(0)
	c.Put(1, search.Doc{ID: 1, Title: "t"})
	if _, ok := c.Get(1, 1); ok || c.Len() != 0 {
		t.Fatal("a cache of 0 bytes kept a post")
	}
	c.Warm(func(context.Context, int64, func(int64, search.Doc) bool) error {
		t.Error("a cache of 0 bytes read ahead")
		return nil
	})
	<-c.Warmed()
	c.Close()
}

// A lead that ends with the start of the body shares its bytes with it:
// the cache gives back the same fields and counts them once.
func TestRankCacheSharedLead(t *testing.T) {
	lead := "first paragraph of the article, stemmed, "
	body := lead + strings.Repeat("and more of it ", 40)
	for _, tc := range []struct {
		name, meta string
		shared     int // bytes the fields share
	}{
		{"the lead is the first paragraph", "publisher 7 " + lead, len(lead)},
		{"the lead runs into the body", "publisher 7 " + body[:200], 200},
		{"a lead of its own", "publisher 7 another text altogether, long enough", 0},
		{"the start but not the rest", "publisher 7 first paragraph of the article, stemmed, but not this", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := search.Doc{ID: 3, Title: "a title", Meta: tc.meta, Body: body, BodyBytes: 5000}
			c := NewRankCache(1 << 20)
			w := c.Put(9, d)
			if want := len(d.Title) + len(d.Meta) + len(d.Body) - tc.shared + 128; w != want {
				t.Errorf("weight %d, want %d", w, want)
			}
			got, ok := c.Get(3, 9)
			if !ok || got != d {
				t.Fatalf("got %+v, want %+v", got, d)
			}
		})
	}
}
