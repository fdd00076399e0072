package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// BenchmarkPages measures what rendering each kind of page costs kabar,
// with the page cache off: what the first reader of a page pays, and most
// of kabar's CPU under make bench-web, whose post pages and searches are
// mostly asked once (docs/benchmarks.md). The store is SQLite on a local
// file with 200 posts, so the figures are kabar's CPU, not a server's.
func BenchmarkPages(b *testing.B) {
	s := newSite(b, Config{PageCacheBytes: -1})
	words := strings.Fields("flood river bank rain city road school bridge market harbour council")
	var last string
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
		last = s.addPost(title, time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour), paras...).Path()
	}
	for _, c := range []struct{ name, path string }{
		{"post", last},
		{"home", "/"},
		{"search", "/search?q=flood+bridge"},
		{"label", "/search/label/" + url.PathEscape("Sky News")},
		{"feed", "/feeds/posts/default"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
				if rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
					b.Fatalf("%s: status %d, %d bytes", c.path, rec.Code, rec.Body.Len())
				}
			}
		})
	}
}
