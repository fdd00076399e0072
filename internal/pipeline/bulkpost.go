package pipeline

import (
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/story"
)

// PostFromPage makes the post of a page read from somewhere other than a
// feed (an archive imported in bulk) exactly as the pipeline makes one:
// the same sanitizing, bounds, content hash and canonical URL. published
// is the date to use when the page gives none.
func PostFromPage(art *model.Article, pageURL string, published, now time.Time) *model.Post {
	if art.Published.IsZero() {
		a := *art
		a.Published = published
		art = &a
	}
	post := buildPost(&model.Item{}, art, pageURL, now)
	post.SourceURL = story.Canonical(pageURL, art.Canonical)
	// The address the page was read from, as an item's link is.
	post.ItemLink = pageURL
	return post
}
