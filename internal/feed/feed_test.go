package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/model"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json")

const seedFormat = "2006-01-02 15:04:05Z"

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, body []byte, feedURL string) *Parsed {
	t.Helper()
	p, err := Parse(body, feedURL)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// seedLines reads the seed post's link and ID lines (testdata/seed is a copy
// of the project's seed post).
func seedLines(t *testing.T) (link, id string) {
	t.Helper()
	lines := strings.Split(string(readFile(t, "seed/000_7081c9d606bd5f8e.txt")), "\n")
	for i, l := range lines {
		if l == "2021-11-09 15:45:00Z" && i > 0 && i+1 < len(lines) {
			return lines[i-1], lines[i+1]
		}
	}
	t.Fatal("seed file has no date line")
	return "", ""
}

const (
	seedLink = "https://news.google.com/__i/rss/rd/articles/CBMiemh0dHBzOi8vbmV3cy5za3kuY29tL3N0b3J5L2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc20gF-aHR0cHM6Ly9uZXdzLnNreS5jb20vc3RvcnkvYW1wL2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc2?oc=5"
	seedID   = "CBMiemh0dHBzOi8vbmV3cy5za3kuY29tL3N0b3J5L2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc20gF-aHR0cHM6Ly9uZXdzLnNreS5jb20vc3RvcnkvYW1wL2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc2"
)

func TestSeedFeed(t *testing.T) {
	link, id := seedLines(t)
	if link != seedLink || id != seedID {
		t.Fatalf("seed lines differ from the constants:\n%s\n%s", link, id)
	}
	p := mustParse(t, readFile(t, "seed-feed.xml"), "https://news.google.com/rss/search?q=belarus+poland&hl=en-GB&gl=GB&ceid=GB:en")
	if p.Title != `"belarus poland" - Google News` {
		t.Errorf("feed title %q", p.Title)
	}
	if p.Link != "https://news.google.com/search?q=belarus+poland&hl=en-GB&gl=GB&ceid=GB:en" {
		t.Errorf("feed link %q", p.Link)
	}
	if len(p.Items) != 3 {
		t.Fatalf("items = %d, want 3", len(p.Items))
	}
	it := p.Items[0]
	want := model.Item{
		GUID:         id,
		Link:         link,
		Title:        "Germany urges EU unity amid growing tensions as migrants camp on Poland-Belarus border",
		Publisher:    "Sky News",
		PublisherURL: "https://news.sky.com",
		Published:    time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC),
		Description:  `<a href="` + link + `" target="_blank">Germany urges EU unity amid growing tensions as migrants camp on Poland-Belarus border</a>&nbsp;&nbsp;<font color="#6f6f6f">Sky News</font>`,
		ArticleID:    id,
		Status:       model.ItemNew,
	}
	if !reflect.DeepEqual(it, want) {
		t.Errorf("seed item\n got %+v\nwant %+v", it, want)
	}
	if got := it.Published.Format(seedFormat); got != "2021-11-09 15:45:00Z" {
		t.Errorf("published %q", got)
	}
	if it.Published.Location() != time.UTC {
		t.Errorf("published not in UTC: %v", it.Published.Location())
	}
	// The seed item's link decodes offline to the Sky News article.
	d, err := gnews.Decode(it.Link)
	if err != nil || d.URL != "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576" {
		t.Errorf("decode seed link: %+v %v", d, err)
	}

	others := []struct{ title, publisher, pubURL, published string }{
		{"Russian Airstrikes Intensify in Western Ukraine", "The Wall Street Journal", "https://www.wsj.com", "2022-03-11 14:52:00Z"},
		// " - " inside the headline stays; only the publisher suffix goes.
		{"Bakhmut - a city destroyed by the war in Ukraine", "The Washington Post", "https://www.washingtonpost.com", "2023-04-23 10:00:00Z"},
	}
	for i, w := range others {
		it := p.Items[i+1]
		if it.Title != w.title || it.Publisher != w.publisher || it.PublisherURL != w.pubURL || it.Published.Format(seedFormat) != w.published {
			t.Errorf("item %d: %+v", i+1, it)
		}
		if it.ArticleID != it.GUID || !strings.HasPrefix(it.ArticleID, "CBMi") {
			t.Errorf("item %d: ArticleID %q, GUID %q", i+1, it.ArticleID, it.GUID)
		}
		if d, err := gnews.Decode(it.ArticleID); err != nil || d.Kind != gnews.KindOld {
			t.Errorf("item %d: decode: %v", i+1, err)
		}
	}
}

type gnewsCase struct {
	file      string
	wrap      bool // a bare <item> fragment: wrap it in a channel
	titles    []string
	pubs      []string
	guids     []string // "" = same as ArticleID; "link" = the link
	kind      gnews.Kind
	legacy    bool
	feedTitle string
}

