package blog

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func parseFile(t *testing.T, name, format string) *Export {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := Parse(f, format)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return ex
}

func findEntry(t *testing.T, es []Entry, title string) *Entry {
	t.Helper()
	for i := range es {
		if strings.HasPrefix(es[i].Title, title) {
			return &es[i]
		}
	}
	t.Fatalf("no entry titled %q among %d", title, len(es))
	return nil
}

func TestBloggerClassic(t *testing.T) {
	ex := parseFile(t, "blogger-classic.xml", "")
	if ex.Format != Blogger || ex.Dialect != "classic" {
		t.Fatalf("format %s/%s", ex.Format, ex.Dialect)
	}
	if ex.Title != "Catatan Dapur & Kebun" || ex.URL != "https://dapur-kebun.blogspot.com/" {
		t.Errorf("blog %q at %q", ex.Title, ex.URL)
	}
	if len(ex.Posts) != 2 || len(ex.Pages) != 1 {
		t.Fatalf("%d posts, %d pages; want 2 and 1", len(ex.Posts), len(ex.Pages))
	}
	want := map[string]int{"template": 1, "settings": 2, "post draft": 1, "page draft": 1, "comment on a skipped post": 1}
	for k, n := range want {
		if ex.Skipped[k] != n {
			t.Errorf("skipped %q = %d, want %d (all: %v)", k, ex.Skipped[k], n, ex.Skipped)
		}
	}
	t.Run("post", func(t *testing.T) { checkClassicPost(t, findEntry(t, ex.Posts, "Sambal matah")) })
	t.Run("page", func(t *testing.T) {
		page := ex.Pages[0]
		if page.Path != "/p/tentang-saya.html" || page.Slug != "tentang-saya" ||
			!slices.Equal(Paragraphs(page.HTML), []string{"Saya menulis dari Bandung.", "Surel: sri@example.org"}) {
			t.Errorf("page %+v", page)
		}
	})
}

// checkClassicPost checks the classic export's post: its address, date,
// labels, paragraphs and threaded comments.
func checkClassicPost(t *testing.T, p *Entry) {
	if p.Title != `Sambal matah — "Bali" style <3` {
		t.Errorf("title %q", p.Title)
	}
	// The ID had white space around it; the path comes from the alternate
	// link, not from the (UTC) publication month.
	if p.SourceID != "tag:blogger.com,1999:blog-7391842267.post-5550001" {
		t.Errorf("id %q", p.SourceID)
	}
	if p.Path != "/2020/11/sambal-matah.html" || p.Slug != "sambal-matah" || p.URL != "https://dapur-kebun.blogspot.com/2020/11/sambal-matah.html" {
		t.Errorf("path %q slug %q url %q", p.Path, p.Slug, p.URL)
	}
	if !p.Published.Equal(time.Date(2020, 12, 1, 7, 30, 0, 0, time.UTC)) {
		t.Errorf("published %v", p.Published)
	}
	if !slices.Equal(p.Labels, []string{"Resep", "Sambal & Saus"}) {
		t.Errorf("labels %q", p.Labels)
	}
	paras := Paragraphs(p.HTML)
	wantParas := []string{"Bawang merah, serai, cabai rawit.", "Sambal di cobek: https://blogger.googleusercontent.com/img/b/R29v/s320/sambal.jpg",
		"Iris tipis, jangan diulek.", "Tip: 1 sdm minyak kelapa & garam."}
	if !slices.Equal(paras, wantParas) {
		t.Errorf("paragraphs\n%q\nwant\n%q", paras, wantParas)
	}
	if len(p.Comments) != 3 {
		t.Fatalf("%d comments, want 3", len(p.Comments))
	}
	c0, c1, c2 := p.Comments[0], p.Comments[1], p.Comments[2]
	if c0.Author != `Budi "Sambal" O'Connor` || c0.AuthorURL != "https://budi.example/" || c0.ParentID != "" {
		t.Errorf("first comment %+v", c0)
	}
	if c1.Author != "Anonymous" || Text(c1.HTML) != "مرحبا — terima kasih!" {
		t.Errorf("second comment %+v", c1)
	}
	if c2.ParentID != c0.SourceID || Text(c2.HTML) != "Setuju! Tapi saya tambah terasi 🌶️" {
		t.Errorf("reply %+v, want parent %q", c2, c0.SourceID)
	}
}

func TestBlogger2020(t *testing.T) {
	ex := parseFile(t, "blogger-2020.xml", Blogger)
	if ex.Dialect != "2020" || ex.Title != "Field Notes: Birds & Trains" {
		t.Fatalf("dialect %q title %q", ex.Dialect, ex.Title)
	}
	if len(ex.Posts) != 2 || len(ex.Pages) != 1 {
		t.Fatalf("%d posts, %d pages", len(ex.Posts), len(ex.Pages))
	}
	for k, n := range map[string]int{"post draft": 1, "post soft_trashed": 1, "comment spam_comment": 1} {
		if ex.Skipped[k] != n {
			t.Errorf("skipped %q = %d, want %d (%v)", k, ex.Skipped[k], n, ex.Skipped)
		}
	}
	k := findEntry(t, ex.Posts, "Kingfisher")
	if k.Path != "/2022/05/kingfisher-at-canal-540-am.html" || k.URL != "" || k.Author != "Ines Müller" {
		t.Errorf("post %+v", k)
	}
	if !slices.Equal(k.Labels, []string{"Birds", "Früh"}) {
		t.Errorf("labels %q", k.Labels)
	}
	if got := Paragraphs(k.HTML); !slices.Equal(got, []string{"A flash of blue & orange.", "Kingfisher: https://blogger.googleusercontent.com/img/a/kingfisher.jpg", "Tags: <not a tag>"}) {
		t.Errorf("paragraphs %q", got)
	}
	if len(k.Comments) != 2 || k.Comments[0].ParentID != "" || k.Comments[1].ParentID != k.Comments[0].SourceID {
		t.Errorf("comments %+v", k.Comments)
	}
	if k.Comments[0].AuthorURL != "https://tom.example/birds" || Text(k.Comments[1].HTML) != "Dusk is good too <3" {
		t.Errorf("comments %+v", k.Comments)
	}
	train := findEntry(t, ex.Posts, "Night train")
	if got := Paragraphs(train.HTML); !slices.Equal(got, []string{"Sleeper cabin 3.", "Breakfast at Linz."}) {
		t.Errorf("iframe kept or breaks lost: %q", got)
	}
	if len(train.Comments) != 1 || train.Comments[0].Author != "Anonymous" {
		t.Errorf("comments %+v", train.Comments)
	}
	if ex.Pages[0].Path != "/p/about-contact.html" || ex.Pages[0].Title != "About & contact" {
		t.Errorf("page %+v", ex.Pages[0])
	}
}

