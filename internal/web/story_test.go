package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/story"
	"github.com/kabarnews/kabar/internal/story/storytest"
)

// storySite is a site whose posts go through story assignment, as the
// pipeline's do.
type storySite struct {
	*site
	a *story.Assigner
	n int
}

func newStorySite(t *testing.T) *storySite {
	s := newSite(t, Config{})
	return &storySite{site: s, a: story.NewAssigner(s.st, story.Config{})}
}

// publish stores a corpus article as published by publisher, minutes after
// its time, with one item (and extra items: the same text from other
// sites), and assigns it.
func (s *storySite) publish(publisher string, a storytest.Article, minutes int, also ...string) (*model.Post, int64) {
	s.t.Helper()
	ctx := context.Background()
	f := &model.Feed{URL: "https://feeds.example/" + publisher}
	if err := s.st.AddFeed(ctx, f); err != nil {
		s.t.Fatal(err)
	}
	s.n++
	pub := a.Published().Add(time.Duration(minutes) * time.Minute)
	src := fmt.Sprintf("https://%s.example/news/%d", strings.ToLower(strings.ReplaceAll(publisher, " ", "")), s.n)
	var post *model.Post
	var storyID int64
	for i, who := range append([]string{publisher}, also...) {
		it := &model.Item{FeedID: f.ID, GUID: fmt.Sprintf("%s-%d", who, s.n), Link: src, Title: a.Title, Publisher: who,
			Published: pub.Add(time.Duration(i) * time.Minute), SourceURL: src}
		if _, err := s.st.UpsertItem(ctx, it); err != nil {
			s.t.Fatal(err)
		}
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: a.Title, Publisher: publisher, SourceURL: src,
			ItemLink: src, Published: pub, Language: a.Lang, Paragraphs: a.Paragraphs}
		if _, err := s.st.SavePost(ctx, p); err != nil {
			s.t.Fatal(err)
		}
		id, _, err := s.a.Assign(ctx, p, it)
		if err != nil {
			s.t.Fatal(err)
		}
		post, storyID = p, id
	}
	return post, storyID
}

// wire publishes the quake wire story, its four copies (the first also
// reached through a second site's item) and an own report: one story.
func (s *storySite) wire() (orig *model.Post, storyID int64) {
	s.t.Helper()
	w := storytest.Get("en-quake-wire")
	orig, storyID = s.publish("Wire Service", w, 0)
	for i, v := range storytest.FourSites(w) {
		var also []string
		if i == 0 {
			also = []string{"Mirror Daily"}
		}
		if _, id := s.publish("Site "+strings.ToUpper(v.Site[len(v.Site)-1:]), v.Article, 10*(i+1), also...); id != storyID {
			s.t.Fatalf("copy %s in story %d, want %d", v.Site, id, storyID)
		}
	}
	if _, id := s.publish("Palu Herald", storytest.Get("en-quake-own"), 0); id != storyID {
		s.t.Fatalf("own report in story %d, want %d", id, storyID)
	}
	return orig, storyID
}

