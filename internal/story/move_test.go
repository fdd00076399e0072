package story_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

type moverStore interface {
	store.Store
	MoveStoryPost(ctx context.Context, postID, to int64, score float64, evidence string) error
}

// Both stores move one report between stories, keeping the stories'
// counts and times, and refuse to move a post of a copy group.
func TestStoresMoveAReport(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		ms, ok := st.(moverStore)
		if !ok {
			t.Fatalf("%T cannot move a report between stories", st)
		}
		t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		post := func(i int) int64 {
			p := &model.Post{Title: fmt.Sprintf("Report %d", i), SourceURL: fmt.Sprintf("https://site.example/%d", i),
				Published: t0.Add(time.Duration(i) * time.Hour)}
			if _, err := st.SavePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		assign := func(postID, storyID, copyOf int64, at int) int64 {
			a := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: postID, StoryID: storyID, CopyOf: copyOf,
				Evidence: store.EvidenceText, Score: 0.45}, Published: t0.Add(time.Duration(at) * time.Hour), Title: "t"}
			if _, err := st.AssignStory(ctx, a); err != nil {
				t.Fatal(err)
			}
			return a.StoryID
		}
		p1, p2, p3, p4 := post(1), post(2), post(3), post(4)
		s1 := assign(p1, 0, 0, 1)
		assign(p3, s1, 0, 3) // the latest report of s1, on weak evidence
		s2 := assign(p2, 0, 0, 2)
		assign(p4, s2, p2, 4) // a copy
		if err := ms.MoveStoryPost(ctx, p3, s2, 0.8, store.EvidenceText); err != nil {
			t.Fatal(err)
		}
		if l := mustLink(t, st, p3); l.StoryID != s2 || l.Score != 0.8 {
			t.Errorf("moved report: story %d score %v, want %d 0.8", l.StoryID, l.Score, s2)
		}
		a, _ := st.Story(ctx, s1)
		b, _ := st.Story(ctx, s2)
		if a.Posts != 1 || !a.LastPublished.Equal(t0.Add(time.Hour)) {
			t.Errorf("story left: %d posts, last %s; want 1, %s", a.Posts, a.LastPublished, t0.Add(time.Hour))
		}
		if b.Posts != 3 || !b.FirstPublished.Equal(t0.Add(2*time.Hour)) || !b.LastPublished.Equal(t0.Add(4*time.Hour)) {
			t.Errorf("story joined: %d posts, %s–%s", b.Posts, b.FirstPublished, b.LastPublished)
		}
		if err := ms.MoveStoryPost(ctx, p4, s1, 0.8, store.EvidenceText); err == nil {
			t.Errorf("a copy was moved away from its original")
		}
		if err := ms.MoveStoryPost(ctx, p2, s1, 0.8, store.EvidenceText); err == nil {
			t.Errorf("an original was moved away from its copy")
		}
	})
}
