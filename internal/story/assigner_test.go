package story_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/story"
	"github.com/kabarnews/kabar/internal/story/storytest"
)

// backends runs fn against a fresh SQLite store and, when the test server
// answers (always in CI), a fresh PostgreSQL schema.
func backends(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kabar.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		if testing.Short() && os.Getenv("CI") == "" {
			t.Skip("-short")
		}
		st, err := postgres.Open(t.Context(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
}

// world is a store with feeds, and helpers that do what the pipeline does.
type world struct {
	t     *testing.T
	st    store.Store
	a     *story.Assigner
	feeds map[string]int64
	n     int
}

func newWorld(t *testing.T, st store.Store, cfg story.Config) *world {
	return &world{t: t, st: st, a: story.NewAssigner(st, cfg), feeds: map[string]int64{}}
}

func (w *world) feed(name string) int64 {
	w.t.Helper()
	if id, ok := w.feeds[name]; ok {
		return id
	}
	f := &model.Feed{URL: "https://feeds.example/" + name + ".xml"}
	if err := w.st.AddFeed(context.Background(), f); err != nil {
		w.t.Fatal(err)
	}
	w.feeds[name] = f.ID
	return f.ID
}

// publish stores an item and its post the way the pipeline does, then
// assigns the post: Canonical on the item's URL and the page's
// rel=canonical, SavePost, Assign with the item.
func (w *world) publish(feed string, it model.Item, pageCanonical string, a storytest.Article) (*model.Post, int64, int64) {
	w.t.Helper()
	ctx := context.Background()
	w.n++
	it.FeedID = w.feed(feed)
	if it.GUID == "" {
		it.GUID = fmt.Sprintf("guid-%d", w.n)
	}
	if it.Link == "" {
		it.Link = it.SourceURL
	}
	if it.Title == "" {
		it.Title = a.Title
	}
	if it.Published.IsZero() {
		it.Published = a.Published()
	}
	if _, err := w.st.UpsertItem(ctx, &it); err != nil {
		w.t.Fatal(err)
	}
	p := &model.Post{FeedID: it.FeedID, ItemID: it.ID, Title: it.Title, Publisher: it.Publisher,
		SourceURL: story.Canonical(it.SourceURL, pageCanonical), ItemLink: it.Link, ArticleID: it.GUID,
		Published: it.Published, Language: a.Lang, Paragraphs: a.Paragraphs,
		ContentHash: strings.ToLower(strings.Join(a.Paragraphs, "\n"))}
	if _, err := w.st.SavePost(ctx, p); err != nil {
		w.t.Fatal(err)
	}
	storyID, copyOf, err := w.a.Assign(ctx, p, &it)
	if err != nil {
		w.t.Fatal(err)
	}
	return p, storyID, copyOf
}

// site publishes an article as a site of its own.
func (w *world) site(site string, a storytest.Article, minutes int) (*model.Post, int64, int64) {
	slug := strings.ToLower(strings.NewReplacer(" ", "-", ",", "", "'", "", ":", "").Replace(a.Title))
	it := model.Item{SourceURL: "https://" + site + ".example/news/" + slug, Publisher: site,
		Published: a.Published().Add(time.Duration(minutes) * time.Minute)}
	return w.publish(site, it, "", a)
}

func mustLink(t *testing.T, st store.Store, postID int64) *store.StoryLink {
	t.Helper()
	l, err := st.PostStory(context.Background(), postID)
	if err != nil {
		t.Fatalf("story of post %d: %v", postID, err)
	}
	return l
}

// The same article through three feeds, two of them with tracking-laden
// links, is one post with three items, in one story. The pipeline does
// what publish does: post.SourceURL = story.Canonical(item's URL, page's
// rel=canonical), then SavePost (which reuses the post stored under that
// URL and links the item to it), then Assign with the item.
func TestOneArticleThroughThreeFeeds(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, story.Config{})
		a := storytest.Get("en-quake-wire")
		base := "https://news.example.com/world/2024/03/12/palu-quake"
		links := []struct{ feed, url, canonical string }{
			{"world", base, base},
			{"asia", base + "?utm_source=rss&utm_medium=feed&utm_campaign=asia", ""},
			{"social", "https://NEWS.example.com:443/world/2024/03/12/palu-quake/amp/?fbclid=IwAR3x&gclid=abc#comments", base + "?oc=5"},
		}
		var posts []*model.Post
		var storyID int64
		for i, l := range links {
			p, s, c := w.publish(l.feed, model.Item{GUID: fmt.Sprintf("g%d", i), SourceURL: l.url, Publisher: "News Example"}, l.canonical, a)
			if c != 0 {
				t.Errorf("%s: copy of %d; one article is no copy of itself", l.feed, c)
			}
			if storyID == 0 {
				storyID = s
			} else if s != storyID {
				t.Errorf("%s: story %d, want %d", l.feed, s, storyID)
			}
			posts = append(posts, p)
		}
		for _, p := range posts[1:] {
			if p.ID != posts[0].ID || p.SourceURL != base {
				t.Fatalf("post %d %s, want %d %s", p.ID, p.SourceURL, posts[0].ID, base)
			}
		}
		if n, _ := st.CountPosts(ctx); n != 1 {
			t.Fatalf("%d posts, want 1", n)
		}
		reports, err := st.StoryReports(ctx, storyID)
		if err != nil || len(reports) != 1 || len(reports[0].Items) != 3 {
			t.Fatalf("story reports: %+v %v", reports, err)
		}
		for _, it := range reports[0].Items {
			if it.PostID != posts[0].ID || it.Status != model.ItemDone {
				t.Errorf("item %s: post %d, status %s", it.GUID, it.PostID, it.Status)
			}
		}
		if s, _ := st.Story(ctx, storyID); s.Posts != 1 {
			t.Errorf("story counts %d posts", s.Posts)
		}
	})
}

