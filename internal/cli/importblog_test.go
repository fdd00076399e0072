package cli

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/web"
)

const blogTestdata = "../blog/testdata/"

// blogSite serves the site of a database the test imported into.
func blogSite(t *testing.T, db string) (*httptest.Server, *http.Client) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	site, err := web.New(st, web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return srv, client
}

func siteGet(t *testing.T, c *http.Client, url string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

func TestImportBloggerClassic(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	out := mustKabar(t, "--db", db, "import", blogTestdata+"blogger-classic.xml")
	for _, want := range []string{
		`blogger export (classic) of "Catatan Dapur & Kebun": 2 published posts, 1 pages, 3 comments`,
		"imported 2 posts (0 there already), 1 pages (0 there already), 3 comments (0 there already); 3 labels given; 1 old addresses redirect",
		"skipped: 1 comment on a skipped post, 1 page draft, 1 post draft, 2 settings, 1 template",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The export names no language per post; search stems by the one the
	// text is in.
	if got := mustKabar(t, "--db", db, "export", "--format", "jsonl"); strings.Count(got, `"language":"id"`) != 2 {
		t.Errorf("imported posts' languages, want id for both:\n%s", got)
	}
	// Idempotent: the second import finds everything there.
	out = mustKabar(t, "--db", db, "import", "--format", "blogger", blogTestdata+"blogger-classic.xml")
	if !strings.Contains(out, "imported 0 posts (2 there already), 0 pages (1 there already), 0 comments (3 there already)") {
		t.Errorf("second import:\n%s", out)
	}

	srv, c := blogSite(t, db)
	// Published 23:30 on 30 November in California, 1 December in UTC: its
	// old address leads to it.
	code, loc, _ := siteGet(t, c, srv.URL+"/2020/11/sambal-matah.html")
	if code != http.StatusMovedPermanently || loc != "/2020/12/sambal-matah.html" {
		t.Fatalf("old path: %d %q", code, loc)
	}
	code, _, body := siteGet(t, c, srv.URL+loc)
	if code != 200 {
		t.Fatalf("post: %d", code)
	}
	for _, want := range []string{"Sambal matah — &#34;Bali&#34; style &lt;3", "Iris tipis, jangan diulek.",
		"Enak sekali, Bu. Saya coba besok.", "Budi &#34;Sambal&#34; O&#39;Connor", "مرحبا — terima kasih!",
		"Setuju! Tapi saya tambah terasi 🌶️", `href="https://budi.example/"`, "Sambal di cobek: https://blogger.googleusercontent.com/img/b/R29v/s320/sambal.jpg",
		"/search/label/Sambal%20&amp;%20Saus"} {
		if !strings.Contains(body, want) {
			t.Errorf("post page lacks %q", want)
		}
	}
	if strings.Contains(body, "alert(1)") || strings.Contains(body, "spam.example") {
		t.Error("the post page shows the script or the comment's link")
	}
	// The reply is under the comment it answers.
	if i, j := strings.Index(body, `class="replies"`), strings.Index(body, "Setuju!"); i < 0 || j < i {
		t.Error("the reply is not threaded")
	}
	if code, _, body := siteGet(t, c, srv.URL+"/2021/02/menanam-cabai-di-pot.html"); code != 200 || !strings.Contains(body, "Siram pagi — bukan sore.") {
		t.Errorf("second post: %d", code)
	}
	if code, _, body := siteGet(t, c, srv.URL+"/p/tentang-saya.html"); code != 200 || !strings.Contains(body, "Saya menulis dari Bandung.") {
		t.Errorf("page: %d", code)
	}
	if code, _, _ := siteGet(t, c, srv.URL+"/p/halaman-rahasia.html"); code != 404 {
		t.Errorf("draft page: %d", code)
	}
	code, _, feed := siteGet(t, c, srv.URL+"/feeds/posts/default")
	if code != 200 || strings.Contains(feed, "rendang") || !strings.Contains(feed, "Menanam cabai") {
		t.Errorf("feed %d shows the draft or lacks a post", code)
	}
	if code, _, body := siteGet(t, c, srv.URL+"/search/label/Resep"); code != 200 || !strings.Contains(body, "sambal-matah.html") {
		t.Errorf("label page %d", code)
	}
}

func TestImportBlogger2020(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	out := mustKabar(t, "--db", db, "import", "--old-url", "https://fieldnotes.blogspot.com/", blogTestdata+"blogger-2020.xml")
	if !strings.Contains(out, "imported 2 posts (0 there already), 1 pages (0 there already), 3 comments") ||
		!strings.Contains(out, "skipped: 1 comment spam_comment, 1 post draft, 1 post soft_trashed") {
		t.Fatalf("output:\n%s", out)
	}
	srv, c := blogSite(t, db)
	code, _, body := siteGet(t, c, srv.URL+"/2022/05/kingfisher-at-canal-540-am.html")
	if code != 200 || !strings.Contains(body, "Dusk is good too &lt;3") || !strings.Contains(body, "A flash of blue &amp; orange.") ||
		!strings.Contains(body, `href="https://fieldnotes.blogspot.com/2022/05/kingfisher-at-canal-540-am.html"`) {
		t.Errorf("post %d:\n%s", code, body)
	}
	if code, _, _ := siteGet(t, c, srv.URL+"/2023/02/unfinished-owls.html"); code != 404 {
		t.Errorf("draft answers %d", code)
	}
	if code, _, _ := siteGet(t, c, srv.URL+"/2021/02/deleted-post.html"); code != 404 {
		t.Errorf("trashed post answers %d", code)
	}
	if code, _, _ := siteGet(t, c, srv.URL+"/p/about-contact.html"); code != 200 {
		t.Errorf("page %d", code)
	}
}

func TestImportWordPress(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	out := mustKabar(t, "--db", db, "import", blogTestdata+"wordpress.xml")
	if !strings.Contains(out, "imported 2 posts (0 there already), 1 pages (0 there already), 2 comments") {
		t.Fatalf("output:\n%s", out)
	}
	out = mustKabar(t, "--db", db, "import", blogTestdata+"wordpress.xml")
	if !strings.Contains(out, "imported 0 posts (2 there already), 0 pages (1 there already), 0 comments (2 there already)") {
		t.Fatalf("second import:\n%s", out)
	}
	srv, c := blogSite(t, db)
	for old, want := range map[string]string{
		"/2023/07/09/fixing-a-flat/":     "/2023/07/fixing-a-flat.html",
		"/2023/07/09/fixing-a-flat":      "/2023/07/fixing-a-flat.html",
		"/?p=12":                         "/2023/07/fixing-a-flat.html",
		"/2024/03/31/cafe-creme-brevet/": "/2024/03/caf%C3%A9-creme-brevet.html",
		"/about/":                        "/p/about.html",
		"/?page_id=2":                    "/p/about.html",
	} {
		if code, loc, _ := siteGet(t, c, srv.URL+old); code != http.StatusMovedPermanently || loc != want {
			t.Errorf("%s: %d %q, want 301 to %s", old, code, loc, want)
		}
	}
	code, _, body := siteGet(t, c, srv.URL+"/2023/07/fixing-a-flat.html")
	for _, want := range []string{"First, take the wheel off.", "Then let the air out.", "What about tubeless?\nAsking for a friend.", "Tubeless: plug it, then pump.", "/search/label/Tyres"} {
		if !strings.Contains(body, want) {
			t.Errorf("post (%d) lacks %q", code, want)
		}
	}
	if strings.Contains(body, "javascript:") || strings.Contains(body, "win big") || strings.Contains(body, "linked here") {
		t.Error("post shows a script link, spam or a pingback")
	}
	if code, _, _ := siteGet(t, c, srv.URL+"/2024/03/caf%C3%A9-creme-brevet.html"); code != 200 {
		t.Errorf("unicode slug: %d", code)
	}
	if code, _, _ := siteGet(t, c, srv.URL+"/?p=16"); code != 200 {
		t.Errorf("draft's ?p= is the home page: %d", code)
	}
}

func TestImportBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	if code, _, errs := kabar(t, "--db", db, "import"); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("no file: %d %q", code, errs)
	}
	if code, _, _ := kabar(t, "--db", db, "import", "--format", "tumblr", blogTestdata+"wordpress.xml"); code != 2 {
		t.Errorf("bad format: %d", code)
	}
	if code, _, errs := kabar(t, "--db", db, "import", filepath.Join(dir, "missing.xml")); code != 1 || !strings.Contains(errs, "missing.xml") {
		t.Errorf("missing file: %d %q", code, errs)
	}
	// A file that is neither an export nor an archive is read as an
	// archive (the bulk importer's default) and refused as one.
	if code, _, errs := kabar(t, "--db", db, "import", "../sanitize/sanitize.go"); code != 1 || !strings.Contains(errs, "expected a WARC version line") {
		t.Errorf("not an archive: %d %q", code, errs)
	}
	if code, _, errs := kabar(t, "--db", db, "import", "--format", "wordpress", "../sanitize/sanitize.go"); code != 1 || !strings.Contains(errs, "not an XML export") {
		t.Errorf("not an export: %d %q", code, errs)
	}
	if code, _, errs := kabar(t, "--db", db, "import", "--format", "blogger", blogTestdata+"wordpress.xml"); code != 1 || !strings.Contains(errs, "nothing was imported") {
		t.Errorf("wrong format forced: %d %q", code, errs)
	}
}

