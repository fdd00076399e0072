package pipeline

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/ops"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/story"
)

// faultyDB is a real store whose disk a test can fill and free.
type faultyDB struct {
	store.Store
	health *store.WriteHealth
	// fill makes the store refuse story assignments for want of space;
	// free undoes it.
	fill, free func(t *testing.T)
}

func sqliteFaultyDB(t *testing.T) faultyDB {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	limit := func(t *testing.T, n string) {
		t.Helper()
		// max_page_count holds for the connection: the store's one writer
		// connection, which every write goes through. A database at its
		// page limit answers SQLITE_FULL, as on a full disk.
		if _, err := st.DB().Exec(`PRAGMA max_page_count = ` + n); err != nil {
			t.Fatal(err)
		}
	}
	return faultyDB{Store: st, health: st.Health(),
		fill: func(t *testing.T) {
			var pages int
			if err := st.DB().QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
				t.Fatal(err)
			}
			limit(t, fmt.Sprint(pages))
		},
		free: func(t *testing.T) { limit(t, "1073741823") }}
}

func postgresFaultyDB(t *testing.T) faultyDB {
	st, err := postgres.Open(context.Background(), pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	exec := func(t *testing.T, q string) {
		t.Helper()
		if _, err := st.Pool().Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	// A full disk as PostgreSQL reports it (SQLSTATE 53100), on the
	// story tables only: the post was saved, its assignment fails.
	exec(t, `CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`)
	return faultyDB{Store: st, health: st.Health(),
		fill: func(t *testing.T) {
			exec(t, `CREATE TRIGGER disk_full BEFORE INSERT ON post_stories FOR EACH ROW EXECUTE FUNCTION test_disk_full()`)
		},
		free: func(t *testing.T) { exec(t, `DROP TRIGGER disk_full ON post_stories`) }}
}

// fillAfterSave fills the disk right after the next post is saved: the
// moment finding 7 was about, a post stored and its story not.
type fillAfterSave struct {
	store.Store
	armed atomic.Bool
	fill  func()
}

func (f *fillAfterSave) SavePost(ctx context.Context, p *model.Post) (bool, error) {
	created, err := f.Store.SavePost(ctx, p)
	if err == nil && f.armed.CompareAndSwap(true, false) {
		f.fill()
	}
	return created, err
}

// articlePage is a page the extractor reads as an article of its own.
func articlePage(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><title>Report number %d</title></head><body><article><h1>Report number %d</h1>`, n, n)
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&b, `<p>Paragraph %d of report %d tells what happened in district %d, who was there and what the council decided about the bridge, the road and the school %d.</p>`, i, n, n*7+i, n*13+i)
	}
	b.WriteString(`</article></body></html>`)
	return []byte(b.String())
}

func readyz(t *testing.T, ping ops.ReadyFunc) int {
	t.Helper()
	rec := httptest.NewRecorder()
	ops.Handler(ping).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Code
}

// Finding 7: the disk fills between a post's save and its story
// assignment. The post is kept and waits for its story, /readyz fails
// while writes fail, other writes go on; once the disk is freed the
// waiting post is assigned, nothing is left without a story, and /readyz
// is fine again. On both stores.
func TestFullDiskLeavesNoPostWithoutAStory(t *testing.T) {
	for _, c := range []struct {
		name string
		open func(t *testing.T) faultyDB
	}{{"sqlite", sqliteFaultyDB}, {"postgres", postgresFaultyDB}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := c.open(t)
			clock := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
			db.health.Now = func() time.Time { return clock }
			wrapped := &fillAfterSave{Store: db.Store, fill: func() { db.fill(t) }}
			web := newFakeWeb()
			p := New(wrapped, web, nil)
			p.Stories = story.NewAssigner(wrapped, story.Config{})
			f := &model.Feed{URL: "https://feeds.example/a.xml"}
			if err := db.AddFeed(ctx, f); err != nil {
				t.Fatal(err)
			}
			var items []model.Item
			for n := 1; n <= 3; n++ {
				link := fmt.Sprintf("https://site%d.example/news/report-%d", n, n)
				web.page(link, "text/html", articlePage(n))
				it := model.Item{FeedID: f.ID, GUID: fmt.Sprint("g", n), Link: link, Title: fmt.Sprint("Report number ", n),
					Published: time.Date(2026, 11, 1, 8, n, 0, 0, time.UTC)}
				// Google News' related coverage: evidence keys that the
				// assignment must write, far more than a page's slack.
				for r := 0; r < 300; r++ {
					it.Related = append(it.Related, model.Link{URL: fmt.Sprintf("https://related%d.example/a/long/path/to/coverage-of-report-%d-number-%d.html", r, n, r)})
				}
				items = append(items, it)
			}
			if _, err := db.UpsertItems(ctx, items); err != nil {
				t.Fatal(err)
			}
			process := func(i int) {
				t.Helper()
				it, err := db.Item(ctx, items[i].ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.Process(ctx, it); err != nil {
					t.Fatalf("item %d: %v", i, err)
				}
			}
			process(0)
			if code := readyz(t, db.Ping); code != http.StatusOK {
				t.Fatalf("readyz before the fault = %d", code)
			}

			wrapped.armed.Store(true)
			process(1) // saved; the disk fills; its story is refused
			if wrapped.armed.Load() {
				t.Fatal("the disk was not filled")
			}
			it, _ := db.Item(ctx, items[1].ID)
			if it.Status != model.ItemDone || it.PostID == 0 {
				t.Fatalf("item 2: %+v, want done with its post", it)
			}
			post2 := it.PostID
			if _, err := db.PostStory(ctx, post2); err == nil {
				t.Fatal("the post got its story although the disk was full: the fault was not simulated")
			}
			future := time.Now().Add(time.Hour)
			if w, _ := db.StorylessPosts(ctx, future, 0); !slices.Equal(w, []int64{post2}) {
				t.Fatalf("posts waiting for a story = %v, want [%d]", w, post2)
			}
			if code := readyz(t, db.Ping); code != http.StatusServiceUnavailable {
				t.Fatalf("readyz while writes fail = %d, want 503", code)
			}
			// Another writer's write that needs no room still lands.
			if err := db.FailItem(ctx, items[2].ID, "tried during the fault"); err != nil {
				t.Fatalf("a small write during the fault: %v", err)
			}
			// The sweep meanwhile fails and loses nothing.
			if n, err := p.AssignWaitingStories(ctx, future); n != 0 || err == nil {
				t.Fatalf("sweep during the fault: assigned %d, err %v", n, err)
			}
			clock = clock.Add(store.WriteHold / 2)
			if code := readyz(t, db.Ping); code != http.StatusServiceUnavailable {
				t.Fatalf("readyz %v after the last refused write = %d, want 503", store.WriteHold/2, code)
			}

			db.free(t)
			clock = clock.Add(store.WriteHold)
			if n, err := p.AssignWaitingStories(ctx, future); n != 1 || err != nil {
				t.Fatalf("sweep after the fault: assigned %d, err %v", n, err)
			}
			process(2)
			if w, err := db.StorylessPosts(ctx, future, 0); len(w) != 0 || err != nil {
				t.Fatalf("posts still without a story: %v %v", w, err)
			}
			posts, err := db.Posts(ctx, store.PostQuery{})
			if err != nil || len(posts) != 3 {
				t.Fatalf("posts = %d, %v", len(posts), err)
			}
			for _, post := range posts {
				if _, err := db.PostStory(ctx, post.ID); err != nil {
					t.Errorf("post %d has no story: %v", post.ID, err)
				}
			}
			// Its item's evidence came along: a key of its related coverage
			// points to its story.
			l, _ := db.PostStory(ctx, post2)
			keys, _ := db.StoryKeys(ctx, []string{story.URLKey(items[1].Related[7].URL)})
			if len(keys) != 1 || slices.Collect(maps.Values(keys))[0] != l.StoryID {
				t.Errorf("related coverage keys of the swept post: %v, want story %d", keys, l.StoryID)
			}
			if code := readyz(t, db.Ping); code != http.StatusOK {
				t.Fatalf("readyz after the fault = %d, want 200", code)
			}
		})
	}
}

// A one-pass run (run --once) assigns the posts that wait for their story
// once its queue is idle, and counts those it could not among its
// failures; the next pass assigns them.
func TestOncePassCountsPostsLeftWithoutAStory(t *testing.T) {
	ctx := context.Background()
	db := sqliteFaultyDB(t)
	st := db.Store.(*sqlite.Store)
	wrapped := &fillAfterSave{Store: db.Store, fill: func() { db.fill(t) }}
	web := newFakeWeb()
	p := New(wrapped, web, nil)
	p.Stories = story.NewAssigner(wrapped, story.Config{})
	f := &model.Feed{URL: "https://feeds.example/once.xml"}
	if err := db.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	link := "https://site1.example/news/report-1"
	web.page(link, "text/html", articlePage(1))
	it := model.Item{FeedID: f.ID, GUID: "g1", Link: link, Title: "Report number 1"}
	for r := 0; r < 300; r++ {
		it.Related = append(it.Related, model.Link{URL: fmt.Sprintf("https://related%d.example/a/long/path/to/coverage-number-%d.html", r, r)})
	}
	items := []model.Item{it}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	wrapped.armed.Store(true)
	q := startQueue(t, p, st, Options{Once: true})
	if err := q.enqueueItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if s := q.Summary(); s.PostsNew != 1 || s.ItemFailures != 0 || s.StoriesLeft != 1 {
		t.Fatalf("summary during the fault: %+v, want one post and one story left", s)
	}
	db.free(t)
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if s := q.Summary(); s.StoriesLeft != 0 {
		t.Fatalf("summary after the fault: %+v, want no story left", s)
	}
	if w, _ := db.StorylessPosts(ctx, time.Now().Add(time.Hour), 0); len(w) != 0 {
		t.Fatalf("posts still waiting: %v", w)
	}
}