// A wire story on four sites, each with its own edits (headline, dateline,
// trimmed ending, words, a paragraph added), is one story: the original
// and four copies of it. An independent report of the same event joins the
// story as its own reporting.
func TestWireStoryOnFourSites(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, story.Config{})
		wire := storytest.Get("en-quake-wire")
		orig, storyID, c := w.site("wire", wire, 0)
		if c != 0 {
			t.Fatalf("the original is a copy of %d", c)
		}
		for i, v := range storytest.FourSites(wire) {
			p, s, c := w.site(v.Site, v.Article, 15*(i+1))
			if s != storyID || c != orig.ID {
				t.Errorf("%s (%v): story %d copy of %d, want story %d copy of %d", v.Site, v.Edits, s, c, storyID, orig.ID)
			}
			if l := mustLink(t, st, p.ID); l.Evidence != store.EvidenceCopy || l.Score < 0.5 {
				t.Errorf("%s: evidence %s score %.2f", v.Site, l.Evidence, l.Score)
			}
		}
		own, s, c := w.site("herald", storytest.Get("en-quake-own"), 0)
		if s != storyID || c != 0 {
			t.Errorf("own report: story %d copy of %d, want story %d and no copy", s, c, storyID)
		}
		if l := mustLink(t, st, own.ID); l.Evidence != store.EvidenceText {
			t.Errorf("own report evidence %s", l.Evidence)
		}
		got, err := st.Story(ctx, storyID)
		if err != nil || got.Posts != 6 || got.Copies != 4 || got.LeadPostID != orig.ID {
			t.Fatalf("story = %+v, %v", got, err)
		}
		reports, _ := st.StoryReports(ctx, storyID)
		copies := 0
		for _, r := range reports {
			if r.Link.CopyOf != 0 {
				copies++
			}
		}
		if len(reports) != 6 || copies != 4 {
			t.Fatalf("%d reports, %d copies", len(reports), copies)
		}
	})
}

// Same day, same country, many words in common, different events: an
// earthquake in Sulawesi, an eruption in East Java and a ferry fire off
// Bali; in Indonesian, a flood in Jakarta and an earthquake in Garut. Each
// event is its own story, with its own reporting joined to it.
func TestSameDayEventsStayApart(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		w := newWorld(t, st, story.Config{})
		stories := map[string]int64{}
		for _, name := range []string{"en-quake-wire", "en-volcano-wire", "id-banjir-wire", "en-quake-own",
			"en-ferry-wire", "id-banjir-own", "en-volcano-own", "id-gempa-wire"} {
			a := storytest.Get(name)
			_, s, _ := w.site("site-"+name, a, 0)
			if prev, ok := stories[a.Event]; ok && prev != s {
				t.Errorf("%s: story %d, but its event is story %d", name, s, prev)
			}
			for ev, id := range stories {
				if ev != a.Event && id == s {
					t.Errorf("%s (%s) joined the story of %s", name, a.Event, ev)
				}
			}
			stories[a.Event] = s
		}
		if len(stories) != 5 {
			t.Errorf("stories %v", stories)
		}
	})
}

