package cli

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/feed"
)

// Importing every reader's export, twice, then exporting: each feed once,
// folders as topics, Google News editions intact.
func TestFeedsImportExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	dir := "../feed/testdata/opml/"
	code, out, errs := kabar(t, "--db", db, "feeds", "import", dir+"miniflux.opml")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(errs, "3 feeds added, 0 already subscribed") {
		t.Fatalf("first import: exit %d %q %q", code, out, errs)
	}
	code, out, errs = kabar(t, "--db", db, "feeds", "import", dir+"miniflux.opml")
	if code != 0 || out != "" || !strings.Contains(errs, "0 feeds added, 3 already subscribed") {
		t.Fatalf("second import: exit %d %q %q", code, out, errs)
	}
	for _, f := range []string{"freshrss.opml", "feedly.opml", "inoreader.xml"} {
		mustKabar(t, "feeds", "import", dir+f, "--db", db) // flags after the file too
	}
	first := mustKabar(t, "--db", db, "feeds", "export")
	for _, f := range []string{"miniflux.opml", "freshrss.opml", "feedly.opml", "inoreader.xml"} {
		mustKabar(t, "--db", db, "feeds", "import", dir+f)
	}
	_, feeds, err := feed.ParseOPML([]byte(first))
	if err != nil {
		t.Fatalf("%v\n%s", err, first)
	}
	got := map[string]string{}
	var urls []string
	for _, f := range feeds {
		got[f.URL] = f.Category
		urls = append(urls, f.URL)
	}
	sort.Strings(urls)
	want := map[string]string{
		"https://news.example.org/feed.xml":                                                         "All",
		"https://news.google.com/rss/search?q=pemilu&hl=id&gl=ID&ceid=ID:id":                        "Indonesia",
		"https://www.kompas.example/rss":                                                            "Indonesia",
		"https://github.com/FreshRSS/FreshRSS/releases.atom":                                        "",
		"https://science.example.net/physics.rss":                                                   "Science",
		"https://news.google.com/rss/headlines/section/topic/SCIENCE?hl=pt-BR&gl=BR&ceid=BR:pt-419": "Science",
		"https://www.theverge.example/rss/index.xml":                                                "Tech",
		"https://news.google.com/rss/headlines/section/topic/WORLD?hl=en-GB&gl=GB&ceid=GB:en":       "World",
		"https://feeds.bbc.example/news/world/rss.xml":                                              "Daily",
		"https://news.google.com/rss/headlines/section/geo/Jakarta?hl=id&gl=ID&ceid=ID:id":          "Later/Regional",
		"https://toplevel.example.com/atom.xml":                                                     "Blogs/Personal",
	}
	if len(got) != len(want) || len(feeds) != len(want) {
		t.Errorf("exported %d feeds (%d distinct), want %d: %v", len(feeds), len(got), len(want), urls)
	}
	for u, cat := range want {
		if c, ok := got[u]; !ok || c != cat {
			t.Errorf("%s: exported %v in %q, want %q", u, ok, c, cat)
		}
	}
	// Importing everything again changed nothing.
	second := mustKabar(t, "--db", db, "feeds", "export")
	if strip(first) != strip(second) {
		t.Errorf("export changed after re-import:\n%s\n---\n%s", first, second)
	}
	if code, _, errs := kabar(t, "--db", db, "feeds", "import", "cli_test.go"); code != 1 || !strings.Contains(errs, "not an OPML document") {
		t.Errorf("Go file: exit %d %q", code, errs)
	}
	if code, _, _ := kabar(t, "--db", db, "feeds", "import"); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
}

// strip drops the export's date line.
func strip(opml string) string {
	var keep []string
	for _, l := range strings.Split(opml, "\n") {
		if !strings.Contains(l, "<dateCreated>") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
