package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/kabarnews/kabar/internal/store"
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
