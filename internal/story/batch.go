package story

import (
	"context"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// AssignBatch puts saved posts in their stories, in order, as Assign
// would one after another (with no item: a bulk import has none). When
// the store can (store.StoryBatcher), the batch's writes share one
// transaction, so a batch costs one commit rather than one a post; if that
// transaction fails, nothing of it stays and the posts are assigned one at
// a time instead. failed receives each post that could not be assigned
// (it waits in the store for its story) with the reason; assigned counts
// the others.
func (a *Assigner) AssignBatch(ctx context.Context, posts []*model.Post, failed func(*model.Post, error)) (assigned int) {
	return assignBatch(ctx, a, posts, func(ctx context.Context, p *model.Post) error {
		_, _, err := a.Assign(ctx, p, nil)
		return err
	}, func(p *model.Post) *model.Post { return p }, failed)
}

// assignBatch is AssignBatch and AssignBatchPrepared: assign puts one
// item in its story, post names the item's post for failed.
func assignBatch[T any](ctx context.Context, a *Assigner, items []T, assign func(context.Context, T) error,
	post func(T) *model.Post, failed func(*model.Post, error)) (assigned int) {
	if b, ok := a.st.(store.StoryBatcher); ok && len(items) > 1 {
		runs := 0
		err := b.StoryBatch(ctx, func(ctx context.Context) error {
			runs++
			if runs > 1 {
				// The store undid an earlier run, whose decisions the
				// index took: it is built again from what the store kept.
				a.mu.Lock()
				a.stale()
				a.mu.Unlock()
			}
			for _, it := range items {
				if err := assign(ctx, it); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			return len(items)
		}
		a.mu.Lock()
		a.stale()
		a.mu.Unlock()
	}
	for _, it := range items {
		if err := assign(ctx, it); err != nil {
			if failed != nil {
				failed(post(it), err)
			}
			continue
		}
		assigned++
	}
	return assigned
}
