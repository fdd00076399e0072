package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// TestOneArticleThroughThreeFeeds: the same article, linked from three
// feeds with tracking parameters and through its AMP twin, is one post with
// three items, and the post has a story.
func TestOneArticleThroughThreeFeeds(t *testing.T) {
	skipIfShort(t, "runs kabar end to end")
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	article := srv.URL + "/news/harbour-bridge-reopens"
	links := []string{
		article + "?utm_source=rss&utm_medium=feed",
		article + "?fbclid=IwAR0abc&gclid=xyz",
		srv.URL + "/amp/news/harbour-bridge-reopens",
	}
	for i, l := range links {
		l := l
		mux.HandleFunc(fmt.Sprintf("GET /feed%d.xml", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>
<item><title>Harbour bridge reopens after repairs</title><link>%s</link><guid>g</guid>
<pubDate>Mon, 02 Nov 2026 07:30:00 GMT</pubDate></item></channel></rss>`, strings.ReplaceAll(l, "&", "&amp;"))
		})
	}
	page := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Harbour bridge reopens</title>
<link rel="canonical" href="%s"></head><body><article><h1>Harbour bridge reopens after repairs</h1>
<p>The harbour bridge reopened to traffic on Monday morning after eleven weeks of repairs to its main deck, the city council said.</p>
<p>Engineers replaced more than four hundred steel plates and resurfaced both lanes, work that had been delayed twice by winter storms.</p>
<p>Commuters who had faced a forty-minute detour through the industrial district welcomed the news, though some said it lasted too long.</p>
</article></body></html>`, article)
	}
	mux.HandleFunc("GET /news/harbour-bridge-reopens", page)
	mux.HandleFunc("GET /amp/news/harbour-bridge-reopens", page)

	db := filepath.Join(t.TempDir(), "k.db")
	for i := range links {
		mustKabar(t, "--db", db, "feeds", "add", fmt.Sprintf("%s/feed%d.xml", srv.URL, i))
	}
	out := mustKabar(t, "--db", db, "run", "--once", "--allow-addr", "127.0.0.1/32", "--host-delay", "0s")
	if out != "feeds polled 3, items seen 3, posts new 1, failures 0\n" {
		t.Fatalf("summary = %q", out)
	}
	export := mustKabar(t, "--db", db, "export", "--format", "json")
	if strings.Count(export, "\n") != 1 || !strings.Contains(export, `"source_url":"`+article+`"`) {
		t.Fatalf("want one post at the canonical URL:\n%s", export)
	}
	list := mustKabar(t, "--db", db, "feeds", "list")
	if strings.Count(list, "1/0/0/0") != 3 {
		t.Fatalf("every item must be done and linked:\n%s", list)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	post, err := st.Post(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if link, err := st.PostStory(context.Background(), post.ID); err != nil || link.StoryID == 0 {
		t.Fatalf("post has no story: %+v %v", link, err)
	}
}
