package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// BenchmarkPages measures what rendering each kind of page costs kabar,
// with the page cache off: what the first reader of a page pays, and most
// of kabar's CPU under make bench-web, whose post pages and searches are
// mostly asked once (docs/benchmarks.md). The store is SQLite on a local
// file with 200 posts, so the figures are kabar's CPU, not a server's.
func BenchmarkPages(b *testing.B) {
	ctx := b.Context()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "kabar.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	f := &model.Feed{URL: "https://news.google.com/rss/search?q=flood&hl=en-GB"}
	if err := st.AddFeed(ctx, f); err != nil {
		b.Fatal(err)
	}
	words := strings.Fields("flood river bank rain city road school bridge market harbour council")
	var last *model.Post
	for i := range 200 {
		var paras []string
		for j := range 8 {
			var ws []string
			for k := range 60 {
				ws = append(ws, words[(i+j*k+k)%len(words)])
			}
			paras = append(paras, strings.Join(ws, " ")+".")
		}
		title := fmt.Sprintf("The %s and the %s, report %d", words[i%len(words)], words[(i/3)%len(words)], i)
		source := fmt.Sprintf("https://news.example.com/%d", i)
		it := &model.Item{FeedID: f.ID, GUID: source, Link: source, Title: title, Publisher: fmt.Sprintf("Paper %d", i%7),
			Published: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)}
		if _, err := st.UpsertItem(ctx, it); err != nil {
			b.Fatal(err)
		}
		last = &model.Post{FeedID: f.ID, ItemID: it.ID, Title: title, Publisher: it.Publisher, SourceURL: source,
			Language: "en", Published: it.Published, Paragraphs: paras}
		if _, err := st.SavePost(ctx, last); err != nil {
			b.Fatal(err)
		}
	}
	srv, err := New(st, Config{PageCacheBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, path string }{
		{"post", last.Path()},
		{"home", "/"},
		{"search", "/search?q=flood+bridge"},
		{"label", "/search/label/" + "Paper%203"},
		{"feed", "/feeds/posts/default"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
				if rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
					b.Fatalf("%s: status %d, %d bytes", c.path, rec.Code, rec.Body.Len())
				}
			}
		})
	}
}
