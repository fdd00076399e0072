// Package storetest is the one conformance suite that every store.Store
// implementation must pass. A backend's own test calls Run with a constructor
// that hands out an empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Run runs every conformance test; open must return an empty, migrated store
// that the test may close.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	if len(tests) == 0 {
		t.Fatal("no conformance tests registered")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close the store: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

type conformanceTest struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// tests is filled by each file of this package from init, one file per
// domain of the Store contract, so domains grow without touching each other.
var tests []conformanceTest

func register(name string, fn func(t *testing.T, s store.Store)) {
	tests = append(tests, conformanceTest{name, fn})
}

func init() {
	register("Feeds", testFeeds)
	register("RecordPoll", testRecordPoll)
	register("ItemsAreKeyedByFeedAndGUID", testItemsUpsert)
	register("ItemFailureIsKept", testItemFailure)
	register("SavePostMarksItemDone", testSavePost)
	register("SavePostDeduplicates", testSavePostDedup)
	register("SlugsAreUniquePerMonth", testSlugs)
	register("PostsNewestFirst", testPostsOrder)
	register("Comments", testComments)
	register("DeleteFeedKeepsPosts", testDeleteFeed)
}

var ctx = context.Background()

func mustFeed(t *testing.T, s store.Store, url string) *model.Feed {
	t.Helper()
	f := &model.Feed{URL: url}
	if err := s.AddFeed(ctx, f); err != nil {
		t.Fatalf("AddFeed(%s): %v", url, err)
	}
	return f
}

func mustItem(t *testing.T, s store.Store, feedID int64, guid string) *model.Item {
	t.Helper()
	it := &model.Item{FeedID: feedID, GUID: guid, Link: "https://example.com/" + guid, Title: "Title " + guid,
		Published: time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC)}
	if _, err := s.UpsertItem(ctx, it); err != nil {
		t.Fatalf("UpsertItem: %v", err)
	}
	return it
}

func post(it *model.Item, url, hash string) *model.Post {
	return &model.Post{FeedID: it.FeedID, ItemID: it.ID, Title: it.Title, SourceURL: url,
		ItemLink: it.Link, ArticleID: it.GUID, Published: it.Published, ContentHash: hash,
		Paragraphs: []string{"First paragraph.", "Second \"quoted\" paragraph."}}
}

func testFeeds(t *testing.T, s store.Store) {
	a := mustFeed(t, s, "https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en")
	b := mustFeed(t, s, "https://example.com/feed.xml")
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Fatalf("ids not set: %d %d", a.ID, b.ID)
	}
	if err := s.AddFeed(ctx, &model.Feed{URL: a.URL}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate feed: err = %v, want ErrExists", err)
	}
	feeds, err := s.Feeds(ctx)
	if err != nil || len(feeds) != 2 || feeds[0].URL != a.URL || feeds[1].URL != b.URL {
		t.Fatalf("Feeds = %+v, %v", feeds, err)
	}
	if feeds[0].PollInterval != store.DefaultPollInterval || feeds[0].CreatedAt.IsZero() {
		t.Errorf("a feed added without them: poll interval %v (want %v), created %v", feeds[0].PollInterval, store.DefaultPollInterval, feeds[0].CreatedAt)
	}
	given := &model.Feed{URL: "https://example.com/hourly.xml", PollInterval: time.Hour}
	if err := s.AddFeed(ctx, given); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Feed(ctx, given.ID); err != nil || got.PollInterval != time.Hour {
		t.Errorf("a feed's own poll interval: %+v, %v", got, err)
	}
	if err := s.DeleteFeed(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Feed(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted feed: err = %v", err)
	}
	if err := s.DeleteFeed(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: err = %v", err)
	}
}