func TestStoryPage(t *testing.T) {
	s := newStorySite(t)
	orig, id := s.wire()
	lone, loneID := s.publish("Bali Post", storytest.Get("en-ferry-wire"), 0)
	if loneID == id {
		t.Fatal("the ferry joined the quake")
	}
	body := s.mustGet(fmt.Sprintf("/story/%d", id), http.StatusOK)
	contains(t, body,
		"<h1 class=\"story-title\">Strong earthquake shakes central Sulawesi, thousands flee homes</h1>",
		"6 reports · 7 publishers · 4 copies · first report",
		"Every report, newest first",
		`<a class="publisher" href="/publisher/Wire%20Service">Wire Service</a>`,
		"Own reporting",
		`<span class="copy">Copy of <a href="`+orig.Path()+`">Wire Service</a></span>`,
		`The same text at: <a href="https://sitea.example/news/2">Mirror Daily</a>`,
		`href="/story/`+fmt.Sprint(id)+`/feed"`,
		`<link rel="alternate" type="application/atom&#43;xml" title="Story — Strong earthquake`)
	if n := strings.Count(body, "Copy of"); n != 4 {
		t.Errorf("%d copies marked, want 4", n)
	}
	if n := strings.Count(body, "Own reporting"); n != 2 {
		t.Errorf("%d own reports marked, want 2 (the original and the Herald's)", n)
	}
	// Newest first: Site D (+40 min) before Site A (+10) before the wire (0).
	d, a, w := strings.Index(body, ">Site D<"), strings.Index(body, ">Site A<"), strings.Index(body, ">Wire Service</a> ·")
	if !(d >= 0 && d < a && a < w) {
		t.Errorf("reports not newest first: D %d, A %d, wire %d", d, a, w)
	}

	// Indonesian.
	contains(t, s.mustGet(fmt.Sprintf("/story/%d?hl=id", id), http.StatusOK),
		"6 laporan", "Semua laporan, terbaru dahulu", "Liputan sendiri", "Salinan dari", "Teks yang sama di:")

	// Post pages link to their story when it has other reports.
	contains(t, s.mustGet(orig.Path(), http.StatusOK),
		fmt.Sprintf(`<p class="post-story"><a class="story" href="/story/%d">Part of a story with 6 reports</a></p>`, id))
	lacks(t, s.mustGet(lone.Path(), http.StatusOK), "post-story")

	for _, bad := range []string{"/story/0", "/story/abc", "/story/007", "/story/99999", "/story/99999/feed"} {
		s.mustGet(bad, http.StatusNotFound)
	}
}

func TestStoryFeed(t *testing.T) {
	s := newStorySite(t)
	_, id := s.wire()
	f := parseFeed(t, s.site, fmt.Sprintf("/story/%d/feed", id))
	if len(f.Items) != 6 || !strings.Contains(f.Title, "Strong earthquake") {
		t.Fatalf("feed: %q with %d entries", f.Title, len(f.Items))
	}
	if !f.Items[0].PublishedParsed.After(*f.Items[5].PublishedParsed) {
		t.Error("feed entries not newest first")
	}
	for _, alt := range []string{"rss", "json"} {
		if g := parseFeed(t, s.site, fmt.Sprintf("/story/%d/feed?alt=%s", id, alt)); len(g.Items) != 6 {
			t.Errorf("alt=%s: %d entries", alt, len(g.Items))
		}
	}
	if g := parseFeed(t, s.site, fmt.Sprintf("/story/%d/feed?max-results=2", id)); len(g.Items) != 2 {
		t.Errorf("max-results=2: %d entries", len(g.Items))
	}
}

