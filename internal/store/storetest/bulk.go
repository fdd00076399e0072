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

func init() {
	register("ImportBatchIsExactlyOnce", testImportBatch)
	register("ExportPostsFilters", testExportPosts)
	register("StoryBatchIsOneTransaction", testStoryBatch)
}

func bulkStore(t *testing.T, s store.Store) store.BulkStore {
	t.Helper()
	b, ok := s.(store.BulkStore)
	if !ok {
		t.Fatalf("%T does not implement store.BulkStore", s)
	}
	return b
}

func importedPost(i int, lang string, published time.Time) store.ImportedPost {
	return store.ImportedPost{
		Post: model.Post{Title: fmt.Sprintf("Imported story %d", i), SourceURL: fmt.Sprintf("https://news.example/%d.html", i),
			Publisher: "news.example", Published: published, Language: lang,
			Paragraphs:  []string{fmt.Sprintf("Paragraph of story %d.", i), "A second paragraph."},
			ContentHash: fmt.Sprintf("hash-%d", i)},
		Record: store.ArchivePosition{Member: int64(1000 * i), Inner: int64(i)},
	}
}

func testImportBatch(t *testing.T, s store.Store) {
	b := bulkStore(t, s)
	if p, err := b.ImportProgress(ctx, "none"); err != nil || p.Archive != "" {
		t.Fatalf("ImportProgress of an unknown archive = %+v, %v", p, err)
	}
	pub := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	batch := []store.ImportedPost{importedPost(1, "en", pub), importedPost(2, "en", pub), importedPost(1, "en", pub)}
	prog := store.ImportProgress{Archive: "a1", Path: "/data/a.warc.gz", Next: store.ArchivePosition{Member: 5000, Inner: 0}, Records: 3}
	if err := b.SaveImportBatch(ctx, batch, prog); err != nil {
		t.Fatal(err)
	}
	if !batch[0].Created || !batch[1].Created || batch[2].Created {
		t.Errorf("created = %v %v %v, want true true false (the third repeats the first)", batch[0].Created, batch[1].Created, batch[2].Created)
	}
	if batch[2].Post.ID != batch[0].Post.ID || batch[0].Post.ID == 0 {
		t.Errorf("repeated post IDs %d and %d", batch[0].Post.ID, batch[2].Post.ID)
	}
	got, err := b.ImportProgress(ctx, "a1")
	if err != nil || got.Next != prog.Next || got.Records != 3 || got.Path != prog.Path || got.Done || got.UpdatedAt.IsZero() {
		t.Fatalf("ImportProgress = %+v, %v", got, err)
	}
	t.Run("RepeatedBatchAddsNothing", func(t *testing.T) { checkImportRepeated(t, s, b, prog, pub) })
	t.Run("RefusedBatchKeepsNothing", func(t *testing.T) { checkImportRefused(t, b, pub) })
}

// checkImportRepeated saves the same batch again (a resumed import that had
// not recorded its progress): it adds nothing, and records its progress.
func checkImportRepeated(t *testing.T, s store.Store, b store.BulkStore, prog store.ImportProgress, pub time.Time) {
	again := []store.ImportedPost{importedPost(1, "en", pub), importedPost(2, "en", pub)}
	prog.Next, prog.Records, prog.Done = store.ArchivePosition{Member: 9000}, 7, true
	if err := b.SaveImportBatch(ctx, again, prog); err != nil {
		t.Fatal(err)
	}
	if again[0].Created || again[1].Created {
		t.Error("a repeated batch created posts")
	}
	if n, err := s.CountPosts(ctx); err != nil || n != 2 {
		t.Errorf("CountPosts = %d, %v; want 2", n, err)
	}
	if got, err := b.ImportProgress(ctx, "a1"); err != nil || !got.Done || got.Records != 7 || got.Next.Member != 9000 {
		t.Errorf("progress not updated: %+v, %v", got, err)
	}
	// A new post waits for its story like one SavePost made.
	if ids, err := s.StorylessPosts(ctx, time.Now().Add(time.Hour), 10); err != nil || len(ids) != 2 {
		t.Errorf("StorylessPosts = %v, %v; want the 2 imported posts", ids, err)
	}
}