func testRecordPoll(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/feed.xml")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.RecordPoll(ctx, f.ID, store.PollResult{At: at, NextPollAt: at.Add(time.Hour), Err: errors.New("boom")}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPoll(ctx, f.ID, store.PollResult{At: at, NextPollAt: at.Add(time.Hour), Err: errors.New("boom again")}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Feed(ctx, f.ID)
	if got.ErrorCount != 2 || got.LastError != "boom again" || !got.LastPolledAt.Equal(at) {
		t.Fatalf("after errors: %+v", got)
	}
	err := s.RecordPoll(ctx, f.ID, store.PollResult{At: at, NextPollAt: at.Add(2 * time.Hour), Title: "A feed", ETag: `"e1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Feed(ctx, f.ID)
	if got.ErrorCount != 0 || got.LastError != "" || got.Title != "A feed" || got.ETag != `"e1"` ||
		got.LastModified == "" || !got.NextPollAt.Equal(at.Add(2*time.Hour)) {
		t.Fatalf("after success: %+v", got)
	}
	if err := s.RecordPoll(ctx, 9999, store.PollResult{At: at}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown feed: %v", err)
	}
}

func testItemsUpsert(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	g := mustFeed(t, s, "https://example.com/b.xml")
	it := &model.Item{FeedID: f.ID, GUID: "g1", Title: "old title"}
	created, err := s.UpsertItem(ctx, it)
	if err != nil || !created || it.ID == 0 {
		t.Fatalf("first upsert: created=%v id=%d err=%v", created, it.ID, err)
	}
	first := it.ID
	if err := s.FailItem(ctx, it.ID, "fetch: timeout"); err != nil {
		t.Fatal(err)
	}
	again := &model.Item{FeedID: f.ID, GUID: "g1", Title: "new title"}
	created, err = s.UpsertItem(ctx, again)
	if err != nil || created || again.ID != first {
		t.Fatalf("second upsert: created=%v id=%d (want %d) err=%v", created, again.ID, first, err)
	}
	got, _ := s.Item(ctx, first)
	if got.Title != "new title" || got.Status != model.ItemFailed || got.Attempts != 1 {
		t.Fatalf("re-polled item lost its state: %+v", got)
	}
	other := &model.Item{FeedID: g.ID, GUID: "g1"}
	if created, err := s.UpsertItem(ctx, other); err != nil || !created || other.ID == first {
		t.Fatalf("same guid in another feed must be its own item: created=%v err=%v", created, err)
	}
}

func testItemFailure(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	it := mustItem(t, s, f.ID, "x")
	if err := s.ResolveItem(ctx, it.ID, "https://publisher.example/x", "https://publisher.example/amp/x"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := s.FailItem(ctx, it.ID, fmt.Sprintf("error %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Item(ctx, it.ID)
	if err != nil || got.Status != model.ItemFailed || got.Error != "error 2" || got.Attempts != 3 ||
		got.SourceURL != "https://publisher.example/x" || got.AMPURL == "" {
		t.Fatalf("item = %+v, %v", got, err)
	}
	unfinished, _ := s.UnfinishedItems(ctx, f.ID)
	if len(unfinished) != 1 || unfinished[0].ID != it.ID {
		t.Fatalf("failed item must stay unfinished: %+v", unfinished)
	}
	counts, _ := s.ItemCounts(ctx, f.ID)
	if counts[model.ItemFailed] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	if _, err := s.Item(ctx, 12345); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown item: %v", err)
	}
}

func testSavePost(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	it := mustItem(t, s, f.ID, "x")
	p := post(it, "https://publisher.example/x", "h1")
	created, err := s.SavePost(ctx, p)
	if err != nil || !created || p.ID == 0 || p.Slug != "title-x" {
		t.Fatalf("SavePost: created=%v post=%+v err=%v", created, p, err)
	}
	got, err := s.Post(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != p.Title || len(got.Paragraphs) != 2 || got.Paragraphs[1] != p.Paragraphs[1] ||
		!got.Published.Equal(p.Published) || got.ItemLink != it.Link || got.FeedID != f.ID {
		t.Fatalf("stored post differs: %+v", got)
	}
	if got.Path() != "/2021/11/title-x.html" {
		t.Fatalf("path = %s", got.Path())
	}
	byPath, err := s.PostByPath(ctx, 2021, 11, "title-x")
	if err != nil || byPath.ID != p.ID {
		t.Fatalf("PostByPath: %+v %v", byPath, err)
	}
	if _, err := s.PostByPath(ctx, 2021, 12, "title-x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("wrong month: %v", err)
	}
	item, _ := s.Item(ctx, it.ID)
	if item.Status != model.ItemDone || item.PostID != p.ID {
		t.Fatalf("item not marked done: %+v", item)
	}
	if unfinished, _ := s.UnfinishedItems(ctx, f.ID); len(unfinished) != 0 {
		t.Fatalf("done item still unfinished: %+v", unfinished)
	}
}

func testSavePostDedup(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	a, b, c := mustItem(t, s, f.ID, "a"), mustItem(t, s, f.ID, "b"), mustItem(t, s, f.ID, "c")
	pa := post(a, "https://publisher.example/story", "same-text")
	if _, err := s.SavePost(ctx, pa); err != nil {
		t.Fatal(err)
	}
	pb := post(b, "https://publisher.example/story", "other-hash")
	created, err := s.SavePost(ctx, pb)
	if err != nil || created || pb.ID != pa.ID {
		t.Fatalf("same URL: created=%v id=%d want %d err=%v", created, pb.ID, pa.ID, err)
	}
	pc := post(c, "https://mirror.example/copy", "same-text")
	created, err = s.SavePost(ctx, pc)
	if err != nil || created || pc.ID != pa.ID {
		t.Fatalf("same text: created=%v id=%d want %d err=%v", created, pc.ID, pa.ID, err)
	}
	if n, _ := s.CountPosts(ctx); n != 1 {
		t.Fatalf("posts = %d, want 1", n)
	}
	for _, it := range []*model.Item{a, b, c} {
		got, _ := s.Item(ctx, it.ID)
		if got.Status != model.ItemDone || got.PostID != pa.ID {
			t.Fatalf("item %s not linked to the post: %+v", it.GUID, got)
		}
	}
	if _, err := s.SavePost(ctx, &model.Post{Title: "no url"}); err == nil {
		t.Fatal("a post without a source URL was accepted")
	}
}

func testSlugs(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	var slugs []string
	for i := 0; i < 3; i++ {
		it := mustItem(t, s, f.ID, fmt.Sprint(i))
		p := post(it, fmt.Sprintf("https://publisher.example/%d", i), "")
		p.Title = "Same title"
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		slugs = append(slugs, p.Slug)
	}
	want := []string{"same-title", "same-title_2", "same-title_3"}
	for i := range want {
		if slugs[i] != want[i] {
			t.Fatalf("slugs = %v, want %v", slugs, want)
		}
	}
}

func testPostsOrder(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i, day := range []int{3, 1, 2} {
		it := mustItem(t, s, f.ID, fmt.Sprint(i))
		p := post(it, fmt.Sprintf("https://publisher.example/%d", i), "")
		p.Published = base.AddDate(0, 0, day)
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	posts, err := s.Posts(ctx, store.PostQuery{})
	if err != nil || len(posts) != 3 {
		t.Fatalf("Posts: %d %v", len(posts), err)
	}
	for i, day := range []int{3, 2, 1} {
		if posts[i].Published.Day() != 1+day {
			t.Fatalf("order: post %d published %v", i, posts[i].Published)
		}
	}
	page, _ := s.Posts(ctx, store.PostQuery{Limit: 1, Offset: 1})
	if len(page) != 1 || page[0].ID != posts[1].ID {
		t.Fatalf("page = %+v", page)
	}
	if n, _ := s.CountPosts(ctx); n != 3 {
		t.Fatalf("CountPosts = %d", n)
	}
}

func testComments(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	it := mustItem(t, s, f.ID, "x")
	p := post(it, "https://publisher.example/x", "")
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	held := &model.Comment{PostID: p.ID, Name: "Ani", Body: "Menarik."}
	if err := s.AddComment(ctx, held); err != nil || held.ID == 0 || held.Status != model.CommentPending {
		t.Fatalf("AddComment: %+v %v", held, err)
	}
	shown := &model.Comment{PostID: p.ID, Name: "Budi", Body: "Setuju.", Status: model.CommentApproved}
	if err := s.AddComment(ctx, shown); err != nil {
		t.Fatal(err)
	}
	reply := &model.Comment{PostID: p.ID, ParentID: shown.ID, Name: "Ani", Body: "Terima kasih.", Status: model.CommentApproved}
	if err := s.AddComment(ctx, reply); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Comments(ctx, p.ID, false)
	approved, _ := s.Comments(ctx, p.ID, true)
	if len(all) != 3 || len(approved) != 2 || approved[1].ParentID != shown.ID {
		t.Fatalf("all=%+v approved=%+v", all, approved)
	}
	if err := s.AddComment(ctx, &model.Comment{PostID: 999, Name: "x", Body: "y"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("comment on unknown post: %v", err)
	}
	if err := s.AddComment(ctx, &model.Comment{PostID: p.ID, ParentID: 999, Name: "x", Body: "y"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reply to unknown comment: %v", err)
	}
}

func testDeleteFeed(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	it := mustItem(t, s, f.ID, "x")
	p := post(it, "https://publisher.example/x", "")
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Item(ctx, it.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("items of a deleted feed must go: %v", err)
	}
	got, err := s.Post(ctx, p.ID)
	if err != nil || got.Title != p.Title {
		t.Fatalf("post of a deleted feed must stay: %+v %v", got, err)
	}
}
