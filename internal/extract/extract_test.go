package extract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// page is one hand-written page of testdata with its expected article.
type page struct {
	name      string // testdata/<name>.html, testdata/<name>.want.txt
	url       string
	title     string
	author    string
	published time.Time
	image     string
	lang      string
	site      string
	canonical string
	offset    int // seconds east of UTC of the page's published time
}

var pages = []page{
	{
		name:      "seed-news",
		url:       "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576",
		title:     "Germany urges EU unity amid growing tensions as migrants camp on Poland-Belarus border",
		author:    "Alix Culbertson",
		published: time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC),
		image:     "https://e3.365dm.com/21/11/1600x900/skynews-poland-belarus-migrants_5574562.jpg?20211109095530",
		lang:      "en",
		site:      "Sky News",
		canonical: "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576",
	},
	{
		name:      "id-news",
		url:       "https://www.kabarpriangan.example/berita/d-7241188/pemkot-bandung-tambah-40-bus-listrik-untuk-rute-sekolah?utm_source=feed",
		title:     "Pemkot Bandung Tambah 40 Bus Listrik untuk Rute Sekolah",
		author:    "Rina Kusumawati",
		published: time.Date(2024, 3, 18, 14, 5, 0, 0, time.UTC),
		// og:image is relative: it must come back absolute
		image:     "https://www.kabarpriangan.example/images/2024/03/18/bus-listrik-bandung.jpg",
		lang:      "id", // no lang attribute anywhere: detected from the text
		site:      "Kabar Priangan",
		canonical: "https://www.kabarpriangan.example/berita/d-7241188/pemkot-bandung-tambah-40-bus-listrik-untuk-rute-sekolah",
	},
	{
		name:      "wp-blog",
		url:       "https://crumbdiary.example.org/2023/01/sourdough-cold-kitchen/",
		title:     "What Three Winters Taught Me About Sourdough in a Cold Kitchen",
		author:    "Margot Ellery",
		published: time.Date(2023, 1, 14, 8, 30, 0, 0, time.UTC),
		image:     "https://crumbdiary.example.org/wp-content/uploads/2023/01/loaf-on-rack.jpg",
		lang:      "en",
		site:      "The Crumb Diary",
		canonical: "https://crumbdiary.example.org/2023/01/sourdough-cold-kitchen/",
	},
	{
		name:      "microdata",
		url:       "https://valleycourier.example.com/news/river-trust-opens-first-fish-pass",
		title:     "River trust opens first fish pass on the upper weir",
		author:    "Tom Brannigan",
		published: time.Date(2022, 5, 3, 5, 0, 0, 0, time.UTC),
		image:     "https://static.valleycourier.example.com/img/2022/05/fish-pass-weir.jpg",
		lang:      "en",
		site:      "Valley Courier",
		canonical: "https://valleycourier.example.com/news/river-trust-opens-first-fish-pass",
		offset:    3600,
	},
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func TestExtractPages(t *testing.T) {
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			html, err := os.ReadFile(filepath.Join("testdata", p.name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			art, err := Extract(html, p.url)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			want := readLines(t, filepath.Join("testdata", p.name+".want.txt"))
			got := art.Paragraphs
			if len(got) != len(want) {
				t.Errorf("got %d paragraphs, want %d", len(got), len(want))
			}
			for i := 0; i < len(got) || i < len(want); i++ {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Errorf("paragraph %d:\n got: %q\nwant: %q", i, g, w)
				}
			}
			check := func(field, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("Title", art.Title, p.title)
			check("Author", art.Author, p.author)
			check("Image", art.Image, p.image)
			check("Language", art.Language, p.lang)
			check("SiteName", art.SiteName, p.site)
			check("Canonical", art.Canonical, p.canonical)
			if !art.Published.Equal(p.published) {
				t.Errorf("Published = %v, want %v", art.Published, p.published)
			}
			// the zone the page gave is kept, so that the day is the page's
			if _, off := art.Published.Zone(); off != p.offset {
				t.Errorf("Published zone offset = %d, want %d", off, p.offset)
			}
		})
	}
}

// The seed article must come out exactly as the seed document (a copy of the
// project's founding document) has it.
func TestSeedMatchesSeedDocument(t *testing.T) {
	want := seedParagraphs(t)
	page, err := os.ReadFile(filepath.Join("testdata", "seed-news.html"))
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, pages[0].url)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(art.Paragraphs, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("seed text differs:\n got: %q\nwant: %q", got, strings.Join(want, "\n"))
	}
	if len(art.Paragraphs) != len(want) {
		t.Errorf("got %d paragraphs, want %d", len(art.Paragraphs), len(want))
	}
}

