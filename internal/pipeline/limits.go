package pipeline

import "github.com/kabarnews/kabar/internal/model"

// limited bounds a new post as the stores would (model.Post.Limit: text up
// to model.MaxArticleBytes, marked Truncated when cut) before anything else
// reads it, so that story matching works on the text that is kept. Its
// content hash was made from the whole article: the same long article under
// another URL is still recognised, and two articles that differ only past
// the cap are not taken for one.
func limited(p *model.Post) *model.Post {
	p.Limit()
	return p
}