// checkImportRefused: a post without a source URL is refused, and nothing
// of its batch kept.
func checkImportRefused(t *testing.T, b store.BulkStore, pub time.Time) {
	bad := []store.ImportedPost{importedPost(3, "en", pub), {Post: model.Post{Title: "no url"}}}
	if err := b.SaveImportBatch(ctx, bad, store.ImportProgress{Archive: "a2", Path: "b"}); err == nil {
		t.Error("a post without source URL was accepted")
	}
	if p, err := b.ImportProgress(ctx, "a2"); err != nil || p.Archive != "" {
		t.Errorf("the refused batch recorded progress: %+v, %v", p, err)
	}
}

func testExportPosts(t *testing.T, s store.Store) {
	b := bulkStore(t, s)
	base := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	var batch []store.ImportedPost
	for i := 1; i <= 5; i++ {
		lang := "en"
		if i%2 == 0 {
			lang = "id"
		}
		batch = append(batch, importedPost(i, lang, base.Add(time.Duration(i)*24*time.Hour)))
	}
	if err := b.SaveImportBatch(ctx, batch, store.ImportProgress{Archive: "x", Path: "/x.warc"}); err != nil {
		t.Fatal(err)
	}
	a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: batch[0].Post.ID, Evidence: store.EvidenceNew, Score: 1},
		Published: batch[0].Post.Published, Title: batch[0].Post.Title}
	if _, err := s.AssignStory(ctx, a); err != nil {
		t.Fatal(err)
	}
	c := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: batch[2].Post.ID, StoryID: a.StoryID, CopyOf: batch[0].Post.ID,
		Evidence: store.EvidenceCopy, Score: 1}, Published: batch[2].Post.Published}
	if _, err := s.AssignStory(ctx, c); err != nil {
		t.Fatal(err)
	}
	ids := func(q store.ExportQuery, after int64, limit int) []int64 {
		t.Helper()
		got, err := b.ExportPosts(ctx, q, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, e := range got {
			out = append(out, e.Post.ID)
		}
		return out
	}
	id := func(i int) int64 { return batch[i-1].Post.ID }
	eq := func(name string, got []int64, want ...int64) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	eq("all", ids(store.ExportQuery{}, 0, 0), id(1), id(2), id(3), id(4), id(5))
	eq("paged", ids(store.ExportQuery{}, id(2), 2), id(3), id(4))
	eq("language", ids(store.ExportQuery{Language: "id"}, 0, 0), id(2), id(4))
	eq("dates", ids(store.ExportQuery{Since: base.Add(2 * 24 * time.Hour), Until: base.Add(4 * 24 * time.Hour)}, 0, 0), id(2), id(3))
	eq("story", ids(store.ExportQuery{StoryID: a.StoryID}, 0, 0), id(1), id(3))
	eq("label", ids(store.ExportQuery{Label: "no such label"}, 0, 0))
	all, err := b.ExportPosts(ctx, store.ExportQuery{StoryID: a.StoryID}, 0, 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("ExportPosts = %v, %v", all, err)
	}
	if all[1].CopyOf != id(1) || all[1].StoryID != a.StoryID || all[0].CopyOf != 0 {
		t.Errorf("story links: %+v / %+v", all[0], all[1])
	}
	if all[1].ArchivePath != "/x.warc" || all[1].Record != batch[2].Record || len(all[1].Post.Paragraphs) != 2 {
		t.Errorf("record of an imported post: %q %+v, paragraphs %q", all[1].ArchivePath, all[1].Record, all[1].Post.Paragraphs)
	}
}

