package storetest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// The bounds that keep one request's work proportional to what the site
// chose to store, whatever a feed or a reader sends.
func init() {
	register("Limits/LongArticleIsKeptUpToTheCapAndMarked", testLongArticle)
	register("Limits/UpdatePostTextIsBounded", testLongUpdate)
	register("Limits/SearchOverPostsAtTheCap", testSearchAtCap)
	register("Limits/HostileSearchText", testHostileSearch)
	register("Limits/UnstorableNamesFindNothing", testUnstorableNames)
	register("Limits/SearchHonoursCancellation", testSearchCancelled)
}

// distinctWords makes paragraphs of about size bytes of text in which
// nearly every word is new: the worst case for a search index, and past
// PostgreSQL's 1 MiB of distinct words per tsvector when size is.
func distinctWords(prefix string, size int) []string {
	var paras []string
	var b strings.Builder
	for i := 0; size > 0; i++ {
		w := prefix + strconv.FormatInt(int64(i), 36) + " "
		b.WriteString(w)
		size -= len(w)
		if b.Len() >= 2000 || size <= 0 {
			paras = append(paras, strings.TrimSpace(b.String()))
			b.Reset()
		}
	}
	return paras
}

func bigPost(t *testing.T, s store.Store, feedID int64, title string, paras []string) *model.Post {
	t.Helper()
	it := mustItem(t, s, feedID, title)
	p := post(it, "https://publisher.example/"+model.Slugify(title), "")
	p.Paragraphs = paras
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatalf("SavePost(%s): %v", title, err)
	}
	return p
}

