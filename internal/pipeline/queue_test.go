package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

var storeQueryAll = store.PostQuery{}

// The queue runs the stages on River over the same SQLite file: every item
// of every feed is processed once, and a second pass adds nothing.
func TestQueueOnceProcessesEverything(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink, newIDRSS))
	web.page(pageURL, "text/html", readFile(t, "article.html"))
	addFeed(t, st, feedURL)
	driver := riversqlite.New(st.DB())
	if err := Migrate(ctx, driver); err != nil {
		t.Fatal(err)
	}
	for pass, wantNew := range []int64{1, 0} {
		p.Counter = Counters{}
		q, err := NewQueue(driver, p, Options{Once: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := q.PollAll(ctx); err != nil {
			t.Fatal(err)
		}
		if err := q.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if err := q.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		s := q.Summary()
		// The new-form item fails each pass (it is retried, never lost).
		if s.FeedsPolled != 1 || s.ItemsSeen != 2 || s.PostsNew != wantNew || s.ItemFailures != 1 {
			t.Fatalf("pass %d: summary %+v", pass, s)
		}
	}
	if n, _ := st.CountPosts(ctx); n != 1 {
		t.Fatalf("posts = %d", n)
	}
	if web.fetched(pageURL) != 1 {
		t.Fatalf("article fetched %d times, want once", web.fetched(pageURL))
	}
}

func TestBatchesSpreadAPollOverTheWorkers(t *testing.T) {
	ids := func(n int) []int64 {
		s := make([]int64, n)
		for i := range s {
			s[i] = int64(i + 1)
		}
		return s
	}
	for _, c := range []struct {
		items, size, workers int
		want                 []int // batch sizes
	}{
		{0, 16, 8, nil},
		{1, 16, 8, []int{1}},
		{3, 16, 8, []int{1, 1, 1}},
		{20, 16, 8, []int{2, 3, 2, 3, 2, 3, 2, 3}},
		{32, 16, 1, []int{16, 16}},
		{200, 16, 8, []int{15, 15, 16, 15, 15, 16, 15, 16, 15, 15, 16, 15, 16}},
	} {
		got := batches(ids(c.items), c.size, c.workers)
		var sizes []int
		var all []int64
		for _, b := range got {
			sizes = append(sizes, len(b))
			all = append(all, b...)
		}
		if !slices.Equal(sizes, c.want) {
			t.Errorf("batches(%d items, size %d, %d workers) = sizes %v, want %v", c.items, c.size, c.workers, sizes, c.want)
		}
		if !slices.Equal(all, ids(c.items)) {
			t.Errorf("batches(%d items) lost or reordered items: %v", c.items, all)
		}
	}
}

// startQueue runs a queue on the test pipeline's store until the test ends.
func startQueue(t *testing.T, p *Pipeline, st *sqlite.Store, opt Options) *Queue[*sql.Tx] {
	t.Helper()
	ctx := context.Background()
	driver := riversqlite.New(st.DB())
	if err := Migrate(ctx, driver); err != nil {
		t.Fatal(err)
	}
	q, err := NewQueue(driver, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
	return q
}

// waitDone waits until every item of the feed is done.
func waitDone(t *testing.T, st *sqlite.Store, feedID int64, items int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := st.ItemCounts(context.Background(), feedID)
		if err != nil {
			t.Fatal(err)
		}
		if c[model.ItemDone] == items {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("items by status after 30 s: %v, want %d done", c, items)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two batches holding the same items (a feed polled again while its items
// still wait in the queue) fetch each page once: the items are claimed.
func TestBatchesSharingItemsFetchEachPageOnce(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	f := addFeed(t, st, feedURL)
	var ids []int64
	for i := 0; i < 6; i++ {
		u := fmt.Sprintf("https://coast.example/news/story-%d", i)
		web.page(u, "text/html", []byte(fmt.Sprintf(`<html><head><title>Story %d</title></head><body><article><h1>Story %d</h1>
			<p>Paragraph one of story %d tells what happened at the harbour this morning, in some detail.</p>
			<p>Paragraph two of story %d says who was there and what they said about the bridge.</p>
			<p>Paragraph three of story %d tells what comes next for the town and its people.</p></article></body></html>`, i, i, i, i, i)))
		it := &model.Item{FeedID: f.ID, GUID: u, Link: u, Title: fmt.Sprintf("Story %d", i)}
		if _, err := st.UpsertItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	q := startQueue(t, p, st, Options{Workers: 4, Once: true})
	reversed := slices.Clone(ids)
	slices.Reverse(reversed)
	var params []river.InsertManyParams
	for range 3 {
		params = append(params, river.InsertManyParams{Args: BatchArgs{ItemIDs: ids}},
			river.InsertManyParams{Args: BatchArgs{ItemIDs: reversed}})
	}
	if _, err := q.client.InsertMany(ctx, params); err != nil {
		t.Fatal(err)
	}
	waitDone(t, st, f.ID, len(ids))
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range ids {
		u := fmt.Sprintf("https://coast.example/news/story-%d", i)
		if n := web.fetched(u); n != 1 {
			t.Errorf("%s fetched %d times, want once", u, n)
		}
	}
	if n, _ := st.CountPosts(ctx); n != len(ids) {
		t.Fatalf("posts = %d, want %d", n, len(ids))
	}
}

// An item of a batch that fails in a way worth retrying goes on as a job of
// its own, which River retries; the rest of the batch is not held up.
func TestBatchHandsATransientFailureToItsOwnJob(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	f := addFeed(t, st, feedURL)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	web.page(pageURL, "text/html", readFile(t, "article.html"))
	// The host fails once, then is back.
	web.errs[pageURL] = &fetch.StatusError{URL: pageURL, StatusCode: 503}
	web.errsLeft[pageURL] = 1
	q := startQueue(t, p, st, Options{Workers: 2})
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil || len(items) != 1 {
		t.Fatalf("poll: %v, %v", items, err)
	}
	if err := q.enqueueItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	waitDone(t, st, f.ID, 1)
	it, err := st.Item(ctx, items[0].ID)
	if err != nil || it.Attempts != 1 || it.PostID == 0 {
		t.Fatalf("item after retry: %+v, %v (want one failed attempt, then a post)", it, err)
	}
}

// A batch on a slow host hands the rest of its items to a new batch once
// half its job timeout is spent, instead of running into the timeout.
func TestSlowBatchHandsItsRestOn(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	f := addFeed(t, st, feedURL)
	var items []model.Item
	for i := 0; i < 6; i++ {
		u := fmt.Sprintf("https://coast.example/news/slow-%d", i)
		web.page(u, "text/html", readFile(t, "article.html"))
		it := model.Item{FeedID: f.ID, GUID: u, Link: u, Title: fmt.Sprintf("Slow %d", i)}
		if _, err := st.UpsertItem(ctx, &it); err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	// Each page takes a second; the batch hands on after three. The margin
	// between half the timeout and the timeout is wide enough that the item
	// in flight finishes on a loaded machine too.
	web.delay = time.Second
	q := startQueue(t, p, st, Options{Workers: 1, Batch: 6, Once: true, JobTimeout: 6 * time.Second, RescueAfter: 12 * time.Second})
	if err := q.enqueueItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	c, _ := st.ItemCounts(ctx, f.ID)
	if c[model.ItemDone] != len(items) {
		t.Fatalf("items by status: %v, want all %d done", c, len(items))
	}
	jobs, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(BatchArgs{}.Kind()).States(rivertype.JobStateCompleted).First(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.Jobs) < 2 {
		t.Fatalf("%d batch jobs ran, want the first to hand its rest to another", len(jobs.Jobs))
	}
	for _, j := range jobs.Jobs {
		if len(j.Errors) > 0 {
			t.Errorf("batch job %d failed: %v", j.ID, j.Errors)
		}
	}
}

// One pass (run --once) counts an item that waits for a later time, and
// neither fetches it nor leaves a job behind.
func TestOncePassCountsWaitingItems(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	web.page(pageURL, "text/html", readFile(t, "article.html"))
	f := addFeed(t, st, feedURL)
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil || len(items) != 1 {
		t.Fatalf("poll: %v, %v", items, err)
	}
	if err := st.DeferItem(ctx, items[0].ID, p.Now().Add(time.Hour), "429 from Google"); err != nil {
		t.Fatal(err)
	}
	q := startQueue(t, p, st, Options{Once: true})
	if err := q.PollAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if s := q.Summary(); s.ItemsWaiting != 1 || s.PostsNew != 0 {
		t.Fatalf("summary %+v, want one item waiting", s)
	}
	if n := web.fetched(pageURL); n != 0 {
		t.Fatalf("a waiting item's page was fetched %d times", n)
	}
}