// --fetch-images keeps each post's first image in the site's image store;
// without it the image stays a link to where it was.
func TestImportFetchImages(t *testing.T) {
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 800, 450))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	hits := 0
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pic.png" {
			http.NotFound(w, r)
			return
		}
		hits++
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	}))
	defer images.Close()
	export := strings.ReplaceAll(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:blogger="http://schemas.google.com/blogger/2018">
<id>tag:blogger.com,1999:blog-9</id><title>Pics</title>
<entry><id>tag:blogger.com,1999:blog-9.post-1</id><blogger:type>POST</blogger:type><blogger:status>LIVE</blogger:status>
<title>A picture</title><content type="html">&lt;img src="IMG/pic.png" alt="Sunset"&gt;Nice.</content>
<published>2024-01-02T03:04:05Z</published><blogger:filename>/2024/01/a-picture.html</blogger:filename></entry>
</feed>`, "IMG", images.URL)
	file := filepath.Join(t.TempDir(), "blog.xml")
	if err := os.WriteFile(file, []byte(export), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "k.db")
	out := mustKabar(t, "--db", db, "import", "--fetch-images", "--allow-addr", "127.0.0.1/32", file)
	if !strings.Contains(out, "1 images fetched, 0 failed") || hits != 1 {
		t.Fatalf("hits %d, output:\n%s", hits, out)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	posts, err := st.Posts(context.Background(), store.PostQuery{Limit: 1})
	if err != nil || len(posts) != 1 {
		t.Fatal(posts, err)
	}
	im, err := st.PostImage(context.Background(), posts[0].ID, "wide")
	if err != nil || len(im.Data) == 0 {
		t.Fatalf("no stored image: %v", err)
	}
	// Imported again: nothing fetched again.
	mustKabar(t, "--db", db, "import", "--fetch-images", "--allow-addr", "127.0.0.1/32", file)
	if hits != 1 {
		t.Errorf("image fetched %d times", hits)
	}
}
