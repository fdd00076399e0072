package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// fakeWeb stands in for the internet: a table of URL → answer. It records
// every request so tests can check what was (not) fetched.
type fakeWeb struct {
	mu    sync.Mutex
	pages map[string]*fetch.Response
	errs  map[string]error
	// errsLeft, when it has the URL, is how many more requests get its
	// error; the host answers after that.
	errsLeft map[string]int
	seen     []fetch.Request
	// delay is how long every answer takes.
	delay time.Duration
}

func newFakeWeb() *fakeWeb {
	return &fakeWeb{pages: map[string]*fetch.Response{}, errs: map[string]error{}, errsLeft: map[string]int{}}
}

func (w *fakeWeb) page(url, contentType string, body []byte) {
	w.pages[url] = &fetch.Response{URL: url, StatusCode: 200, Header: http.Header{"Content-Type": {contentType}},
		Body: body, ContentType: strings.SplitN(contentType, ";", 2)[0]}
}

func (w *fakeWeb) Do(_ context.Context, r fetch.Request) (*fetch.Response, error) {
	w.mu.Lock()
	delay := w.delay
	w.mu.Unlock()
	time.Sleep(delay)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, r)
	if err, ok := w.errs[r.URL]; ok {
		if n, ok := w.errsLeft[r.URL]; ok {
			if n <= 1 {
				delete(w.errs, r.URL)
				delete(w.errsLeft, r.URL)
			} else {
				w.errsLeft[r.URL] = n - 1
			}
		}
		return nil, err
	}
	if p, ok := w.pages[r.URL]; ok {
		if r.ETag != "" && p.Header.Get("ETag") == r.ETag {
			return &fetch.Response{URL: r.URL, StatusCode: 304, Header: p.Header, NotModified: true}, nil
		}
		return p, nil
	}
	return nil, &fetch.StatusError{URL: r.URL, StatusCode: 404}
}

func (w *fakeWeb) fetched(url string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, r := range w.seen {
		if r.URL == url {
			n++
		}
	}
	return n
}

func newTestPipeline(t *testing.T) (*Pipeline, *sqlite.Store, *fakeWeb) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	web := newFakeWeb()
	p := New(st, web, nil)
	p.Now = func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }
	return p, st, web
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A Google News link whose ID holds https://coast.example/news/bridge (field
// 4) and https://coast.example/amp/bridge (field 26).
const (
	gnLink   = "https://news.google.com/rss/articles/CBMiIWh0dHBzOi8vY29hc3QuZXhhbXBsZS9uZXdzL2JyaWRnZdIBIGh0dHBzOi8vY29hc3QuZXhhbXBsZS9hbXAvYnJpZGdl?oc=5"
	gnID     = "CBMiIWh0dHBzOi8vY29hc3QuZXhhbXBsZS9uZXdzL2JyaWRnZdIBIGh0dHBzOi8vY29hc3QuZXhhbXBsZS9hbXAvYnJpZGdl"
	pageURL  = "https://coast.example/news/bridge"
	ampURL   = "https://coast.example/amp/bridge"
	feedURL  = "https://news.google.com/rss/search?q=bridge&hl=en-US&gl=US&ceid=US:en"
	newIDRSS = "https://news.google.com/rss/articles/CBMiWkFVX3lxTE1LVFlqSHdNbnl0WVcxQVFwMWRTcDZzQzB4c3lZRXRvX1c0QnNiT0xQSVlQTlc0TXRHUnp1MzZGN2RfclJ0dWpkNE9OSGtPekp1b1FaWFlZZWp0QQ?oc=5"
)

