package sqlshared

import (
	"slices"

	"github.com/kabarnews/kabar/internal/store"
)

// StoryLinkCols are the columns ScanStoryLink reads, in its order.
const StoryLinkCols = `id, post_id, story_id, COALESCE(copy_of, 0), score, evidence`

// ScanStoryLink reads the StoryLinkCols of a row.
func ScanStoryLink(r Scanner) (*store.StoryLink, error) {
	var l store.StoryLink
	err := r.Scan(&l.Seq, &l.PostID, &l.StoryID, &l.CopyOf, &l.Score, &l.Evidence)
	return &l, err
}

// SortedKeys is keys without repeats or empty ones, sorted: two writers
// inserting overlapping keys take them (and their index locks) in the
// same order and cannot deadlock.
func SortedKeys(keys []string) []string {
	out := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// ScanFrontPost reads a home page row: a post's PostCols (of posts p),
// then its story's ID and posts (0 and 0 without a story).
func ScanFrontPost(r Scanner) (*store.FrontPost, error) {
	var f store.FrontPost
	var posts int64
	p, err := ScanPost(WithExtra{Scanner: r, Extra: []any{&f.StoryID, &posts}})
	if err != nil {
		return nil, err
	}
	f.Post, f.StoryPosts = *p, int(posts)
	return &f, nil
}
