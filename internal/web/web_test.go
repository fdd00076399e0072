package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// seedNews is the seed post's Google News link.
const seedNews = "https://news.google.com/__i/rss/rd/articles/CBMiemh0dHBzOi8vbmV3cy5za3kuY29tL3N0b3J5?oc=5"

// site is a test server over a fresh SQLite store.
type site struct {
	t         testing.TB
	st        store.Store
	srv       *Server
	commenter *http.Cookie // the browser's commenter cookie, once it has one
}

func newSite(t testing.TB, cfg Config) *site {
	t.Helper()
	// Tests post forms at once; the minimum time has tests of its own.
	if cfg.MinSubmit == 0 {
		cfg.MinSubmit = -1
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, st: st, srv: srv}
}

// addPost stores a post the way the pipeline does: feed, item, then post.
func (s *site) addPost(title string, published time.Time, paragraphs ...string) *model.Post {
	s.t.Helper()
	ctx := context.Background()
	feeds, err := s.st.Feeds(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	var feedID int64
	if len(feeds) > 0 {
		feedID = feeds[0].ID
	} else {
		f := &model.Feed{URL: "https://news.google.com/rss?hl=en-GB"}
		if err := s.st.AddFeed(ctx, f); err != nil {
			s.t.Fatal(err)
		}
		feedID = f.ID
	}
	source := "https://news.example.com/story/" + model.Slugify(title)
	it := &model.Item{FeedID: feedID, GUID: source, Link: seedNews, Title: title, Publisher: "Sky News", Published: published}
	if _, err := s.st.UpsertItem(ctx, it); err != nil {
		s.t.Fatal(err)
	}
	p := &model.Post{
		FeedID:     feedID,
		ItemID:     it.ID,
		Title:      title,
		Publisher:  "Sky News",
		SourceURL:  source,
		ItemLink:   seedNews,
		Published:  published,
		Paragraphs: paragraphs,
	}
	if _, err := s.st.SavePost(ctx, p); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// do serves one request and returns the response with its body read.
func (s *site) do(req *http.Request) (*http.Response, string) {
	s.t.Helper()
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return res, string(body)
}

func (s *site) get(target string) (*http.Response, string) {
	s.t.Helper()
	return s.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// mustGet fails the test unless target answers with status.
func (s *site) mustGet(target string, status int) string {
	s.t.Helper()
	res, body := s.get(target)
	if res.StatusCode != status {
		s.t.Fatalf("GET %s: status %d, want %d\n%s", target, res.StatusCode, status, body)
	}
	return body
}

func contains(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func lacks(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("page contains %q", u)
		}
	}
}

var seedTime = time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC)

func TestHomeListsPostsNewestFirst(t *testing.T) {
	s := newSite(t, Config{})
	old := s.addPost("Belarus turns to Kremlin", seedTime, "Belarus has turned to the Kremlin.", "Second paragraph.")
	mid := s.addPost("Poland deploys troops", seedTime.Add(24*time.Hour), "Polish officials said they were prepared.")
	newest := s.addPost("EU vows sanctions", seedTime.AddDate(0, 1, 0), "The EU has vowed to impose more sanctions.")

	body := s.mustGet("/", http.StatusOK)
	var last int
	for _, p := range []*model.Post{newest, mid, old} {
		link := fmt.Sprintf(`<a href="%s">%s</a>`, p.Path(), p.Title)
		i := strings.Index(body, link)
		if i < 0 {
			t.Fatalf("home lacks %s", link)
		}
		if i < last {
			t.Errorf("%q is listed out of order", p.Title)
		}
		last = i
	}
	if want := "/2021/12/eu-vows-sanctions.html"; newest.Path() != want {
		t.Errorf("path %q, want %q", newest.Path(), want)
	}
	contains(t, body,
		`<p class="excerpt">Belarus has turned to the Kremlin.</p>`,
		`<a class="publisher" href="/publisher/Sky%20News">Sky News</a>`,
		`<time datetime="2021-11-09T15:45:00Z">November 9, 2021 3:45 PM</time>`,
		`<h1 class="page-heading">Latest news</h1>`)
	lacks(t, body, "Second paragraph.", `class="older"`, `class="newer"`)
}

func TestHomeEmpty(t *testing.T) {
	s := newSite(t, Config{Lang: "id"})
	if err := s.st.AddFeed(context.Background(), &model.Feed{URL: "https://feeds.example/a"}); err != nil {
		t.Fatal(err)
	}
	contains(t, s.mustGet("/", http.StatusOK), "Belum ada posting.")
}

func TestHomePagination(t *testing.T) {
	s := newSite(t, Config{PageSize: 2})
	var titles []string
	for i := range 5 {
		title := fmt.Sprintf("Story number %d", i)
		s.addPost(title, seedTime.Add(time.Duration(i)*time.Hour), "Text of "+title+".")
		titles = append(titles, title)
	}
	// Newest first: page 1 holds stories 4 and 3, page 2 holds 2 and 1, page 3 holds 0.
	cases := []struct {
		target       string
		shown        []string
		newer, older string
	}{
		{"/", []string{titles[4], titles[3]}, "", "/?page=2"},
		{"/?page=2", []string{titles[2], titles[1]}, "/", "/?page=3"},
		{"/?page=3", []string{titles[0]}, "/?page=2", ""},
	}
	for _, c := range cases {
		body := s.mustGet(c.target, http.StatusOK)
		for _, title := range titles {
			shown := strings.Contains(body, ">"+title+"</a>")
			want := strings.Contains(strings.Join(c.shown, "|"), title)
			if shown != want {
				t.Errorf("%s: %q shown=%v, want %v", c.target, title, shown, want)
			}
		}
		for class, href := range map[string]string{"newer": c.newer, "older": c.older} {
			link := fmt.Sprintf(`<a class="%s" href="%s"`, class, href)
			if got := strings.Contains(body, link); got != (href != "") {
				t.Errorf("%s: %s link %q present=%v", c.target, class, href, got)
			}
		}
	}
	contains(t, s.mustGet("/?page=2", http.StatusOK), "<title>Page 2 — kabar</title>")
	for _, bad := range []string{"/?page=4", "/?page=0", "/?page=x"} {
		s.mustGet(bad, http.StatusNotFound)
	}
	// The chosen language follows the pager's links.
	contains(t, s.mustGet("/?hl=id", http.StatusOK),
		`<a class="older" href="/?hl=id&amp;page=2" rel="next">Posting Lama</a>`)
}

func TestPostPage(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime,
		"Belarus has turned to the Kremlin in its tense stand-off.",
		"The EU has vowed to impose more sanctions on Belarus.")
	if p.Path() != "/2021/11/belarus-turns-to-kremlin.html" {
		t.Fatalf("path %q", p.Path())
	}
	body := s.mustGet(p.Path(), http.StatusOK)
	contains(t, body,
		`<html lang="en">`,
		`<title>Belarus turns to Kremlin — kabar</title>`,
		`<h1 class="post-title">Belarus turns to Kremlin</h1>`,
		"<p>Belarus has turned to the Kremlin in its tense stand-off.</p>\n<p>The EU has vowed to impose more sanctions on Belarus.</p>",
		`<a class="publisher" href="https://news.example.com/story/belarus-turns-to-kremlin">Sky News</a>`,
		`<a class="google-news" href="`+seedNews+`">View on Google News</a>`,
		`<link rel="canonical" href="https://news.example.com/story/belarus-turns-to-kremlin">`,
		`<meta name="robots" content="noindex">`,
		`<time datetime="2021-11-09T15:45:00Z">November 9, 2021 3:45 PM</time>`)
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
}

