package postgres

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// migrate-store copies the story tables too: stories (one merged into
// another), each post's story and copy, the evidence keys; and new
// assignments after the copy get fresh IDs.
func TestCopyFromSQLiteKeepsStories(t *testing.T) {
	ctx := context.Background()
	src, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f := &model.Feed{URL: "https://feeds.example/a"}
	if err := src.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 3, 12, 8, 0, 0, 0, time.UTC)
	var posts []*model.Post
	for i := 0; i < 4; i++ {
		it := &model.Item{FeedID: f.ID, GUID: fmt.Sprint(i), Publisher: "P", Published: day}
		if _, err := src.UpsertItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: fmt.Sprintf("Post %d", i),
			SourceURL: fmt.Sprintf("https://a.example/%d", i), Published: day.Add(time.Duration(i) * time.Hour)}
		if _, err := src.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		posts = append(posts, p)
	}
	assign := func(p *model.Post, storyID, copyOf int64, keys ...string) int64 {
		a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: p.ID, StoryID: storyID, CopyOf: copyOf,
			Score: 0.42, Evidence: store.EvidenceText}, Published: p.Published, Title: p.Title, Keys: keys}
		if _, err := src.AssignStory(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.StoryID
	}
	s1 := assign(posts[0], 0, 0, "gn:a")
	assign(posts[1], s1, posts[0].ID, "gn:b")
	s2 := assign(posts[2], 0, 0, "gn:c")
	if err := src.MergeStories(ctx, s2, s1); err != nil {
		t.Fatal(err)
	}

	dst := open(t)
	if _, err := dst.CopyFromSQLite(ctx, src.DB()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{s1, s2} {
		a, errA := src.Story(ctx, id)
		b, errB := dst.Story(ctx, id)
		if errA != nil || errB != nil || !reflect.DeepEqual(stripTimes(a), stripTimes(b)) ||
			!a.FirstPublished.Equal(b.FirstPublished) || !a.LastPublished.Equal(b.LastPublished) {
			t.Fatalf("story %d:\nsqlite   %+v %v\npostgres %+v %v", id, a, errA, b, errB)
		}
	}
	ra, _ := src.StoryReports(ctx, s1)
	rb, err := dst.StoryReports(ctx, s1)
	if err != nil || len(ra) != len(rb) {
		t.Fatalf("reports: %d and %d, %v", len(ra), len(rb), err)
	}
	for i := range ra {
		if ra[i].Link != rb[i].Link || ra[i].Post.ID != rb[i].Post.ID {
			t.Errorf("report %d: %+v / %+v", i, ra[i].Link, rb[i].Link)
		}
	}
	keys, _ := dst.StoryKeys(ctx, []string{"gn:a", "gn:b", "gn:c"})
	if len(keys) != 3 || keys["gn:c"] != s1 {
		t.Errorf("keys: %v", keys)
	}
	// The identity sequences moved past the copied IDs.
	a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: posts[3].ID}, Published: posts[3].Published, Title: "new"}
	if _, err := dst.AssignStory(ctx, a); err != nil || a.StoryID <= s2 || a.Seq <= 3 {
		t.Fatalf("assignment after the copy: %+v %v", a, err)
	}
}

func stripTimes(s *store.Story) store.Story {
	c := *s
	c.FirstPublished, c.LastPublished, c.CreatedAt, c.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return c
}
