package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// twoProcesses opens the same database twice, each with a site of its own:
// two serving processes, which share nothing but the database. The writer
// store is a third connection, as the workers' process would be.
func twoProcesses(t *testing.T, fn func(t *testing.T, a, b *site, writer store.Store)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var open func() (store.Store, error)
			if backend == "sqlite" {
				path := filepath.Join(t.TempDir(), "kabar.db")
				open = func() (store.Store, error) { return sqlite.Open(t.Context(), path) }
			} else {
				dsn := pgtest.Schema(t)
				open = func() (store.Store, error) { return postgres.Open(t.Context(), dsn) }
			}
			var sites [2]*site
			var writer store.Store
			for i := range 3 {
				st, err := open()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				if i == 2 {
					writer = st
					break
				}
				srv, err := New(st, Config{MinSubmit: -1, ShowImages: true})
				if err != nil {
					t.Fatal(err)
				}
				sites[i] = &site{t: t, st: st, srv: srv}
			}
			fn(t, sites[0], sites[1], writer)
		})
	}
}

// cachedGet fetches target twice and checks that the second answer came
// from the page cache and was the same page.
func (s *site) cachedGet(target string) string {
	s.t.Helper()
	first := s.mustGet(target, http.StatusOK)
	hits, _ := s.srv.PageCacheStats()
	second := s.mustGet(target, http.StatusOK)
	if h, _ := s.srv.PageCacheStats(); h != hits+1 {
		s.t.Fatalf("GET %s again: not answered from the page cache (hits %d → %d)", target, hits, h)
	}
	if stripTokens(first) != stripTokens(second) {
		s.t.Fatalf("GET %s: the cached page differs from the rendered one", target)
	}
	return second
}

// stripTokens blanks the comment form's token, the one part of a page that
// is each reader's own.
func stripTokens(body string) string {
	return csrfField.ReplaceAllString(body, `name="csrf" value=""`)
}