func TestPostPageDatesInSiteZone(t *testing.T) {
	s := newSite(t, Config{Lang: "id", Location: time.FixedZone("WIB", 7*3600)})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	// 15:45 UTC is 22:45 in Jakarta; the path keeps the UTC month.
	contains(t, s.mustGet(p.Path(), http.StatusOK),
		`<time datetime="2021-11-09T22:45:00&#43;07:00">9 November 2021 22.45</time>`)
	contains(t, s.mustGet(p.Path()+"?hl=en", http.StatusOK), "November 9, 2021 10:45 PM")
}

func TestPostPageWithoutGoogleNewsLink(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	f := &model.Feed{URL: "https://example.org/feed.xml"}
	if err := s.st.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	it := &model.Item{FeedID: f.ID, GUID: "g1", Link: "https://example.org/a"}
	if _, err := s.st.UpsertItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: "Plain feed", SourceURL: "https://example.org/a",
		ItemLink: "https://example.org/a", Published: seedTime, Paragraphs: []string{"Hello."}}
	if _, err := s.st.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	body := s.mustGet(p.Path(), http.StatusOK)
	lacks(t, body, "google-news", "Google News")
	contains(t, body, `<a class="original" href="https://example.org/a">`)
}

func TestNoCommentsFooter(t *testing.T) {
	cases := []struct {
		lang, query, want    string
		none, post, unwanted string
	}{
		{"id", "", "id", "Tidak ada komentar:", "Posting Komentar", "No comments:"},
		{"en", "?hl=id", "id", "Tidak ada komentar:", "Posting Komentar", "No comments:"},
		{"en", "", "en", "No comments:", "Post a comment", "Tidak ada komentar:"},
		{"id", "?hl=en", "en", "No comments:", "Post a comment", "Tidak ada komentar:"},
		{"id", "?hl=xx", "id", "Tidak ada komentar:", "Posting Komentar", "No comments:"},
	}
	for _, c := range cases {
		t.Run(c.lang+c.query, func(t *testing.T) {
			s := newSite(t, Config{Lang: c.lang})
			p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
			body := s.mustGet(p.Path()+c.query, http.StatusOK)
			contains(t, body,
				`<html lang="`+c.want+`">`,
				`<h2 id="comments-heading">`+c.none+`</h2>`,
				`<a href="#comment-form">`+c.post+`</a>`)
			lacks(t, body, c.unwanted)
			if i, j := strings.Index(body, c.none), strings.Index(body, c.post); i > j {
				t.Errorf("%q should come before %q", c.none, c.post)
			}
		})
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// openForm loads the post page as a browser would and returns the CSRF
// cookie and the form's token.
func (s *site) openForm(path string) (*http.Cookie, string) {
	s.t.Helper()
	res, body := s.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		s.t.Fatal("no CSRF token in the form")
	}
	for _, c := range res.Cookies() {
		if c.Name == csrfCookie {
			if c.SameSite != http.SameSiteLaxMode || !c.HttpOnly {
				s.t.Errorf("cookie %v: want HttpOnly and SameSite=Lax", c)
			}
			return c, m[1]
		}
	}
	s.t.Fatal("no CSRF cookie")
	return nil, ""
}

func (s *site) post(path string, cookie *http.Cookie, form url.Values) (*http.Response, string) {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return s.do(req)
}

func (s *site) comments(postID int64) []model.Comment {
	s.t.Helper()
	cs, err := s.st.Comments(context.Background(), postID, false)
	if err != nil {
		s.t.Fatal(err)
	}
	return cs
}

func TestCommentIsStoredPendingAndHidden(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	cookie, token := s.openForm(p.Path() + "?hl=id")

	res, _ := s.post(p.Path()+"?hl=id", cookie, url.Values{
		"csrf": {token}, "name": {"  Budi \t Santoso "}, "website": {"budi.example.id"},
		"text": {"Semoga cepat selesai.\r\nSalam."}, "email": {""},
	})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	if want := p.Path() + "?comment=pending&hl=id#comment-notice"; loc != want {
		t.Errorf("redirect to %q, want %q", loc, want)
	}
	cs := s.comments(p.ID)
	if len(cs) != 1 {
		t.Fatalf("%d comments stored, want 1", len(cs))
	}
	c := cs[0]
	if c.Status != model.CommentPending || c.Name != "Budi Santoso" || c.Website != "https://budi.example.id" ||
		c.Body != "Semoga cepat selesai.\nSalam." || c.PostID != p.ID {
		t.Errorf("stored %+v", c)
	}

	// Browsers do not send the fragment.
	body := s.mustGet(strings.TrimSuffix(loc, "#comment-notice"), http.StatusOK)
	contains(t, body, "Komentar Anda menunggu moderasi.", "Tidak ada komentar:")
	lacks(t, body, "Semoga cepat selesai.", "Budi Santoso")
}

func TestApprovedCommentIsShownEscaped(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	ctx := context.Background()
	for _, c := range []*model.Comment{
		{PostID: p.ID, Name: "Mallory <b>", Website: "https://mallory.example", Body: `<script>alert("x")</script>`,
			Status: model.CommentApproved, CreatedAt: seedTime.Add(time.Hour)},
		{PostID: p.ID, Name: "Quiet", Body: "Waiting.", Status: model.CommentPending},
		{PostID: p.ID, Name: "Spammer", Body: "Buy now.", Status: model.CommentSpam},
	} {
		if err := s.st.AddComment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	body := s.mustGet(p.Path(), http.StatusOK)
	contains(t, body,
		`<h2 id="comments-heading">1 comment:</h2>`,
		`<a href="https://mallory.example" rel="nofollow ugc">Mallory &lt;b&gt;</a>`,
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`,
		"November 9, 2021 4:45 PM",
		"Post a comment")
	lacks(t, body, "<script", "No comments:", "Waiting.", "Buy now.")
}

func TestCommentRejected(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	cookie, token := s.openForm(p.Path())
	other, _ := s.openForm(p.Path())
	if other.Value == cookie.Value {
		t.Fatal("two readers got the same CSRF cookie")
	}
	valid := func() url.Values {
		return url.Values{"csrf": {token}, "name": {"Ann"}, "text": {"Hello."}}
	}
	cases := []struct {
		name   string
		cookie *http.Cookie
		form   func() url.Values
		header map[string]string
		status int
	}{
		{"no token", cookie, func() url.Values { f := valid(); f.Del("csrf"); return f }, nil, http.StatusForbidden},
		{"no cookie", nil, valid, nil, http.StatusForbidden},
		{"another reader's cookie", other, valid, nil, http.StatusForbidden},
		{"forged token", cookie, func() url.Values { f := valid(); f.Set("csrf", cookie.Value); return f }, nil, http.StatusForbidden},
		{"cross-site", cookie, valid, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"honeypot", cookie, func() url.Values { f := valid(); f.Set("email", "bot@example.com"); return f }, nil, http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, p.Path(), strings.NewReader(c.form().Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			if c.cookie != nil {
				req.AddCookie(c.cookie)
			}
			res, body := s.do(req)
			if res.StatusCode != c.status {
				t.Errorf("status %d, want %d", res.StatusCode, c.status)
			}
			if !strings.Contains(body, "<h1") {
				t.Errorf("no error page:\n%s", body)
			}
		})
	}
	if cs := s.comments(p.ID); len(cs) != 0 {
		t.Errorf("%d comments stored from rejected posts", len(cs))
	}
	// The same cookie and token still work: rejection is about the request.
	if res, _ := s.post(p.Path(), cookie, valid()); res.StatusCode != http.StatusSeeOther {
		t.Errorf("valid post: status %d", res.StatusCode)
	}
}

func TestCommentValidation(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	cookie, token := s.openForm(p.Path())
	cases := []struct {
		name       string
		form       url.Values
		field, msg string
	}{
		{"no name", url.Values{"name": {"  "}, "text": {"Hi <there>"}}, "name", "Enter your name."},
		{"long name", url.Values{"name": {strings.Repeat("n", 81)}, "text": {"Hi <there>"}}, "name", "The name is too long."},
		{"script website", url.Values{"name": {"Ann"}, "website": {"javascript:alert(1)"}, "text": {"Hi <there>"}}, "website", "Enter a web address"},
		{"no text", url.Values{"name": {"Ann"}, "text": {"\r\n "}}, "text", "Write a comment."},
		{"long text", url.Values{"name": {"Ann"}, "text": {strings.Repeat("é", 4001)}}, "text", "The comment is too long."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("csrf", token)
			res, body := s.post(p.Path(), cookie, c.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			contains(t, body,
				`<span id="c-`+c.field+`-error" class="field-error">`+c.msg,
				`aria-describedby="c-`+c.field+`-error"`,
				"Please correct the fields marked below.")
			if strings.Contains(c.form.Get("text"), "<there>") {
				// The reader's text comes back, escaped, so nothing is lost.
				contains(t, body, ">Hi &lt;there&gt;</textarea>")
			}
		})
	}
	if cs := s.comments(p.ID); len(cs) != 0 {
		t.Errorf("%d invalid comments stored", len(cs))
	}
}

func TestCommentBodyTooLarge(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	cookie, token := s.openForm(p.Path())
	res, _ := s.post(p.Path(), cookie, url.Values{"csrf": {token}, "name": {"Ann"}, "text": {strings.Repeat("x", 64<<10)}})
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", res.StatusCode)
	}
	if cs := s.comments(p.ID); len(cs) != 0 {
		t.Errorf("%d comments stored", len(cs))
	}
}

func TestCommentOnMissingPost(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	cookie, token := s.openForm(p.Path())
	res, _ := s.post("/2021/11/missing.html", cookie, url.Values{"csrf": {token}, "name": {"Ann"}, "text": {"Hi"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("status %d, want 404", res.StatusCode)
	}
}

func TestNotFound(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	for _, target := range []string{
		"/nope", "/2021/11/missing.html", "/2021/11/belarus-turns-to-kremlin", "/2021/1/belarus-turns-to-kremlin.html",
		"/2021/13/belarus-turns-to-kremlin.html", "/static/missing.css", "/a/b/c/d",
	} {
		body := s.mustGet(target, http.StatusNotFound)
		contains(t, body, `<html lang="en">`, "<h1 class=\"page-heading\">Page not found</h1>", `<meta name="robots" content="noindex">`)
	}
	contains(t, s.mustGet("/nope?hl=id", http.StatusNotFound), `<html lang="id">`, "Halaman tidak ditemukan")
	id := newSite(t, Config{Lang: "id"})
	contains(t, id.mustGet("/nope", http.StatusNotFound), "Maaf, halaman yang Anda cari di blog ini tidak ada.")
	s.mustGet(p.Path(), http.StatusOK)
}

func TestLandmarksAndLabels(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	body := s.mustGet(p.Path(), http.StatusOK)
	contains(t, body, "<header", "<main", "<footer", `<a class="skip" href="#main">`)
	inputs := regexp.MustCompile(`<(?:input|textarea) id="([^"]+)"`).FindAllStringSubmatch(body, -1)
	// Name, website, honeypot and text, and the search box.
	if len(inputs) != 5 {
		t.Fatalf("%d visible fields, want 5", len(inputs))
	}
	for _, m := range inputs {
		contains(t, body, `<label for="`+m[1]+`">`)
	}
}

func TestHealthz(t *testing.T) {
	s := newSite(t, Config{})
	res, body := s.get("/healthz")
	if res.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("healthz: %d %q", res.StatusCode, body)
	}
}

func TestStaticCSS(t *testing.T) {
	s := newSite(t, Config{})
	home := s.mustGet("/", http.StatusOK)
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/static/style\.css\?v=[0-9a-f]{8})">`).FindStringSubmatch(home)
	if m == nil {
		t.Fatal("no style sheet link")
	}
	res, body := s.get(m[1])
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	contains(t, body, "prefers-color-scheme: dark")
	req := httptest.NewRequest(http.MethodGet, "/static/style.css", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	if res, _ := s.do(req); res.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d, want 304", res.StatusCode)
	}
}

func TestNewRejectsUnknownLanguage(t *testing.T) {
	if _, err := New(nil, Config{Lang: "fr"}); err == nil {
		t.Error("New accepted a language without a locale")
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	for _, target := range []string{"/", p.Path(), "/nope", "/api/posts"} {
		res, _ := s.get(target)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") ||
			!strings.Contains(csp, "form-action 'self'") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", target)
		}
	}
	res, _ := s.get(p.Path())
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("post page Cache-Control %q: a page with a per-reader token must not be shared", cc)
	}
}
