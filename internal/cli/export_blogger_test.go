package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/blog"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
)

// siteContent is everything a blog's owner would miss after moving: each
// post with its path, text, labels and comments (threaded), and the pages.
func siteContent(t *testing.T, db string) []string {
	t.Helper()
	ctx := context.Background()
	st, err := openBackend(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	posts, err := st.Posts(ctx, store.PostQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range posts {
		labels, err := st.PostLabels(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range labels {
			names = append(names, l.Kind+":"+l.Name)
		}
		slices.Sort(names)
		out = append(out, fmt.Sprintf("post %s %q by %q at %s labels %q text %q", p.Path(), p.Title, p.Author,
			p.Published.UTC().Format("2006-01-02T15:04:05"), names, p.Paragraphs))
		comments, err := st.Comments(ctx, p.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		bodies := map[int64]string{}
		for _, c := range comments {
			bodies[c.ID] = c.Body
			out = append(out, fmt.Sprintf("  comment %s by %q (%s) at %s answering %q: %q", c.Status, c.Name, c.Website,
				c.CreatedAt.UTC().Format("2006-01-02T15:04:05"), bodies[c.ParentID], c.Body))
		}
	}
	pages, err := st.Pages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pg := range pages {
		out = append(out, fmt.Sprintf("page %s %q by %q text %q", pg.Path(), pg.Title, pg.Author, pg.Paragraphs))
	}
	return out
}

// kabar → Blogger export → an empty kabar gives the same posts, labels,
// comments and pages.
func TestBloggerExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first.db")
	for _, f := range []string{"blogger-classic.xml", "blogger-2020.xml", "wordpress.xml"} {
		mustKabar(t, "--db", first, "import", blogTestdata+f)
	}
	export := mustKabar(t, "--db", first, "export", "--format", "blogger", "--blog-url", "https://news.example.org")
	// It is the classic dialect, which Blogger's importer reads.
	ex, err := blog.Parse(strings.NewReader(export), "")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Format != blog.Blogger || ex.Dialect != "classic" || len(ex.Posts) != 6 || len(ex.Pages) != 3 {
		t.Fatalf("export read back as %s/%s with %d posts, %d pages", ex.Format, ex.Dialect, len(ex.Posts), len(ex.Pages))
	}
	for _, want := range []string{"<feed xmlns=\"http://www.w3.org/2005/Atom\"", "term=\"http://schemas.google.com/blogger/2008/kind#post\"",
		"term=\"http://schemas.google.com/blogger/2008/kind#comment\"", "term=\"http://schemas.google.com/blogger/2008/kind#page\"",
		"<thr:in-reply-to ", "<generator version=\"7.00\" uri=\"http://www.blogger.com\">Blogger</generator>",
		`href="https://news.example.org/2020/12/sambal-matah.html"`} {
		if !strings.Contains(export, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	file := filepath.Join(dir, "export.xml")
	if err := os.WriteFile(file, []byte(export), 0o644); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second.db")
	out := mustKabar(t, "--db", second, "import", file)
	if !strings.Contains(out, "imported 6 posts (0 there already), 3 pages (0 there already), 8 comments (0 there already)") {
		t.Errorf("import of the export:\n%s", out)
	}
	a, b := siteContent(t, first), siteContent(t, second)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("round trip differs:\nbefore:\n%s\nafter:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	if len(a) < 15 {
		t.Errorf("too little compared:\n%s", strings.Join(a, "\n"))
	}
}

func TestBloggerExportBadURL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	if code, _, errs := kabar(t, "--db", db, "export", "--format", "blogger", "--blog-url", "news.example.org"); code != 2 || !strings.Contains(errs, "--blog-url") {
		t.Errorf("exit %d %q", code, errs)
	}
}

// The same imports into PostgreSQL give the same site as into SQLite, and
// importing again adds nothing there either.
func TestImportOnPostgres(t *testing.T) {
	lite := filepath.Join(t.TempDir(), "k.db")
	pg := pgtest.Schema(t)
	files := []string{"blogger-classic.xml", "blogger-2020.xml", "wordpress.xml"}
	for _, f := range files {
		mustKabar(t, "--db", lite, "import", blogTestdata+f)
		mustKabar(t, "--db", pg, "import", blogTestdata+f)
	}
	for _, f := range files {
		if out := mustKabar(t, "--db", pg, "import", blogTestdata+f); !strings.Contains(out, "imported 0 posts") || !strings.Contains(out, " 0 comments (") {
			t.Errorf("second import of %s:\n%s", f, out)
		}
	}
	a, b := siteContent(t, lite), siteContent(t, pg)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("SQLite and PostgreSQL differ:\n%s\n\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	st, err := openBackend(context.Background(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for old, want := range map[string]string{"/2020/11/sambal-matah.html": "/2020/12/sambal-matah.html", "/?p=12": "/2023/07/fixing-a-flat.html", "/about/": "/p/about.html"} {
		if got, err := st.OldPath(context.Background(), old); err != nil || got != want {
			t.Errorf("OldPath(%s) = %q, %v", old, got, err)
		}
	}
}
