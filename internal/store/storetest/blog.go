package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

func init() {
	register("BlogLabelsAreTopics", testBlogLabels)
	register("BlogPagesBySlug", testBlogPages)
	register("OldPathsLeadToPostsAndPages", testOldPaths)
	register("ImportedCommentsOnce", testImportedComments)
	register("FeedPostsPagesAndCounts", testFeedPosts)
}

// blogPost is a post as an import stores it: no feed, no item.
func blogPost(t *testing.T, s store.Store, slug string, published time.Time) *model.Post {
	t.Helper()
	p := &model.Post{Slug: slug, Title: "Post " + slug, SourceURL: "https://old.example/" + slug,
		Author: "Ana", Published: published, Paragraphs: []string{"One.", "Two."}}
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatalf("SavePost(%s): %v", slug, err)
	}
	return p
}

// samePostsLabels fails unless PostsLabels gives each post of ids the
// labels PostLabels gives it.
func samePostsLabels(t *testing.T, s store.Store, ids []int64) {
	t.Helper()
	each, err := s.PostsLabels(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		one, err := s.PostLabels(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(each[id], one) {
			t.Errorf("post %d: labels at once %+v, alone %+v", id, each[id], one)
		}
	}
}

// A blog's labels show as topics on the post and in listings, adding them
// again changes nothing, and they survive a change to the post.
func testBlogLabels(t *testing.T, s store.Store) {
	p := blogPost(t, s, "sambal", time.Date(2020, 11, 30, 8, 0, 0, 0, time.UTC))
	other := blogPost(t, s, "other", time.Date(2020, 12, 30, 8, 0, 0, 0, time.UTC))
	for range 2 {
		if err := s.AddPostLabels(ctx, p.ID, []string{"Resep", "Sambal & Saus", ""}); err != nil {
			t.Fatal(err)
		}
	}
	labels, err := s.PostLabels(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range labels {
		if l.Kind != model.LabelTopic {
			t.Errorf("label %+v: want kind topic", l)
		}
		names = append(names, l.Name)
	}
	if !slices.Equal(names, []string{"Resep", "Sambal & Saus"}) {
		t.Fatalf("labels %q", names)
	}
	// Asked for several posts at once, each post's labels are the same,
	// in the same order; a post without labels, or missing, has none.
	if err := s.AddPostLabels(ctx, other.ID, []string{"Zebra", "Apel"}); err != nil {
		t.Fatal(err)
	}
	samePostsLabels(t, s, []int64{other.ID, p.ID, other.ID + 1000})
	if each, _ := s.PostsLabels(ctx, []int64{other.ID}); len(each[other.ID]) != 2 || each[other.ID][0].Name != "Apel" {
		t.Errorf("labels at once: %+v", each)
	}
	if empty, err := s.PostsLabels(ctx, nil); err != nil || len(empty) != 0 {
		t.Errorf("labels of no post: %v, %v", empty, err)
	}
	got, err := s.ListPosts(ctx, store.ListQuery{Label: "Sambal & Saus", Limit: 10})
	if err != nil || len(got) != 1 || got[0].ID != p.ID {
		t.Fatalf("ListPosts(label) = %v, %v", got, err)
	}
	if n, err := s.CountListPosts(ctx, store.ListQuery{Label: "Resep"}); err != nil || n != 1 {
		t.Fatalf("CountListPosts = %d, %v", n, err)
	}
	all, err := s.Labels(ctx, model.LabelTopic, 0)
	if err != nil || len(all) != 4 || all[0].Count != 1 {
		t.Fatalf("Labels(topic) = %+v, %v", all, err)
	}
	if err := s.AddPostLabels(ctx, other.ID+1000, []string{"x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("labels for a missing post: %v", err)
	}
	// The post's text changes (re-extraction): its labels stay.
	p.Paragraphs = []string{"Changed."}
	if err := s.UpdatePostText(ctx, p); err != nil {
		t.Fatal(err)
	}
	if labels, _ := s.PostLabels(ctx, p.ID); len(labels) != 2 {
		t.Fatalf("labels after an update: %+v", labels)
	}
}

func testBlogPages(t *testing.T, s store.Store) {
	pub := time.Date(2019, 6, 1, 1, 0, 0, 0, time.UTC)
	p := &model.Page{Slug: "tentang-saya", Title: "Tentang saya", Author: "Sri",
		Paragraphs: []string{"Saya menulis dari Bandung.", "Surel: sri@example.org"}, Published: pub}
	created, err := s.SavePage(ctx, p)
	if err != nil || !created || p.ID == 0 {
		t.Fatalf("SavePage = %v, %v (id %d)", created, err, p.ID)
	}
	again := &model.Page{Slug: "tentang-saya", Title: "Another title"}
	created, err = s.SavePage(ctx, again)
	if err != nil || created || again.ID != p.ID || again.Title != "Tentang saya" {
		t.Fatalf("SavePage again = %v, %v, %+v", created, err, again)
	}
	got, err := s.Page(ctx, "tentang-saya")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != p.Title || got.Author != "Sri" || !slices.Equal(got.Paragraphs, p.Paragraphs) ||
		!got.Published.Equal(pub) || got.Path() != "/p/tentang-saya.html" {
		t.Fatalf("Page = %+v", got)
	}
	if _, err := s.Page(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing page: %v", err)
	}
	if _, err := s.Page(ctx, "bad\x00slug"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("page with a NUL: %v", err)
	}
	if _, err := s.SavePage(ctx, &model.Page{Title: "no slug"}); err == nil {
		t.Fatal("a page without a slug was stored")
	}
	if _, err := s.SavePage(ctx, &model.Page{Slug: "about", Title: "About"}); err != nil {
		t.Fatal(err)
	}
	pages, err := s.Pages(ctx)
	if err != nil || len(pages) != 2 || pages[0].Slug != "about" || pages[1].Slug != "tentang-saya" {
		t.Fatalf("Pages = %+v, %v", pages, err)
	}
}

func testOldPaths(t *testing.T, s store.Store) {
	p := blogPost(t, s, "fixing-a-flat", time.Date(2023, 7, 9, 6, 30, 0, 0, time.UTC))
	page := &model.Page{Slug: "about", Title: "About"}
	if _, err := s.SavePage(ctx, page); err != nil {
		t.Fatal(err)
	}
	for path, id := range map[string][2]int64{
		"/2023/07/09/fixing-a-flat/": {p.ID, 0},
		"/?p=12":                     {p.ID, 0},
		"/about/":                    {0, page.ID},
	} {
		if err := s.AddOldPath(ctx, path, id[0], id[1]); err != nil {
			t.Fatal(err)
		}
	}
	// Known already: kept as it was.
	if err := s.AddOldPath(ctx, "/?p=12", 0, page.ID); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/2023/07/09/fixing-a-flat/": "/2023/07/fixing-a-flat.html",
		"/?p=12":                     "/2023/07/fixing-a-flat.html",
		"/about/":                    "/p/about.html",
	} {
		if got, err := s.OldPath(ctx, path); err != nil || got != want {
			t.Errorf("OldPath(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := s.OldPath(ctx, "/nowhere/"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown old path: %v", err)
	}
	if err := s.AddOldPath(ctx, "/x/", p.ID, page.ID); err == nil {
		t.Fatal("an old path to both a post and a page was stored")
	}
	if err := s.AddOldPath(ctx, "/y/", p.ID+1000, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old path to a missing post: %v", err)
	}
}

func testImportedComments(t *testing.T, s store.Store) {
	p := blogPost(t, s, "kingfisher", time.Date(2022, 5, 4, 3, 40, 0, 0, time.UTC))
	at := time.Date(2022, 5, 4, 9, 0, 0, 0, time.UTC)
	c := &model.Comment{PostID: p.ID, Name: "Tom", Website: "https://tom.example/", Body: "Lucky you!\nReally.", CreatedAt: at}
	created, err := s.AddImportedComment(ctx, "blogger:301", c)
	if err != nil || !created || c.ID == 0 {
		t.Fatalf("AddImportedComment = %v, %v", created, err)
	}
	reply := &model.Comment{PostID: p.ID, ParentID: c.ID, Name: "Ines", Body: "Dusk <3", CreatedAt: at.Add(time.Hour)}
	if _, err := s.AddImportedComment(ctx, "blogger:302", reply); err != nil {
		t.Fatal(err)
	}
	dup := &model.Comment{PostID: p.ID, Name: "Tom", Body: "Lucky you!"}
	created, err = s.AddImportedComment(ctx, "blogger:301", dup)
	if err != nil || created || dup.ID != c.ID {
		t.Fatalf("second import = %v, %v, id %d (want %d)", created, err, dup.ID, c.ID)
	}
	got, err := s.Comments(ctx, p.ID, true)
	if err != nil || len(got) != 2 {
		t.Fatalf("Comments = %+v, %v", got, err)
	}
	if got[0].Status != model.CommentApproved || !got[0].CreatedAt.Equal(at) || got[0].Body != c.Body ||
		got[0].Website != c.Website || got[1].ParentID != c.ID {
		t.Fatalf("Comments = %+v", got)
	}
	other := blogPost(t, s, "other", at)
	bad := &model.Comment{PostID: other.ID, ParentID: c.ID, Name: "x", Body: "y"}
	if _, err := s.AddImportedComment(ctx, "blogger:999", bad); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reply across posts: %v", err)
	}
	if _, err := s.AddImportedComment(ctx, "blogger:998", &model.Comment{PostID: other.ID + 1000, Name: "x", Body: "y"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("comment on a missing post: %v", err)
	}
	// A failed import leaves its key free.
	ok := &model.Comment{PostID: other.ID, Name: "x", Body: "y"}
	if created, err := s.AddImportedComment(ctx, "blogger:999", ok); err != nil || !created {
		t.Fatalf("after a failure: %v, %v", created, err)
	}
}

// The feed API's paging: total counts every match, the window is exact at
// both ends, and the date bounds are [From, To).
func testFeedPosts(t *testing.T, s store.Store) {
	day := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	var ids []int64 // newest first
	for i := 4; i >= 0; i-- {
		p := blogPost(t, s, "p"+string(rune('a'+i)), day.AddDate(0, 0, i))
		ids = append([]int64{p.ID}, ids...)
		if i%2 == 0 {
			if err := s.AddPostLabels(ctx, p.ID, []string{"even"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// ids[0] is day+0 … reorder newest first.
	slices.Reverse(ids)
	check := func(q store.FeedQuery, total int, want ...int64) {
		t.Helper()
		posts, n, err := s.FeedPosts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, p := range posts {
			got = append(got, p.ID)
		}
		if n != total || !slices.Equal(got, want) {
			t.Errorf("FeedPosts(%+v) = %v of %d; want %v of %d", q, got, n, want, total)
		}
	}
	check(store.FeedQuery{}, 5, ids...)
	check(store.FeedQuery{Limit: 2}, 5, ids[0], ids[1])
	check(store.FeedQuery{Limit: 2, Offset: 4}, 5, ids[4])
	check(store.FeedQuery{Limit: 2, Offset: 5}, 5)
	check(store.FeedQuery{Label: "even"}, 3, ids[0], ids[2], ids[4])
	check(store.FeedQuery{Label: "even", Limit: 1, Offset: 1}, 3, ids[2])
	check(store.FeedQuery{Label: "nope"}, 0)
	check(store.FeedQuery{Label: "bad\x00"}, 0)
	check(store.FeedQuery{From: day.AddDate(0, 0, 1), To: day.AddDate(0, 0, 3)}, 2, ids[2], ids[3])
	check(store.FeedQuery{Label: "even", From: day.AddDate(0, 0, 2)}, 2, ids[0], ids[2])
}
