package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// clock is a test clock the site reads through Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// titleFeed names the test feed, so that posts carry a feed label.
func (s *site) titleFeed(title string) *model.Feed {
	s.t.Helper()
	feeds, err := s.st.Feeds(context.Background())
	if err != nil || len(feeds) == 0 {
		s.t.Fatalf("no feed: %v", err)
	}
	if err := s.st.RecordPoll(context.Background(), feeds[0].ID, store.PollResult{At: seedTime, Title: title}); err != nil {
		s.t.Fatal(err)
	}
	s.srv.cache.invalidate()
	return &feeds[0]
}

func (s *site) approve(c *model.Comment) {
	s.t.Helper()
	if err := s.st.AddComment(context.Background(), c); err != nil {
		s.t.Fatal(err)
	}
}

// parseFeed parses a feed with gofeed, a parser kabar's writer shares
// nothing with.
func parseFeed(t *testing.T, s *site, target string) *gofeed.Feed {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Host = "news.example"
	res, body := s.do(req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", target, res.StatusCode, body)
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("GET %s: gofeed: %v\n%s", target, err, body)
	}
	return f
}

func TestFeedsOutValidate(t *testing.T) {
	s := newSite(t, Config{})
	a := s.addPost("Belarus turns to Kremlin", seedTime, "Belarus has turned to the Kremlin.", `Second <paragraph> & "quotes".`)
	b := s.addPost("EU vows sanctions", seedTime.Add(time.Hour), "The EU has vowed to impose more sanctions.")
	s.titleFeed("Belarus - Google News")
	s.approve(&model.Comment{PostID: a.ID, Name: "Ani", Body: "Line one\n<b>bold</b>", Status: model.CommentApproved, CreatedAt: seedTime.Add(2 * time.Hour)})
	s.approve(&model.Comment{PostID: a.ID, Name: "Held", Body: "not yet", CreatedAt: seedTime.Add(3 * time.Hour)})

	for _, alt := range []struct{ q, kind, ctype string }{
		{"", "atom", "application/atom+xml"},
		{"?alt=rss", "rss", "application/rss+xml"},
		{"?alt=jsonfeed", "json", "application/feed+json"},
	} {
		t.Run(alt.kind, func(t *testing.T) {
			res, _ := s.get("/feeds/posts/default" + alt.q)
			if !strings.HasPrefix(res.Header.Get("Content-Type"), alt.ctype) {
				t.Errorf("content type %q", res.Header.Get("Content-Type"))
			}
			f := parseFeed(t, s, "/feeds/posts/default"+alt.q)
			if f.FeedType != alt.kind || f.Title != "kabar" || len(f.Items) != 2 {
				t.Fatalf("%s feed %q with %d items", f.FeedType, f.Title, len(f.Items))
			}
			it := f.Items[1]
			if it.Title != a.Title || it.Link != "http://news.example"+a.Path() || !it.PublishedParsed.Equal(seedTime) {
				t.Errorf("item %q %q %v", it.Title, it.Link, it.PublishedParsed)
			}
			// Full text, escaped once: the reader sees the markup as text.
			if !strings.Contains(it.Content, "<p>Belarus has turned to the Kremlin.</p>") ||
				!strings.Contains(it.Content, "Second &lt;paragraph&gt; &amp; &#34;quotes&#34;.") ||
				!strings.Contains(it.Content, `href="`+a.SourceURL+`"`) {
				t.Errorf("content %q", it.Content)
			}
			if len(it.Categories) != 2 || it.Categories[0] != "Belarus - Google News" {
				t.Errorf("categories %v", it.Categories)
			}
			if f.Items[0].Title != b.Title {
				t.Errorf("newest first: %q", f.Items[0].Title)
			}
		})
	}

	label := parseFeed(t, s, "/feeds/posts/default/-/Belarus%20-%20Google%20News?alt=rss")
	if len(label.Items) != 2 || !strings.Contains(label.Title, "Belarus - Google News") {
		t.Errorf("label feed %q: %d items", label.Title, len(label.Items))
	}
	if f := parseFeed(t, s, "/feeds/posts/default/-/Nobody"); len(f.Items) != 0 {
		t.Errorf("unknown label: %d items", len(f.Items))
	}
	search := parseFeed(t, s, "/feeds/posts/default?q=sanctions&alt=jsonfeed")
	if len(search.Items) != 1 || search.Items[0].Title != b.Title {
		t.Errorf("search feed: %d items", len(search.Items))
	}
	if f := parseFeed(t, s, "/feeds/posts/default?q=kremlin+nothing"); len(f.Items) != 0 {
		t.Errorf("search for a missing word: %d items", len(f.Items))
	}

	for _, target := range []string{"/feeds/comments/default", fmt.Sprintf("/feeds/%d/comments/default?alt=rss", a.ID), "/feeds/comments/default?alt=jsonfeed"} {
		f := parseFeed(t, s, target)
		if len(f.Items) != 1 || f.Items[0].Link != fmt.Sprintf("http://news.example%s#c1", a.Path()) ||
			!strings.Contains(f.Items[0].Content, "Line one<br>\n&lt;b&gt;bold&lt;/b&gt;") {
			t.Errorf("%s: %d items, %+v", target, len(f.Items), f.Items)
		}
	}
	if f := parseFeed(t, s, fmt.Sprintf("/feeds/%d/comments/default", b.ID)); len(f.Items) != 0 {
		t.Errorf("comments of a post without any: %d", len(f.Items))
	}
	s.mustGet("/feeds/999/comments/default", http.StatusNotFound)
	s.mustGet("/feeds/posts/default?alt=pdf", http.StatusBadRequest)
	s.mustGet("/feeds/posts/default?max-results=-1", http.StatusBadRequest)

	// An unchanged feed is a 304.
	res, _ := s.get("/feeds/posts/default")
	req := httptest.NewRequest(http.MethodGet, "/feeds/posts/default", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	if res, _ := s.do(req); res.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", res.StatusCode)
	}
}