func TestStoriesListingAndHomeSetting(t *testing.T) {
	s := newStorySite(t)
	_, quake := s.wire()
	_, ferry := s.publish("Bali Post", storytest.Get("en-ferry-wire"), 0)
	body := s.mustGet("/stories", http.StatusOK)
	// /stories lists stories of several reports; a single report is on
	// the home page.
	contains(t, body, "<h1 class=\"page-heading\">Latest stories</h1>",
		fmt.Sprintf(`<a class="report-count" href="/story/%d">6 reports</a>`, quake))
	lacks(t, body, fmt.Sprintf("/story/%d", ferry))
	contains(t, s.mustGet("/stories?hl=id", http.StatusOK), "Liputan terbaru", "6 laporan")
	s.mustGet("/stories?page=2", http.StatusNotFound)

	// The home page lists posts, a story once, until the owner asks for
	// stories.
	lacks(t, s.mustGet("/", http.StatusOK), "report-count")
	cookies := s.signIn("owner", "a long enough password")
	_, page := s.adminReq(http.MethodGet, "/admin/settings", cookies, nil)
	contains(t, page, `name="home_stories"`, "Show stories on the home page instead of single posts")
	form := url.Values{"csrf": {tokenField.FindStringSubmatch(page)[1]}, "home_stories": {"on"}}
	if res, _ := s.adminReq(http.MethodPost, "/admin/settings", cookies, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	home := s.mustGet("/", http.StatusOK)
	contains(t, home, "Latest news", fmt.Sprintf(`<a class="report-count" href="/story/%d">6 reports</a>`, quake),
		fmt.Sprintf(`<a class="report-count" href="/story/%d">1 report</a>`, ferry))
	if strings.Index(home, fmt.Sprintf("/story/%d", ferry)) > strings.Index(home, fmt.Sprintf("/story/%d", quake)) {
		t.Error("stories not newest first (the ferry is the latest)")
	}
	if m, _ := s.st.Settings(context.Background()); m[settingHomeStories] != "on" {
		t.Errorf("setting stored as %q", m[settingHomeStories])
	}
}

func TestStoryMergedRedirects(t *testing.T) {
	s := newStorySite(t)
	_, quake := s.wire()
	_, ferry := s.publish("Bali Post", storytest.Get("en-ferry-wire"), 0)
	if err := s.st.MergeStories(context.Background(), ferry, quake); err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{
		fmt.Sprintf("/story/%d", ferry):              fmt.Sprintf("/story/%d", quake),
		fmt.Sprintf("/story/%d/feed?alt=rss", ferry): fmt.Sprintf("/story/%d/feed?alt=rss", quake),
		fmt.Sprintf("/api/stories/%d", ferry):        fmt.Sprintf("/api/stories/%d", quake),
	} {
		res, _ := s.get(target)
		if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 308 to %q", target, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}

func TestAPIStories(t *testing.T) {
	s := newStorySite(t)
	orig, quake := s.wire()
	_, ferry := s.publish("Bali Post", storytest.Get("en-ferry-wire"), 0)
	get := func(target string, status int, v any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, target, nil)
		res, body := s.do(req)
		if res.StatusCode != status || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET %s: %d %s\n%s", target, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("GET %s: %v\n%s", target, err, body)
		}
	}
	var list struct {
		Stories []apiStory `json:"stories"`
		Total   int        `json:"total"`
	}
	get("/api/stories", 200, &list)
	if list.Total != 2 || len(list.Stories) != 2 || list.Stories[0].ID != ferry || list.Stories[1].ID != quake {
		t.Fatalf("list: %+v", list)
	}
	q := list.Stories[1]
	if q.Posts != 6 || q.Copies != 4 || q.URL != fmt.Sprintf("/story/%d", quake) || q.Lead == nil || q.Lead.ID != orig.ID {
		t.Fatalf("quake story: %+v", q)
	}
	get("/api/stories?min_posts=2", 200, &list)
	if list.Total != 1 || len(list.Stories) != 1 || list.Stories[0].ID != quake {
		t.Fatalf("min_posts=2: %+v", list)
	}
	get("/api/stories?limit=1&offset=1", 200, &list)
	if len(list.Stories) != 1 || list.Stories[0].ID != quake {
		t.Fatalf("page 2: %+v", list)
	}

	var one struct {
		apiStory
		Reports []apiStoryReport `json:"reports"`
	}
	get(fmt.Sprintf("/api/stories/%d", quake), 200, &one)
	if one.ID != quake || len(one.Reports) != 6 || one.Lead == nil || one.Lead.ID != orig.ID {
		t.Fatalf("story: %+v", one)
	}
	copies, own := 0, 0
	for i, r := range one.Reports {
		if i > 0 && r.Published > one.Reports[i-1].Published {
			t.Errorf("reports not newest first at %d", i)
		}
		switch {
		case r.CopyOf != nil && *r.CopyOf == orig.ID && r.Evidence == store.EvidenceCopy:
			copies++
		case r.CopyOf == nil:
			own++
		default:
			t.Errorf("report %d: copy of %v, evidence %s", r.ID, r.CopyOf, r.Evidence)
		}
		if r.Publisher == "Site A" && (len(r.Also) != 1 || r.Also[0].Publisher != "Mirror Daily") {
			t.Errorf("Site A's other items: %+v", r.Also)
		}
	}
	if copies != 4 || own != 2 {
		t.Errorf("%d copies and %d own reports, want 4 and 2", copies, own)
	}

	var e apiError
	get("/api/stories/99999", 404, &e)
	get("/api/stories/x", 404, &e)
	if e.Error.Message != "no such story" {
		t.Errorf("error: %+v", e)
	}
	get("/api/stories?limit=0", 400, &e)
	get("/api/stories?min_posts=0", 400, &e)
	if e.Error.Code != "invalid_argument" {
		t.Errorf("error: %+v", e)
	}
}