func gnFeed(links ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>"bridge" - Google News</title>`)
	for i, l := range links {
		fmt.Fprintf(&b, `<item><title>Harbour bridge reopens after repairs - Coast Courier</title><link>%s</link><guid isPermaLink="false">guid-%d</guid><pubDate>Mon, 02 Nov 2026 07:30:00 GMT</pubDate><source url="https://coast.example">Coast Courier</source></item>`, l, i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func addFeed(t *testing.T, st *sqlite.Store, url string) *model.Feed {
	t.Helper()
	f := &model.Feed{URL: url}
	if err := st.AddFeed(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPollThenProcessGoogleNewsItem(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	web.pages[feedURL].Header.Set("ETag", `"v1"`)
	web.page(pageURL, "text/html; charset=utf-8", readFile(t, "article.html"))
	f := addFeed(t, st, feedURL)

	items, err := p.PollFeed(ctx, f.ID)
	if err != nil || len(items) != 1 {
		t.Fatalf("PollFeed: %d items, %v", len(items), err)
	}
	it := items[0]
	if it.Title != "Harbour bridge reopens after repairs" || it.Publisher != "Coast Courier" || it.ArticleID != gnID {
		t.Fatalf("item = %+v", it)
	}
	created, err := p.ProcessItem(ctx, it.ID)
	if err != nil || !created {
		t.Fatalf("ProcessItem: created=%v err=%v", created, err)
	}
	posts, _ := st.Posts(ctx, storeQueryAll)
	if len(posts) != 1 {
		t.Fatalf("posts = %d", len(posts))
	}
	post := posts[0]
	if post.SourceURL != pageURL || post.AMPURL != ampURL || post.ItemLink != gnLink || post.ArticleID != gnID ||
		post.Publisher != "Coast Courier" || post.Title != "Harbour bridge reopens after repairs" ||
		!post.Published.Equal(time.Date(2026, 11, 2, 7, 30, 0, 0, time.UTC)) || post.Language != "en" ||
		post.Image != "https://coast.example/img/bridge.jpg" {
		t.Fatalf("post = %+v", post)
	}
	if len(post.Paragraphs) != 3 || !strings.HasPrefix(post.Paragraphs[0], "The harbour bridge reopened") {
		t.Fatalf("paragraphs = %q", post.Paragraphs)
	}
	if web.fetched(ampURL) != 0 {
		t.Error("AMP page fetched although the canonical page worked")
	}
	// The feed's validators are kept and sent back: an unchanged feed is a 304.
	got, _ := st.Feed(ctx, f.ID)
	if got.ETag != `"v1"` || got.Title != `"bridge" - Google News` {
		t.Fatalf("feed after poll = %+v", got)
	}
	if _, err := p.PollFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if last := web.seen[len(web.seen)-1]; last.URL != feedURL || last.ETag != `"v1"` {
		t.Fatalf("second poll was not conditional: %+v", last)
	}
	if p.Counter.ItemsSeen.Load() != 1 || p.Counter.PostsNew.Load() != 1 || p.Counter.FeedsPolled.Load() != 2 {
		t.Fatalf("counters: seen %d new %d polled %d", p.Counter.ItemsSeen.Load(), p.Counter.PostsNew.Load(), p.Counter.FeedsPolled.Load())
	}
}

func TestAMPFallbackWhenCanonicalPageFails(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	web.errs[pageURL] = &fetch.StatusError{URL: pageURL, StatusCode: 403}
	web.page(ampURL, "text/html", readFile(t, "article.html"))
	f := addFeed(t, st, feedURL)
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if created, err := p.ProcessItem(ctx, items[0].ID); err != nil || !created {
		t.Fatalf("ProcessItem: %v %v", created, err)
	}
	posts, _ := st.Posts(ctx, storeQueryAll)
	if len(posts) != 1 || posts[0].SourceURL != pageURL {
		t.Fatalf("post = %+v", posts)
	}
}

// The fetch client's errors name their URL; the item's error must not name
// it a second time ("fetch URL: fetch URL: HTTP status 404").
func TestItemErrorNamesItsURLOnce(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	f := addFeed(t, st, feedURL)
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil || len(items) != 1 {
		t.Fatalf("PollFeed: %v %v", items, err)
	}
	// No page at pageURL: the web answers 404 as the fetch client does.
	_, err = p.ProcessItem(ctx, items[0].ID)
	if err == nil || !strings.Contains(err.Error(), "HTTP status 404") {
		t.Fatalf("404 page: %v", err)
	}
	got, _ := st.Item(ctx, items[0].ID)
	if got.Status != model.ItemFailed || strings.Count(got.Error, pageURL) != 1 {
		t.Errorf("item error names the page %d times: %+v", strings.Count(got.Error, pageURL), got)
	}
	if strings.Count(got.Error, ampURL) > 1 {
		t.Errorf("item error names the AMP page %d times: %q", strings.Count(got.Error, ampURL), got.Error)
	}
}

func TestFailuresAreRecordedAndClassified(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink, newIDRSS))
	web.errs[pageURL] = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	f := addFeed(t, st, feedURL)
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("PollFeed: %v %v", items, err)
	}
	// A network error is worth retrying; the AMP page was tried too.
	_, err = p.ProcessItem(ctx, items[0].ID)
	var perm *PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("network error: %v (permanent: %v)", err, errors.As(err, &perm))
	}
	if web.fetched(ampURL) != 1 {
		t.Error("AMP fallback not tried")
	}
	// An error that names no URL gets the page's, once.
	if n := strings.Count(err.Error(), pageURL); n != 1 {
		t.Errorf("network error names the page %d times: %v", n, err)
	}
	// A 2024+ ID cannot be resolved with online resolution off: permanent,
	// and nothing is fetched.
	_, err = p.ProcessItem(ctx, items[1].ID)
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "online resolution") {
		t.Fatalf("new-form ID: %v", err)
	}
	for _, it := range items {
		got, _ := st.Item(ctx, it.ID)
		if got.Status != model.ItemFailed || got.Error == "" || got.Attempts != 1 {
			t.Fatalf("failure not recorded: %+v", got)
		}
	}
	// Once the page is back, the same item goes through.
	delete(web.errs, pageURL)
	web.page(pageURL, "text/html", readFile(t, "article.html"))
	if created, err := p.ProcessItem(ctx, items[0].ID); err != nil || !created {
		t.Fatalf("retry: %v %v", created, err)
	}
	if p.Counter.ItemFailures.Load() != 2 {
		t.Fatalf("item failures = %d", p.Counter.ItemFailures.Load())
	}
}

func TestBrokenFeedIsRecordedOnTheFeed(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "text/html", []byte("<html><body>Not a feed</body></html>"))
	f := addFeed(t, st, feedURL)
	if _, err := p.PollFeed(ctx, f.ID); err == nil {
		t.Fatal("HTML accepted as a feed")
	}
	got, _ := st.Feed(ctx, f.ID)
	if got.ErrorCount != 1 || !strings.Contains(got.LastError, "parse feed") || got.NextPollAt.IsZero() {
		t.Fatalf("feed = %+v", got)
	}
}

func TestContentHashIgnoresSpacingAndCase(t *testing.T) {
	a := contentHash([]string{"One  paragraph.", "Two"})
	b := contentHash([]string{"one paragraph.", " two "})
	c := contentHash([]string{"One paragraph. Two"})
	if a != b || a == c || contentHash(nil) != "" {
		t.Fatalf("hashes: %s %s %s", a, b, c)
	}
}

// A post extracted again from its page takes the page's text of now.
func TestReextractReplacesThePostsText(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	web.page(pageURL, "text/html", []byte(`<html><head><title>Bridge</title></head><body><article>
		<p>Before you continue reading, please accept the cookies of this site and its partners.</p>
		</article></body></html>`))
	f := addFeed(t, st, feedURL)
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ProcessItem(ctx, items[0].ID); err != nil {
		t.Fatal(err)
	}
	posts, _ := st.Posts(ctx, storeQueryAll)
	if len(posts) != 1 || !strings.Contains(strings.Join(posts[0].Paragraphs, " "), "cookies") {
		t.Fatalf("first extraction: %+v", posts)
	}
	before := posts[0]
	web.page(pageURL, "text/html", readFile(t, "article.html"))
	if err := p.Reextract(ctx, before.ID); err != nil {
		t.Fatal(err)
	}
	after, err := st.Post(ctx, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(after.Paragraphs, " ")
	if strings.Contains(text, "cookies") || len(after.Paragraphs) < 3 || after.ContentHash == before.ContentHash {
		t.Fatalf("text not replaced: %q", text)
	}
	if after.Title != before.Title || after.Slug != before.Slug || after.SourceURL != before.SourceURL {
		t.Fatalf("re-extraction changed the post's identity: %+v", after)
	}
	if web.fetched(pageURL) != 2 {
		t.Fatalf("page fetched %d times, want 2", web.fetched(pageURL))
	}
	// A page gone is an error, and the post keeps its text.
	web.mu.Lock()
	web.errs[pageURL] = &fetch.StatusError{URL: pageURL, StatusCode: 404}
	web.errs[ampURL] = &fetch.StatusError{URL: ampURL, StatusCode: 404}
	web.mu.Unlock()
	if err := p.Reextract(ctx, before.ID); err == nil {
		t.Fatal("re-extraction of a gone page succeeded")
	}
	if kept, _ := st.Post(ctx, before.ID); kept.ContentHash != after.ContentHash {
		t.Fatal("a failed re-extraction changed the post")
	}
}
