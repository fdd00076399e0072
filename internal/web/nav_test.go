package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/story/storytest"
)

func TestMenuOnEveryReaderPage(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	for _, target := range []string{"/", p.Path(), "/stories", "/labels", "/publishers", "/archive", "/search?q=x", "/search/label/Sky%20News"} {
		body := s.mustGet(target, http.StatusOK)
		contains(t, body, `<nav class="site-nav" aria-label="Sections">`,
			`<a href="/"`, `<a href="/stories"`, `<a href="/labels"`, `<a href="/publishers"`, `<a href="/archive"`, `<a href="/search"`)
	}
	contains(t, s.mustGet("/stories", http.StatusOK), `<a href="/stories" aria-current="page">Stories</a>`)
	// The reader's language is kept.
	contains(t, s.mustGet("/?hl=id", http.StatusOK), `<a href="/stories?hl=id">Liputan</a>`, `<a href="/archive?hl=id">Arsip</a>`)

	// The owner's labels follow the site's pages, by their shown names.
	ctx := context.Background()
	if err := s.st.SetSetting(ctx, settingMenuLabels, "Sky News\n\"kota\" - Google Berita\n"); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()
	contains(t, s.mustGet("/", http.StatusOK),
		`<li><a href="/search/label/Sky%20News">Sky News</a></li>`,
		`<li><a href="/search/label/%22kota%22%20-%20Google%20Berita">kota</a></li>`)
}