func TestPageCacheEveryWriteIsOnTheNextRequest(t *testing.T) {
	twoProcesses(t, func(t *testing.T, a, b *site, w store.Store) {
		ctx := context.Background()
		first := a.addPost("Harbour reopens after storm", seedTime, "The harbour reopened on Monday.")
		pages := []string{"/", first.Path(), "/search/label/Sky%20News", "/2021/11/", "/feeds/posts/default", "/archive", "/search?q=harbour"}
		warm := func() {
			t.Helper()
			for _, s := range []*site{a, b} {
				for _, p := range pages {
					s.cachedGet(p)
				}
			}
		}
		// onBoth checks the next request of both processes.
		onBoth := func(target string, check func(body string) error) {
			t.Helper()
			for i, s := range []*site{a, b} {
				body := s.mustGet(target, http.StatusOK)
				if err := check(body); err != nil {
					t.Errorf("process %d, GET %s: %v", i+1, target, err)
				}
			}
		}
		has := func(want string) func(string) error {
			return func(body string) error {
				if !strings.Contains(body, want) {
					return fmt.Errorf("lacks %q", want)
				}
				return nil
			}
		}
		hasNot := func(unwanted string) func(string) error {
			return func(body string) error {
				if strings.Contains(body, unwanted) {
					return fmt.Errorf("still shows %q", unwanted)
				}
				return nil
			}
		}

		t.Run("new post", func(t *testing.T) {
			warm()
			a.addPost("Second bridge opens", seedTime.Add(time.Hour), "Traffic moved at noon.")
			for _, p := range []string{"/", "/search/label/Sky%20News", "/2021/11/", "/feeds/posts/default"} {
				onBoth(p, has("Second bridge opens"))
			}
			// The first post's page links to the newer one.
			onBoth(first.Path(), has("Second bridge opens"))
		})
		t.Run("post edited", func(t *testing.T) {
			warm()
			edited := *first
			edited.Paragraphs = []string{"The harbour reopened on Tuesday, a day late."}
			if err := w.UpdatePostText(ctx, &edited); err != nil {
				t.Fatal(err)
			}
			onBoth(first.Path(), has("a day late"))
			// Search pages: the kept one, whose snippet quotes the text,
			// and the new text's words, found and ranked from it.
			onBoth("/search?q=harbour", has("a day late"))
			onBoth("/search?q=late", has("Harbour reopens after storm"))
		})
		var c model.Comment
		t.Run("comment approved", func(t *testing.T) {
			c = model.Comment{PostID: first.ID, Name: "Reader", Body: "Glad the ferries run again.", Status: model.CommentPending}
			if err := w.AddComment(ctx, &c); err != nil {
				t.Fatal(err)
			}
			warm()
			onBoth(first.Path(), hasNot("Glad the ferries run again."))
			if err := w.SetCommentStatus(ctx, c.ID, model.CommentApproved); err != nil {
				t.Fatal(err)
			}
			onBoth(first.Path(), has("Glad the ferries run again."))
			onBoth("/feeds/comments/default", has("Glad the ferries run again."))
		})
		t.Run("comment deleted", func(t *testing.T) {
			warm()
			if err := w.DeleteComment(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			onBoth(first.Path(), hasNot("Glad the ferries run again."))
		})
		t.Run("label added", func(t *testing.T) {
			warm()
			if err := w.SetFeedOptions(ctx, model.FeedOptions{FeedID: first.FeedID, Topic: "Coast"}); err != nil {
				t.Fatal(err)
			}
			onBoth(first.Path(), has("/search/label/Coast"))
			onBoth("/search/label/Coast", has("Harbour reopens after storm"))
		})
		t.Run("setting changed", func(t *testing.T) {
			warm()
			if err := w.SetSetting(ctx, settingTitle, "Coastal Courier"); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				onBoth(p, has("Coastal Courier"))
			}
		})
		t.Run("story changed", func(t *testing.T) {
			second := a.addPost("Harbour reopens, ferries return", seedTime.Add(2*time.Hour), "Ferries returned.")
			warm()
			one := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: first.ID}, Published: first.Published, Title: first.Title}
			if _, err := w.AssignStory(ctx, one); err != nil {
				t.Fatal(err)
			}
			two := &store.StoryAssignment{StoryLink: store.StoryLink{PostID: second.ID, StoryID: one.StoryID}, Published: second.Published}
			if _, err := w.AssignStory(ctx, two); err != nil {
				t.Fatal(err)
			}
			onBoth(first.Path(), has(storyPath(one.StoryID)))
		})
		t.Run("lead image", func(t *testing.T) {
			warm()
			a.withImage(first)
			onBoth(first.Path(), has(fmt.Sprintf("/img/%d/", first.ID)))
		})
		t.Run("blog moved in", func(t *testing.T) {
			warm()
			if err := w.AddPostLabels(ctx, first.ID, []string{"Pelabuhan"}); err != nil {
				t.Fatal(err)
			}
			onBoth(first.Path(), has("/search/label/Pelabuhan"))
			onBoth("/search/label/Pelabuhan", has("Harbour reopens after storm"))
			page := &model.Page{Slug: "tentang", Title: "Tentang kami", Paragraphs: []string{"Kami menulis dari pesisir."}, Published: seedTime}
			if _, err := w.SavePage(ctx, page); err != nil {
				t.Fatal(err)
			}
			onBoth(page.Path(), has("Kami menulis dari pesisir."))
		})
		t.Run("feed deleted", func(t *testing.T) {
			warm()
			if err := w.DeleteFeed(ctx, first.FeedID); err != nil {
				t.Fatal(err)
			}
			onBoth("/search/label/Coast", hasNot("Harbour reopens after storm"))
		})
	})
}