func TestNoArticle(t *testing.T) {
	cases := map[string]string{
		"empty":       "",
		"spaces":      "   \n\t ",
		"binary":      "\x00\x01\x02\xff\xfe garbage \x89PNG\r\n\x1a\n",
		"text":        "just a few words",
		"broken html": "<html><body><div><p>Hi<div><span>",
		"nav only": `<html><head><title>Home | Example</title></head><body>
			<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
			<div class="menu"><a href="/a">World news and analysis from our correspondents</a> <a href="/b">Business news, markets and the economy today</a></div>
			<footer><a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a> <p>Copyright 2024 Example Media Group. All rights reserved.</p></footer>
			</body></html>`,
		"script only": `<html><body><script>var a = "long long long text that is not an article, just code, with commas, many, many, many";</script></body></html>`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			art, err := Extract([]byte(in), "https://example.com/x")
			if !errors.Is(err, ErrNoArticle) {
				var paras []string
				if art != nil {
					paras = art.Paragraphs
				}
				t.Fatalf("err = %v, want ErrNoArticle (paragraphs %q)", err, paras)
			}
		})
	}
}

func TestRelativeURLs(t *testing.T) {
	in := `<html><head><meta property="og:image" content="../img/photo.jpg"><link rel="canonical" href="/story/42"></head>
	<body><article><h1>Town hall reopens</h1>
	<p>The town hall reopened on Saturday after a two-year restoration, with the clock tower working again for the first time since 1998.</p>
	<p>Hundreds of residents queued to see the restored council chamber, where the original oak panelling has been cleaned and repaired by local craftspeople.</p>
	<p>The council said the building would host weddings, concerts and a weekly market from next month, and that the cafe on the ground floor would open daily.</p>
	</article></body></html>`
	art, err := Extract([]byte(in), "https://example.com/news/local/town-hall.html")
	if err != nil {
		t.Fatal(err)
	}
	if art.Image != "https://example.com/news/img/photo.jpg" {
		t.Errorf("Image = %q", art.Image)
	}
	if art.Canonical != "https://example.com/story/42" {
		t.Errorf("Canonical = %q", art.Canonical)
	}
	if art.Title != "Town hall reopens" {
		t.Errorf("Title = %q", art.Title)
	}
	if len(art.Paragraphs) != 3 {
		t.Errorf("got %d paragraphs: %q", len(art.Paragraphs), art.Paragraphs)
	}
}

func TestBrParagraphs(t *testing.T) {
	in := `<html><body><div id="content">
	First paragraph of the story, long enough to count as real article text for the scorer.<br><br>
	Second paragraph follows, with a few more words, commas, and details about the event.<br/><br/>
	Third paragraph closes the story &amp; mentions that the event ends at 5&nbsp;pm.
	</div></body></html>`
	art, err := Extract([]byte(in), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"First paragraph of the story, long enough to count as real article text for the scorer.",
		"Second paragraph follows, with a few more words, commas, and details about the event.",
		"Third paragraph closes the story & mentions that the event ends at 5 pm.",
	}
	if strings.Join(art.Paragraphs, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q", art.Paragraphs)
	}
}

// When the markup holds no body (a script fills it in), JSON-LD articleBody
// stands in.
func TestJSONLDFallback(t *testing.T) {
	in := `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
	"headline":"Ferry timetable changes","datePublished":"2024-06-01T10:00:00+02:00",
	"articleBody":"The ferry company will add two sailings a day from July, it said on Saturday.\nThe extra crossings leave at 7am and 9pm and run until the end of September, when the winter timetable begins.\nTickets go on sale on Monday."}</script></head>
	<body><div id="app"><p>Loading…</p></div></body></html>`
	art, err := Extract([]byte(in), "https://ferries.example.net/news/1")
	if err != nil {
		t.Fatal(err)
	}
	if len(art.Paragraphs) != 3 || art.Paragraphs[2] != "Tickets go on sale on Monday." {
		t.Errorf("got %q", art.Paragraphs)
	}
	if want := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC); !art.Published.Equal(want) {
		t.Errorf("Published = %v", art.Published)
	}
	if art.Title != "Ferry timetable changes" {
		t.Errorf("Title = %q", art.Title)
	}
}

func TestCleanTitle(t *testing.T) {
	cases := []struct{ in, site, want string }{
		{"Germany urges EU unity | World News | Sky News", "Sky News", "Germany urges EU unity | World News"},
		{"Storm hits coast - BBC News", "", "Storm hits coast"},
		{"Pemkot Bandung Tambah Bus - Kabar Priangan", "Kabar Priangan", "Pemkot Bandung Tambah Bus"},
		{"A plain title", "", "A plain title"},
	}
	for _, c := range cases {
		if got := cleanTitle(c.in, c.site); got != c.want {
			t.Errorf("cleanTitle(%q, %q) = %q, want %q", c.in, c.site, got, c.want)
		}
	}
}