var gnewsCases = []gnewsCase{
	{
		file:      "de-DE_search-Chemnitz_2023-12-06_feeddeck.xml",
		feedTitle: `"Chemnitz" - Google News`,
		titles:    []string{`Chemnitz: Preisschock bei "eins energie"! Fernwärme wird 75 Prozent teurer`, "Ehemaliges Chemnitzer Straßenbahndepot wird zu Garagencampus"},
		pubs:      []string{"TAG24", "MDR"},
		guids:     []string{"", ""},
		kind:      gnews.KindOld,
	},
	{
		file:      "de-DE_topic-headlines_2023-12-06_feeddeck.xml",
		feedTitle: "Schlagzeilen - Aktuell - Google News",
		titles:    []string{"GDL ruft von Donnerstagabend an zu eintägigem Streik auf", "Lassen die USA die Ukraine im Stich?: US-Finanzministerin spricht von „katastrophaler Situation“"},
		pubs:      []string{"tagesschau.de", "Tagesspiegel"},
		guids:     []string{"", ""},
		kind:      gnews.KindOld,
	},
	{
		file:      "en-US_top-stories_2020-09-26_pubfile-32971540811.xml",
		feedTitle: "Top stories - Google News",
		titles:    []string{"Maher rips Barrett, Trump's expected Supreme Court pick: 'She's a f---ing nut'"},
		pubs:      []string{"Fox News"},
		guids:     []string{"52781070340229"},
		kind:      gnews.KindOld,
	},
	{
		file:   "en-US_topic-item_2022-03-11_miniflux-issue-1390.xml",
		wrap:   true,
		titles: []string{"Russian Airstrikes Intensify in Western Ukraine"},
		pubs:   []string{"The Wall Street Journal"},
		guids:  []string{"CAIiEEdSyR22RIXW-HEi_tjwWaYqGAgEKg8IACoHCAow1tzJATDnyxUwxMrPBg"},
		kind:   gnews.KindOld,
	},
	{
		file:      "fr-BE_top-stories_2020-03-08_prof18-RSS-Parser.xml",
		feedTitle: "À la une - Google Actualités",
		titles:    []string{"Coronavirus en Belgique: 200 cas détectés au total, un nombre limité de tests effectués par manque de réactifs"},
		pubs:      []string{"RTBF"},
		guids:     []string{"52782335008021"},
		kind:      gnews.KindOld,
	},
	{
		file:      "ko-KR_search_2026-09-27_HubVibe.xml",
		feedTitle: `"반도체" - Google 뉴스`,
		titles:    []string{`박홍근 "호남 반도체, 기업 팔 비틀기 아냐…팹 증설도 구상"`, `박홍근 "호남 반도체, 현 정부 임기내 생산…팹 증설도 구상"`, "“800조 반도체 대박? 공장 짓고 사원 뽑아야 체감하죠”"},
		pubs:      []string{"조선일보", "뉴시스", "gjdream.com"},
		guids:     []string{"link", "link", "link"},
		kind:      gnews.KindNew,
	},
	{
		file:      "legacy-2012_en-uk_topic-query_sshingler-jkl.xml",
		feedTitle: "topic:vladimir_putin - Google News",
		legacy:    true,
		titles: []string{
			"Russia election loser 'outraged' as Putin loses patience with protesters",
			"Putin win triggers biggest protest since the fall of the Soviet Union",
			"Putin's spokesman defends arrests of protesters",
			"Vladimir Putin victory 'a decisive result' says No 10",
			"Russian election: 'Serious problems' with Vladimir Putin's win",
			"10 reasons why Vladimir Putin was always going to win",
			"Noda tells Putin Japan wants to start afresh in territorial talks",
			"anti-Putin protesters detained in Russia",
			"Carlsberg Gains on Putin's Russia Re-Election",
			"Does Putin's Return To Kremlin Breathe New Life Into Eurasian Union Project?",
		},
		pubs: []string{"Telegraph.co.uk", "Daily News & Analysis", "Houston Chronicle", "The Independent", "Toronto Star", "Daily Mail", "Mainichi Daily News", "Stuff.co.nz", "Bloomberg", "RadioFreeEurope/RadioLiberty"},
	},
}

