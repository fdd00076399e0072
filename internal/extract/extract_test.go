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
			if art.Published.Location() != time.UTC {
				t.Errorf("Published not in UTC: %v", art.Published)
			}
		})
	}
}

// The seed article must come out exactly as the seed document (a copy of the
// project's founding document) has it.
func TestSeedMatchesSeedDocument(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "seed-document.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "https://news.google.com/") {
			break
		}
		want = append(want, line)
	}
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