func TestExcerptFeedsAndNoIndexSetting(t *testing.T) {
	s := newSite(t, Config{})
	long := strings.Repeat("Panjang sekali kalimat ini. ", 30)
	p := s.addPost("Excerpt only", seedTime, long, "The second paragraph stays at the publisher.")
	f := s.titleFeed("Some feed")
	if err := s.st.SetFeedOptions(context.Background(), model.FeedOptions{FeedID: f.ID, Excerpt: true}); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()
	body := s.mustGet(p.Path(), http.StatusOK)
	contains(t, body, `<p class="continue"><a href="`+p.SourceURL+`">Continue reading at the publisher (Sky News)</a></p>`,
		`<link rel="canonical" href="`+p.SourceURL+`">`, `<meta name="robots" content="noindex">`)
	lacks(t, body, "The second paragraph stays at the publisher.")
	fd := parseFeed(t, s, "/feeds/posts/default")
	if c := fd.Items[0].Content; strings.Contains(c, "second paragraph") || !strings.Contains(c, "Continue reading") {
		t.Errorf("excerpt feed content %q", c)
	}
	var api map[string]any
	_, raw := s.get(fmt.Sprintf("/api/posts/%d", p.ID))
	json.Unmarshal([]byte(raw), &api)
	if paras := api["paragraphs"].([]any); len(paras) != 0 {
		t.Errorf("API gives the full text of an excerpt feed: %v", paras)
	}

	// The owner lets search engines in.
	if err := s.st.SetSetting(context.Background(), settingIndex, "on"); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()
	lacks(t, s.mustGet(p.Path(), http.StatusOK), `name="robots"`)
	lacks(t, s.mustGet("/", http.StatusOK), `name="robots"`)
	contains(t, s.mustGet("/search?q=x", http.StatusOK), `<meta name="robots" content="noindex">`)
}

