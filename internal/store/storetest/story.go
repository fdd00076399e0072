package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// The StoryStore: stories, each post's story and copy, evidence keys.

func init() {
	register("StoriesAssignListAndReport", testStories)
	register("StoryOfAPostIsSetOnce", testStoryOnce)
	register("StoryKeysFirstClaimWins", testStoryKeys)
	register("StoryCopiesReroot", testStoryReroot)
	register("StoriesMerge", testStoryMerge)
	register("StoryPostsAndLinksAfterForTheIndex", testStoryIndexFeeds)
	register("ConcurrentAssignStoryOnePostOnce", testConcurrentAssignStory)
	register("ConcurrentAssignStoryCountsEveryPost", testConcurrentStoryCounts)
	register("ConcurrentMergeAndAssignKeepCounts", testConcurrentMerge)
}

// storyPost saves a post of its own item, published at pub.
func storyPost(t *testing.T, s store.Store, feedID int64, name string, pub time.Time) *model.Post {
	t.Helper()
	it := &model.Item{FeedID: feedID, GUID: name, Link: "https://news.example/" + name, Title: "Title " + name,
		Publisher: "Publisher " + name, Published: pub}
	if _, err := s.UpsertItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	p := &model.Post{FeedID: feedID, ItemID: it.ID, Title: it.Title, Publisher: it.Publisher,
		SourceURL: "https://publisher.example/" + name, ItemLink: it.Link, ArticleID: name, Published: pub,
		Paragraphs: []string{"Text of " + name + "."}}
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func assign(t *testing.T, s store.Store, p *model.Post, storyID, copyOf int64, evidence string, keys ...string) *store.StoryAssignment {
	t.Helper()
	a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: p.ID, StoryID: storyID, CopyOf: copyOf,
		Score: 0.5, Evidence: evidence}, Published: p.Published, Title: p.Title, Keys: keys}
	created, err := s.AssignStory(ctx, a)
	if err != nil || !created || a.StoryID == 0 || a.Seq == 0 {
		t.Fatalf("AssignStory(post %d): created=%v %+v %v", p.ID, created, a, err)
	}
	return a
}

var storyDay = time.Date(2024, 3, 10, 8, 0, 0, 0, time.UTC)

// mustStory reads a story that must be there.
func mustStory(t *testing.T, s store.Store, id int64) *store.Story {
	t.Helper()
	st, err := s.Story(ctx, id)
	if err != nil {
		t.Fatalf("Story(%d): %v", id, err)
	}
	return st
}

// storyIDs lists the stories q selects, by ID.
func storyIDs(t *testing.T, s store.Store, q store.StoryQuery) []int64 {
	t.Helper()
	list, err := s.Stories(ctx, q)
	if err != nil {
		t.Fatalf("Stories(%+v): %v", q, err)
	}
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	return ids
}

func countStories(t *testing.T, s store.Store, q store.StoryQuery) int {
	t.Helper()
	n, err := s.CountStories(ctx, q)
	if err != nil {
		t.Fatalf("CountStories(%+v): %v", q, err)
	}
	return n
}

func storyKeys(t *testing.T, s store.Store, keys ...string) map[string]int64 {
	t.Helper()
	got, err := s.StoryKeys(ctx, keys)
	if err != nil {
		t.Fatalf("StoryKeys: %v", err)
	}
	return got
}

// storyFixture is two stories: story 1 of p1, its copy p2 and p4 (by its
// text), story 2 of p3 alone.
type storyFixture struct {
	f              *model.Feed
	p1, p2, p3, p4 *model.Post
	a1, a2, a3, a4 *store.StoryAssignment
}

func newStoryFixture(t *testing.T, s store.Store) *storyFixture {
	x := &storyFixture{f: mustFeed(t, s, "https://example.com/a.xml")}
	x.p1 = storyPost(t, s, x.f.ID, "p1", storyDay)
	x.p2 = storyPost(t, s, x.f.ID, "p2", storyDay.Add(3*time.Hour))
	x.p3 = storyPost(t, s, x.f.ID, "p3", storyDay.Add(time.Hour))
	x.p4 = storyPost(t, s, x.f.ID, "p4", storyDay.Add(-2*time.Hour))
	x.a1 = assign(t, s, x.p1, 0, 0, "", "gn:p1")
	if x.a1.Evidence != store.EvidenceNew {
		t.Errorf("a new story's evidence = %q", x.a1.Evidence)
	}
	x.a2 = assign(t, s, x.p2, x.a1.StoryID, x.p1.ID, store.EvidenceCopy, "gn:p2")
	x.a3 = assign(t, s, x.p3, 0, 0, store.EvidenceNew)
	x.a4 = assign(t, s, x.p4, x.a1.StoryID, 0, store.EvidenceText)
	if x.a2.StoryID != x.a1.StoryID || x.a3.StoryID == x.a1.StoryID || !(x.a1.Seq < x.a2.Seq && x.a2.Seq < x.a3.Seq && x.a3.Seq < x.a4.Seq) {
		t.Fatalf("assignments: %+v %+v %+v %+v", x.a1, x.a2, x.a3, x.a4)
	}
	return x
}

