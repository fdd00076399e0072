package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// RankCacheFollowsWrites checks a store's cache of ranking fields
// (store.RankCache) against writes by another process: when one changes a
// post's text, then its date, a process that ranked the post before must
// rank as a fresh one does. open returns a new Store on the same database
// at each call; redate sets a post's date by hand, as an operator or an
// import that corrects dates does. It returns the process that ranked
// first, for the caller to check what it holds.
func RankCacheFollowsWrites(t *testing.T, open func() store.Store, redate func(s store.Store, id int64, published time.Time)) store.Store {
	t.Helper()
	ctx := context.Background()
	a, b := open(), open()
	var ps []*model.Post
	for i := range 4 {
		p := &model.Post{Title: fmt.Sprintf("Day %d", i), Language: "en", SourceURL: fmt.Sprintf("https://x.example/%d", i),
			Published:  time.Now().Add(-time.Duration(4-i) * 24 * time.Hour),
			Paragraphs: []string{fmt.Sprintf("Entry %d. The harbour was calm.", i)}}
		if _, err := a.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	ranked := func(s store.Store) []int64 { return HitIDs(t, s, "harbour") }
	before := ranked(a)
	if len(before) != 4 || before[0] != ps[3].ID {
		t.Fatalf("ranking %v; want the four posts, the newest first (%d)", before, ps[3].ID)
	}
	check := func(what string, prev []int64) []int64 {
		t.Helper()
		got, fresh := ranked(a), ranked(open())
		if !slices.Equal(got, fresh) {
			t.Fatalf("after %s: a process that ranked before ranks %v, a fresh one %v", what, got, fresh)
		}
		if slices.Equal(got, prev) {
			t.Fatalf("after %s: the ranking did not change (%v); the test proves nothing", what, got)
		}
		return got
	}
	// The oldest post, rewritten by b to speak of the harbour throughout.
	ps[0].Paragraphs = []string{"Harbour news. The harbour, the harbour wall and the harbour master: the harbour at night."}
	if err := b.UpdatePostText(ctx, ps[0]); err != nil {
		t.Fatal(err)
	}
	after := check("a new text", before)
	// The newest post, dated ten years back by b.
	redate(b, ps[3].ID, ps[3].Published.AddDate(-10, 0, 0))
	check("a new date", after)
	return a
}

// HitIDs returns the IDs of the first 50 posts a search for text finds,
// best first.
func HitIDs(t *testing.T, s store.Store, text string) []int64 {
	t.Helper()
	hits, _, err := s.Search(context.Background(), store.SearchQuery{Text: text, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.Post.ID)
	}
	return ids
}

// RankWarm checks that after its first search a process reads the newest
// posts' ranking fields in the background (store.RankCache.Warm), newest first,
// each under its revision, until three quarters of the cache are filled.
// posts are the store's posts, oldest first, the newest three at least as
// heavy as any; shrink gives the store a cache of maxBytes and returns it;
// revOf a post's revision.
func RankWarm(t *testing.T, s store.Store, posts []*model.Post, shrink func(maxBytes int) *store.RankCache, revOf func(id int64) int64) {
	t.Helper()
	// The weight of the heaviest post, as the cache counts it: read with
	// room for all.
	c := shrink(1 << 20)
	if _, _, err := s.Search(context.Background(), store.SearchQuery{Text: "nothingmatchesthis", Limit: 10}); err != nil {
		t.Fatal(err)
	}
	<-c.Warmed()
	weight := 0
	for _, p := range posts {
		rev := revOf(p.ID)
		d, ok := c.Get(p.ID, rev)
		if !ok {
			t.Fatalf("post %d not read ahead into a cache with room for all", p.ID)
		}
		weight = max(weight, c.Put(rev, d))
	}
	// Room for the fields of three posts in three quarters of the cache.
	c = shrink(weight * 4)
	if _, _, err := s.Search(context.Background(), store.SearchQuery{Text: "nothingmatchesthis", Limit: 10}); err != nil {
		t.Fatal(err)
	}
	<-c.Warmed()
	for i, p := range posts {
		rev := revOf(p.ID)
		d, ok := c.Get(p.ID, rev)
		if want := i >= len(posts)-3; ok != want || ok && (d.ID != p.ID || d.Title == "") {
			t.Fatalf("post %d of %d: held %v (title %q); want held %v, under revision %d", i+1, len(posts), ok, d.Title, want, rev)
		}
	}
}