// A StoryBatch's writes see each other (StoryKeys included) before they
// commit, are seen by nobody else until then, and are undone together when
// the batch fails; a write that fails inside is undone alone.
func testStoryBatch(t *testing.T, s store.Store) {
	b := bulkStore(t, s)
	sb, ok := s.(store.StoryBatcher)
	if !ok {
		t.Fatalf("%T does not implement store.StoryBatcher", s)
	}
	pub := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var batch []store.ImportedPost
	for i := 1; i <= 4; i++ {
		batch = append(batch, importedPost(i, "en", pub.Add(time.Duration(i)*time.Minute)))
	}
	if err := b.SaveImportBatch(ctx, batch, store.ImportProgress{Archive: "sb", Path: "/sb.warc"}); err != nil {
		t.Fatal(err)
	}
	x := &storyBatchFixture{s: s, pub: pub}
	for i := range batch {
		x.ids = append(x.ids, batch[i].Post.ID)
	}
	// A batch that fails leaves nothing behind.
	boom := errors.New("boom")
	err := sb.StoryBatch(ctx, func(ctx context.Context) error {
		if _, err := x.assign(ctx, x.id(1), 0, "url:https://news.example/1.html"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("StoryBatch = %v, want fn's error", err)
	}
	if _, err := s.PostStory(ctx, x.id(1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed batch kept its assignment: %v", err)
	}
	if found := storyKeys(t, s, "url:https://news.example/1.html"); len(found) != 0 {
		t.Fatalf("a failed batch kept its keys: %v", found)
	}
	if err := sb.StoryBatch(ctx, x.succeeding); err != nil {
		t.Fatal(err)
	}
	checkStoryBatchCommitted(t, x)
}

// storyBatchFixture is four imported posts without a story.
type storyBatchFixture struct {
	s     store.Store
	pub   time.Time
	ids   []int64
	first *store.StoryAssignment
}

func (x *storyBatchFixture) id(i int) int64 { return x.ids[i-1] }

func (x *storyBatchFixture) assign(ctx context.Context, post, storyID int64, key string) (*store.StoryAssignment, error) {
	a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: post, StoryID: storyID, Score: 1, Evidence: store.EvidenceText},
		Published: x.pub, Title: "t", Keys: []string{key}}
	_, err := x.s.AssignStory(ctx, a)
	return a, err
}

// succeeding is a batch that succeeds: a new story, a post joining it, a
// key seen inside the batch, a write that fails alone.
func (x *storyBatchFixture) succeeding(ctx context.Context) error {
	var err error
	if x.first, err = x.assign(ctx, x.id(1), 0, "url:https://news.example/1.html"); err != nil {
		return err
	}
	found, err := x.s.StoryKeys(ctx, []string{"url:https://news.example/1.html"})
	if err != nil {
		return err
	}
	if found["url:https://news.example/1.html"] != x.first.StoryID {
		return fmt.Errorf("inside the batch, StoryKeys = %v, want the key of story %d", found, x.first.StoryID)
	}
	// Others do not see it before the commit.
	outside, err := x.s.StoryKeys(context.Background(), []string{"url:https://news.example/1.html"})
	if err != nil || len(outside) != 0 {
		return fmt.Errorf("outside the batch, StoryKeys saw an uncommitted key: %v, %v", outside, err)
	}
	if _, err := x.assign(ctx, x.id(2), x.first.StoryID, "url:https://news.example/2.html"); err != nil {
		return err
	}
	// An unknown post fails alone.
	if _, err := x.assign(ctx, x.id(4)+1000, x.first.StoryID, "url:https://news.example/x.html"); !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("assigning an unknown post: %v, want ErrNotFound", err)
	}
	_, err = x.assign(ctx, x.id(3), 0, "url:https://news.example/3.html")
	return err
}

func checkStoryBatchCommitted(t *testing.T, x *storyBatchFixture) {
	s, first := x.s, x.first
	for i, want := range map[int]int64{1: first.StoryID, 2: first.StoryID} {
		if l, err := s.PostStory(ctx, x.id(i)); err != nil || l.StoryID != want {
			t.Errorf("post %d: link %+v, %v; want story %d", i, l, err, want)
		}
	}
	if l, err := s.PostStory(ctx, x.id(3)); err != nil || l.StoryID == first.StoryID || l.StoryID == 0 {
		t.Errorf("post 3: link %+v, %v; want a story of its own", l, err)
	}
	if st, err := s.Story(ctx, first.StoryID); err != nil || st.Posts != 2 {
		t.Errorf("story %d: %+v, %v; want 2 posts", first.StoryID, st, err)
	}
	found, err := s.StoryKeys(ctx, []string{"url:https://news.example/1.html", "url:https://news.example/2.html", "url:https://news.example/x.html"})
	if err != nil || len(found) != 2 {
		t.Errorf("StoryKeys after the batch = %v, %v; want the keys of posts 1 and 2", found, err)
	}
	if ids, err := s.StorylessPosts(ctx, time.Now().Add(time.Hour), 10); err != nil || len(ids) != 1 || ids[0] != x.id(4) {
		t.Errorf("StorylessPosts = %v, %v; want post 4 alone", ids, err)
	}
}