func testStories(t *testing.T, s store.Store) {
	x := newStoryFixture(t, s)
	t.Run("Story", func(t *testing.T) { checkStoryRow(t, s, x) })
	t.Run("ListNewestFirst", func(t *testing.T) { checkStoryList(t, s, x) })
	t.Run("PostStory", func(t *testing.T) { checkPostStory(t, s, x) })
	t.Run("ReportsWithTheirItems", func(t *testing.T) { checkStoryReports(t, s, x) })
	t.Run("UnknownPostsAndStories", func(t *testing.T) { checkAssignUnknown(t, s, x) })
}

func checkStoryRow(t *testing.T, s store.Store, x *storyFixture) {
	st := mustStory(t, s, x.a1.StoryID)
	if st.Title != x.p1.Title || st.LeadPostID != x.p1.ID || st.Posts != 3 || st.Copies != 1 ||
		!st.FirstPublished.Equal(x.p4.Published) || !st.LastPublished.Equal(x.p2.Published) || st.CreatedAt.IsZero() {
		t.Fatalf("story = %+v", st)
	}
	if _, err := s.Story(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown story: %v", err)
	}
}

func checkStoryList(t *testing.T, s store.Store, x *storyFixture) {
	// Newest report first: story 1 (last report at +3h) before story 2 (+1h).
	if ids := storyIDs(t, s, store.StoryQuery{}); fmt.Sprint(ids) != fmt.Sprint([]int64{x.a1.StoryID, x.a3.StoryID}) {
		t.Fatalf("Stories = %v", ids)
	}
	if ids := storyIDs(t, s, store.StoryQuery{MinPosts: 2}); fmt.Sprint(ids) != fmt.Sprint([]int64{x.a1.StoryID}) {
		t.Fatalf("Stories(MinPosts 2) = %v", ids)
	}
	if ids := storyIDs(t, s, store.StoryQuery{Limit: 1, Offset: 1}); fmt.Sprint(ids) != fmt.Sprint([]int64{x.a3.StoryID}) {
		t.Fatalf("Stories page 2 = %v", ids)
	}
	if n := countStories(t, s, store.StoryQuery{}); n != 2 {
		t.Fatalf("CountStories = %d", n)
	}
	if n := countStories(t, s, store.StoryQuery{MinPosts: 2}); n != 1 {
		t.Fatalf("CountStories(MinPosts 2) = %d", n)
	}
}

func checkPostStory(t *testing.T, s store.Store, x *storyFixture) {
	l, err := s.PostStory(ctx, x.p2.ID)
	if err != nil || l.StoryID != x.a1.StoryID || l.CopyOf != x.p1.ID || l.Evidence != store.EvidenceCopy || l.Score != 0.5 || l.Seq != x.a2.Seq {
		t.Fatalf("PostStory = %+v, %v", l, err)
	}
	other := storyPost(t, s, x.f.ID, "none", storyDay)
	if _, err := s.PostStory(ctx, other.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("post without a story: %v", err)
	}
}