func TestPageCacheNeverKeepsWhatIsPersonal(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *site, clock *fakeClock) {
		p := s.addPost("Harbour reopens after storm", seedTime, "The harbour reopened.")
		s.newUser("owner", "the right password")
		owner := s.signInAt("owner", "the right password")
		for _, target := range []string{"/", p.Path(), "/feeds/posts/default"} {
			hits, misses := s.srv.PageCacheStats()
			for range 2 {
				res, _ := s.adminReq(http.MethodGet, target, owner, nil)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s signed in: %d", target, res.StatusCode)
				}
				if cc := res.Header.Get("Cache-Control"); cc != privateCacheControl {
					t.Errorf("GET %s signed in: Cache-Control %q, want %q", target, cc, privateCacheControl)
				}
			}
			if h, m := s.srv.PageCacheStats(); h != hits || m != misses {
				t.Errorf("GET %s signed in went through the page cache (hits %d → %d, misses %d → %d)", target, hits, h, misses, m)
			}
		}

		// A reader who commented before finds the form filled in with
		// their name, never another reader's page.
		s.cachedGet(p.Path())
		req := httptest.NewRequest(http.MethodGet, p.Path(), nil)
		req.AddCookie(&http.Cookie{Name: rememberCookie, Value: url.Values{"n": {"Ayu Lestari"}}.Encode()})
		res, body := s.do(req)
		contains(t, body, `value="Ayu Lestari"`)
		if cc := res.Header.Get("Cache-Control"); cc != privateCacheControl {
			t.Errorf("post page for a known commenter: Cache-Control %q", cc)
		}
		_, anon := s.get(p.Path())
		lacks(t, anon, "Ayu Lestari")
	})
}

func TestPageCacheFormTokenIsEachReadersOwn(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Harbour reopens after storm", seedTime, "The harbour reopened.")
	s.cachedGet(p.Path())
	cookieA, tokenA := s.openForm(p.Path())
	cookieB, tokenB := s.openForm(p.Path())
	if tokenA == tokenB || cookieA.Value == cookieB.Value {
		t.Fatal("two readers got the same form token from the cache")
	}
	if strings.Contains(s.mustGet(p.Path(), http.StatusOK), s.srv.pageCache.formToken) {
		t.Fatal("the placeholder reached a reader")
	}
	// The token from a cached page posts a comment.
	res, body := s.post(p.Path(), cookieB, url.Values{"csrf": {tokenB}, "name": {"Reader"}, "text": {"Good news for the town."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment with a cached page's token: %d\n%s", res.StatusCode, body)
	}
	if cs := s.comments(p.ID); len(cs) != 1 {
		t.Fatalf("%d comments stored, want 1", len(cs))
	}
}

func TestConditionalGet(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Harbour reopens after storm", seedTime, "The harbour reopened.")
	for _, target := range []string{"/", p.Path(), "/search/label/Sky%20News", "/feeds/posts/default", "/archive", "/2021/11/", "/search?q=harbour"} {
		res, _ := s.get(target)
		etag := res.Header.Get("ETag")
		if res.StatusCode != http.StatusOK || etag == "" {
			t.Fatalf("GET %s: %d, ETag %q", target, res.StatusCode, etag)
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", etag)
		if res, body := s.do(req); res.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("GET %s If-None-Match its ETag: %d, %d bytes", target, res.StatusCode, len(body))
		}
		if lm := res.Header.Get("Last-Modified"); lm != "" {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("If-Modified-Since", lm)
			if res, _ := s.do(req); res.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s If-Modified-Since its Last-Modified: %d", target, res.StatusCode)
			}
		}
	}
	res, _ := s.get("/")
	if res.Header.Get("Last-Modified") == "" {
		t.Error("home page without Last-Modified")
	}
	old := res.Header.Get("ETag")
	s.addPost("Second bridge opens", seedTime.Add(time.Hour), "Traffic moved at noon.")
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("If-None-Match", old)
	res, body := s.do(req)
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == old {
		t.Fatalf("after a new post, GET / If-None-Match the old ETag: %d, ETag %q", res.StatusCode, res.Header.Get("ETag"))
	}
	contains(t, body, "Second bridge opens")
}

func TestCacheControlPerKind(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Harbour reopens after storm", seedTime, "The harbour reopened.")
	for target, want := range map[string]string{
		"/":                        publicCacheControl,
		"/search/label/Sky%20News": publicCacheControl,
		"/feeds/posts/default":     publicCacheControl,
		"/2021/11/":                publicCacheControl,
		p.Path():                   "private, no-cache",
		"/admin/login":             "no-store",
	} {
		res, _ := s.get(target)
		if cc := res.Header.Get("Cache-Control"); cc != want {
			t.Errorf("GET %s: Cache-Control %q, want %q", target, cc, want)
		}
		vary := strings.Join(res.Header.Values("Vary"), ", ")
		if target != "/admin/login" && !strings.Contains(vary, "Accept-Language") {
			t.Errorf("GET %s: Vary %q lacks Accept-Language", target, vary)
		}
		if want == "private, no-cache" && !strings.Contains(vary, "Cookie") {
			t.Errorf("GET %s: Vary %q lacks Cookie", target, vary)
		}
		if want == publicCacheControl && !strings.Contains(res.Header.Get("Surrogate-Key"), "kabar") {
			t.Errorf("GET %s: Surrogate-Key %q", target, res.Header.Get("Surrogate-Key"))
		}
	}
	// The language is part of what is kept.
	en := s.mustGet("/", http.StatusOK)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "id")
	_, id := s.do(req)
	if en == id || !strings.Contains(id, `lang="id"`) {
		t.Error("the Indonesian home page came from the English one's cache entry")
	}
}

