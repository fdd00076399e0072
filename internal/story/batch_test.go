package story_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/story"
	"github.com/kabarnews/kabar/internal/story/storytest"
)

// batchCorpus is the corpus with copies of its wire stories, as posts of
// sites of their own, in publication order.
func batchCorpus() []model.Post {
	var out []model.Post
	for i, a := range storytest.Corpus() {
		arts := []storytest.Article{a}
		if a.Kind == "wire" {
			for _, v := range storytest.Variants(a, 2, uint64(i)) {
				arts = append(arts, v.Article)
			}
		}
		for j, v := range arts {
			out = append(out, model.Post{Title: v.Title, SourceURL: fmt.Sprintf("https://site%d.example/%s-%d", j, a.Name, j),
				Publisher: fmt.Sprintf("site%d", j), Published: v.Published().Add(time.Duration(j) * time.Minute),
				Language: v.Lang, Paragraphs: v.Paragraphs, ContentHash: strings.ToLower(strings.Join(v.Paragraphs, "\n"))})
		}
	}
	return out
}

// grouping names each post's story by the first post in it, and its
// original by position: two stores that decided alike give equal strings.
func grouping(t *testing.T, st store.Store, posts []*model.Post) string {
	t.Helper()
	pos := map[int64]int{}
	for i, p := range posts {
		pos[p.ID] = i
	}
	first := map[int64]int{}
	var b strings.Builder
	for i, p := range posts {
		l := mustLink(t, st, p.ID)
		if _, ok := first[l.StoryID]; !ok {
			first[l.StoryID] = i
		}
		copyOf := -1
		if l.CopyOf != 0 {
			copyOf = pos[l.CopyOf]
		}
		fmt.Fprintf(&b, "%d:%d/%d ", i, first[l.StoryID], copyOf)
	}
	return b.String()
}

// AssignBatch decides as Assign does post after post, on both stores; a
// batch the store refuses is assigned post by post, and only the post at
// fault is left waiting.
func TestAssignBatchAsOneByOne(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		if _, ok := st.(store.StoryBatcher); !ok {
			t.Fatalf("%T cannot batch story writes", st)
		}
		corpus := batchCorpus()
		// Two runs on one store: the first post by post, the second (the
		// same texts under other addresses, a week later) in batches.
		var runs [2][]*model.Post
		for r := range runs {
			for _, p := range corpus {
				p.SourceURL += fmt.Sprintf("?run=%d", r)
				p.ContentHash += fmt.Sprintf("\nrun %d", r)
				p.Published = p.Published.Add(time.Duration(r) * 7 * 24 * time.Hour)
				p.Paragraphs = append(append([]string(nil), p.Paragraphs...), fmt.Sprintf("Run %d.", r))
				if _, err := st.SavePost(ctx, &p); err != nil {
					t.Fatal(err)
				}
				runs[r] = append(runs[r], &p)
			}
		}
		a := story.NewAssigner(st, story.Config{})
		for _, p := range runs[0] {
			if _, _, err := a.Assign(ctx, p, nil); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < len(runs[1]); i += 7 {
			batch := runs[1][i:min(i+7, len(runs[1]))]
			if n := a.AssignBatch(ctx, batch, func(p *model.Post, err error) { t.Errorf("post %d: %v", p.ID, err) }); n != len(batch) {
				t.Fatalf("AssignBatch assigned %d of %d", n, len(batch))
			}
		}
		one, batched := grouping(t, st, runs[0]), grouping(t, st, runs[1])
		if one != batched {
			t.Errorf("post by post: %s\nin batches:  %s", one, batched)
		}
		if !strings.Contains(one, "/0 ") && !strings.Contains(one, "/1 ") {
			t.Errorf("no copy found, so the comparison proved little: %s", one)
		}

		// A post the store does not know fails the batch; the others are
		// then assigned one by one.
		var fresh []*model.Post
		for i := range 3 {
			p := &model.Post{Title: fmt.Sprintf("Ferry schedule %d changes", i), SourceURL: fmt.Sprintf("https://late.example/%d", i),
				Published: storytest.Day.Add(30 * 24 * time.Hour), Paragraphs: []string{"Ferries run later this week."}}
			if _, err := st.SavePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			fresh = append(fresh, p)
		}
		ghost := &model.Post{ID: fresh[2].ID + 1000, Title: "Ghost", SourceURL: "https://late.example/ghost", Published: fresh[0].Published}
		var failed []int64
		n := a.AssignBatch(ctx, []*model.Post{fresh[0], ghost, fresh[1], fresh[2]}, func(p *model.Post, err error) {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("post %d: %v, want ErrNotFound", p.ID, err)
			}
			failed = append(failed, p.ID)
		})
		if n != 3 || len(failed) != 1 || failed[0] != ghost.ID {
			t.Fatalf("assigned %d, failed %v; want 3 and the ghost", n, failed)
		}
		for _, p := range fresh {
			mustLink(t, st, p.ID)
		}
	})
}