func TestGoogleNewsFeeds(t *testing.T) {
	for _, c := range gnewsCases {
		t.Run(c.file, func(t *testing.T) {
			body := readFile(t, "gnews/"+c.file)
			if c.wrap {
				body = wrapItems(body)
			}
			p := mustParse(t, body, "https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en")
			if c.feedTitle != "" && p.Title != c.feedTitle {
				t.Errorf("feed title %q, want %q", p.Title, c.feedTitle)
			}
			if len(p.Items) != len(c.titles) {
				t.Fatalf("items = %d, want %d", len(p.Items), len(c.titles))
			}
			for i, it := range p.Items {
				if it.Title != c.titles[i] {
					t.Errorf("%d: title\n got %q\nwant %q", i, it.Title, c.titles[i])
				}
				if it.Publisher != c.pubs[i] {
					t.Errorf("%d: publisher %q, want %q", i, it.Publisher, c.pubs[i])
				}
				if it.Published.IsZero() || it.Published.Location() != time.UTC {
					t.Errorf("%d: published %v", i, it.Published)
				}
				if it.Status != model.ItemNew || it.FeedID != 0 || it.Description == "" {
					t.Errorf("%d: status %q feed %d desc %d bytes", i, it.Status, it.FeedID, len(it.Description))
				}
				if c.legacy {
					checkLegacyItem(t, i, it)
					continue
				}
				checkGoogleNewsItem(t, i, it, c.guids[i], c.kind)
			}
		})
	}
}

// checkLegacyItem checks an item of a legacy (pre-2020) Google News feed:
// the publisher's URL is in its link, its GUID a cluster tag.
func checkLegacyItem(t *testing.T, i int, it model.Item) {
	t.Helper()
	src, ok := gnews.LegacyURL(it.Link)
	if !ok || it.SourceURL != src || !strings.HasPrefix(src, "http://") {
		t.Errorf("%d: SourceURL %q (legacy %q %v)", i, it.SourceURL, src, ok)
	}
	if !strings.HasPrefix(it.GUID, "tag:news.google.com,2005:cluster=") || it.ArticleID != it.GUID {
		t.Errorf("%d: GUID %q ArticleID %q", i, it.GUID, it.ArticleID)
	}
	if it.PublisherURL != "" {
		t.Errorf("%d: PublisherURL %q without <source>", i, it.PublisherURL)
	}
}

// checkGoogleNewsItem checks an item of a current Google News feed: the
// article ID from its link, its GUID (guid: "" for the article ID, "link"
// for the link, else itself) and how its ID decodes.
func checkGoogleNewsItem(t *testing.T, i int, it model.Item, guid string, kind gnews.Kind) {
	t.Helper()
	if !strings.HasPrefix(it.PublisherURL, "https://www.") {
		t.Errorf("%d: PublisherURL %q", i, it.PublisherURL)
	}
	id, ok := gnews.ArticleID(it.Link)
	if !ok || it.ArticleID != id || !strings.HasPrefix(id, "CBMi") {
		t.Errorf("%d: ArticleID %q, from link %q %v", i, it.ArticleID, id, ok)
	}
	if !strings.HasSuffix(it.Link, "?oc=5") {
		t.Errorf("%d: link not kept as in the feed: %q", i, it.Link)
	}
	if it.SourceURL != "" {
		t.Errorf("%d: SourceURL %q set by the parser", i, it.SourceURL)
	}
	switch g := guid; g {
	case "":
		if it.GUID != it.ArticleID {
			t.Errorf("%d: GUID %q != ArticleID", i, it.GUID)
		}
	case "link":
		if it.GUID != it.Link {
			t.Errorf("%d: GUID %q, want the link", i, it.GUID)
		}
	default:
		if it.GUID != g {
			t.Errorf("%d: GUID %q, want %q", i, it.GUID, g)
		}
	}
	d, err := gnews.Decode(it.ArticleID)
	if kind == gnews.KindOld && (err != nil || d.Kind != gnews.KindOld) {
		t.Errorf("%d: decode %v", i, err)
	}
	if kind == gnews.KindNew && !errors.Is(err, gnews.ErrNewForm) {
		t.Errorf("%d: decode %v, want ErrNewForm", i, err)
	}
}

// wrapItems puts a bare <item> fragment (as quoted in an issue thread) into
// an RSS channel.
func wrapItems(b []byte) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Headlines - Latest - Google News</title><link>https://news.google.com/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRFZxYUdjU0FtVnVHZ0pWVXlnQVAB?hl=en-US&amp;gl=US&amp;ceid=US:en</link>` +
		string(b) + `</channel></rss>`)
}

func TestPlainRSS(t *testing.T) {
	p := mustParse(t, readFile(t, "plain-rss2.xml"), "https://daily.example.com/world/rss.xml")
	if p.Title != "Example Daily World News" || p.Link != "https://daily.example.com/world/" {
		t.Errorf("feed %q %q", p.Title, p.Link)
	}
	if len(p.Items) != 5 {
		t.Fatalf("items = %d, want 5 (repeated guid dropped)", len(p.Items))
	}
	t.Run("source and raw description", func(t *testing.T) { checkPlainRSSFirst(t, p.Items[0]) })
	t.Run("links and guids", func(t *testing.T) { checkPlainRSSRest(t, p.Items) })
}