func TestPageCacheMemoryIsBounded(t *testing.T) {
	s := newSite(t, Config{PageCacheBytes: 64 << 10})
	for i := range 60 {
		s.addPost(fmt.Sprintf("Story number %d of the day", i), seedTime.Add(time.Duration(i)*time.Minute), strings.Repeat("A long paragraph of text. ", 40))
	}
	for i := 1; i <= 30; i++ {
		s.mustGet(fmt.Sprintf("/?page=%d&max=%d", 1, i), http.StatusOK)
		s.mustGet(fmt.Sprintf("/feeds/posts/default?max-results=%d", i), http.StatusOK)
	}
	c := s.srv.pageCache.c
	c.CleanUp()
	if got := c.WeightedSize(); got > 64<<10 {
		t.Fatalf("page cache holds %d bytes, bound 65536", got)
	}
	if c.EstimatedSize() == 0 {
		t.Fatal("page cache holds nothing")
	}
}

// A search answered from the page cache takes no search slot: with every
// slot held by slow searches, it still answers at once, while a search the
// cache does not hold waits for a slot until its reader leaves.
func TestCachedSearchTakesNoSlot(t *testing.T) {
	s := newSite(t, Config{})
	s.addPost("Floods in Garut", time.Now().Add(-time.Hour), "The river rose overnight.")
	s.cachedGet("/search?q=flood")
	for range cap(s.srv.searchSlots) {
		s.srv.searchSlots <- struct{}{}
	}
	defer func() {
		for range cap(s.srv.searchSlots) {
			<-s.srv.searchSlots
		}
	}()
	contains(t, s.mustGet("/search?q=flood", http.StatusOK), "Garut")

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan string)
	go func() {
		rec := httptest.NewRecorder()
		s.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/search?q=river", nil).WithContext(ctx))
		done <- rec.Body.String()
	}()
	select {
	case <-done:
		t.Fatal("a search the cache does not hold was answered with every slot taken")
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if body := <-done; strings.Contains(body, "Garut") {
		t.Error("the search that waited was rendered after its reader left")
	}
}

// blockingFront holds the home page's count until released, and counts
// the calls.
type blockingFront struct {
	Store
	calls   atomic.Int32
	release chan struct{}
}

func (b *blockingFront) CountFrontPosts(ctx context.Context) (int, error) {
	b.calls.Add(1)
	<-b.release
	return b.Store.CountFrontPosts(ctx)
}