func TestCleanLabelNames(t *testing.T) {
	for in, want := range map[string]string{
		`"kota" - Google Berita`:         "kota",
		`Belarus - Google News`:          "Belarus",
		`"jakarta banjir" - Google News`: "jakarta banjir",
		`Top stories - Google News`:      "Top stories",
		`Sky News`:                       "Sky News",
		`"quoted" title`:                 `"quoted" title`,
		` - Google News`:                 ` - Google News`,
	} {
		if got := cleanFeedTitle(in); got != want {
			t.Errorf("cleanFeedTitle(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct{ code, page, want string }{
		{"en", "en", "English"}, {"id", "en", "Indonesian"}, {"id", "id", "Indonesia"}, {"en", "id", "Inggris"}, {"xx-bogus-", "en", "xx-bogus-"},
	} {
		if got := languageName(c.code, c.page); got != c.want {
			t.Errorf("languageName(%q, %q) = %q, want %q", c.code, c.page, got, c.want)
		}
	}
	for _, group := range [][]string{{"The Guardian", "guardian", "Guardian.", "THE GUARDIAN"}, {"Kompas.com", "kompas com", "KOMPAS.com"}} {
		for _, n := range group[1:] {
			if publisherKey(n) != publisherKey(group[0]) {
				t.Errorf("%q and %q are not one publisher", n, group[0])
			}
		}
	}
	if publisherKey("The Times") == publisherKey("Times of India") {
		t.Error("different publishers joined")
	}
}

func TestLabelsReadable(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Banjir di kota", seedTime, "Text.")
	p.Language = "id"
	if err := s.st.UpdatePostText(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	s.titleFeed(`"kota" - Google Berita`)
	body := s.mustGet("/labels", http.StatusOK)
	contains(t, body, `<a href="/search/label/%22kota%22%20-%20Google%20Berita">kota</a>`, `<a href="/search/label/id">Indonesian</a>`)
	lacks(t, body, `>"kota" - Google Berita<`, `>id</a>`)
	contains(t, s.mustGet("/labels?hl=id", http.StatusOK), `>Indonesia</a>`)
	post := s.mustGet(p.Path(), http.StatusOK)
	contains(t, post, `rel="tag">kota</a>`, `rel="tag">Indonesian</a>`)
	// The post is Indonesian on an English page: it says so.
	contains(t, post, `<article class="post" lang="id">`)
	lacks(t, s.mustGet(p.Path()+"?hl=id", http.StatusOK), `<article class="post" lang="id">`)
	contains(t, s.mustGet("/search/label/id", http.StatusOK), "Posts labelled Indonesian")

	// The owner renames a label; its address stays.
	if err := s.st.SetSetting(context.Background(), settingLabelNames, "\"kota\" - Google Berita = Kota & banjir\nnot a line\n"); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()
	contains(t, s.mustGet("/labels", http.StatusOK), `<a href="/search/label/%22kota%22%20-%20Google%20Berita">Kota &amp; banjir</a>`)
	contains(t, s.mustGet("/search/label/%22kota%22%20-%20Google%20Berita", http.StatusOK), "Posts labelled Kota &amp; banjir")
}

func TestPublisherVariantsAreOne(t *testing.T) {
	s := newSite(t, Config{})
	a := s.addPost("One", seedTime, "Text one.")
	b := s.addPost("Two", seedTime.Add(time.Hour), "Text two.")
	c := s.addPost("Three", seedTime.Add(2*time.Hour), "Text three.")
	ctx := context.Background()
	// Publishers as feeds name them: two spellings of one, and another.
	for p, name := range map[*model.Post]string{a: "The Sky News", b: "sky news", c: "Antara"} {
		it, err := s.st.Item(ctx, p.ItemID)
		if err != nil {
			t.Fatal(err)
		}
		q := &model.Post{FeedID: p.FeedID, ItemID: it.ID, Title: p.Title + " again", Publisher: name,
			SourceURL: p.SourceURL + "-" + model.Slugify(name), ItemLink: p.ItemLink, Published: p.Published, Paragraphs: []string{"Other " + name}}
		if _, err := s.st.SavePost(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	body := s.mustGet("/publishers", http.StatusOK)
	// Sky News (3 posts) and its variants are one; Antara is another.
	contains(t, body, `<a href="/publisher/Sky%20News">Sky News</a> <span class="count">(5)</span>`, `>Antara</a> <span class="count">(1)</span>`)
	lacks(t, body, `>The Sky News<`, `>sky news<`)
	pub := s.mustGet("/publisher/Sky%20News", http.StatusOK)
	if n := strings.Count(pub, `<article class="post-summary"`); n != 5 {
		t.Errorf("%d posts of Sky News, want 5", n)
	}
	if n := strings.Count(s.mustGet("/publisher/sky%20news", http.StatusOK), `<article class="post-summary"`); n != 5 {
		t.Errorf("%d posts under a variant's address, want 5", n)
	}
	contains(t, s.mustGet("/labels", http.StatusOK), `<a href="/publisher/Sky%20News">Sky News</a> <span class="count">(5)</span>`)
}

func TestPostPageNeighboursBylineAndSharing(t *testing.T) {
	s := newSite(t, Config{BaseURL: "https://news.example"})
	first := s.addPost("First post", seedTime, "The first post's lead paragraph.")
	mid := s.addPost("Middle post", seedTime.Add(time.Hour), "The middle post's lead paragraph.")
	last := s.addPost("Last post", seedTime.Add(2*time.Hour), "The last one.")
	mid.Author = "Ani Wijaya"
	mid.Image = "https://news.example.com/img/mid.jpg"
	if err := s.st.UpdatePostText(context.Background(), mid); err != nil {
		t.Fatal(err)
	}
	body := s.mustGet(mid.Path(), http.StatusOK)
	contains(t, body,
		`<span class="byline">By Ani Wijaya</span>`,
		`<a class="newer" href="`+last.Path()+`" rel="prev"><span class="dir">Newer:</span> Last post</a>`,
		`<a class="older" href="`+first.Path()+`" rel="next"><span class="dir">Older:</span> First post</a>`,
		`<meta name="description" content="The middle post&#39;s lead paragraph.">`,
		`<meta property="og:type" content="article">`,
		`<meta property="og:title" content="Middle post">`,
		`<meta property="og:url" content="https://news.example`+mid.Path()+`">`,
		`<link rel="canonical" href="https://news.example.com/story/middle-post">`,
		`<link rel="alternate" hreflang="id" href="https://news.example`+mid.Path()+`?hl=id">`,
		`<link rel="alternate" hreflang="x-default" href="https://news.example`+mid.Path()+`">`,
		`<link rel="icon" href="/favicon.ico"`)
	// The publisher's image address is never a preview's image: only the
	// site's own copy is (images_test.go), and this site keeps none.
	lacks(t, body, "og:image", "news.example.com/img/mid.jpg")
	first2 := s.mustGet(first.Path(), http.StatusOK)
	lacks(t, first2, `class="older"`, "byline", "og:image")
	contains(t, first2, `<meta name="twitter:card" content="summary">`)

	// The owner may point canonical at this site.
	if err := s.st.SetSetting(context.Background(), settingCanonical, canonicalSelf); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()
	contains(t, s.mustGet(mid.Path(), http.StatusOK), `<link rel="canonical" href="https://news.example`+mid.Path()+`">`)
}

func TestRobotsSitemapsFavicon(t *testing.T) {
	clock := newClock()
	s := newSite(t, Config{BaseURL: "https://news.example", Now: clock.Now})
	s.srv.sitemapMax = 2
	old := s.addPost("Old post", clock.Now().Add(-72*time.Hour), "Old.")
	var recent []*model.Post
	for i := range 3 {
		recent = append(recent, s.addPost(fmt.Sprintf("Recent %d", i), clock.Now().Add(-time.Duration(i+1)*time.Hour), "New."))
	}

	res, body := s.get("/robots.txt")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" || body != "User-agent: *\nDisallow: /\n" {
		t.Errorf("noindex robots.txt: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if err := s.st.SetSetting(context.Background(), settingIndex, "on"); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()
	body = s.mustGet("/robots.txt", http.StatusOK)
	contains(t, body, "Disallow: /admin\n", "Sitemap: https://news.example/sitemap.xml\n", "Sitemap: https://news.example/sitemap-news.xml\n")
	lacks(t, body, "Disallow: /\n")

	// Four posts at two a file: an index of two sitemaps.
	res, body = s.get("/sitemap.xml")
	if res.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Errorf("sitemap type %q", res.Header.Get("Content-Type"))
	}
	var idx sitemapIndex
	if err := xml.Unmarshal([]byte(body), &idx); err != nil || len(idx.Sitemaps) != 2 || idx.Sitemaps[1].Loc != "https://news.example/sitemap.xml?page=2" {
		t.Fatalf("sitemap index %+v %v\n%s", idx, err, body)
	}
	var locs []string
	for _, page := range []string{"/sitemap.xml?page=1", "/sitemap.xml?page=2"} {
		var set urlSet
		if err := xml.Unmarshal([]byte(s.mustGet(page, http.StatusOK)), &set); err != nil {
			t.Fatal(err)
		}
		for _, u := range set.URLs {
			locs = append(locs, u.Loc)
		}
	}
	want := []string{"https://news.example/", "https://news.example" + recent[0].Path(), "https://news.example" + recent[1].Path(),
		"https://news.example" + recent[2].Path(), "https://news.example" + old.Path()}
	if strings.Join(locs, " ") != strings.Join(want, " ") {
		t.Errorf("sitemap URLs\n%v\nwant\n%v", locs, want)
	}
	s.mustGet("/sitemap.xml?page=3", http.StatusNotFound)
	s.mustGet("/sitemap.xml?page=x", http.StatusNotFound)
	s.srv.sitemapMax = sitemapMaxURLs
	body = s.mustGet("/sitemap.xml", http.StatusOK)
	contains(t, body, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`, "<lastmod>")

	// The news sitemap: the last 48 hours only.
	body = s.mustGet("/sitemap-news.xml", http.StatusOK)
	contains(t, body, `xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"`, "<news:name>kabar</news:name>",
		"<news:title>Recent 0</news:title>", "<news:language>en</news:language>", recent[2].Path())
	lacks(t, body, old.Path())

	res, body = s.get("/favicon.ico")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/x-icon" || !strings.HasPrefix(body, "\x00\x00\x01\x00\x01\x00") ||
		!strings.Contains(body, "\x89PNG") {
		t.Errorf("favicon: %d %q %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
}

func TestHomeListsAStoryOnce(t *testing.T) {
	s := newStorySite(t)
	orig, id := s.wire()
	lone, _ := s.publish("Bali Post", storytest.Get("en-ferry-wire"), 0)
	body := s.mustGet("/", http.StatusOK)
	// The story shows once, by its first report, with a link to the rest.
	if n := strings.Count(body, `<article class="post-summary"`); n != 2 {
		t.Errorf("%d home items, want 2 (the quake once and the ferry)", n)
	}
	contains(t, body, `href="`+orig.Path()+`"`, `<p class="more-reports"><a href="/story/`+fmt.Sprint(id)+`">and 5 more reports</a></p>`, `href="`+lone.Path()+`"`)
	contains(t, s.mustGet("/?hl=id", http.StatusOK), "dan 5 laporan lain")
	// /stories: only stories of two or more reports.
	stories := s.mustGet("/stories", http.StatusOK)
	contains(t, stories, fmt.Sprintf(`href="/story/%d"`, id), "6 reports")
	lacks(t, stories, "1 report<", lone.Title)
	// The story's headline is its h1 and reports show excerpts.
	story := s.mustGet(fmt.Sprintf("/story/%d", id), http.StatusOK)
	contains(t, story, `<h1 class="story-title">`, `<p class="excerpt">`)
}

func TestEmptySiteTellsOwnerWhatToDo(t *testing.T) {
	s := newSite(t, Config{})
	body := s.mustGet("/", http.StatusOK)
	contains(t, body, "This site has no feeds yet", `<a href="/admin/feeds">Admin › Feeds</a>`, "<code>kabar feeds add https://")
	contains(t, s.mustGet("/?hl=id", http.StatusOK), "Situs ini belum punya feed")
	// With a feed but no posts yet, only "No posts yet".
	if err := s.st.AddFeed(context.Background(), &model.Feed{URL: "https://feeds.example/x"}); err != nil {
		t.Fatal(err)
	}
	body = s.mustGet("/", http.StatusOK)
	contains(t, body, "No posts yet.")
	lacks(t, body, "kabar feeds add")
}

func TestSettingsShowMenuAndNames(t *testing.T) {
	s := newSite(t, Config{})
	s.addPost("One", seedTime, "Text.")
	cookies := s.signIn("owner", "a long enough password")
	_, body := s.adminReq(http.MethodGet, "/admin/settings", cookies, nil)
	form := url.Values{"csrf": {tokenField.FindStringSubmatch(body)[1]}, "menu_labels": {"Sky News\n\n Sky News \nPolitik"},
		"label_names": {"Sky News = Sky\n"}, "canonical": {"self"}}
	res, _ := s.adminReq(http.MethodPost, "/admin/settings", cookies, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	_, body = s.adminReq(http.MethodGet, "/admin/settings", cookies, nil)
	contains(t, body, ">Sky News\nPolitik</textarea>", ">Sky News = Sky\n</textarea>", `value="self" checked`,
		`placeholder="kabar"`, "Empty: “kabar”, from --site-title.")
	contains(t, s.mustGet("/", http.StatusOK), `<li><a href="/search/label/Sky%20News">Sky</a></li>`)
}
