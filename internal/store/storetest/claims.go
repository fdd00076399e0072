package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// A poll's items are written in one go, and workers take items in batches
// by claiming them: two batches that share an item never both work on it.

func init() {
	register("UpsertItemsWritesAPollAtOnce", testUpsertItems)
	register("ClaimItemsTakesFreeItemsOnly", testClaimItems)
	register("ClaimsEndWithTheWork", testClaimsEnd)
	register("ConcurrentClaimsNeverShareAnItem", testConcurrentClaims)
}

func testUpsertItems(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	known := mustItem(t, s, f.ID, "g1")
	if err := s.FailItem(ctx, known.ID, "fetch: timeout"); err != nil {
		t.Fatal(err)
	}
	items := []model.Item{
		{FeedID: f.ID, GUID: "g1", Title: "new title"},
		{FeedID: f.ID, GUID: "g2", Title: "second", Related: []model.Link{{URL: "https://example.com/r", Title: "r"}}},
		{FeedID: f.ID, GUID: "g3", Title: "third"},
	}
	created, err := s.UpsertItems(ctx, items)
	if err != nil || created != 2 {
		t.Fatalf("UpsertItems: created=%d err=%v, want 2 new", created, err)
	}
	if items[0].ID != known.ID || items[1].ID == 0 || items[2].ID == 0 || items[1].ID == items[2].ID {
		t.Fatalf("IDs not set: %d %d %d (known %d)", items[0].ID, items[1].ID, items[2].ID, known.ID)
	}
	got, _ := s.Item(ctx, known.ID)
	if got.Title != "new title" || got.Status != model.ItemFailed || got.Attempts != 1 {
		t.Fatalf("re-polled item lost its state: %+v", got)
	}
	second, _ := s.Item(ctx, items[1].ID)
	if second.Status != model.ItemNew || len(second.Related) != 1 {
		t.Fatalf("new item = %+v", second)
	}
	if created, err := s.UpsertItems(ctx, items); err != nil || created != 0 {
		t.Fatalf("second UpsertItems: created=%d err=%v", created, err)
	}
	if n, err := s.UpsertItems(ctx, nil); err != nil || n != 0 {
		t.Fatalf("UpsertItems(nil) = %d, %v", n, err)
	}
}

func itemIDs(items []model.Item) []int64 {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// mustItems makes n items of a feed, GUIDs prefix0, prefix1, …
func mustItems(t *testing.T, s store.Store, feedID int64, prefix string, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = mustItem(t, s, feedID, fmt.Sprintf("%s%d", prefix, i)).ID
	}
	return ids
}

func testClaimItems(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	ids := mustItems(t, s, f.ID, "c", 5)
	now := time.Now().UTC()
	// ids[0] is done, ids[1] waits for later: neither may be taken.
	done := mustItem(t, s, f.ID, "c0")
	if _, err := s.SavePost(ctx, post(done, "https://publisher.example/c0", "")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeferItem(ctx, ids[1], now.Add(time.Hour), "429"); err != nil {
		t.Fatal(err)
	}
	reversed := []int64{ids[4], ids[3], ids[2], ids[1], ids[0], 987654}
	got, err := s.ClaimItems(ctx, reversed, "a", now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{ids[4], ids[3], ids[2]}; !slices.Equal(itemIDs(got), want) {
		t.Fatalf("claimed %v, want %v (free items, in the order asked)", itemIDs(got), want)
	}
	if got[0].Title != "Title c4" || got[0].FeedID != f.ID {
		t.Fatalf("claimed item not read whole: %+v", got[0])
	}
	// Another owner finds them taken; the owner itself may take them again
	// (a rescued job).
	if other, err := s.ClaimItems(ctx, ids, "b", now, now.Add(time.Minute)); err != nil || len(other) != 0 {
		t.Fatalf("another owner claimed %v (%v), want nothing", itemIDs(other), err)
	}
	if again, err := s.ClaimItems(ctx, ids, "a", now, now.Add(time.Minute)); err != nil || len(again) != 3 {
		t.Fatalf("the owner re-claimed %v (%v), want its 3 items", itemIDs(again), err)
	}
	// A claim that ran out (its worker died) is free for anyone.
	later := now.Add(2 * time.Minute)
	if taken, err := s.ClaimItems(ctx, ids, "b", later, later.Add(time.Minute)); err != nil || len(taken) != 3 {
		t.Fatalf("expired claims: b took %v (%v), want 3 items", itemIDs(taken), err)
	}
	// The waiting item is free once its time has come.
	if taken, err := s.ClaimItems(ctx, []int64{ids[1]}, "c", now.Add(2*time.Hour), now.Add(3*time.Hour)); err != nil || len(taken) != 1 {
		t.Fatalf("waiting item after its time: %v (%v)", itemIDs(taken), err)
	}
	if got, err := s.ClaimItems(ctx, nil, "a", now, now); err != nil || len(got) != 0 {
		t.Fatalf("ClaimItems(nil) = %v, %v", got, err)
	}
}

func testClaimsEnd(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	var items []*model.Item
	for i := 0; i < 4; i++ {
		items = append(items, mustItem(t, s, f.ID, fmt.Sprintf("e%d", i)))
	}
	ids := []int64{items[0].ID, items[1].ID, items[2].ID, items[3].ID}
	now := time.Now().UTC()
	until := now.Add(time.Hour)
	if got, err := s.ClaimItems(ctx, ids, "a", now, until); err != nil || len(got) != 4 {
		t.Fatalf("claim: %v, %v", got, err)
	}
	// Failing, deferring (to a time already past) and releasing end the
	// claim at once: another owner may take the item before the hour is up.
	if err := s.FailItem(ctx, ids[0], "timeout"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeferItem(ctx, ids[1], now.Add(-time.Second), "429"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseItems(ctx, []int64{ids[2]}, "a"); err != nil {
		t.Fatal(err)
	}
	// Releasing another owner's claim does nothing.
	if err := s.ReleaseItems(ctx, []int64{ids[3]}, "b"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimItems(ctx, ids, "b", now, until)
	if err != nil {
		t.Fatal(err)
	}
	if want := ids[:3]; !slices.Equal(itemIDs(got), want) {
		t.Fatalf("after fail, defer and release b claimed %v, want %v", itemIDs(got), want)
	}
	// A saved post finishes its item: nobody may claim it again.
	if _, err := s.SavePost(ctx, post(items[0], "https://publisher.example/e0", "")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClaimItems(ctx, ids[:1], "b", now, until); err != nil || len(got) != 0 {
		t.Fatalf("done item claimed: %v, %v", itemIDs(got), err)
	}
}

func testConcurrentClaims(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	ids := mustItems(t, s, f.ID, "r", 40)
	now := time.Now().UTC()
	var mu sync.Mutex
	owner := map[int64]int{}
	race(t, racers, func(i int) error {
		// Every racer asks for all items, in its own order.
		mine := slices.Clone(ids)
		if i%2 == 1 {
			slices.Reverse(mine)
		}
		got, err := s.ClaimItems(ctx, mine, fmt.Sprintf("racer-%d", i), now, now.Add(time.Minute))
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, it := range got {
			if o, ok := owner[it.ID]; ok {
				return fmt.Errorf("item %d claimed by racers %d and %d", it.ID, o, i)
			}
			owner[it.ID] = i
		}
		return nil
	})
	if len(owner) != len(ids) {
		t.Fatalf("%d of %d items claimed", len(owner), len(ids))
	}
}