// Readers who ask for a page the cache lacks while another renders it wait
// for that one and are answered with its page: the page is rendered once.
func TestPageRenderedOnceForReadersAtOnce(t *testing.T) {
	s := newSite(t, Config{})
	s.addPost("Floods in Garut", time.Now().Add(-time.Hour), "The river rose overnight.")
	st := &blockingFront{Store: s.st, release: make(chan struct{})}
	srv, err := New(st, Config{MinSubmit: -1})
	if err != nil {
		t.Fatal(err)
	}
	const readers = 8
	bodies := make(chan string, readers)
	for range readers {
		go func() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			bodies <- fmt.Sprint(rec.Code, " ", rec.Body.String())
		}()
	}
	// Every reader is in the flight (the first rendering, the others
	// waiting for it) before the render may end.
	for deadline := time.Now().Add(20 * time.Second); inFlight() < readers; {
		if time.Now().After(deadline) {
			t.Fatalf("%d readers in the flight, want %d", inFlight(), readers)
		}
		runtime.Gosched()
	}
	close(st.release)
	var first string
	for i := range readers {
		b := <-bodies
		if !strings.HasPrefix(b, "200 ") || !strings.Contains(b, "Garut") {
			t.Fatalf("reader %d got %.200q", i, b)
		}
		if i == 0 {
			first = b
		} else if b != first {
			t.Fatal("readers at once got different pages")
		}
	}
	if n := st.calls.Load(); n != 1 {
		t.Fatalf("the home page was rendered %d times for %d readers at once, want once", n, readers)
	}
	if hits, misses := srv.PageCacheStats(); hits != 0 || misses != readers {
		t.Fatalf("page cache hits %d, misses %d; want 0 and %d", hits, misses, readers)
	}
}

// inFlight counts the goroutines inside a page's flight (servePage).
func inFlight() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "singleflight.(*Group).Do(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// countingFront counts the home page's counts.
type countingFront struct {
	Store
	calls atomic.Int32
}

func (c *countingFront) CountFrontPosts(ctx context.Context) (int, error) {
	c.calls.Add(1)
	return c.Store.CountFrontPosts(ctx)
}

// The pages of the home page share one count for each site generation;
// a write counts again, and the next page shows it.
func TestListingCountOncePerGeneration(t *testing.T) {
	s := newSite(t, Config{})
	for i := range 5 {
		s.addPost(fmt.Sprintf("Report %d from Garut", i), time.Now().Add(-time.Duration(10-i)*time.Hour), "The river rose overnight.")
	}
	st := &countingFront{Store: s.st}
	srv, err := New(st, Config{MinSubmit: -1, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	get := func(target string) string {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", target, rec.Code)
		}
		return rec.Body.String()
	}
	for _, p := range []string{"/", "/?page=2", "/?page=3"} {
		get(p)
	}
	if n := st.calls.Load(); n != 1 {
		t.Fatalf("three pages of the home page counted %d times, want once", n)
	}
	s.addPost("Report 5 from Garut", time.Now(), "The bridge held.")
	contains(t, get("/?page=3"), "Report 1 from Garut")
	contains(t, get("/"), "Report 5 from Garut")
	if n := st.calls.Load(); n != 2 {
		t.Fatalf("after a write the home page counted %d times in all, want twice", n)
	}
}

// The sidebar is rendered once for each language and state of the site,
// and a write that changes it is in it from the next page on, in each
// language, with the reader's ?hl= on its links.
func TestSidebarFollowsWrites(t *testing.T) {
	s := newSite(t, Config{})
	s.addPost("Floods in Garut", time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), "The river rose overnight.")
	asideOf := func(target, body string) string {
		i, j := strings.Index(body, `<aside class="sidebar"`), strings.Index(body, "</aside>")
		if i < 0 || j < i {
			t.Fatalf("GET %s: no sidebar", target)
		}
		return body[i:j]
	}
	aside := func(target string) string { return asideOf(target, s.mustGet(target, http.StatusOK)) }
	contains(t, aside("/"), "January 2026")
	contains(t, aside("/?hl=id"), "Januari 2026")
	contains(t, aside("/?hl=id"), "/2026/01/?hl=id")
	if n := len(s.srv.sidebars.m); n != 2 {
		t.Fatalf("%d sidebars kept for two languages", n)
	}
	s.addPost("Bridge reopens", time.Date(2024, 3, 5, 9, 0, 0, 0, time.UTC), "Traffic flows again.")
	contains(t, aside("/2026/01/floods-in-garut.html"), "March 2024")
	contains(t, aside("/?hl=id"), "Maret 2024")
	req := httptest.NewRequest(http.MethodGet, "/search?q=river", nil)
	req.Header.Set("Accept-Language", "id")
	if _, body := s.do(req); !strings.Contains(asideOf("/search?q=river", body), "Maret 2024") || strings.Contains(asideOf("/search?q=river", body), "?hl=id") {
		t.Error("a reader of Indonesian by Accept-Language got another sidebar, or the links of a reader with ?hl=id")
	}
}
