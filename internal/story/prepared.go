package story

import (
	"context"
	"errors"

	"github.com/kabarnews/kabar/internal/model"
)

// Prepared is what assigning a post to its story needs of the post alone:
// its evidence keys, its features (words, names, paragraphs, exact-text
// hash) and its MinHash signature over every paragraph. Assign works
// these out on the goroutine that assigns, one post after another; a bulk
// import works them out in its parallel workers instead (Prepare), while
// the post is extracted, and hands them to AssignPrepared once the post is
// stored, so that the assigning goroutine does only what depends on the
// index.
type Prepared struct {
	// Post is the post to assign: set it to the stored post (with its ID)
	// before AssignPrepared. Its text must be the one Prepare was given.
	Post *model.Post

	own, evidence, keys []string
	f                   features
}

// Prepare works out what assigning post needs of the post alone (see
// Prepared). Safe to call from any number of goroutines at once, also
// while the Assigner assigns: it reads only the configuration.
func (a *Assigner) Prepare(post *model.Post) *Prepared {
	own, evidence := postKeys(post, nil)
	p := &Prepared{Post: post, own: own, evidence: evidence,
		keys: append(append([]string(nil), own...), evidence...), f: a.cfg.featuresOf(post)}
	// The signature as it is when no paragraph is boilerplate, which is
	// the common case; index.sign makes it again when one is.
	p.f.sign(a.cfg.MinCopyShingles, nil)
	p.f.presigned = true
	return p
}

// keepsPresigned reports whether f's signature, made by Prepare of every
// paragraph, is the one the index would make: none of its paragraphs is
// boilerplate. When not, f is marked for signing again.
func (x *index) keepsPresigned(f *features) bool {
	if !f.presigned {
		return false
	}
	for _, p := range f.paras {
		if x.boilerplate(p.hash) {
			f.presigned = false
			return false
		}
	}
	return true
}

// AssignPrepared is Assign (with no item) of a post whose post-only work
// Prepare did.
func (a *Assigner) AssignPrepared(ctx context.Context, p *Prepared) (storyID, copyOf int64, err error) {
	if p == nil || p.Post == nil || p.Post.ID == 0 {
		return 0, 0, errors.New("story: assign a saved post (it has no ID)")
	}
	// assignLocked may sign f again (boilerplate): a copy leaves p as
	// Prepare made it for a run of the batch that starts afresh.
	f := p.f
	a.mu.Lock()
	later, storyID, copyOf, err := a.assignLocked(ctx, p.Post, p.keys, p.own, p.evidence, f)
	a.mu.Unlock()
	if later == nil || err != nil {
		return storyID, copyOf, err
	}
	return later()
}

// AssignBatchPrepared is AssignBatch of prepared posts (Prepare): the
// same decisions, in the same order, in one transaction when the store
// can, one post at a time when that transaction fails.
func (a *Assigner) AssignBatchPrepared(ctx context.Context, posts []*Prepared, failed func(*model.Post, error)) (assigned int) {
	return assignBatch(ctx, a, posts, func(ctx context.Context, p *Prepared) error {
		_, _, err := a.AssignPrepared(ctx, p)
		return err
	}, func(p *Prepared) *model.Post { return p.Post }, failed)
}
