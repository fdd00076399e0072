package story

import (
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// Labeled is a post with the story it belongs to, for fitting the scorer.
type Labeled struct {
	Post  *model.Post
	Story string
}

// PairExamples are the scorer's training pairs of labelled posts, in the
// order given (publication order): each post is looked up in an index of
// the posts before it, every one placed in its true story, and each
// candidate story the lookup finds gives one example, its features and
// whether it is the post's story. The index holds true stories, never the
// scorer's own mistakes, so the examples do not depend on a model.
func PairExamples(posts []Labeled, cfg Config) []Example {
	cfg = cfg.withDefaults()
	x := newIndex(cfg)
	x.allFeatures = true
	ids := map[string]int64{}
	var out []Example
	for i, lp := range posts {
		f := cfg.featuresOf(lp.Post)
		x.sign(&f)
		at := lp.Post.Published
		if at.IsZero() {
			at = time.Unix(0, 0)
		}
		var m match
		body := x.findCopies(&f, at, &m)
		q := x.query(&f)
		id, ok := ids[lp.Story]
		if !ok {
			id = int64(len(ids) + 1)
			ids[lp.Story] = id
		}
		for _, c := range x.shortlist(q, x.candidates(&f, q, at, body), body) {
			out = append(out, Example{X: x.pairFeatures(&f, q, x.stories[c], at, body[c]), Same: c == id})
		}
		x.add(int64(i+1), id, 0, at, f)
	}
	return out
}