func TestListingPages(t *testing.T) {
	s := newSite(t, Config{PageSize: 2})
	a := s.addPost("Belarus turns to Kremlin", seedTime, "Belarus has turned to the Kremlin.")
	s.addPost("Poland deploys troops", seedTime.Add(time.Hour), "Polish troops at the border.")
	s.addPost("EU vows sanctions", seedTime.AddDate(0, 1, 0), "The EU vows <sanctions> & more.")
	f := s.titleFeed("Belarus news")
	if err := s.st.SetFeedOptions(context.Background(), model.FeedOptions{FeedID: f.ID, Topic: "Eropa"}); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()

	label := s.mustGet("/search/label/Eropa", http.StatusOK)
	contains(t, label, `<h1 class="page-heading">Posts labelled Eropa</h1>`, `href="/?page=2"`[:0]+`class="older" href="/search/label/Eropa?page=2"`,
		`<link rel="alternate" type="application/atom&#43;xml" title="Label Eropa (Atom)" href="/feeds/posts/default/-/Eropa">`)
	contains(t, s.mustGet("/search/label/Eropa?page=2", http.StatusOK), ">Belarus turns to Kremlin</a>")
	s.mustGet("/search/label/Eropa?page=3", http.StatusNotFound)
	contains(t, s.mustGet("/search/label/Nothing", http.StatusOK), "No posts here.")

	month := s.mustGet("/2021/11/", http.StatusOK)
	contains(t, month, "Posts of November 2021", ">Poland deploys troops</a>", ">Belarus turns to Kremlin</a>")
	lacks(t, month, "EU vows sanctions")
	contains(t, s.mustGet("/2021/11/?hl=id", http.StatusOK), "Posting November 2021")
	s.mustGet("/2021/13/", http.StatusNotFound)

	archive := s.mustGet("/archive", http.StatusOK)
	contains(t, archive, `<a href="/2021/12/">December 2021</a> <span class="count">(1)</span>`, `<a href="/2021/11/">November 2021</a> <span class="count">(2)</span>`)
	contains(t, s.mustGet("/labels", http.StatusOK), "<h2>Topics</h2>", `<a href="/search/label/Eropa">Eropa</a> <span class="count">(3)</span>`)
	contains(t, s.mustGet("/publishers", http.StatusOK), `<a href="/publisher/Sky%20News">Sky News</a> <span class="count">(3)</span>`)
	pub := s.mustGet("/publisher/Sky%20News", http.StatusOK)
	contains(t, pub, "Posts from Sky News", ">EU vows sanctions</a>")

	search := s.mustGet("/search?q=sanctions", http.StatusOK)
	contains(t, search, `<mark>sanctions</mark>`, `The EU vows &lt;<mark>sanctions</mark>&gt; &amp; more.`, `value="sanctions"`, "1 post for “sanctions”.")
	lacks(t, search, "<sanctions>")
	contains(t, s.mustGet("/search?q=polish+border", http.StatusOK), ">Poland deploys troops</a>")
	contains(t, s.mustGet("/search?q=%22%3Cscript%3E", http.StatusOK), "No post matches your search.")
	contains(t, s.mustGet("/search", http.StatusOK), "Type one or more words")
	contains(t, s.mustGet("/search?q=kremlin&hl=id", http.StatusOK), `<input type="hidden" name="hl" value="id">`, "1 posting untuk “kremlin”.")
	// A publisher's name is searched; the count quotes the query as typed,
	// and a search pages by relevance.
	contains(t, s.mustGet("/search?q=Sky+News", http.StatusOK), "3 posts for “Sky News”, best matches first.", `rel="next">More results</a>`)
	contains(t, s.mustGet("/search?q=Sky+News&page=2", http.StatusOK), `rel="prev">Previous results</a>`)
	post := s.mustGet(a.Path(), http.StatusOK)
	contains(t, post, `<p class="post-labels">Labels: <a href="/search/label/Belarus%20news" rel="tag">Belarus news</a>, <a href="/search/label/Eropa" rel="tag">Eropa</a>, <a href="/search/label/Sky%20News" rel="tag">Sky News</a></p>`)
}