func checkStoryReports(t *testing.T, s store.Store, x *storyFixture) {
	// A second item leading to p2 (the same article through another feed).
	g := mustFeed(t, s, "https://example.com/b.xml")
	again := &model.Item{FeedID: g.ID, GUID: "p2-again", Link: "https://news.example/p2-again", Publisher: "Mirror",
		Published: storyDay.Add(4 * time.Hour)}
	if _, err := s.UpsertItem(ctx, again); err != nil {
		t.Fatal(err)
	}
	dup := &model.Post{FeedID: g.ID, ItemID: again.ID, Title: "again", SourceURL: x.p2.SourceURL, Published: again.Published}
	if created, err := s.SavePost(ctx, dup); err != nil || created || dup.ID != x.p2.ID {
		t.Fatalf("SavePost of the same article: %v %v", created, err)
	}

	reports, err := s.StoryReports(ctx, x.a1.StoryID)
	if err != nil || len(reports) != 3 {
		t.Fatalf("StoryReports = %d reports, %v", len(reports), err)
	}
	if reports[0].Post.ID != x.p2.ID || reports[1].Post.ID != x.p1.ID || reports[2].Post.ID != x.p4.ID {
		t.Fatalf("reports not newest first: %d %d %d", reports[0].Post.ID, reports[1].Post.ID, reports[2].Post.ID)
	}
	if reports[0].Link.CopyOf != x.p1.ID || reports[1].Link.CopyOf != 0 || reports[2].Link.Evidence != store.EvidenceText {
		t.Fatalf("report links: %+v %+v %+v", reports[0].Link, reports[1].Link, reports[2].Link)
	}
	if len(reports[0].Post.Paragraphs) == 0 {
		t.Errorf("report post without its text")
	}
	if its := reports[0].Items; len(its) != 2 || its[0].GUID != "p2" || its[1].GUID != "p2-again" || its[1].Publisher != "Mirror" {
		t.Fatalf("items of p2: %+v", its)
	}
	if len(reports[1].Items) != 1 {
		t.Fatalf("items of p1: %+v", reports[1].Items)
	}
	if _, err := s.StoryReports(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reports of an unknown story: %v", err)
	}
}

func checkAssignUnknown(t *testing.T, s store.Store, x *storyFixture) {
	bad := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: 99999}, Title: "x"}
	if _, err := s.AssignStory(ctx, bad); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown post: %v", err)
	}
	p5 := storyPost(t, s, x.f.ID, "p5", storyDay)
	bad = &store.StoryAssignment{StoryLink: store.StoryLink{PostID: p5.ID, StoryID: 99999}, Title: "x"}
	if _, err := s.AssignStory(ctx, bad); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown story: %v", err)
	}
	if _, err := s.PostStory(ctx, p5.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed assignment left a link: %v", err)
	}
}

func testStoryOnce(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	p1 := storyPost(t, s, f.ID, "p1", storyDay)
	p2 := storyPost(t, s, f.ID, "p2", storyDay)
	a1 := assign(t, s, p1, 0, 0, "")
	a2 := assign(t, s, p2, 0, 0, "")
	again := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: p1.ID, StoryID: a2.StoryID, Evidence: store.EvidenceText},
		Published: p1.Published, Keys: []string{"gn:later"}}
	created, err := s.AssignStory(ctx, again)
	if err != nil || created || again.StoryID != a1.StoryID || again.Seq != a1.Seq || again.Evidence != store.EvidenceNew {
		t.Fatalf("second assignment: created=%v %+v %v", created, again, err)
	}
	st, _ := s.Story(ctx, a2.StoryID)
	if st.Posts != 1 {
		t.Fatalf("the refused story counted the post: %+v", st)
	}
	keys, err := s.StoryKeys(ctx, []string{"gn:later"})
	if err != nil || keys["gn:later"] != a1.StoryID {
		t.Fatalf("keys of a repeated assignment go to the stored story: %v %v", keys, err)
	}
}