// Indonesian: a wire story from the national agency on four sites, a
// reporter's own story of the same flood, and other news of the day.
func TestIndonesianStories(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, story.Config{})
		wire := storytest.Get("id-banjir-wire")
		orig, storyID, _ := w.site("antara", wire, 0)
		for i, v := range storytest.FourSites(wire) {
			if _, s, c := w.site(v.Site, v.Article, 10*(i+1)); s != storyID || c != orig.ID {
				t.Errorf("%s: story %d copy of %d, want %d copy of %d", v.Site, s, c, storyID, orig.ID)
			}
		}
		if _, s, c := w.site("kompas", storytest.Get("id-banjir-own"), 0); s != storyID || c != 0 {
			t.Errorf("own report: story %d copy %d", s, c)
		}
		for _, name := range []string{"id-beras-wire", "id-timnas-wire", "id-gempa-wire"} {
			if _, s, _ := w.site("detik", storytest.Get(name), 0); s == storyID {
				t.Errorf("%s joined the flood", name)
			}
		}
		// Headline-only posts (a feed without text) group by their titles.
		head := func(title string, minutes int) int64 {
			a := storytest.Article{Title: title, Lang: "id", Hours: 30}
			_, s, _ := w.site(fmt.Sprintf("h%d", minutes), a, minutes)
			return s
		}
		first := head("Presiden Prabowo resmikan Bendungan Jragung di Semarang", 0)
		for i, title := range []string{
			"Bendungan Jragung diresmikan, Prabowo: airi 4.000 hektare sawah",
			"Prabowo resmikan Bendungan Jragung, warga Semarang sambut gembira",
		} {
			if s := head(title, i+1); s != first {
				t.Errorf("%q: story %d, want %d", title, s, first)
			}
		}
		if s := head("Harga cabai rawit di Semarang turun jelang akhir pekan", 5); s == first {
			t.Errorf("another Semarang story joined the dam")
		}
		if got, _ := st.Story(ctx, storyID); got.Posts != 6 || got.Copies != 4 {
			t.Errorf("flood story: %+v", got)
		}
	})
}

// Texts in scripts written without spaces are cut into bigrams: copies and
// stories work there too.
func TestNonLatinScripts(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := newWorld(t, st, story.Config{})
	ja := storytest.Article{Title: "東京で震度5弱の地震、けが人なし", Lang: "ja", Hours: 1, Paragraphs: []string{
		"十二日午前十時ごろ、東京都と神奈川県で震度五弱の揺れを観測する地震があった。気象庁によると、震源は東京湾で、地震の規模はマグニチュード五・三と推定される。",
		"この地震による津波の心配はない。東京消防庁によると、これまでにけが人の情報は入っていない。JR東日本は安全確認のため、一部の在来線で運転を見合わせた。",
		"気象庁は今後一週間程度、同じ程度の地震に注意するよう呼びかけている。",
	}}
	orig, s1, _ := w.site("nhk", ja, 0)
	cp := ja
	cp.Title = "首都圏で震度5弱　津波の心配なし"
	cp.Paragraphs = ja.Paragraphs[:2]
	if _, s, c := w.site("mainichi", cp, 5); s != s1 || c != orig.ID {
		t.Errorf("Japanese copy: story %d copy %d, want %d copy %d", s, c, s1, orig.ID)
	}
	other := storytest.Article{Title: "大阪で新しい美術館が開館", Lang: "ja", Hours: 1, Paragraphs: []string{
		"大阪市北区に十二日、新しい美術館が開館した。開館記念の展覧会には朝から多くの人が訪れ、入り口には長い列ができた。",
		"美術館は市が十年かけて整備したもので、近代の絵画や彫刻など約六千点を所蔵する。館長は多くの市民に足を運んでほしいと話した。",
	}}
	if _, s, _ := w.site("asahi", other, 7); s == s1 {
		t.Error("an unrelated Japanese story joined the earthquake")
	}
}

// gnLink is a Google News article link for an article ID.
func gnLink(id string) string { return "https://news.google.com/rss/articles/" + id + "?oc=5" }

