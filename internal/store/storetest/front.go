package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

func init() {
	register("Site/FrontPostsOnePerStory", testFrontPosts)
	register("Site/AdjacentPosts", testAdjacentPosts)
	register("Site/PostStubsForSitemaps", testPostStubs)
	register("Site/FilterPostsForTheOwner", testFilterPosts)
	register("Site/ListPostsOfPublisherVariants", testPublisherVariants)
	register("Site/SetFeedNextPoll", testSetFeedNextPoll)
}

// testFrontPosts: a story shows once, by its lead; a copy never; a post
// without a story shows as itself.
func testFrontPosts(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://feeds.example/front")
	wire := storyPost(t, s, f.ID, "wire", storyDay)
	cp := storyPost(t, s, f.ID, "copy", storyDay.Add(time.Hour))
	own := storyPost(t, s, f.ID, "own", storyDay.Add(2*time.Hour))
	lone := storyPost(t, s, f.ID, "lone", storyDay.Add(3*time.Hour))
	loose := storyPost(t, s, f.ID, "loose", storyDay.Add(4*time.Hour)) // no story yet
	a := assign(t, s, wire, 0, 0, store.EvidenceNew)
	assign(t, s, cp, a.StoryID, wire.ID, store.EvidenceCopy)
	assign(t, s, own, a.StoryID, 0, store.EvidenceText)
	assign(t, s, lone, 0, 0, store.EvidenceNew)

	got, err := s.FrontPosts(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if want := []int64{loose.ID, lone.ID, wire.ID}; !slices.Equal(ids, want) {
		t.Fatalf("front posts %v, want %v (loose, lone, wire)", ids, want)
	}
	if got[2].StoryID != a.StoryID || got[2].StoryPosts != 3 {
		t.Errorf("wire's story %d with %d posts, want %d with 3", got[2].StoryID, got[2].StoryPosts, a.StoryID)
	}
	if got[0].StoryID != 0 || got[1].StoryPosts != 1 {
		t.Errorf("loose story %d, lone's posts %d", got[0].StoryID, got[1].StoryPosts)
	}
	if n, err := s.CountFrontPosts(ctx); err != nil || n != 3 {
		t.Errorf("CountFrontPosts = %d, %v; want 3", n, err)
	}
	// More stories, and the count still agrees with the listing.
	other := storyPost(t, s, f.ID, "other", storyDay.Add(5*time.Hour))
	b := assign(t, s, other, 0, 0, store.EvidenceNew)
	assign(t, s, loose, b.StoryID, other.ID, store.EvidenceCopy)
	all, err := s.FrontPosts(ctx, 0, 0)
	if n, cerr := s.CountFrontPosts(ctx); err != nil || cerr != nil || n != len(all) || n != 3 {
		t.Errorf("CountFrontPosts = %d, %v; the listing has %d, %v; want 3 (other, lone, wire)", n, cerr, len(all), err)
	}
	page, err := s.FrontPosts(ctx, 1, 1)
	if err != nil || len(page) != 1 || page[0].ID != lone.ID {
		t.Errorf("second page %v %v", page, err)
	}
}

func testAdjacentPosts(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://feeds.example/adjacent")
	a := sitePost(t, s, f.ID, "First", "P", "en", storyDay)
	b := sitePost(t, s, f.ID, "Second", "P", "en", storyDay.Add(time.Hour))
	c := sitePost(t, s, f.ID, "Third", "P", "en", storyDay.Add(time.Hour)) // same time: ID decides
	newer, older, err := s.AdjacentPosts(ctx, b)
	if err != nil || newer == nil || older == nil || newer.ID != c.ID || older.ID != a.ID {
		t.Fatalf("around b: newer %v older %v %v", newer, older, err)
	}
	newer, older, err = s.AdjacentPosts(ctx, c)
	if err != nil || newer != nil || older == nil || older.ID != b.ID {
		t.Fatalf("around c: newer %v older %v %v", newer, older, err)
	}
	newer, older, err = s.AdjacentPosts(ctx, a)
	if err != nil || older != nil || newer == nil || newer.ID != b.ID {
		t.Fatalf("around a: newer %v older %v %v", newer, older, err)
	}
}

func testPostStubs(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://feeds.example/stubs")
	old := sitePost(t, s, f.ID, "Old news", "P", "en", storyDay.Add(-72*time.Hour), "Some text.")
	recent := sitePost(t, s, f.ID, "Recent news", "Q", "id", storyDay, "Other text.")
	all, err := s.PostStubs(ctx, time.Time{}, 0, 0)
	if err != nil || len(all) != 2 || all[0].ID != recent.ID || all[1].ID != old.ID {
		t.Fatalf("all stubs %+v %v", all, err)
	}
	st := all[0]
	if st.Slug != recent.Slug || st.Title != "Recent news" || st.Publisher != "Q" || st.Language != "id" ||
		!st.Published.Equal(recent.Published) || st.Path() != recent.Path() || len(st.Paragraphs) != 0 {
		t.Errorf("stub %+v", st)
	}
	since, err := s.PostStubs(ctx, storyDay.Add(-48*time.Hour), 0, 0)
	if err != nil || len(since) != 1 || since[0].ID != recent.ID {
		t.Errorf("stubs of 48 hours %+v %v", since, err)
	}
	paged, err := s.PostStubs(ctx, time.Time{}, 1, 1)
	if err != nil || len(paged) != 1 || paged[0].ID != old.ID {
		t.Errorf("second page %+v %v", paged, err)
	}
}

func testFilterPosts(t *testing.T, s store.Store) {
	f1 := mustFeed(t, s, "https://feeds.example/one")
	f2 := mustFeed(t, s, "https://feeds.example/two")
	a := sitePost(t, s, f1.ID, "Flood in Jakarta", "P", "en", storyDay, "Text.")
	b := sitePost(t, s, f2.ID, "100% turnout_x", "P", "en", storyDay.Add(time.Hour), "Text.")
	c := sitePost(t, s, f2.ID, "Jakarta traffic", "P", "en", storyDay.Add(2*time.Hour))
	c.Paragraphs = nil
	// A post without text: its description stands in.
	if err := s.UpdatePostText(ctx, c); err != nil {
		t.Fatal(err)
	}
	check := func(name string, f store.PostFilter, want ...int64) {
		t.Helper()
		got, err := s.FilterPosts(ctx, f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(postIDs(got), want) {
			t.Errorf("%s: %v, want %v", name, postIDs(got), want)
		}
		if f.Limit != 0 {
			return // the count ignores paging
		}
		if n, err := s.CountFilterPosts(ctx, f); err != nil || n != len(want) {
			t.Errorf("%s: count %d %v, want %d", name, n, err, len(want))
		}
	}
	check("all", store.PostFilter{}, c.ID, b.ID, a.ID)
	check("text", store.PostFilter{Text: "jakarta"}, c.ID, a.ID)
	check("percent is literal", store.PostFilter{Text: "0%"}, b.ID)
	check("underscore is literal", store.PostFilter{Text: "t_x"}, b.ID)
	check("feed", store.PostFilter{FeedID: f2.ID}, c.ID, b.ID)
	check("thin", store.PostFilter{Status: store.PostThin}, c.ID)
	check("full", store.PostFilter{Status: store.PostFull}, b.ID, a.ID)
	check("from", store.PostFilter{From: storyDay.Add(time.Hour)}, c.ID, b.ID)
	check("to", store.PostFilter{To: storyDay.Add(time.Hour)}, a.ID)
	check("page", store.PostFilter{Limit: 1, Offset: 1}, b.ID)
}

func testPublisherVariants(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://feeds.example/variants")
	a := sitePost(t, s, f.ID, "One", "The Guardian", "en", storyDay)
	b := sitePost(t, s, f.ID, "Two", "Guardian", "en", storyDay.Add(time.Hour))
	sitePost(t, s, f.ID, "Three", "Observer", "en", storyDay.Add(2*time.Hour))
	q := store.ListQuery{Publishers: []string{"The Guardian", "Guardian"}}
	got, err := s.ListPosts(ctx, q)
	if err != nil || !slices.Equal(postIDs(got), []int64{b.ID, a.ID}) {
		t.Fatalf("variants %v %v", postIDs(got), err)
	}
	if n, err := s.CountListPosts(ctx, q); err != nil || n != 2 {
		t.Errorf("count %d %v", n, err)
	}
}

func testSetFeedNextPoll(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://feeds.example/refresh")
	at := storyDay.Add(3 * time.Hour)
	if err := s.SetFeedNextPoll(ctx, f.ID, at); err != nil {
		t.Fatal(err)
	}
	got, err := s.Feed(ctx, f.ID)
	if err != nil || !got.NextPollAt.Equal(at) {
		t.Errorf("next poll %v %v, want %v", got.NextPollAt, err, at)
	}
	if err := s.SetFeedNextPoll(ctx, f.ID+1000, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown feed: %v", err)
	}
}
