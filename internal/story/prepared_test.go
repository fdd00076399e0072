package story_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/story"
)

// Posts prepared in parallel (Prepare) and assigned in batches
// (AssignBatchPrepared) end in the stories Assign puts them in one after
// another, on both stores; a paragraph every site carries (boilerplate,
// left out of signatures once the index knows it as such) is in every
// post, so both the signature Prepare made and one made again are used.
func TestAssignBatchPreparedAsOneByOne(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		corpus := batchCorpus()
		const plea = "Subscribe to our newsletter to get the day's most important stories in your inbox every morning, free of charge."
		var runs [2][]*model.Post
		for r := range runs {
			for _, p := range corpus {
				p.SourceURL += fmt.Sprintf("?run=%d", r)
				p.ContentHash += fmt.Sprintf("\nrun %d", r)
				p.Published = p.Published.Add(time.Duration(r) * 7 * 24 * time.Hour)
				p.Paragraphs = append(append([]string(nil), p.Paragraphs...), fmt.Sprintf("Run %d.", r), plea)
				runs[r] = append(runs[r], &p)
			}
		}
		a := story.NewAssigner(st, story.Config{})
		for _, p := range runs[0] {
			if _, err := st.SavePost(ctx, p); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.Assign(ctx, p, nil); err != nil {
				t.Fatal(err)
			}
		}
		// Prepared before they are stored, by several goroutines at once,
		// while the assigner works (the race detector watches).
		preps := make([]*story.Prepared, len(runs[1]))
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(preps); i += 4 {
					preps[i] = a.Prepare(runs[1][i])
				}
			}()
		}
		wg.Wait()
		for i, p := range runs[1] {
			stored := *p
			if _, err := st.SavePost(ctx, &stored); err != nil {
				t.Fatal(err)
			}
			preps[i].Post = &stored
			runs[1][i] = &stored
		}
		for i := 0; i < len(preps); i += 7 {
			batch := preps[i:min(i+7, len(preps))]
			if n := a.AssignBatchPrepared(ctx, batch, func(p *model.Post, err error) { t.Errorf("post %d: %v", p.ID, err) }); n != len(batch) {
				t.Fatalf("AssignBatchPrepared assigned %d of %d", n, len(batch))
			}
		}
		one, prepared := grouping(t, st, runs[0]), grouping(t, st, runs[1])
		if one != prepared {
			t.Errorf("post by post: %s\nprepared:    %s", one, prepared)
		}
		// A post not stored is refused, not assigned.
		if _, _, err := a.AssignPrepared(ctx, a.Prepare(&model.Post{Title: "Not stored", SourceURL: "https://x.example/a"})); err == nil {
			t.Error("a post without ID was assigned")
		}
	})
}