// Google News' related coverage and Full Coverage page are strong
// evidence: reports with nothing in common by words join the story Google
// put them in, and stories Google shows to be one are merged.
func TestGoogleNewsEvidence(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, story.Config{})
		quake := storytest.Get("en-quake-wire")
		ferry := storytest.Get("en-ferry-wire")
		phone := storytest.Get("en-phone-wire")
		rates := storytest.Get("en-rates-wire")
		// The item of the first report lists two others as related coverage.
		first, s1, _ := w.publish("gn", model.Item{Link: gnLink("CBMiAAA1"), SourceURL: "https://a.example/quake",
			Publisher: "A", Related: []model.Link{{URL: gnLink("CBMiBBB2"), Publisher: "B"}, {URL: gnLink("CBMiCCC3"), Publisher: "C"}},
			StoryURL: "https://news.google.com/stories/CAAqStory1?hl=en-US&gl=US&ceid=US:en"}, "", quake)
		// Reports B and C arrive with texts of other events: Google wins.
		b, s2, _ := w.publish("gn", model.Item{Link: gnLink("CBMiBBB2"), SourceURL: "https://b.example/x", Publisher: "B"}, "", ferry)
		if s2 != s1 {
			t.Errorf("related report B: story %d, want %d", s2, s1)
		}
		if l := mustLink(t, st, b.ID); l.Evidence != store.EvidenceGNews || l.Score != 1 {
			t.Errorf("B's evidence: %+v", l)
		}
		// A report naming the same Full Coverage page (another edition).
		_, s3, _ := w.publish("gn-id", model.Item{Link: gnLink("CBMiDDD4"), SourceURL: "https://d.example/y", Publisher: "D",
			StoryURL: "https://news.google.com/stories/CAAqStory1?hl=id&gl=ID&ceid=ID:id"}, "", phone)
		if s3 != s1 {
			t.Errorf("same Full Coverage page: story %d, want %d", s3, s1)
		}
		// A story of its own, then an item whose related coverage lists a
		// report of each: the two stories are one.
		r, s4, _ := w.publish("gn", model.Item{Link: gnLink("CBMiEEE5"), SourceURL: "https://e.example/z", Publisher: "E"}, "", rates)
		if s4 == s1 {
			t.Fatalf("an unrelated report joined story %d", s1)
		}
		_, s5, _ := w.publish("gn", model.Item{Link: gnLink("CBMiFFF6"), SourceURL: "https://f.example/w", Publisher: "F",
			Related: []model.Link{{URL: gnLink("CBMiAAA1")}, {URL: gnLink("CBMiEEE5")}}}, "", storytest.Get("en-football-wire"))
		if s5 != s1 {
			t.Errorf("report tying two stories: story %d, want %d (the larger)", s5, s1)
		}
		if l := mustLink(t, st, r.ID); l.StoryID != s1 {
			t.Errorf("the smaller story's report is in story %d, want %d", l.StoryID, s1)
		}
		if gone, _ := st.Story(ctx, s4); gone.MergedInto != s1 {
			t.Errorf("merged story: %+v", gone)
		}
		if got, _ := st.Story(ctx, s1); got.Posts != 5 {
			t.Errorf("story after merge: %+v", got)
		}
		_ = first
	})
}

// A copy published before the post it copies becomes the original.
func TestEarlierCopyBecomesOriginal(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		w := newWorld(t, st, story.Config{})
		wire := storytest.Get("en-rates-wire")
		sites := storytest.FourSites(wire)
		late, s, _ := w.site("late", wire, 60)
		early, s2, c := w.site(sites[0].Site, sites[0].Article, -30)
		if s2 != s || c != 0 {
			t.Fatalf("earlier copy: story %d copy %d, want story %d original", s2, c, s)
		}
		if l := mustLink(t, st, late.ID); l.CopyOf != early.ID {
			t.Errorf("the later post copies %d, want %d", l.CopyOf, early.ID)
		}
		// The next copy copies the new original.
		if _, _, c := w.site(sites[1].Site, sites[1].Article, 90); c != early.ID {
			t.Errorf("next copy copies %d, want %d", c, early.ID)
		}
	})
}

// The index is rebuilt from the store: a new Assigner (a restarted
// process) finds the copies and stories of posts it never saw, within the
// window, and a second Assign of a post keeps its story and adds the new
// item's evidence.
func TestIndexRebuildsFromStore(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, story.Config{})
		wire := storytest.Get("id-timnas-wire")
		orig, s, _ := w.site("antara", wire, 0)
		old := storytest.Get("en-ferry-wire")
		old.Hours -= 24 * 10 // ten days before: out of the window
		oldPost, oldStory, _ := w.site("old", old, 0)

		w.a = story.NewAssigner(st, story.Config{})
		if err := w.a.Load(ctx); err != nil {
			t.Fatal(err)
		}
		v := storytest.FourSites(wire)[2]
		if _, s2, c := w.site(v.Site, v.Article, 20); s2 != s || c != orig.ID {
			t.Errorf("after restart: story %d copy %d, want %d copy %d", s2, c, s, orig.ID)
		}
		ferry := storytest.FourSites(storytest.Get("en-ferry-wire"))[0]
		if _, s3, c := w.site("ferry-now", ferry.Article, 0); s3 == oldStory || c == oldPost.ID {
			t.Errorf("a post ten days older is out of the window: story %d copy %d", s3, c)
		}
		// Assign again, with another item: same answer, keys kept.
		it := model.Item{FeedID: w.feed("again"), GUID: "again", Link: gnLink("CBMiAgain"), SourceURL: orig.SourceURL,
			Related: []model.Link{{URL: gnLink("CBMiRelated9")}}}
		if _, err := st.UpsertItem(ctx, &it); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			s4, c, err := w.a.Assign(ctx, orig, &it)
			if err != nil || s4 != s || c != 0 {
				t.Fatalf("assign again: %d %d %v", s4, c, err)
			}
		}
		keys, _ := st.StoryKeys(ctx, []string{"gn:CBMiAgain", "gn:CBMiRelated9"})
		if keys["gn:CBMiAgain"] != s || keys["gn:CBMiRelated9"] != s {
			t.Errorf("keys of the second item: %v", keys)
		}
		if _, _, err := w.a.Assign(ctx, &model.Post{Title: "unsaved"}, nil); err == nil {
			t.Error("a post without an ID was assigned")
		}
	})
}