// checkPlainRSSFirst: a plain feed's title is kept as is, its <source>
// read, its description kept raw for the sanitizer.
func checkPlainRSSFirst(t *testing.T, it model.Item) {
	if it.Title != "Talks resume in Geneva - live updates" {
		t.Errorf("non-Google title changed: %q", it.Title)
	}
	if it.Link != "https://daily.example.com/world/2021/11/09/talks-resume.html?utm_source=rss" || it.GUID != "daily-example-48213" || it.ArticleID != it.GUID {
		t.Errorf("item 0: %+v", it)
	}
	if it.Publisher != "Example Wire" || it.PublisherURL != "https://wire.example.net/feed.xml" {
		t.Errorf("item 0 source: %q %q", it.Publisher, it.PublisherURL)
	}
	if it.Published.Format(seedFormat) != "2021-11-09 15:45:00Z" {
		t.Errorf("item 0 published %v", it.Published)
	}
	if !strings.Contains(it.Description, "<script>alert(1)</script>") || !strings.HasPrefix(it.Description, "<p>Delegates") {
		t.Errorf("description not kept raw: %q", it.Description)
	}
}

// checkPlainRSSRest: relative links, permalink GUIDs, dc:date,
// content:encoded, a stable hash GUID for an item with neither, and no
// javascript: link.
func checkPlainRSSRest(t *testing.T, items []model.Item) {
	it := items[1]
	if it.Link != "https://daily.example.com/world/2021/11/08/relative.html" || it.GUID != it.Link || it.ArticleID != it.Link {
		t.Errorf("relative link: %+v", it)
	}
	if it.Description != "Plain &amp; simple" {
		t.Errorf("description %q", it.Description)
	}

	it = items[2]
	if it.Link != "https://daily.example.com/world/2021/11/07/permalink.html" || it.GUID != it.Link {
		t.Errorf("permalink guid: %+v", it)
	}
	if it.Published.Format(seedFormat) != "2021-11-07 17:30:00Z" {
		t.Errorf("dc:date: %v", it.Published)
	}
	if !strings.Contains(it.Description, "content:encoded") {
		t.Errorf("content fallback: %q", it.Description)
	}

	it = items[3]
	if it.Link != "" || !strings.HasPrefix(it.GUID, "sha256:") || it.ArticleID != it.GUID {
		t.Errorf("hash guid: %+v", it)
	}
	again := mustParse(t, readFile(t, "plain-rss2.xml"), "https://daily.example.com/world/rss.xml")
	if again.Items[3].GUID != it.GUID {
		t.Errorf("hash GUID not stable: %q vs %q", again.Items[3].GUID, it.GUID)
	}

	it = items[4]
	if it.Link != "" || it.GUID != "hostile-1" {
		t.Errorf("javascript: link kept: %+v", it)
	}
}

func TestAtom(t *testing.T) {
	p := mustParse(t, readFile(t, "atom.xml"), "https://science.example.org/atom.xml")
	if p.Title != "Example Science" || p.Link != "https://science.example.org/" || len(p.Items) != 2 {
		t.Fatalf("%+v", p)
	}
	a, b := p.Items[0], p.Items[1]
	if a.Link != "https://science.example.org/2021/11/probe-jupiter" || a.GUID != "tag:science.example.org,2021:entry-17" || a.ArticleID != a.GUID {
		t.Errorf("entry 0: %+v", a)
	}
	if a.Published.Format(seedFormat) != "2021-11-09 15:30:00Z" {
		t.Errorf("published %v (want <published>, not <updated>)", a.Published)
	}
	if !strings.Contains(a.Description, "38 minutes") || !strings.Contains(a.Title, "Jupiter") {
		t.Errorf("entry 0: %q %q", a.Title, a.Description)
	}
	if b.Link != "https://science.example.org/2021/11/updated-only" || b.Published.Format(seedFormat) != "2021-11-08 09:15:00Z" {
		t.Errorf("entry 1: %+v", b)
	}
	if !strings.Contains(b.Description, "Body in content") {
		t.Errorf("entry 1 description %q", b.Description)
	}
}