func TestHighlightIsBalancedAndEscaped(t *testing.T) {
	m, e := store.MarkStart, store.MarkEnd
	for in, want := range map[string]string{
		"a " + m + "b" + e + " c": "a <mark>b</mark> c",
		m + "<x>" + e:             "<mark>&lt;x&gt;</mark>",
		e + "a" + m + "b":         "a<mark>b</mark>",
		m + m + "a" + e + e + "&": "<mark>a</mark>&amp;",
		"plain \"text\"":          "plain &#34;text&#34;",
	} {
		if got := string(highlight(in)); got != want {
			t.Errorf("highlight(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLanguageNegotiation(t *testing.T) {
	s := newSite(t, Config{Lang: "en"})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	for _, c := range []struct{ accept, query, want string }{
		{"id-ID,id;q=0.9,en;q=0.8", "", "id"},
		{"in", "", "id"},
		{"fr-FR,fr;q=0.9", "", "en"},
		{"de;q=0.9,id;q=0.5", "", "id"},
		{"id", "?hl=en", "en"},
		{"", "", "en"},
		{"garbage;;q=x", "", "en"},
	} {
		req := httptest.NewRequest(http.MethodGet, p.Path()+c.query, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		res, body := s.do(req)
		if !strings.Contains(body, `<html lang="`+c.want+`">`) {
			t.Errorf("Accept-Language %q%s: want %s", c.accept, c.query, c.want)
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Language") {
			t.Errorf("no Vary: Accept-Language")
		}
	}
	id := newSite(t, Config{Lang: "id"})
	q := id.addPost("Belarus", seedTime, "Text.")
	req := httptest.NewRequest(http.MethodGet, q.Path(), nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	if _, body := id.do(req); !strings.Contains(body, "No comments:") {
		t.Error("an English browser on an Indonesian site should read English")
	}
}

func TestNumbersPerLocale(t *testing.T) {
	locs, err := loadLocales(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{{"en", 0, "0"}, {"en", 999, "999"}, {"en", 1234, "1,234"}, {"en", 1234567, "1,234,567"}, {"id", 1234567, "1.234.567"}, {"id", -12345, "-12.345"}} {
		if got := locs[c.lang].Num(c.n); got != c.want {
			t.Errorf("%s %d = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	if got := locs["id"].N("comments.many", 12000); got != "12.000 komentar:" {
		t.Errorf("id comments %q", got)
	}
	if got := locs["id"].MonthYear(2024, 2); got != "Februari 2024" {
		t.Errorf("month %q", got)
	}
}

// submit posts a comment form as a browser would after opening the page.
func (s *site) submit(path string, fields url.Values) (*http.Response, string) {
	s.t.Helper()
	cookie, token := s.openForm(path)
	fields.Set("csrf", token)
	return s.post(path, cookie, fields)
}

func TestRepliesAreOneLevelDeep(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	top := &model.Comment{PostID: p.ID, Name: "Ani", Body: "First.", Status: model.CommentApproved, CreatedAt: seedTime.Add(time.Hour)}
	s.approve(top)
	reply := &model.Comment{PostID: p.ID, ParentID: top.ID, Name: "Budi", Body: "Reply.", Status: model.CommentApproved, CreatedAt: seedTime.Add(2 * time.Hour)}
	s.approve(reply)

	page := s.mustGet(p.Path()+fmt.Sprintf("?reply=%d", top.ID), http.StatusOK)
	contains(t, page, fmt.Sprintf(`<input type="hidden" name="parent" value="%d">`, top.ID), "Replying to",
		`<ol class="replies">`, `<h2 id="comments-heading">2 comments:</h2>`)
	// A reply to a reply joins the thread of the first comment.
	res, _ := s.submit(p.Path(), url.Values{"name": {"Citra"}, "text": {"Me too."}, "parent": {fmt.Sprint(reply.ID)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	cs := s.comments(p.ID)
	if got := cs[len(cs)-1]; got.ParentID != top.ID || got.Status != model.CommentPending {
		t.Errorf("reply to a reply stored as %+v", got)
	}
	// A reply to a held or foreign comment becomes a comment of its own.
	res, _ = s.submit(p.Path(), url.Values{"name": {"Dewi"}, "text": {"Hello."}, "parent": {"999"}})
	if cs := s.comments(p.ID); res.StatusCode != http.StatusSeeOther || cs[len(cs)-1].ParentID != 0 {
		t.Errorf("reply to a missing comment: %d %+v", res.StatusCode, cs[len(cs)-1])
	}
	// Unknown reply targets show no reply form.
	lacks(t, s.mustGet(p.Path()+"?reply=999", http.StatusOK), `name="parent"`)
}

// tamper changes one character of a token, away from its end, where a
// character may carry only unused bits of base64: setting its last two
// to "AA" left one token in 4 096 as it was, and the test then saw the
// rate limit's 429 instead of the forgery's 403.
func tamper(token string) string {
	b := []byte(token)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestCommentAntiSpam(t *testing.T) {
	clk := newClock()
	s := newSite(t, Config{MinSubmit: 3 * time.Second, Now: clk.Now, CommentBurst: 3, CommentEvery: time.Minute})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")

	// Too fast: shown again, nothing stored.
	cookie, token := s.openForm(p.Path())
	form := url.Values{"csrf": {token}, "name": {"Bot"}, "text": {"Fast."}}
	res, body := s.post(p.Path(), cookie, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "That was quick!") {
		t.Fatalf("fast post: %d", res.StatusCode)
	}
	clk.add(4 * time.Second)
	if res, _ := s.post(p.Path(), cookie, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post after reading: %d", res.StatusCode)
	}
	// Too many links (the token above has posted its comment: a new form).
	cookie, token = s.openForm(p.Path())
	clk.add(4 * time.Second)
	spam := url.Values{"csrf": {token}, "name": {"Spam"}, "text": {"Buy http://a.example https://b.example www.c.example"}}
	if res, body := s.post(p.Path(), cookie, spam); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "too many links") {
		t.Fatalf("links: %d", res.StatusCode)
	}
	if n := len(s.comments(p.ID)); n != 1 {
		t.Fatalf("%d comments stored", n)
	}
	// A tampered token is refused (403) without counting against the limit.
	bad := url.Values{"csrf": {tamper(token)}, "name": {"X"}, "text": {"Y"}}
	if res, _ := s.post(p.Path(), cookie, bad); res.StatusCode != http.StatusForbidden {
		t.Fatalf("tampered token: %d", res.StatusCode)
	}
	// A form open longer than two hours is shown again, nothing stored.
	clk.add(2*time.Hour + time.Minute)
	form.Set("csrf", token)
	if res, body := s.post(p.Path(), cookie, form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "out of date") {
		t.Fatalf("old form: %d", res.StatusCode)
	}
	if n := len(s.comments(p.ID)); n != 1 {
		t.Fatalf("%d comments stored", n)
	}
}

// TestCommentFloodIsThrottled: one address posting again and again gets
// 429 with Retry-After once its burst is spent; another address is not held
// up, and the first may post again once the bucket refills.
func TestCommentFloodIsThrottled(t *testing.T) {
	clk := newClock()
	s := newSite(t, Config{Now: clk.Now, CommentBurst: 5, CommentEvery: time.Minute})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	flood := func(addr string) *http.Response {
		// Each post comes from a form of its own, opened from the address
		// that sends it (a token is used once, from where it was issued).
		cookie, token := s.openFormAt(p.Path(), addr)
		req := httptest.NewRequest(http.MethodPost, p.Path(), strings.NewReader(url.Values{"csrf": {token}, "name": {"Flood"}, "text": {"Again."}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = addr
		req.AddCookie(cookie)
		res, _ := s.do(req)
		return res
	}
	var codes []int
	for range 8 {
		codes = append(codes, flood("203.0.113.7:4000").StatusCode)
	}
	want := []int{303, 303, 303, 303, 303, 429, 429, 429}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Fatalf("statuses %v, want %v", codes, want)
	}
	res := flood("203.0.113.7:5000")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("another port of the same address: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := flood("198.51.100.1:4000"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another address: %d", res.StatusCode)
	}
	// IPv6: one /64 is one sender.
	for i := range 6 {
		res := flood(fmt.Sprintf("[2001:db8::%x]:443", i+1))
		if (i < 5) != (res.StatusCode == http.StatusSeeOther) {
			t.Fatalf("IPv6 post %d: %d", i, res.StatusCode)
		}
	}
	clk.add(time.Minute)
	if res := flood("203.0.113.7:4000"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after a minute: %d", res.StatusCode)
	}
	if n := len(s.comments(p.ID)); n != 5+1+5+1 {
		t.Fatalf("%d comments stored", n)
	}
}

func TestKnownCommenterIsTrustedWhenAllowed(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	send := func(text string) *http.Response {
		cookie, token := s.openForm(p.Path())
		req := httptest.NewRequest(http.MethodPost, p.Path(), strings.NewReader(url.Values{"csrf": {token}, "name": {"Ani"}, "text": {text}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		if c := s.commenter; c != nil {
			req.AddCookie(c)
		}
		res, _ := s.do(req)
		for _, c := range res.Cookies() {
			if c.Name == commenterCookie {
				s.commenter = c
			}
		}
		return res
	}
	send("First.")
	cs := s.comments(p.ID)
	if err := s.st.SetCommentStatus(context.Background(), cs[0].ID, model.CommentApproved); err != nil {
		t.Fatal(err)
	}
	// The owner has not allowed it yet: held.
	send("Second.")
	if cs := s.comments(p.ID); cs[1].Status != model.CommentPending {
		t.Fatalf("second comment %q", cs[1].Status)
	}
	s.st.SetSetting(context.Background(), settingTrustKnown, "on")
	s.srv.cache.invalidate()
	res := send("Third.")
	if cs := s.comments(p.ID); cs[2].Status != model.CommentApproved || !strings.Contains(res.Header.Get("Location"), "comment=published") {
		t.Fatalf("third comment %q, redirect %q", cs[2].Status, res.Header.Get("Location"))
	}
	// Someone else, with the same name, is still held.
	s.commenter = nil
	send("Fourth, from another browser.")
	if cs := s.comments(p.ID); cs[3].Status != model.CommentPending {
		t.Fatalf("a stranger's comment %q", cs[3].Status)
	}
}

var tokenField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// adminUser makes a user with a cheap hash (the iteration count is stored
// with the hash) and signs in, returning the cookies of the session.
func (s *site) signIn(name, password string) []*http.Cookie {
	s.t.Helper()
	hash, err := hashPassword(password, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.st.CreateUser(context.Background(), &model.User{Name: name, PasswordHash: hash}); err != nil {
		s.t.Fatal(err)
	}
	cookie, token := s.openForm("/admin/login")
	res, body := s.post("/admin/login", cookie, url.Values{"csrf": {token}, "name": {name}, "password": {password}, "next": {"/admin/comments"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/comments" {
		s.t.Fatalf("sign in: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				s.t.Errorf("session cookie %v", c)
			}
			return []*http.Cookie{cookie, c}
		}
	}
	s.t.Fatal("no session cookie")
	return nil
}

func (s *site) adminReq(method, target string, cookies []*http.Cookie, form url.Values) (*http.Response, string) {
	s.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return s.do(req)
}

func TestAdmin(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	held := &model.Comment{PostID: p.ID, Name: "Ani", Body: "Held <b>comment</b>", CreatedAt: seedTime}
	s.approve(held)

	// Signed out: every page sends to the sign-in form; forms are refused.
	res, _ := s.get("/admin/comments?status=pending")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login?next=%2Fadmin%2Fcomments%3Fstatus%3Dpending" {
		t.Fatalf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	cookies := s.signIn("owner", "a long enough password")
	page := func(target string) string {
		t.Helper()
		res, body := s.adminReq(http.MethodGet, target, cookies, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", target, res.StatusCode, body)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", target, res.Header.Get("Cache-Control"))
		}
		return body
	}
	act := func(target string, form url.Values) *http.Response {
		t.Helper()
		body := page("/admin/settings")
		form.Set("csrf", tokenField.FindStringSubmatch(body)[1])
		res, _ := s.adminReq(http.MethodPost, target, cookies, form)
		return res
	}
	contains(t, page("/admin"), "<strong>1</strong> comment awaiting moderation", "<strong>1</strong> post</a>", "Sign out (owner)")
	queue := page("/admin/comments")
	contains(t, queue, "Held &lt;b&gt;comment&lt;/b&gt;", "Awaiting moderation (1)", fmt.Sprintf(`action="/admin/comments/%d/approve"`, held.ID))
	lacks(t, s.mustGet(p.Path(), http.StatusOK), "Held &lt;b&gt;comment")

	// A form without the token is refused.
	if res, _ := s.adminReq(http.MethodPost, fmt.Sprintf("/admin/comments/%d/approve", held.ID), cookies, url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("approve without a token: %d", res.StatusCode)
	}
	if res := act(fmt.Sprintf("/admin/comments/%d/approve", held.ID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	contains(t, s.mustGet(p.Path(), http.StatusOK), "Held &lt;b&gt;comment&lt;/b&gt;", "1 comment:")
	if res := act(fmt.Sprintf("/admin/comments/%d/spam", held.ID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("spam: %d", res.StatusCode)
	}
	contains(t, page("/admin/comments?status=spam"), "Spam (1)")
	// Delete asks first, then deletes.
	if res := act(fmt.Sprintf("/admin/comments/%d/delete", held.ID), url.Values{}); res.StatusCode != http.StatusOK {
		t.Fatalf("delete without confirmation: %d", res.StatusCode)
	}
	if n := len(s.comments(p.ID)); n != 1 {
		t.Fatalf("%d comments after an unconfirmed delete", n)
	}
	if res := act(fmt.Sprintf("/admin/comments/%d/delete", held.ID), url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if n := len(s.comments(p.ID)); n != 0 {
		t.Fatalf("%d comments after delete", n)
	}
	if res := act("/admin/comments/999/approve", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("approve a missing comment: %d", res.StatusCode)
	}

	// Feeds: add, options, pause, resume, remove.
	if res := act("/admin/feeds", url.Values{"url": {"https://example.org/feed.xml"}, "topic": {"Dunia"}, "excerpt": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add feed: %d", res.StatusCode)
	}
	if res := act("/admin/feeds", url.Values{"url": {"javascript:alert(1)"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad feed URL: %d", res.StatusCode)
	}
	if res := act("/admin/feeds", url.Values{"url": {"https://example.org/feed.xml"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("duplicate feed: %d", res.StatusCode)
	}
	feeds, _ := s.st.Feeds(context.Background())
	added := feeds[len(feeds)-1]
	if o, _ := s.st.FeedOptions(context.Background(), added.ID); o.Topic != "Dunia" || !o.Excerpt {
		t.Fatalf("options %+v", o)
	}
	act(fmt.Sprintf("/admin/feeds/%d/pause", added.ID), url.Values{})
	if f, _ := s.st.Feed(context.Background(), added.ID); !f.Paused {
		t.Fatal("not paused")
	}
	contains(t, page("/admin/feeds?done=feed_paused"), "Feed paused.", "paused", "https://example.org/feed.xml")
	act(fmt.Sprintf("/admin/feeds/%d/resume", added.ID), url.Values{})
	act(fmt.Sprintf("/admin/feeds/%d/options", added.ID), url.Values{"topic": {"World"}})
	if o, _ := s.st.FeedOptions(context.Background(), added.ID); o.Topic != "World" || o.Excerpt {
		t.Fatalf("options after save %+v", o)
	}
	act(fmt.Sprintf("/admin/feeds/%d/delete", added.ID), url.Values{})
	if _, err := s.st.Feed(context.Background(), added.ID); err != nil {
		t.Fatal("feed removed without confirmation")
	}
	act(fmt.Sprintf("/admin/feeds/%d/delete", added.ID), url.Values{"confirm": {"yes"}})
	if _, err := s.st.Feed(context.Background(), added.ID); err == nil {
		t.Fatal("feed not removed")
	}

	// Posts: no re-extraction without the pipeline.
	contains(t, page("/admin/posts"), "Belarus turns to Kremlin", "this process cannot")

	// Settings and tokens.
	if res := act("/admin/settings", url.Values{"title": {"Kabar Kita"}, "index": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	home := s.mustGet("/", http.StatusOK)
	contains(t, home, "<title>Kabar Kita</title>")
	lacks(t, home, "noindex")
	body := page("/admin/settings")
	res, body = s.adminReq(http.MethodPost, "/admin/tokens", cookies, url.Values{"csrf": {tokenField.FindStringSubmatch(body)[1]}, "name": {"cron"}})
	tok := regexp.MustCompile(`<code>(kabar_[^<]+)</code>`).FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || tok == nil {
		t.Fatalf("new token: %d", res.StatusCode)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/comments?status=pending", nil)
	req.Header.Set("Authorization", "Bearer "+tok[1])
	if res, _ := s.do(req); res.StatusCode != http.StatusOK {
		t.Fatalf("token from the settings page: %d", res.StatusCode)
	}

	// Sign out ends the session.
	res = act("/admin/logout", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res, _ := s.adminReq(http.MethodGet, "/admin", cookies, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", res.StatusCode)
	}
}

func TestLoginRefusalsAndThrottle(t *testing.T) {
	s := newSite(t, Config{})
	hash, _ := hashPassword("the right password", 1000)
	s.st.CreateUser(context.Background(), &model.User{Name: "owner", PasswordHash: hash})
	cookie, token := s.openForm("/admin/login")
	if res, _ := s.post("/admin/login", cookie, url.Values{"name": {"owner"}, "password": {"the right password"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("no CSRF token: %d", res.StatusCode)
	}
	var codes []int
	for i := range 12 {
		res, body := s.post("/admin/login", cookie, url.Values{"csrf": {token}, "name": {"owner"}, "password": {"guess"}})
		codes = append(codes, res.StatusCode)
		// The clock stands still: after five failures the name is locked
		// (TestLoginThrottlePerAccount), which says so.
		want := "Wrong name or password."
		if i >= loginThrottle.Free {
			want = "Too many attempts for this name"
		}
		if res.StatusCode == http.StatusUnauthorized && !strings.Contains(body, want) {
			t.Errorf("attempt %d: no message %q", i+1, want)
		}
	}
	if codes[0] != 401 || codes[9] != 401 || codes[10] != 429 || codes[11] != 429 {
		t.Fatalf("statuses %v", codes)
	}
	// An open redirect after sign-in is not possible.
	for next, want := range map[string]string{"https://evil.example/": "/admin", "//evil.example": "/admin", "/admin/feeds": "/admin/feeds", "/\\evil": "/admin"} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("correct horse battery", 2000)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "pbkdf2-sha256$2000$") || !verifyPassword(h, "correct horse battery") || verifyPassword(h, "correct horse batterY") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := hashPassword("correct horse battery", 2000)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "pbkdf2-sha256$x$a$b", "md5$1$a$b", h + "$", "pbkdf2-sha256$99999999$a$b"} {
		if verifyPassword(bad, "correct horse battery") {
			t.Errorf("%q verified", bad)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a short password was accepted")
	}
	if PasswordIterations < 600_000 {
		t.Errorf("iterations %d", PasswordIterations)
	}
}

func TestAPI(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "One.", "Two.")
	s.titleFeed("Belarus - Google News")
	c := &model.Comment{PostID: p.ID, Name: "Ani", Body: "Held.", CreatedAt: seedTime}
	s.approve(c)
	hash, _ := hashPassword("a long enough password", 1000)
	u := &model.User{Name: "owner", PasswordHash: hash}
	s.st.CreateUser(context.Background(), u)
	token, err := NewAPIToken(context.Background(), s.st, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, target, body string, auth bool) (int, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, raw := s.do(req)
		var out map[string]any
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				t.Fatalf("%s %s: not JSON: %v\n%s", method, target, err, raw)
			}
		}
		return res.StatusCode, out
	}
	code, got := call("GET", fmt.Sprintf("/api/posts/%d", p.ID), "", false)
	if code != 200 || got["title"] != p.Title || len(got["paragraphs"].([]any)) != 2 || len(got["labels"].([]any)) != 2 ||
		got["google_news_url"] != seedNews || got["publisher"] != "Sky News" {
		t.Fatalf("post: %d %v", code, got)
	}
	if code, got := call("GET", "/api/posts?q=kremlin", "", false); code != 200 || got["total"] != float64(1) {
		t.Fatalf("search: %d %v", code, got)
	}
	if code, got := call("GET", "/api/posts?label=Sky+News", "", false); code != 200 || len(got["posts"].([]any)) != 1 {
		t.Fatalf("label: %d %v", code, got)
	}
	if code, got := call("GET", "/api/labels?kind=publisher", "", false); code != 200 || len(got["labels"].([]any)) != 1 {
		t.Fatalf("labels: %d %v", code, got)
	}
	if code, got := call("GET", fmt.Sprintf("/api/posts/%d/comments", p.ID), "", false); code != 200 || len(got["comments"].([]any)) != 0 {
		t.Fatalf("held comments are not public: %v", got)
	}
	errCode := func(m map[string]any) string { return m["error"].(map[string]any)["code"].(string) }
	for _, c := range []struct {
		method, target, body string
		auth                 bool
		status               int
		code                 string
	}{
		{"GET", "/api/posts/999", "", false, 404, "not_found"},
		{"GET", "/api/posts/abc", "", false, 404, "not_found"},
		{"GET", "/api/comments?status=pending", "", false, 401, "unauthenticated"},
		{"GET", "/api/comments?status=bogus", "", false, 400, "invalid_argument"},
		{"POST", "/api/feeds", `{"url":"https://example.org/f.xml"}`, false, 401, "unauthenticated"},
		{"POST", "/api/feeds", `{"url":"ftp://example.org/f.xml"}`, true, 400, "invalid_argument"},
		{"POST", "/api/feeds", `{"url":"https://example.org/f.xml","color":"red"}`, true, 400, "invalid_argument"},
		{"POST", "/api/feeds", `not json`, true, 400, "invalid_argument"},
		{"PUT", "/api/feeds", "", false, 405, "method_not_allowed"},
		{"PATCH", "/api/comments/999", `{"status":"approved"}`, true, 404, "not_found"},
		{"PATCH", fmt.Sprintf("/api/comments/%d", c.ID), `{"status":"maybe"}`, true, 400, "invalid_argument"},
		{"POST", fmt.Sprintf("/api/posts/%d/reextract", p.ID), "", true, 501, "not_implemented"},
		{"GET", "/api/stories/999", "", false, 404, "not_found"},
	} {
		code, got := call(c.method, c.target, c.body, c.auth)
		if code != c.status || got == nil || errCode(got) != c.code {
			t.Errorf("%s %s: %d %v, want %d %s", c.method, c.target, code, got, c.status, c.code)
		}
	}
	bad := httptest.NewRequest("GET", "/api/comments?status=pending", nil)
	bad.Header.Set("Authorization", "Bearer kabar_wrong")
	if res, _ := s.do(bad); res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("wrong token: %d", res.StatusCode)
	}

	code, got = call("POST", "/api/feeds", `{"url":"https://example.org/f.xml","topic":"Dunia"}`, true)
	if code != 201 || got["topic"] != "Dunia" || got["paused"] != false {
		t.Fatalf("add feed: %d %v", code, got)
	}
	id := int64(got["id"].(float64))
	if code, _ := call("POST", "/api/feeds", `{"url":"https://example.org/f.xml"}`, true); code != 409 {
		t.Fatalf("add twice: %d", code)
	}
	if code, got := call("PATCH", fmt.Sprintf("/api/feeds/%d", id), `{"paused":true,"excerpt":true}`, true); code != 200 || got["paused"] != true || got["excerpt"] != true || got["topic"] != "Dunia" {
		t.Fatalf("patch feed: %d %v", code, got)
	}
	if code, got := call("GET", "/api/feeds", "", false); code != 200 || len(got["feeds"].([]any)) != 2 {
		t.Fatalf("feeds: %d %v", code, got)
	}
	if code, _ := call("DELETE", fmt.Sprintf("/api/feeds/%d", id), "", true); code != 204 {
		t.Fatalf("delete feed: %d", code)
	}
	if code, _ := call("GET", fmt.Sprintf("/api/feeds/%d", id), "", false); code != 404 {
		t.Fatalf("deleted feed: %d", code)
	}

	if code, got := call("GET", "/api/comments?status=pending", "", true); code != 200 || len(got["comments"].([]any)) != 1 {
		t.Fatalf("queue: %d %v", code, got)
	}
	if code, got := call("PATCH", fmt.Sprintf("/api/comments/%d", c.ID), `{"status":"approved"}`, true); code != 200 || got["status"] != "approved" {
		t.Fatalf("approve: %d %v", code, got)
	}
	if code, got := call("GET", "/api/comments", "", false); code != 200 || len(got["comments"].([]any)) != 1 {
		t.Fatalf("public comments: %d %v", code, got)
	}
	if code, _ := call("DELETE", fmt.Sprintf("/api/comments/%d", c.ID), "", true); code != 204 {
		t.Fatalf("delete comment: %d", code)
	}
}