func testStoryKeys(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	p1 := storyPost(t, s, f.ID, "p1", storyDay)
	p2 := storyPost(t, s, f.ID, "p2", storyDay)
	a1 := assign(t, s, p1, 0, 0, "", "gn:A", "url:https://a.example/1", "gnstory:S", "gn:A", "")
	a2 := assign(t, s, p2, 0, 0, "", "gn:B", "gnstory:S")
	keys, err := s.StoryKeys(ctx, []string{"gn:A", "gn:B", "gnstory:S", "url:https://a.example/1", "gn:none"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"gn:A": a1.StoryID, "gn:B": a2.StoryID, "gnstory:S": a1.StoryID, "url:https://a.example/1": a1.StoryID}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Fatalf("StoryKeys = %v, want %v", keys, want)
	}
	if err := s.AddStoryKeys(ctx, a2.StoryID, []string{"gn:A", "gn:C", "gn:C"}); err != nil {
		t.Fatal(err)
	}
	keys, _ = s.StoryKeys(ctx, []string{"gn:A", "gn:C"})
	if keys["gn:A"] != a1.StoryID || keys["gn:C"] != a2.StoryID {
		t.Fatalf("after AddStoryKeys: %v", keys)
	}
	if err := s.AddStoryKeys(ctx, 99999, []string{"gn:D"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("keys for an unknown story: %v", err)
	}
	if keys, err := s.StoryKeys(ctx, nil); err != nil || len(keys) != 0 {
		t.Fatalf("no keys: %v %v", keys, err)
	}
	many := make([]string, 1200)
	for i := range many {
		many[i] = fmt.Sprintf("gn:many-%d", i)
	}
	if err := s.AddStoryKeys(ctx, a2.StoryID, many); err != nil {
		t.Fatal(err)
	}
	if keys, err := s.StoryKeys(ctx, many); err != nil || len(keys) != len(many) {
		t.Fatalf("many keys: %d %v", len(keys), err)
	}
}

func testStoryReroot(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	orig := storyPost(t, s, f.ID, "orig", storyDay)
	c1 := storyPost(t, s, f.ID, "c1", storyDay.Add(time.Hour))
	early := storyPost(t, s, f.ID, "early", storyDay.Add(-time.Hour))
	a := assign(t, s, orig, 0, 0, "")
	assign(t, s, c1, a.StoryID, orig.ID, store.EvidenceCopy)
	assign(t, s, early, a.StoryID, 0, store.EvidenceCopy)
	if err := s.RerootCopies(ctx, orig.ID, early.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    *model.Post
		want int64
	}{{orig, early.ID}, {c1, early.ID}, {early, 0}} {
		l, err := s.PostStory(ctx, c.p.ID)
		if err != nil || l.CopyOf != c.want {
			t.Errorf("post %s: copy of %d, want %d (%v)", c.p.ArticleID, l.CopyOf, c.want, err)
		}
	}
	st, _ := s.Story(ctx, a.StoryID)
	if st.Copies != 2 || st.Posts != 3 {
		t.Fatalf("story after reroot: %+v", st)
	}
}

func testStoryIndexFeeds(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	old := storyPost(t, s, f.ID, "old", storyDay.Add(-96*time.Hour))
	p1 := storyPost(t, s, f.ID, "p1", storyDay.Add(2*time.Hour))
	p2 := storyPost(t, s, f.ID, "p2", storyDay)
	storyPost(t, s, f.ID, "unassigned", storyDay)
	a0 := assign(t, s, old, 0, 0, "")
	a1 := assign(t, s, p1, 0, 0, "")
	a2 := assign(t, s, p2, a1.StoryID, p1.ID, store.EvidenceCopy)

	posts, err := s.StoryPosts(ctx, storyDay.Add(-72*time.Hour), 0)
	if err != nil || len(posts) != 2 {
		t.Fatalf("StoryPosts = %d, %v", len(posts), err)
	}
	if posts[0].Post.ID != p2.ID || posts[1].Post.ID != p1.ID {
		t.Fatalf("StoryPosts not oldest first: %d %d", posts[0].Post.ID, posts[1].Post.ID)
	}
	if posts[0].Link.StoryID != a1.StoryID || posts[0].Link.CopyOf != p1.ID || posts[0].Link.Seq != a2.Seq ||
		len(posts[0].Post.Paragraphs) == 0 {
		t.Fatalf("StoryPosts[0] = %+v", posts[0])
	}
	if posts, _ := s.StoryPosts(ctx, time.Time{}, 1); len(posts) != 1 || posts[0].Post.ID != old.ID {
		t.Fatalf("StoryPosts with a limit: %+v", posts)
	}

	links, err := s.StoryLinksAfter(ctx, a0.Seq, 0)
	if err != nil || len(links) != 2 || links[0].Seq != a1.Seq || links[1].Seq != a2.Seq || links[1].CopyOf != p1.ID {
		t.Fatalf("StoryLinksAfter = %+v, %v", links, err)
	}
	if links, _ := s.StoryLinksAfter(ctx, 0, 1); len(links) != 1 || links[0].Seq != a0.Seq {
		t.Fatalf("StoryLinksAfter with a limit: %+v", links)
	}
	if links, _ := s.StoryLinksAfter(ctx, a2.Seq, 0); len(links) != 0 {
		t.Fatalf("nothing after the last: %+v", links)
	}
}

func testConcurrentAssignStory(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	for round := 0; round < 3; round++ {
		p := storyPost(t, s, f.ID, fmt.Sprintf("p%d", round), storyDay)
		stories := make([]int64, racers)
		created := make([]bool, racers)
		race(t, racers, func(i int) error {
			a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: p.ID}, Published: p.Published, Title: p.Title,
				Keys: []string{fmt.Sprintf("gn:r%d-%d", round, i), fmt.Sprintf("gn:shared-%d", round)}}
			c, err := s.AssignStory(ctx, a)
			stories[i], created[i] = a.StoryID, c
			return err
		})
		n := 0
		for i := range stories {
			if stories[i] != stories[0] {
				t.Fatalf("round %d: racers got stories %v", round, stories)
			}
			if created[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d racers assigned the post, want 1", round, n)
		}
	}
	if n, _ := s.CountStories(ctx, store.StoryQuery{}); n != 3 {
		t.Fatalf("stories = %d, want 3 (the losers' stories must not remain)", n)
	}
}

