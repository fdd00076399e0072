package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

func init() {
	register("NewPostsWaitForTheirStory", testStoryBacklog)
	register("ProcessesBeatAndDeadOnesAreForgotten", testProcesses)
}

// A new post waits for its story until AssignStory puts it in one: a post
// whose assignment failed is still found. A post reached again is not
// marked anew.
func testStoryBacklog(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/feed.xml")
	var ids []int64
	for _, g := range []string{"a", "b", "c"} {
		it := mustItem(t, s, f.ID, g)
		p := post(it, "https://publisher.example/"+g, "hash-"+g)
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	later := time.Now().Add(time.Minute)
	waiting, err := s.StorylessPosts(ctx, later, 0)
	if err != nil || !slices.Equal(waiting, ids) {
		t.Fatalf("StorylessPosts = %v, %v; want %v", waiting, err, ids)
	}
	if w, _ := s.StorylessPosts(ctx, later, 2); !slices.Equal(w, ids[:2]) {
		t.Fatalf("limit 2: %v", w)
	}
	// Younger posts may still be in the hands of the worker that saved them.
	if w, _ := s.StorylessPosts(ctx, time.Now().Add(-time.Hour), 0); len(w) != 0 {
		t.Fatalf("created before an hour ago: %v", w)
	}
	// A failed assignment (an unknown story) leaves the post waiting.
	bad := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: ids[0], StoryID: 999999}, Title: "x"}
	if _, err := s.AssignStory(ctx, bad); err == nil {
		t.Fatal("assignment to an unknown story succeeded")
	}
	if w, _ := s.StorylessPosts(ctx, later, 0); !slices.Equal(w, ids) {
		t.Fatalf("after a failed assignment: %v", w)
	}
	a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: ids[0]}, Title: "A story", Published: time.Now()}
	if _, err := s.AssignStory(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: ids[2], StoryID: a.StoryID}, Published: time.Now()}
	if _, err := s.AssignStory(ctx, b); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.StorylessPosts(ctx, later, 0); !slices.Equal(w, ids[1:2]) {
		t.Fatalf("after two assignments: %v, want %v", w, ids[1:2])
	}
	// The same article again (another item) reuses the post: it stays in
	// its story.
	it := mustItem(t, s, f.ID, "a-again")
	again := post(it, "https://publisher.example/a", "hash-a")
	if created, err := s.SavePost(ctx, again); err != nil || created || again.ID != ids[0] {
		t.Fatalf("reuse: created=%v id=%d err=%v", created, again.ID, err)
	}
	if w, _ := s.StorylessPosts(ctx, later, 0); !slices.Equal(w, ids[1:2]) {
		t.Fatalf("after a reused post: %v", w)
	}
}

// A process beats; one silent past the limit is forgotten by RescueDead
// (the queue's jobs are the pipeline's tests' to check), a live one is
// kept; a forgotten process's next beat says so.
func testProcesses(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, id := range []string{"alive", "dead"} {
		if err := s.Beat(ctx, id, t0, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Beat(ctx, "alive", t0.Add(50*time.Second), false); err != nil {
		t.Fatal(err)
	}
	if err := s.Beat(ctx, "never-registered", t0, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("beat of an unknown process: %v", err)
	}
	// Nobody is dead yet at t0+30s with a limit of one minute.
	if jobs, err := s.RescueDead(ctx, t0.Add(30*time.Second-time.Minute), t0.Add(30*time.Second)); err != nil || len(jobs) != 0 {
		t.Fatalf("early rescue: %v %v", jobs, err)
	}
	if err := s.Beat(ctx, "dead", t0.Add(40*time.Second), false); err != nil {
		t.Fatalf("a process not yet dead: %v", err)
	}
	now := t0.Add(110 * time.Second) // dead beat at 40 s, alive at 50 s
	if _, err := s.RescueDead(ctx, now.Add(-65*time.Second), now); err != nil {
		t.Fatal(err)
	}
	if err := s.Beat(ctx, "dead", now, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("beat of a process taken for dead: %v, want ErrNotFound", err)
	}
	if err := s.Beat(ctx, "alive", now, false); err != nil {
		t.Fatalf("the live process was forgotten: %v", err)
	}
	// Registering again (and leaving) works.
	if err := s.Beat(ctx, "dead", now, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Leave(ctx, "dead"); err != nil {
		t.Fatal(err)
	}
	if err := s.Beat(ctx, "dead", now, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("beat after leaving: %v", err)
	}
}