func TestJSONFeed(t *testing.T) {
	p := mustParse(t, readFile(t, "jsonfeed.json"), "https://tech.example.com/feed.json")
	if p.Title != "Example Tech" || p.Link != "https://tech.example.com/" || len(p.Items) != 2 {
		t.Fatalf("%+v", p)
	}
	a, b := p.Items[0], p.Items[1]
	if a.Title != "Chip makers expand capacity" || a.GUID != "https://tech.example.com/2021/11/09/chips" || a.Published.Format(seedFormat) != "2021-11-09 18:00:00Z" {
		t.Errorf("item 0: %+v", a)
	}
	if a.Description != "<p>Three new fabs were announced.</p>" {
		t.Errorf("item 0 description %q", a.Description)
	}
	if b.Link != "https://tech.example.com/2021/11/08/batteries" || b.GUID != "tech-2" || b.Published.Format(seedFormat) != "2021-11-08 07:00:00Z" {
		t.Errorf("item 1: %+v", b)
	}
}

// TestGolden compares the whole parse of every testdata feed with
// testdata/golden/<name>.json; run with -update to rewrite them.
func TestGolden(t *testing.T) {
	files := []string{"seed-feed.xml", "plain-rss2.xml", "atom.xml", "jsonfeed.json"}
	for _, c := range gnewsCases {
		files = append(files, "gnews/"+c.file)
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			body := readFile(t, name)
			if strings.Contains(name, "miniflux") {
				body = wrapItems(body)
			}
			p := mustParse(t, body, "https://feeds.example.test/base/feed")
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; run go test -update and review the diff", name)
			}
		})
	}
}

func TestNotFeed(t *testing.T) {
	cases := map[string]string{
		"empty":         "",
		"blank":         " \n\t ",
		"bom only":      "\ufeff",
		"html":          "<!DOCTYPE html><html><head><title>Consent</title></head><body><form>Before you continue to Google</form></body></html>",
		"html no dtd":   "<html lang=en><body>hi</body></html>",
		"text":          "Service Unavailable",
		"json":          `{"error": "rate limited"}`,
		"json array":    `[1,2,3]`,
		"other xml":     `<?xml version="1.0"?><sitemap><url/></sitemap>`,
		"gzip bytes":    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff",
		"broken rss":    `<rss version="2.0"><channel><title>t</title><item><title>x</title></item>`,
		"broken json":   `{"version": "https://jsonfeed.org/version/1.1", "items": [`,
		"rss root only": `<rss`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := Parse([]byte(body), "https://example.com/feed")
			if name == "broken rss" && err == nil {
				// gofeed's non-strict parser may accept an unclosed document;
				// then it must still give a usable result.
				if p == nil {
					t.Fatal("nil result without error")
				}
				return
			}
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("Parse = %+v, %v; want ErrNotFeed", p, err)
			}
			if p != nil {
				t.Errorf("result %+v with error", p)
			}
			if !strings.HasPrefix(err.Error(), "feed: not a feed: ") {
				t.Errorf("message %q", err)
			}
		})
	}
	_, err := Parse([]byte("<html><body>x</body></html>"), "")
	if err == nil || !strings.Contains(err.Error(), "HTML page") {
		t.Errorf("HTML error does not say so: %v", err)
	}
}