func testConcurrentStoryCounts(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	lead := storyPost(t, s, f.ID, "lead", storyDay)
	a := assign(t, s, lead, 0, 0, "")
	posts := make([]*model.Post, racers*2)
	for i := range posts {
		posts[i] = storyPost(t, s, f.ID, fmt.Sprintf("m%d", i), storyDay.Add(time.Duration(i-racers)*time.Hour))
	}
	race(t, len(posts), func(i int) error {
		p := posts[i]
		var copyOf int64
		if i%2 == 0 {
			copyOf = lead.ID
		}
		_, err := s.AssignStory(ctx, &store.StoryAssignment{StoryLink: store.StoryLink{PostID: p.ID, StoryID: a.StoryID,
			CopyOf: copyOf, Evidence: store.EvidenceText}, Published: p.Published, Keys: []string{"gn:" + p.ArticleID, "gn:common"}})
		return err
	})
	st, err := s.Story(ctx, a.StoryID)
	if err != nil || st.Posts != 1+len(posts) || st.Copies != len(posts)/2 ||
		!st.FirstPublished.Equal(posts[0].Published) || !st.LastPublished.Equal(posts[len(posts)-1].Published) {
		t.Fatalf("story after racing assignments: %+v %v", st, err)
	}
}

// mergeFixture is story a (a1 and its copy a2) into which story c (c1)
// was merged through story b (b1).
type mergeFixture struct {
	f          *model.Feed
	a1, b1, c1 *model.Post
	a, b, c    *store.StoryAssignment
}

func testStoryMerge(t *testing.T, s store.Store) {
	x := &mergeFixture{f: mustFeed(t, s, "https://example.com/a.xml")}
	x.a1 = storyPost(t, s, x.f.ID, "a1", storyDay)
	a2 := storyPost(t, s, x.f.ID, "a2", storyDay.Add(time.Hour))
	x.b1 = storyPost(t, s, x.f.ID, "b1", storyDay.Add(-time.Hour))
	x.c1 = storyPost(t, s, x.f.ID, "c1", storyDay.Add(5*time.Hour))
	x.a = assign(t, s, x.a1, 0, 0, "", "gn:a1")
	assign(t, s, a2, x.a.StoryID, x.a1.ID, store.EvidenceCopy)
	x.b = assign(t, s, x.b1, 0, 0, "", "gn:b1")
	x.c = assign(t, s, x.c1, 0, 0, "", "gn:c1")
	if err := s.MergeStories(ctx, x.c.StoryID, x.b.StoryID); err != nil {
		t.Fatal(err)
	}
	if err := s.MergeStories(ctx, x.b.StoryID, x.a.StoryID); err != nil {
		t.Fatal(err)
	}
	t.Run("SurvivorHoldsAll", func(t *testing.T) { checkMergeSurvivor(t, s, x) })
	t.Run("MergedAwayAreEmpty", func(t *testing.T) { checkMergedAway(t, s, x) })
	t.Run("MergedAwayPassOn", func(t *testing.T) { checkMergedPassOn(t, s, x) })
}

func checkMergeSurvivor(t *testing.T, s store.Store, x *mergeFixture) {
	st := mustStory(t, s, x.a.StoryID)
	if st.Posts != 4 || st.Copies != 1 || st.MergedInto != 0 ||
		!st.FirstPublished.Equal(x.b1.Published) || !st.LastPublished.Equal(x.c1.Published) {
		t.Fatalf("surviving story: %+v", st)
	}
	for _, p := range []*model.Post{x.b1, x.c1} {
		if l, err := s.PostStory(ctx, p.ID); err != nil || l.StoryID != x.a.StoryID {
			t.Fatalf("post %s after merge: %+v %v", p.ArticleID, l, err)
		}
	}
	keys := storyKeys(t, s, "gn:a1", "gn:b1", "gn:c1")
	if keys["gn:b1"] != x.a.StoryID || keys["gn:c1"] != x.a.StoryID {
		t.Fatalf("keys after merge: %v", keys)
	}
	if reports, err := s.StoryReports(ctx, x.a.StoryID); err != nil || len(reports) != 4 {
		t.Fatalf("reports after merge: %d %v", len(reports), err)
	}
}