// Two processes share a store: each one's index catches up with the
// other's posts.
func TestAssignersCatchUp(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		cfg := story.Config{Refresh: time.Nanosecond}
		w := newWorld(t, st, cfg)
		other := story.NewAssigner(st, cfg)
		if err := other.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		wire := storytest.Get("id-beras-wire")
		orig, s, _ := w.site("antara", wire, 0)
		w.a = other // the next report goes through the other process's assigner
		v := storytest.FourSites(wire)[1]
		if _, s2, c := w.site(v.Site, v.Article, 5); s2 != s || c != orig.ID {
			t.Errorf("the other process: story %d copy %d, want %d copy %d", s2, c, s, orig.ID)
		}
	})
}

// Workers assign at once: a post that joins a known story is written after
// the assigner's lock is released. Every copy still lands in its wire
// story, and the store holds what Assign answered.
func TestConcurrentAssignmentsKeepStoriesApart(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, story.Config{})
		type job struct {
			p    *model.Post
			it   model.Item
			wire string
		}
		var jobs []job
		wires := map[string]int64{}
		for _, name := range []string{"en-quake-wire", "id-banjir-wire"} {
			wire := storytest.Get(name)
			_, sid, _ := w.site("wire-"+name, wire, 0)
			wires[name] = sid
			for i, v := range storytest.FourSites(wire) {
				for round := 0; round < 3; round++ {
					it := model.Item{FeedID: w.feed(v.Site), GUID: fmt.Sprintf("%s-%d-%d", name, i, round),
						SourceURL: fmt.Sprintf("https://%s.example/%s/%d", v.Site, name, round), Title: v.Title,
						Published: wire.Published().Add(time.Duration(10+i) * time.Minute)}
					it.Link = it.SourceURL
					if _, err := st.UpsertItem(ctx, &it); err != nil {
						t.Fatal(err)
					}
					p := &model.Post{FeedID: it.FeedID, ItemID: it.ID, Title: it.Title, SourceURL: it.SourceURL,
						ItemLink: it.Link, ArticleID: it.GUID, Published: it.Published, Language: v.Lang,
						Paragraphs: v.Paragraphs, ContentHash: fmt.Sprintf("%s-%d-%d", name, i, round)}
					if _, err := st.SavePost(ctx, p); err != nil {
						t.Fatal(err)
					}
					jobs = append(jobs, job{p, it, name})
				}
			}
		}
		type answer struct{ story, copyOf int64 }
		answers := make([]answer, len(jobs))
		errs := make([]error, len(jobs))
		var wg sync.WaitGroup
		next := make(chan int)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					sid, cp, err := w.a.Assign(ctx, jobs[i].p, &jobs[i].it)
					answers[i], errs[i] = answer{sid, cp}, err
				}
			}()
		}
		for i := range jobs {
			next <- i
		}
		close(next)
		wg.Wait()
		for i, j := range jobs {
			if errs[i] != nil {
				t.Fatalf("assign %s: %v", j.p.SourceURL, errs[i])
			}
			l := mustLink(t, st, j.p.ID)
			if l.StoryID != answers[i].story || l.CopyOf != answers[i].copyOf {
				t.Errorf("%s: stored story %d copy of %d, Assign said %d, %d", j.p.SourceURL, l.StoryID, l.CopyOf,
					answers[i].story, answers[i].copyOf)
			}
			if l.StoryID != wires[j.wire] {
				t.Errorf("%s: in story %d, want its wire's %d", j.p.SourceURL, l.StoryID, wires[j.wire])
			}
		}
	})
}
