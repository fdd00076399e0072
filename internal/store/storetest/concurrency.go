package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Many workers share one database: these tests race writers against each
// other, as two processes would. On SQLite they pass because one writer goes
// at a time; on PostgreSQL they need unique constraints and ON CONFLICT.

func init() {
	register("ConcurrentUpsertItemMakesOneItem", testConcurrentUpsertItem)
	register("ConcurrentSavePostMakesOnePost", testConcurrentSavePost)
	register("ConcurrentSavePostSameTextMakesOnePost", testConcurrentSavePostSameText)
	register("ConcurrentSavePostSameTitleGetsFreeSlugs", testConcurrentSlugs)
	register("FailItemKeepsDoneItemDone", testFailKeepsDone)
	register("PaceSpacesSlots", testPace)
	register("ConcurrentPaceNeverSharesASlot", testConcurrentPace)
	register("PruneItemsKeepsPosts", testPruneItems)
	register("OpsPingAndQueueDepth", testOps)
}

const racers = 8

// race runs fn in n goroutines released together and collects their errors.
func race(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v", i, err)
		}
	}
}

func testConcurrentUpsertItem(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	for round := 0; round < 5; round++ {
		guid := fmt.Sprintf("same-%d", round)
		ids := make([]int64, racers)
		created := make([]bool, racers)
		race(t, racers, func(i int) error {
			it := &model.Item{FeedID: f.ID, GUID: guid, Title: fmt.Sprintf("title %d", i)}
			c, err := s.UpsertItem(ctx, it)
			ids[i], created[i] = it.ID, c
			return err
		})
		n := 0
		for i := range ids {
			if ids[i] != ids[0] {
				t.Fatalf("round %d: racers got items %v", round, ids)
			}
			if created[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d racers were told they created the item, want 1", round, n)
		}
	}
	items, err := s.UnfinishedItems(ctx, f.ID)
	if err != nil || len(items) != 5 {
		t.Fatalf("items = %d, %v; want 5", len(items), err)
	}
}

// Several items (of several feeds) carry one article; workers save it at once.
func testConcurrentSavePost(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	g := mustFeed(t, s, "https://example.com/b.xml")
	for round := 0; round < 5; round++ {
		items := make([]*model.Item, racers)
		for i := range items {
			feed := f
			if i%2 == 1 {
				feed = g
			}
			items[i] = mustItem(t, s, feed.ID, fmt.Sprintf("r%d-%d", round, i))
		}
		url := fmt.Sprintf("https://publisher.example/story-%d", round)
		postIDs := make([]int64, racers)
		created := make([]bool, racers)
		race(t, racers, func(i int) error {
			p := post(items[i], url, fmt.Sprintf("hash-%d-%d", round, i))
			c, err := s.SavePost(ctx, p)
			postIDs[i], created[i] = p.ID, c
			return err
		})
		checkOneWinner(t, s, round, postIDs, created, items)
	}
	if n, _ := s.CountPosts(ctx); n != 5 {
		t.Fatalf("posts = %d, want 5", n)
	}
}

// The same text under different URLs (a syndicated story) is one post too.
func testConcurrentSavePostSameText(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	for round := 0; round < 5; round++ {
		items := make([]*model.Item, racers)
		for i := range items {
			items[i] = mustItem(t, s, f.ID, fmt.Sprintf("r%d-%d", round, i))
		}
		postIDs := make([]int64, racers)
		created := make([]bool, racers)
		race(t, racers, func(i int) error {
			p := post(items[i], fmt.Sprintf("https://mirror%d.example/%d", i, round), fmt.Sprintf("text-%d", round))
			c, err := s.SavePost(ctx, p)
			postIDs[i], created[i] = p.ID, c
			return err
		})
		checkOneWinner(t, s, round, postIDs, created, items)
	}
	if n, _ := s.CountPosts(ctx); n != 5 {
		t.Fatalf("posts = %d, want 5", n)
	}
}

func checkOneWinner(t *testing.T, s store.Store, round int, postIDs []int64, created []bool, items []*model.Item) {
	t.Helper()
	winners := 0
	for i := range postIDs {
		if postIDs[i] != postIDs[0] || postIDs[i] == 0 {
			t.Fatalf("round %d: racers got posts %v", round, postIDs)
		}
		if created[i] {
			winners++
		}
	}
	if winners != 1 {
		t.Fatalf("round %d: %d racers created the post, want 1", round, winners)
	}
	for _, it := range items {
		got, err := s.Item(ctx, it.ID)
		if err != nil || got.Status != model.ItemDone || got.PostID != postIDs[0] {
			t.Fatalf("round %d: item %s not done on the one post: %+v %v", round, it.GUID, got, err)
		}
	}
}

// Different articles with one title, saved at once, each get a free slug.
func testConcurrentSlugs(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	items := make([]*model.Item, racers)
	for i := range items {
		items[i] = mustItem(t, s, f.ID, fmt.Sprint(i))
	}
	slugs := make([]string, racers)
	race(t, racers, func(i int) error {
		p := post(items[i], fmt.Sprintf("https://publisher.example/%d", i), "")
		p.Title = "Same title"
		_, err := s.SavePost(ctx, p)
		slugs[i] = p.Slug
		return err
	})
	seen := map[string]bool{}
	for _, sl := range slugs {
		if seen[sl] {
			t.Fatalf("slug %q given twice: %v", sl, slugs)
		}
		seen[sl] = true
	}
	for i := 1; i <= racers; i++ {
		want := "same-title"
		if i > 1 {
			want = fmt.Sprintf("same-title_%d", i)
		}
		if !seen[want] {
			t.Fatalf("slugs %v miss %s", slugs, want)
		}
	}
}

// A worker whose copy of a job fails after another finished the item must
// not undo the other's work.
func testFailKeepsDone(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	it := mustItem(t, s, f.ID, "x")
	p := post(it, "https://publisher.example/x", "h")
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.FailItem(ctx, it.ID, "late failure"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Item(ctx, it.ID)
	if got.Status != model.ItemDone || got.PostID != p.ID {
		t.Fatalf("a done item was failed: %+v", got)
	}
}

func testPace(t *testing.T, s store.Store) {
	// Pace returns waits rather than sleeping them, so slots far apart cost
	// nothing, and a slack of a minute leaves room for any scheduling
	// delay of a loaded machine while still telling slot 0 from slot 1.
	const every = 10 * time.Minute
	const slack = time.Minute
	if d, err := s.Pace(ctx, "host:a.example", 0); err != nil || d != 0 {
		t.Fatalf("no pace: %v %v", d, err)
	}
	var waits []time.Duration
	for i := 0; i < 3; i++ {
		d, err := s.Pace(ctx, "host:a.example", every)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, d)
	}
	// Back to back: now, then one and two slots later (less the time the
	// calls themselves took).
	if waits[0] > slack || waits[1] < every-slack || waits[1] > every ||
		waits[2] < 2*every-slack || waits[2] > 2*every {
		t.Fatalf("waits = %v for slots %v apart", waits, every)
	}
	// Keys are independent.
	if d, err := s.Pace(ctx, "gnews:batchexecute", every); err != nil || d > slack {
		t.Fatalf("other key waited %v (%v)", d, err)
	}
	// A slot long past does not let a burst through: the next slot is now,
	// the one after it a full interval later.
	if d, err := s.Pace(ctx, "host:b.example", time.Millisecond); err != nil || d > slack {
		t.Fatalf("b: %v %v", d, err)
	}
	time.Sleep(10 * time.Millisecond)
	d1, _ := s.Pace(ctx, "host:b.example", every)
	d2, _ := s.Pace(ctx, "host:b.example", every)
	if d1 > slack || d2 < every-slack {
		t.Fatalf("after idle: %v then %v", d1, d2)
	}
	// A hold (a 429 seen by some process) moves the next slot to its end,
	// and an earlier hold does not bring it back.
	until := time.Now().Add(time.Hour)
	if err := s.HoldPace(ctx, "gnews:resolve", until); err != nil {
		t.Fatal(err)
	}
	if err := s.HoldPace(ctx, "gnews:resolve", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Pace(ctx, "gnews:resolve", every); err != nil || d < 59*time.Minute || d > time.Hour {
		t.Fatalf("after a hold of an hour: wait %v %v", d, err)
	}
	// The shared pacer says so instead of sleeping an hour.
	sp := store.SharedPacer{Store: s, Every: every, MaxWait: time.Minute}
	var held *store.HeldError
	if err := sp.Wait(ctx, "gnews:resolve"); !errors.As(err, &held) || held.Until.Before(until) {
		t.Fatalf("shared pacer during a hold: %v", err)
	}
	// A crawl delay wider than the pacer's interval widens the gap after
	// the slot it reserves (the first slot of a new key is now: no sleep).
	hp := store.NewHostPacer(s, time.Millisecond)
	if err := hp.WaitDelay(ctx, "c.example", every); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Pace(ctx, "host:c.example", time.Millisecond); d < every-slack {
		t.Fatalf("a crawl delay did not widen the gap: next wait %v", d)
	}
}

// Racers reserving slots of one key get distinct slots, every apart. The
// waits are returned, not slept, so a long interval costs nothing and makes
// the check immune to scheduling noise on a loaded machine (a racer measured
// late by a few tens of milliseconds still lands in its own slot).
func testConcurrentPace(t *testing.T, s store.Store) {
	const every = time.Second
	const n = 2 * racers
	begin := time.Now()
	starts := make([]time.Duration, n)
	race(t, n, func(i int) error {
		d, err := s.Pace(ctx, "host:race.example", every)
		// The slot's start relative to begin, in whole slots.
		starts[i] = time.Since(begin) + d
		return err
	})
	slots := map[int]int{}
	for i, st := range starts {
		k := int((st + every/2) / every)
		if other, ok := slots[k]; ok {
			t.Fatalf("racers %d and %d share slot %d: starts %v", other, i, k, starts)
		}
		slots[k] = i
	}
}

func testPruneItems(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	done := &model.Item{FeedID: f.ID, GUID: "done", Title: "Done", Description: "<p>raw feed html</p>",
		Published: time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC)}
	open := &model.Item{FeedID: f.ID, GUID: "open", Title: "Open", Description: "<p>still needed</p>"}
	for _, it := range []*model.Item{done, open} {
		if _, err := s.UpsertItem(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	p := post(done, "https://publisher.example/done", "h")
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneItems(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("prune of nothing old: %d %v", n, err)
	}
	n, err := s.PruneItems(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("prune: %d %v, want 1", n, err)
	}
	got, _ := s.Item(ctx, done.ID)
	if got.Description != "" || got.Status != model.ItemDone || got.PostID != p.ID {
		t.Fatalf("pruned item: %+v", got)
	}
	if got, _ := s.Item(ctx, open.ID); got.Description == "" {
		t.Fatal("an unfinished item lost its description")
	}
	if kept, err := s.Post(ctx, p.ID); err != nil || len(kept.Paragraphs) != 2 {
		t.Fatalf("post after prune: %+v %v", kept, err)
	}
	// Re-polling the pruned item keeps it done and makes nothing new.
	again := &model.Item{FeedID: f.ID, GUID: "done", Title: "Done", Description: "<p>raw feed html</p>"}
	if created, err := s.UpsertItem(ctx, again); err != nil || created || again.ID != done.ID {
		t.Fatalf("re-poll after prune: created=%v %v", created, err)
	}
	if got, _ := s.Item(ctx, done.ID); got.Status != model.ItemDone {
		t.Fatalf("re-polled item: %+v", got)
	}
}

func testOps(t *testing.T, s store.Store) {
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	depth, err := s.QueueDepth(ctx)
	if err != nil || len(depth) != 0 {
		t.Fatalf("queue depth without a queue: %v %v", depth, err)
	}
}