func TestNormLang(t *testing.T) {
	for in, want := range map[string]string{"en-GB": "en", "en_US": "en", "ID": "id", "id-ID": "id", "": "", "x-klingon": ""} {
		if got := normLang(in); got != want {
			t.Errorf("normLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	var docs [][]byte
	var urls []string
	for _, p := range pages {
		d, err := os.ReadFile(filepath.Join("testdata", p.name+".html"))
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
		urls = append(urls, p.url)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, d := range docs {
			if _, err := Extract(d, urls[j]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestPagerLines(t *testing.T) {
	for _, s := range []string{"Page 1 of 3", "Page 2 of 3 »", "Next page »", "Pages: 1 | 2 | 3", "Halaman 2 dari 4", "Continued on next page"} {
		if dropReason(block{text: s, textLen: len(s), seq: -1}, "") == "" {
			t.Errorf("%q kept", s)
		}
	}
	for _, s := range []string{"The page of history turned on Tuesday, when 3 of the 5 judges agreed.", "Next, the council will vote on the budget for the new library."} {
		if r := dropReason(block{text: s, textLen: len(s), seq: -1}, ""); r != "" {
			t.Errorf("%q dropped (%s)", s, r)
		}
	}
}

func TestExplain(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "microdata.html"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Explain(page, pages[3].url)
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, pages[3].url)
	if err != nil {
		t.Fatal(err)
	}
	// Explain extracts exactly as Extract does
	if strings.Join(ex.Article.Paragraphs, "\n") != strings.Join(art.Paragraphs, "\n") || ex.Article.Title != art.Title {
		t.Error("Explain's article differs from Extract's")
	}
	if len(ex.Attempts) == 0 || ex.Source != "markup" || ex.Attempts[ex.Chosen].Top == "" {
		t.Fatalf("attempts %+v source %q chosen %d", ex.Attempts, ex.Source, ex.Chosen)
	}
	kept, dropped := 0, map[string]bool{}
	for _, d := range ex.Blocks {
		if d.Kept {
			kept++
		} else {
			dropped[d.Reason] = true
			if d.Reason == "" {
				t.Errorf("dropped without a reason: %q", d.Text)
			}
		}
	}
	if kept != len(art.Paragraphs) {
		t.Errorf("%d blocks kept, %d paragraphs", kept, len(art.Paragraphs))
	}
	if len(dropped) == 0 {
		t.Error("nothing dropped on a page with an ad label and a share bar")
	}
	out := ex.String()
	for _, s := range []string{"attempt 1", "KEEP", "DROP", "source: markup"} {
		if !strings.Contains(out, s) {
			t.Errorf("explanation lacks %q:\n%s", s, out)
		}
	}
}

func TestAMPURL(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "seed-news.html"))
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, pages[0].url)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://news.sky.com/story/amp/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576"; art.AMPURL != want {
		t.Errorf("AMPURL = %q, want %q", art.AMPURL, want)
	}
}

// React's streamed rendering: the body arrives in hidden segments that
// scripts move into place; the extractor moves them itself.
func TestStreamedPage(t *testing.T) {
	in := `<html><body><main><h1>Harbour wall repaired</h1><div class="article-body">
	<!--$?--><template id="B:0"></template><div>Loading paragraph...</div><!--/$-->
	<!--$?--><template id="B:1"></template><div>Loading paragraph...</div><!--/$-->
	</div></main><footer>Footer text of the site, with its links and its small print for every page.</footer>
	<div hidden id="S:1"><p>Divers will inspect the new stones every spring, and the council has set aside money for repairs over the next ten years, it said.</p></div>
	<div hidden id="S:0"><p>The harbour wall at Porthcove has been repaired after a winter storm broke through it in January, the council said on Friday, and boats can moor there again.</p></div>
	<script>$RC("B:1","S:1")</script><script>$RC("B:0","S:0")</script></body></html>`
	art, err := Extract([]byte(in), "https://example.com/news/harbour")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"The harbour wall at Porthcove has been repaired after a winter storm broke through it in January, the council said on Friday, and boats can moor there again.",
		"Divers will inspect the new stones every spring, and the council has set aside money for repairs over the next ten years, it said.",
	}
	if strings.Join(art.Paragraphs, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q", art.Paragraphs)
	}
}

func TestVisibleDateAndByline(t *testing.T) {
	in := `<html><head><title>Ferry fares frozen for islanders | Island Times</title></head><body><article>
	<h1>Ferry fares frozen for islanders</h1>
	<div class="meta">By Morag Campbell | Published 14 March 2024</div>
	<p>Fares on the island ferry will not rise this year for people who live on the island, the operator said on Thursday, after a campaign by residents.</p>
	<p>Visitors will pay four percent more from April. The operator said the increase was needed to cover the cost of fuel and of a new vessel due next year.</p>
	<p>Residents' groups welcomed the freeze but said they would keep pressing for a cheaper fare for hospital appointments on the mainland.</p>
	</article></body></html>`
	art, err := Extract([]byte(in), "https://islandtimes.example/news/ferry-fares")
	if err != nil {
		t.Fatal(err)
	}
	if art.Author != "Morag Campbell" {
		t.Errorf("Author = %q", art.Author)
	}
	if want := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC); !art.Published.Equal(want) {
		t.Errorf("Published = %v", art.Published)
	}
	if art.Title != "Ferry fares frozen for islanders" {
		t.Errorf("Title = %q", art.Title)
	}
}