// Finding 3: a post of more than 1 MB of text failed for good on
// PostgreSQL and was stored whole by SQLite. Both now keep it up to
// model.MaxArticleBytes, at a paragraph boundary, and mark it.
func testLongArticle(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	paras := append([]string{"Opening alpha paragraph."}, distinctWords("w", 1200<<10)...)
	paras = append(paras, "Closing omega paragraph.")
	p := bigPost(t, s, f.ID, "Long read", slices.Clone(paras))
	if !p.Truncated {
		t.Fatal("SavePost did not mark the post truncated")
	}
	got, err := s.Post(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(got.Paragraphs, "\n")
	if !got.Truncated || len(text) > model.MaxArticleBytes || len(text) < model.MaxArticleBytes-2100 {
		t.Fatalf("stored: truncated %v, %d bytes of text", got.Truncated, len(text))
	}
	if !slices.Equal(got.Paragraphs, paras[:len(got.Paragraphs)]) {
		t.Fatal("the kept text is not the article's first paragraphs")
	}
	// The kept text is searchable to its end; the dropped text is gone.
	last := strings.Fields(got.Paragraphs[len(got.Paragraphs)-1])
	for q, want := range map[string]int{"alpha": 1, last[len(last)-1]: 1, "omega": 0} {
		if _, n, err := s.Search(ctx, store.SearchQuery{Text: q}); err != nil || n != want {
			t.Errorf("Search(%q) = %d, %v; want %d", q, n, err, want)
		}
	}
	// A post within the cap is not marked, and listings carry the mark.
	small := sitePost(t, s, f.ID, "Short read", "X", "en", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "Brief.")
	list, err := s.Posts(ctx, store.PostQuery{})
	if err != nil || len(list) != 2 {
		t.Fatalf("Posts = %d, %v", len(list), err)
	}
	for _, l := range list {
		if l.Truncated != (l.ID == p.ID) {
			t.Errorf("post %d listed with truncated %v", l.ID, l.Truncated)
		}
	}
	if got, _ := s.Post(ctx, small.ID); got.Truncated {
		t.Error("a short post is marked truncated")
	}
}

func testLongUpdate(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	p := sitePost(t, s, f.ID, "Changing", "X", "en", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "Short at first.")
	p.Paragraphs, p.ContentHash = distinctWords("u", 1100<<10), "long-hash"
	if err := s.UpdatePostText(ctx, p); err != nil {
		t.Fatalf("UpdatePostText(long): %v", err)
	}
	got, _ := s.Post(ctx, p.ID)
	if !got.Truncated || len(strings.Join(got.Paragraphs, "\n")) > model.MaxArticleBytes {
		t.Fatalf("after a long text: truncated %v", got.Truncated)
	}
	// Extracted again, shorter: the mark follows the new text.
	got.Paragraphs, got.ContentHash, got.Truncated = []string{"Short again."}, "short-hash", false
	if err := s.UpdatePostText(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Post(ctx, p.ID); again.Truncated || len(again.Paragraphs) != 1 {
		t.Fatalf("after a short text: %+v", again.Truncated)
	}
}

// Finding 1: with posts of megabytes, one search ran for minutes. Posts at
// the cap, a word in every paragraph: the search answers, the snippet is
// short and marks its words, and the title is highlighted.
func testSearchAtCap(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	para := strings.Repeat("alpha beta gamma delta epsilon zeta eta theta ", 40)
	var paras []string
	for size := 0; size+len(para) < model.MaxArticleBytes; size += len(para) + 1 {
		paras = append(paras, para)
	}
	for i := 0; i < 3; i++ {
		bigPost(t, s, f.ID, "Alpha at the cap "+strconv.Itoa(i), slices.Clone(paras))
	}
	hits, total, err := s.Search(ctx, store.SearchQuery{Text: "alpha theta", Limit: 10})
	if err != nil || total != 3 || len(hits) != 3 {
		t.Fatalf("Search = %d hits of %d, %v", len(hits), total, err)
	}
	for _, h := range hits {
		if len(h.Snippet) > 2000 || !strings.Contains(h.Snippet, store.MarkStart+"alpha"+store.MarkEnd) ||
			!strings.Contains(h.Snippet, store.MarkStart+"theta"+store.MarkEnd) || !strings.HasSuffix(h.Snippet, "…") {
			t.Errorf("snippet of %d bytes: %.200q", len(h.Snippet), h.Snippet)
		}
		if !strings.Contains(h.Title, store.MarkStart+"Alpha"+store.MarkEnd+" at the cap") {
			t.Errorf("title %q", h.Title)
		}
		if len(h.Post.Paragraphs) != len(paras) {
			t.Errorf("hit carries %d paragraphs of %d", len(h.Post.Paragraphs), len(paras))
		}
	}
}

// Finding 3: dozens of dashes, NUL and invalid UTF-8 were PostgreSQL errors;
// a query of any length cost in proportion. Every such text answers without
// an error, and what is cut off is dropped, not refused.
func testHostileSearch(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var words []string
	for i := 0; i < store.MaxSearchTerms; i++ {
		words = append(words, "word"+strconv.Itoa(i))
	}
	target := sitePost(t, s, f.ID, "Target", "X", "en", at, "alpha e-mail 3.5 "+strings.Join(words, " "))
	find := func(q string) int {
		t.Helper()
		hits, n, err := s.Search(ctx, store.SearchQuery{Text: q, Limit: 10})
		if err != nil {
			t.Errorf("Search(%.60q): %v", q, err)
		}
		if len(hits) > n || (n > 0 && hits[0].Post.ID != target.ID) {
			t.Errorf("Search(%.60q): %d hits of %d", q, len(hits), n)
		}
		return n
	}
	for _, q := range []string{
		strings.Repeat("-", 40) + " alpha",
		"alpha " + strings.Repeat("- ", 60),
		strings.Repeat("-", 35) + "alpha",
		"alpha\x00 \x00alpha", "alpha \xff\xfe", "alpha \x02\x03",
		"alpha OR nothing", // OR makes either word do (internal/search)
		`alpha !(nothing) & | <-> :*`,
	} {
		want := 1
		if strings.Contains(q, "nothing") && !strings.Contains(q, " OR ") {
			want = 0
		}
		if n := find(q); n != want {
			t.Errorf("Search(%.60q) found %d, want %d", q, n, want)
		}
	}
	// Words with punctuation are found as each backend indexed them.
	for _, q := range []string{"e-mail", `"e-mail 3.5"`} {
		if n := find(q); n != 1 {
			t.Errorf("Search(%q) found %d", q, n)
		}
	}
	// Past MaxSearchTerms words, the rest is dropped: a word that is in no
	// post no longer empties the result.
	if n := find(strings.Join(words, " ") + " absentword"); n != 1 {
		t.Errorf("the words past the bound were searched too: found %d", n)
	}
	if n := find(strings.Join(words[:3], " ") + " absentword"); n != 0 {
		t.Errorf("a word within the bound was dropped: found %d", n)
	}
	// Past MaxSearchRunes, the text is cut.
	if n := find("alpha " + strings.Repeat("x", 300) + " absentword"); n != 0 {
		t.Errorf("a long word was kept whole: found %d", n)
	}
	for _, q := range []string{strings.Repeat("alpha ", 10000), strings.Repeat(`"`, 5000), strings.Repeat("\x00", 1000),
		strings.Repeat("é", 100000), "\u0301 alpha", "alpha \u0301\u0301"} {
		find(q)
	}
}

// Finding 3: a label or publisher holding NUL or invalid UTF-8 was a
// PostgreSQL error on every listing that names one. No stored name holds
// either, so such a name lists nothing.
func testUnstorableNames(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	sitePost(t, s, f.ID, "Post", "Sky News", "en", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "Text.")
	for _, name := range []string{"Sky\x00News", "Sky News\x00", "\xff", "Sky \xc3News", strings.Repeat("\x00", 100)} {
		for _, q := range []store.ListQuery{{Label: name}, {Publisher: name}, {Label: name, Limit: 5, Offset: 1}} {
			if list, err := s.ListPosts(ctx, q); err != nil || len(list) != 0 {
				t.Errorf("ListPosts(%+q) = %d, %v", name, len(list), err)
			}
			if n, err := s.CountListPosts(ctx, q); err != nil || n != 0 {
				t.Errorf("CountListPosts(%+q) = %d, %v", name, n, err)
			}
		}
		if ls, err := s.Labels(ctx, name, 0); err != nil || len(ls) != 0 {
			t.Errorf("Labels(%+q) = %v, %v", name, ls, err)
		}
		if cs, err := s.ListComments(ctx, store.CommentQuery{Status: name}); err != nil || len(cs) != 0 {
			t.Errorf("ListComments(%+q) = %v, %v", name, cs, err)
		}
		if n, err := s.CountComments(ctx, store.CommentQuery{Status: name}); err != nil || n != 0 {
			t.Errorf("CountComments(%+q) = %d, %v", name, n, err)
		}
		if _, err := s.PostByPath(ctx, 2024, 5, name); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PostByPath(%+q): %v", name, err)
		}
		if _, err := s.UserByName(ctx, name); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserByName(%+q): %v", name, err)
		}
	}
	if n, err := s.CountListPosts(ctx, store.ListQuery{Publisher: "Sky News"}); err != nil || n != 1 {
		t.Fatalf("the valid name: %d, %v", n, err)
	}
}

// A search whose reader has gone stops: the request's context reaches the
// database. Cancelled before it starts, it does no work and says why.
func testSearchCancelled(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	sitePost(t, s, f.ID, "Alpha", "X", "en", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "alpha text")
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.Search(c, store.SearchQuery{Text: "alpha"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Search with a cancelled context: %v", err)
	}
	if _, n, err := s.Search(ctx, store.SearchQuery{Text: "alpha"}); err != nil || n != 1 {
		t.Fatalf("the store is unusable after a cancelled search: %d, %v", n, err)
	}
}