func TestTooLarge(t *testing.T) {
	body := make([]byte, MaxSize+1)
	_, err := Parse(body, "")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestBOMAndCharset(t *testing.T) {
	withBOM := append([]byte("\ufeff"), readFile(t, "seed-feed.xml")...)
	p := mustParse(t, withBOM, "")
	if len(p.Items) != 3 || p.Items[0].ArticleID != seedID {
		t.Fatalf("BOM feed: %d items", len(p.Items))
	}

	// windows-1251 bytes for "Новости" (news), declared in the prolog.
	cp1251 := []byte{0xCD, 0xEE, 0xE2, 0xEE, 0xF1, 0xF2, 0xE8}
	doc := []byte(`<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>`)
	doc = append(doc, cp1251...)
	doc = append(doc, []byte(`</title><item><title>`)...)
	doc = append(doc, cp1251...)
	doc = append(doc, []byte(`</title><link>https://example.ru/1</link></item></channel></rss>`)...)
	p = mustParse(t, doc, "")
	if p.Title != "Новости" || p.Items[0].Title != "Новости" {
		t.Errorf("windows-1251: %q %q", p.Title, p.Items[0].Title)
	}
}

func TestFieldsValidText(t *testing.T) {
	// Invalid UTF-8 and control characters in a UTF-8 feed: the feed still
	// parses and every field is valid UTF-8 without C0 controls.
	doc := "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>bad \xff\xfe bytes \x01 here</title>" +
		"<item><title>a\x00b \xed\xa0\x80 c\x1b</title><link>https://example.com/x</link><description>d\x07e&#0;f&#xD800;g&#x263A;</description></item></channel></rss>"
	p := mustParse(t, []byte(doc), "")
	checkText(t, p)
	if len(p.Items) != 1 || !strings.Contains(p.Items[0].Description, "☺") {
		t.Fatalf("%+v", p.Items)
	}
}

func checkText(t *testing.T, p *Parsed) {
	t.Helper()
	check := func(where, s string) {
		if !utf8.ValidString(s) {
			t.Errorf("%s: invalid UTF-8 %q", where, s)
		}
		if i := strings.IndexFunc(s, isBadControl); i >= 0 {
			t.Errorf("%s: control character in %q", where, s)
		}
	}
	check("feed title", p.Title)
	check("feed link", p.Link)
	for i, it := range p.Items {
		for _, f := range []string{it.Title, it.Link, it.GUID, it.Description, it.Publisher, it.PublisherURL, it.ArticleID, it.SourceURL, it.StoryURL} {
			check("item "+string(rune('0'+i)), f)
		}
		for _, l := range it.Related {
			check("related", l.Title+l.URL+l.Publisher)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	body := readFile(b, "gnews/de-DE_topic-headlines_2023-12-06_feeddeck.xml")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		if _, err := Parse(body, "https://news.google.com/rss"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLegacy(b *testing.B) {
	body := readFile(b, "gnews/legacy-2012_en-uk_topic-query_sshingler-jkl.xml")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		if _, err := Parse(body, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPlainTitle(t *testing.T) {
	cases := map[string]string{
		"Plain title":                          "Plain title",
		"  spaced \n\t out  ":                  "spaced out",
		"Probe reaches <em>Jupiter</em> orbit": "Probe reaches Jupiter orbit",
		"Tom &amp; Jerry":                      "Tom & Jerry",
		"AT&T buys & sells":                    "AT&T buys & sells",
		"x < y and y > z":                      "x < y and y > z",
		"<img src=x onerror=alert(1)>":         "",
		"A<br>B":                               "A B",
		"<script>alert(1)</script>Headline":    "Headline",
		"caf&eacute; &#8211; news":             "café – news",
	}
	for in, want := range cases {
		if got := plainTitle(in); got != want {
			t.Errorf("plainTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripSuffix(t *testing.T) {
	cases := []struct{ title, name, want string }{
		{"Headline - Sky News", "Sky News", "Headline"},
		{"A - B - Sky News", "Sky News", "A - B"},
		{"Headline - Sky News", " Sky News ", "Headline"},
		{"Headline - Sky", "Sky News", "Headline - Sky"},
		{"Headline – BBC", "BBC", "Headline"},
		{"Sky News", "Sky News", "Sky News"},
		{" - Sky News", "Sky News", " - Sky News"},
		{"Headline - sky news", "Sky News", "Headline - sky news"},
		{"Headline-Sky News", "Sky News", "Headline-Sky News"},
		{"Headline - Sky News", "", "Headline - Sky News"},
	}
	for _, c := range cases {
		if got, _ := stripSuffix(c.title, c.name); got != c.want {
			t.Errorf("stripSuffix(%q, %q) = %q, want %q", c.title, c.name, got, c.want)
		}
	}
}

func TestGoogleTitleOnlyWithMatchingSource(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>t</title>
<item><title>Headline - Other Name</title><link>https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA?oc=5</link><source url="https://www.mdr.de">MDR</source></item>
<item><title>Headline without suffix</title><link>https://news.google.com/rss/articles/CBMiOGh0dHBzOi8vd3d3LnRhZ2Vzc2NoYXUuZGUvd2lydHNjaGFmdC9nZGwtc3RyZWlrLTE5MC5odG1s0gEA?oc=5</link><source url="https://www.tagesschau.de">tagesschau.de</source></item>
<item><title>Not Google - Example</title><link>https://example.com/a</link><source url="https://example.com">Example</source></item>
</channel></rss>`
	p := mustParse(t, []byte(doc), "https://example.com/feed")
	want := []string{"Headline - Other Name", "Headline without suffix", "Not Google - Example"}
	for i, it := range p.Items {
		if it.Title != want[i] {
			t.Errorf("%d: %q, want %q", i, it.Title, want[i])
		}
	}
	if p.Items[0].ArticleID != "CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA" {
		t.Errorf("ArticleID %q", p.Items[0].ArticleID)
	}
	// Without a guid the GUID is the link, exactly.
	if p.Items[0].GUID != p.Items[0].Link || !strings.HasSuffix(p.Items[0].Link, "?oc=5") {
		t.Errorf("GUID %q", p.Items[0].GUID)
	}
}

func TestConsentWrappedLink(t *testing.T) {
	link := "https://consent.google.com/m?continue=https://news.google.com/rss/articles/CBMiYmh0dHBzOi8vZm9yZWlnbnBvbGljeS5jb20vMjAyMy8wMy8xOC9ydXNzaWFuLW1lcmNlbmFyaWVzLWFyZS1wdXNoaW5nLWZyYW5jZS1vdXQtb2YtY2VudHJhbC1hZnJpY2Ev0gEA?oc%3D5&gl=DK&m=0&pc=n&cm=2&hl=en-US&src=1"
	doc := `<rss version="2.0"><channel><title>t</title><item><title>Russian Mercenaries Are Pushing France Out of Central Africa - Foreign Policy</title><link>` +
		strings.ReplaceAll(link, "&", "&amp;") + `</link><source url="https://foreignpolicy.com">Foreign Policy</source></item></channel></rss>`
	p := mustParse(t, []byte(doc), "")
	it := p.Items[0]
	if it.Link != link || it.ArticleID != "CBMiYmh0dHBzOi8vZm9yZWlnbnBvbGljeS5jb20vMjAyMy8wMy8xOC9ydXNzaWFuLW1lcmNlbmFyaWVzLWFyZS1wdXNoaW5nLWZyYW5jZS1vdXQtb2YtY2VudHJhbC1hZnJpY2Ev0gEA" ||
		it.Title != "Russian Mercenaries Are Pushing France Out of Central Africa" {
		t.Errorf("%+v", it)
	}
}

func TestLongGUIDHashed(t *testing.T) {
	long := strings.Repeat("g", MaxGUIDLen+1)
	doc := `<rss version="2.0"><channel><title>t</title><item><title>x</title><guid isPermaLink="false">` + long + `</guid></item></channel></rss>`
	p := mustParse(t, []byte(doc), "")
	if g := p.Items[0].GUID; !strings.HasPrefix(g, "sha256:") || len(g) > 64 || p.Items[0].ArticleID != g {
		t.Errorf("GUID %q", g)
	}
}

// TestGoogleNewsCoverage checks the related-coverage links and the Full
// Coverage page kept from each Google News description shape.
func TestGoogleNewsCoverage(t *testing.T) {
	cases := []struct {
		file       string
		wrap       bool
		related    [][]string // per item: publishers of the related links
		story      []bool     // per item: has a StoryURL
		firstTitle string     // title of item 0's first related link
	}{
		{file: "en-US_top-stories_2020-09-26_pubfile-32971540811.xml", related: [][]string{{"Bloomberg Politics", "Fox News", "The New York Times", "The Washington Post"}}, story: []bool{true}, firstTitle: "Trump Plans to Name Barrett to Replace Ginsburg on Supreme Court"},
		{file: "fr-BE_top-stories_2020-03-08_prof18-RSS-Parser.xml", related: [][]string{{"Sudinfo.be", "dh.be", "Le Soir", "Notélé"}}, story: []bool{true}},
		{file: "de-DE_topic-headlines_2023-12-06_feeddeck.xml", related: [][]string{{"BILD", "NDR.de", "Lausitzer Rundschau", "DER SPIEGEL"}, {"tagesschau", "BILD", "t-online", "Berliner Morgenpost"}}, story: []bool{false, false}, firstTitle: "Deutsche Bahn: Morgen nächster Lokführer-Streik! | Politik"},
		{file: "en-US_topic-item_2022-03-11_miniflux-issue-1390.xml", wrap: true, related: [][]string{nil}, story: []bool{true}},
		{file: "de-DE_search-Chemnitz_2023-12-06_feeddeck.xml", related: [][]string{nil, nil}, story: []bool{false, false}},
		{file: "ko-KR_search_2026-09-27_HubVibe.xml", related: [][]string{nil, nil, nil}, story: []bool{false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			body := readFile(t, "gnews/"+c.file)
			if c.wrap {
				body = wrapItems(body)
			}
			p := mustParse(t, body, "https://news.google.com/rss")
			if len(p.Items) != len(c.related) {
				t.Fatalf("%d items", len(p.Items))
			}
			for i, it := range p.Items {
				var pubs []string
				for _, l := range it.Related {
					pubs = append(pubs, l.Publisher)
					if l.Title == "" || !strings.HasPrefix(l.URL, "https://news.google.com/") {
						t.Errorf("%d: related %+v", i, l)
					}
					if l.URL == it.Link {
						t.Errorf("%d: the item itself is among its related links", i)
					}
				}
				if !reflect.DeepEqual(pubs, c.related[i]) {
					t.Errorf("%d: related publishers %q, want %q", i, pubs, c.related[i])
				}
				if got := it.StoryURL != ""; got != c.story[i] {
					t.Errorf("%d: StoryURL %q", i, it.StoryURL)
				}
				if it.StoryURL != "" && !strings.HasPrefix(it.StoryURL, "https://news.google.com/stories/CAAq") {
					t.Errorf("%d: StoryURL %q", i, it.StoryURL)
				}
			}
			if c.firstTitle != "" && p.Items[0].Related[0].Title != c.firstTitle {
				t.Errorf("first related title %q", p.Items[0].Related[0].Title)
			}
		})
	}
	// A video (CCAi…) report is kept as a related link.
	p := mustParse(t, readFile(t, "gnews/de-DE_topic-headlines_2023-12-06_feeddeck.xml"), "")
	if d, err := gnews.Decode(p.Items[1].Related[0].URL); !errors.Is(err, gnews.ErrNotArticle) || d.Kind != gnews.KindVideo {
		t.Errorf("video link: %+v %v", d, err)
	}
}

func TestCoverageHostile(t *testing.T) {
	self := "https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA?oc=5"
	var many strings.Builder
	for i := 0; i < MaxRelated+10; i++ {
		fmt.Fprintf(&many, `<li><a href="https://news.google.com/rss/articles/CBMi%d">T%d</a><font color="#6f6f6f">P%d</font></li>`, i, i, i)
	}
	cases := map[string]struct {
		desc    string
		related []model.Link
		story   string
	}{
		"javascript and relative links": {
			desc:    `<ol><li><a href="javascript:alert(1)">x</a></li><li><a href="/rss/articles/CBMiAB">Rel</a>&nbsp;<font color="#6F6F6F">Pub &amp; Co</font></li></ol>`,
			related: []model.Link{{Title: "Rel", URL: "https://news.google.com/rss/articles/CBMiAB", Publisher: "Pub & Co"}},
		},
		"self by ID, repeats, markup in title": {
			desc: `<ol><li><a href="https://news.google.com/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA?hl=de">self</a></li>` +
				`<li><a href="https://e.example/a"><b>Bold</b>  <script>x</script>text</a><font color="#6f6f6f"> P </font></li><li><a href="https://e.example/a">again</a></li></ol>`,
			related: []model.Link{{Title: "Bold xtext", URL: "https://e.example/a", Publisher: "P"}},
		},
		"unclosed list, story first wins": {
			desc:    `<ol><li><a href="https://e.example/b">B<li><strong><a href="https://news.google.com/stories/CAAq1?oc=5">View</a></strong><a href="https://news.google.com/stories/CAAq2">2</a>`,
			related: []model.Link{{Title: "B", URL: "https://e.example/b"}},
			story:   "https://news.google.com/stories/CAAq1?oc=5",
		},
		"story link outside any list": {
			desc:  `<a href="` + self + `">t</a><font color="#6f6f6f">P</font><strong><a href="https://NEWS.google.com/stories/CAAqX">Vollständige Berichterstattung</a></strong>`,
			story: "https://NEWS.google.com/stories/CAAqX",
		},
		"stories elsewhere is not Full Coverage": {
			desc:    `<ol><li><a href="https://example.com/stories/x">x</a></li></ol>`,
			related: []model.Link{{Title: "x", URL: "https://example.com/stories/x"}},
		},
		"no links": {desc: `just text &amp; <b>markup</b>`},
		"no href":  {desc: "<ol><li><a>no href</a><font color=#6f6f6f>P</font></li></ol><<<>>>"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			related, story := coverage(c.desc, parseBase("https://news.google.com/rss"), self, "CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA")
			if !reflect.DeepEqual(related, c.related) || story != c.story {
				t.Errorf("got %+v %q\nwant %+v %q", related, story, c.related, c.story)
			}
		})
	}
	// Bytes no feed should carry: no panic, valid UTF-8 out.
	related, _ := coverage("<ol><li><a href=\"\x00\xff\">\xff</a><font color=\"#6f6f6f\">\x01</font></li></ol>", nil, self, "")
	for _, l := range related {
		if !utf8.ValidString(l.Title + l.URL + l.Publisher) {
			t.Errorf("invalid UTF-8 in %+v", l)
		}
	}
	related, _ = coverage("<ol>"+many.String()+"</ol>", nil, self, "")
	if len(related) != MaxRelated || related[MaxRelated-1].Publisher != fmt.Sprint("P", MaxRelated-1) {
		t.Errorf("%d related links kept", len(related))
	}
	// Not a Google News feed: nothing is read from the description.
	doc := `<rss version="2.0"><channel><title>t</title><item><title>x</title><link>https://example.com/a</link><description>&lt;ol&gt;&lt;li&gt;&lt;a href="https://example.com/b"&gt;B&lt;/a&gt;&lt;/li&gt;&lt;/ol&gt;</description></item></channel></rss>`
	if it := mustParse(t, []byte(doc), "https://example.com/feed").Items[0]; it.Related != nil || it.StoryURL != "" {
		t.Errorf("non-Google item got coverage: %+v", it)
	}
}