func checkMergedAway(t *testing.T, s store.Store, x *mergeFixture) {
	for _, id := range []int64{x.b.StoryID, x.c.StoryID} {
		gone := mustStory(t, s, id)
		if gone.MergedInto != x.a.StoryID || gone.Posts != 0 {
			t.Fatalf("merged story %d: %+v", id, gone)
		}
		if reports, err := s.StoryReports(ctx, id); err != nil || len(reports) != 0 {
			t.Fatalf("reports of a merged story: %d %v", len(reports), err)
		}
	}
	if ids := storyIDs(t, s, store.StoryQuery{}); fmt.Sprint(ids) != fmt.Sprint([]int64{x.a.StoryID}) {
		t.Fatalf("Stories lists merged stories: %v", ids)
	}
	if n := countStories(t, s, store.StoryQuery{}); n != 1 {
		t.Fatalf("CountStories = %d", n)
	}
}

// checkMergedPassOn: a story merged away passes what it is given on.
func checkMergedPassOn(t *testing.T, s store.Store, x *mergeFixture) {
	d1 := storyPost(t, s, x.f.ID, "d1", storyDay)
	late := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: d1.ID, StoryID: x.c.StoryID, Evidence: store.EvidenceText},
		Published: d1.Published, Keys: []string{"gn:d1"}}
	if created, err := s.AssignStory(ctx, late); err != nil || !created || late.StoryID != x.a.StoryID {
		t.Fatalf("assignment to a merged story: %+v %v", late, err)
	}
	if err := s.AddStoryKeys(ctx, x.b.StoryID, []string{"gn:late"}); err != nil {
		t.Fatal(err)
	}
	if keys := storyKeys(t, s, "gn:late", "gn:d1"); keys["gn:late"] != x.a.StoryID || keys["gn:d1"] != x.a.StoryID {
		t.Fatalf("keys given to a merged story: %v", keys)
	}
	if err := s.MergeStories(ctx, x.b.StoryID, x.a.StoryID); err != nil {
		t.Fatalf("merging a story into itself: %v", err)
	}
	if err := s.MergeStories(ctx, 99999, x.a.StoryID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("merging an unknown story: %v", err)
	}
	if st := mustStory(t, s, x.a.StoryID); st.Posts != 5 {
		t.Fatalf("story after all: %+v", st)
	}
}

func testConcurrentMerge(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	const parts = 4
	var stories [parts + 1]int64
	for i := range stories {
		p := storyPost(t, s, f.ID, fmt.Sprintf("lead%d", i), storyDay)
		stories[i] = assign(t, s, p, 0, 0, "").StoryID
	}
	posts := make([]*model.Post, racers*2)
	for i := range posts {
		posts[i] = storyPost(t, s, f.ID, fmt.Sprintf("m%d", i), storyDay.Add(time.Duration(i)*time.Minute))
	}
	// Half the racers merge the parts into story 0, the others assign posts
	// to the parts meanwhile.
	race(t, len(posts)+parts, func(i int) error {
		if i >= len(posts) {
			return s.MergeStories(ctx, stories[1+i-len(posts)], stories[0])
		}
		p := posts[i]
		_, err := s.AssignStory(ctx, &store.StoryAssignment{StoryLink: store.StoryLink{PostID: p.ID,
			StoryID: stories[1+i%parts], Evidence: store.EvidenceText}, Published: p.Published, Keys: []string{"gn:" + p.ArticleID}})
		return err
	})
	st, err := s.Story(ctx, stories[0])
	if err != nil || st.Posts != parts+1+len(posts) || st.MergedInto != 0 {
		t.Fatalf("story after merges: %+v %v (want %d posts)", st, err, parts+1+len(posts))
	}
	for _, p := range posts {
		if l, err := s.PostStory(ctx, p.ID); err != nil || l.StoryID != stories[0] {
			t.Fatalf("post %s: %+v %v", p.ArticleID, l, err)
		}
	}
	if list, _ := s.Stories(ctx, store.StoryQuery{}); len(list) != 1 {
		t.Fatalf("%d stories listed, want 1", len(list))
	}
}