func TestWordPress(t *testing.T) {
	ex := parseFile(t, "wordpress.xml", "")
	if ex.Format != WordPress || ex.URL != "https://bikebrew.example" {
		t.Fatalf("format %q url %q", ex.Format, ex.URL)
	}
	if len(ex.Posts) != 2 || len(ex.Pages) != 1 {
		t.Fatalf("%d posts, %d pages", len(ex.Posts), len(ex.Pages))
	}
	for k, n := range map[string]int{"post draft": 1, "post private": 1, "attachment": 1, "nav_menu_item": 1, "pingback": 1, "comment not approved": 1} {
		if ex.Skipped[k] != n {
			t.Errorf("skipped %q = %d, want %d (%v)", k, ex.Skipped[k], n, ex.Skipped)
		}
	}
	flat := findEntry(t, ex.Posts, "Fixing a flat")
	if flat.Path != "/2023/07/09/fixing-a-flat/" || flat.Slug != "fixing-a-flat" || !slices.Equal(flat.OldPaths, []string{"/?p=12"}) {
		t.Errorf("flat %q %q %q", flat.Path, flat.Slug, flat.OldPaths)
	}
	if !slices.Equal(flat.Labels, []string{"Repairs", "Tyres"}) || flat.Author != "ana" {
		t.Errorf("labels %q author %q", flat.Labels, flat.Author)
	}
	if !flat.Published.Equal(time.Date(2023, 7, 9, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("published %v", flat.Published)
	}
	// Auto-paragraphs: a blank line parts paragraphs, a single line break
	// parts lines.
	want := []string{"You need two levers & a pump.", "First, take the wheel off.", "Then let the air out.",
		"Two tyre levers: https://bikebrew.example/wp-content/uploads/2023/07/levers.jpg", "Done — ride on! click"}
	if got := Paragraphs(flat.HTML); !slices.Equal(got, want) {
		t.Errorf("paragraphs\n%q\nwant\n%q", got, want)
	}
	if len(flat.Comments) != 2 || flat.Comments[1].ParentID != flat.Comments[0].SourceID ||
		flat.Comments[0].Author != "Jörg" || Text(flat.Comments[0].HTML) != "What about tubeless?\nAsking for a friend." {
		t.Errorf("comments %+v", flat.Comments)
	}
	cafe := findEntry(t, ex.Posts, "Café")
	if cafe.Slug != "café-creme-brevet" || !slices.Equal(Paragraphs(cafe.HTML), []string{"Stopped at km 120 for a café crème.", "日本語のテキストも。"}) {
		t.Errorf("cafe slug %q paragraphs %q", cafe.Slug, Paragraphs(cafe.HTML))
	}
	about := ex.Pages[0]
	if about.Slug != "about" || about.Path != "/about/" || !slices.Equal(about.OldPaths, []string{"/?page_id=2"}) {
		t.Errorf("about %+v", about)
	}
}

func TestBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"not xml":    "hello, world",
		"plain rss":  `<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>`,
		"html page":  `<!doctype html><html><body>hi</body></html>`,
		"other atom": `<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>`,
	} {
		if _, err := Parse(strings.NewReader(in), ""); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Forced to the wrong format: an error, not an empty import.
	f, _ := os.Open("testdata/wordpress.xml")
	defer f.Close()
	if _, err := Parse(f, Blogger); err == nil {
		t.Error("a WordPress export read as Blogger: no error")
	}
	// Cut short: what was read is returned with an error.
	data, _ := os.ReadFile("testdata/blogger-2020.xml")
	ex, err := Parse(strings.NewReader(string(data[:len(data)*2/3])), "")
	if err == nil || ex == nil || len(ex.Posts) == 0 {
		t.Errorf("truncated export: %v, %v", ex, err)
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"blogger-classic.xml", Blogger}, {"blogger-2020.xml", Blogger}, {"wordpress.xml", WordPress},
	} {
		data, _ := os.ReadFile("testdata/" + c.file)
		if got := Detect(data); got != c.want {
			t.Errorf("Detect(%s) = %q, want %q", c.file, got, c.want)
		}
	}
}

func TestAutopAndShortcodes(t *testing.T) {
	in := "[caption id=\"attachment_7\" align=\"alignnone\" width=\"300\"]<img src=\"https://wp.example/a.jpg\" alt=\"A bike\" /> A bike at dawn[/caption]\r\n\r\nFirst line\nsecond line [1]\n\n<ul><li>one</li><li>two</li></ul>\n\n[embed]https://video.example/x[/embed]"
	want := []string{"A bike: https://wp.example/a.jpg", "A bike at dawn", "First line", "second line [1]", "one", "two", "https://video.example/x"}
	if got := Paragraphs(Autop(in)); !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
