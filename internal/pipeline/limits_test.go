package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
)

// An article longer than the cap is stored up to it and marked, with the
// hash of its whole text; extracted again, shorter, it loses the mark.
func TestLongArticleIsStoredUpToTheCap(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	var page strings.Builder
	var paras []string
	page.WriteString(`<html><head><title>Bridge</title></head><body><article>`)
	for i := 0; len(paras)*600 < 2*model.MaxArticleBytes; i++ {
		para := fmt.Sprintf("Paragraph %d of the very long report on the harbour bridge. %s", i, strings.Repeat("The repairs went on. ", 25))
		paras = append(paras, strings.TrimSpace(para))
		fmt.Fprintf(&page, "<p>%s</p>\n", para)
	}
	page.WriteString(`</article></body></html>`)
	web.page(pageURL, "text/html", []byte(page.String()))
	f := addFeed(t, st, feedURL)
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ProcessItem(ctx, items[0].ID); err != nil {
		t.Fatal(err)
	}
	posts, _ := st.Posts(ctx, storeQueryAll)
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	got := posts[0]
	size := len(strings.Join(got.Paragraphs, "\n"))
	if !got.Truncated || size > model.MaxArticleBytes || size < model.MaxArticleBytes-1000 {
		t.Fatalf("stored %d bytes, truncated %v", size, got.Truncated)
	}
	if !strings.HasPrefix(got.Paragraphs[0], "Paragraph 0 of") || got.ContentHash != contentHash(paras) {
		t.Fatalf("first paragraph %.40q, hash of the whole article: %v", got.Paragraphs[0], got.ContentHash == contentHash(paras))
	}

	web.page(pageURL, "text/html", readFile(t, "article.html"))
	if err := p.Reextract(ctx, got.ID); err != nil {
		t.Fatal(err)
	}
	if after, _ := st.Post(ctx, got.ID); after.Truncated || len(after.Paragraphs) < 3 {
		t.Fatalf("after a shorter extraction: truncated %v, %d paragraphs", after.Truncated, len(after.Paragraphs))
	}
}
