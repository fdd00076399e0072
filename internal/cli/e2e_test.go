package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/web"
)

var update = flag.Bool("update", false, "rebuild the WARC archives in testdata from their archive.json")

// archiveCase is a folder of testdata: a recorded web (archive.json lists
// which file answers which URL; archive.warc.gz is that web as WARC) and the
// seed-layout export expected after one run over it.
type archiveCase struct {
	Feed string `json:"feed"`
	// Summary is the line the first run --once must print.
	Summary string `json:"summary"`
	Entries []struct {
		URL      string `json:"url"`
		File     string `json:"file"`
		Type     string `json:"type"`
		Status   int    `json:"status"`
		Location string `json:"location"`
	} `json:"entries"`
}

func loadCase(t *testing.T, dir string) (archiveCase, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "archive.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c archiveCase
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s/archive.json: %v", dir, err)
	}
	warc := filepath.Join(dir, "archive.warc.gz")
	if *update {
		w, err := fetch.CreateArchive(warc)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range c.Entries {
			body, err := os.ReadFile(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			status := e.Status
			if status == 0 {
				status = http.StatusOK
			}
			h := http.Header{"Content-Type": {e.Type}, "Date": {"Tue, 09 Nov 2021 16:05:00 GMT"}}
			if e.Location != "" {
				h.Set("Location", e.Location)
			}
			if err := w.WriteResponse(e.URL, status, h, body); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return c, warc
}

// kabar runs the command line in-process and returns its exit code and output.
func kabar(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func mustKabar(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := kabar(t, args...)
	if code != 0 {
		t.Fatalf("kabar %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// TestArchivesEndToEnd is the whole pipeline on recorded webs: add the feed,
// run once from the archive, and the export must equal expected.txt byte for
// byte. A second run must change nothing.
func TestArchivesEndToEnd(t *testing.T) {
	skipIfShort(t, "runs kabar end to end on every recorded web")
	dirs, err := filepath.Glob("testdata/*/archive.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no archive cases: %v", err)
	}
	for _, manifest := range dirs {
		dir := filepath.Dir(manifest)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			c, warc := loadCase(t, dir)
			want, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
			if err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(t.TempDir(), "kabar.db")
			mustKabar(t, "--db", db, "feeds", "add", "--replay", warc, c.Feed)
			summary := mustKabar(t, "--db", db, "run", "--once", "--replay", warc)
			if summary != c.Summary+"\n" {
				t.Errorf("summary = %q, want %q", summary, c.Summary)
			}
			got := mustKabar(t, "--db", db, "export", "--format", "seed")
			if got != string(want) {
				t.Fatalf("export differs from %s/expected.txt\n--- got\n%s\n--- want\n%s", dir, got, want)
			}
			summary = mustKabar(t, "--db", db, "run", "--once", "--replay", warc)
			if !strings.Contains(summary, "posts new 0,") {
				t.Errorf("second run made posts: %q", summary)
			}
			if again := mustKabar(t, "--db", db, "export", "--format", "seed"); again != got {
				t.Fatalf("second run changed the export:\n%s", again)
			}
		})
	}
}

// The seed case reproduces the seed document itself: everything above the
// blog's comment footer.
func TestSeedExpectationIsTheSeedDocument(t *testing.T) {
	doc, err := os.ReadFile("testdata/seed/seed-document.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(doc), "\n")
	if lines[len(lines)-2] != "Tidak ada komentar:" || lines[len(lines)-1] != "Posting Komentar" {
		t.Fatalf("seed document does not end with the comment footer: %q", lines[len(lines)-2:])
	}
	want := strings.Join(lines[:len(lines)-2], "\n") + "\n"
	got, err := os.ReadFile("testdata/seed/expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("testdata/seed/expected.txt is not the seed document without its last two lines")
	}
}

// The seed's post page in Indonesian shows the blog's comment footer, and the
// English site the English one.
func TestSeedPostPageShowsCommentFooter(t *testing.T) {
	skipIfShort(t, "runs kabar end to end on the seed web")
	c, warc := loadCase(t, "testdata/seed")
	db := filepath.Join(t.TempDir(), "kabar.db")
	mustKabar(t, "--db", db, "feeds", "add", "--replay", warc, c.Feed)
	mustKabar(t, "--db", db, "run", "--once", "--replay", warc)

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for lang, footer := range map[string][]string{
		"id": {"Tidak ada komentar:", "Posting Komentar"},
		"en": {"No comments:", "Post a comment"},
	} {
		site, err := web.New(st, web.Config{Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(site)
		var api struct {
			Posts []struct {
				ID        int64  `json:"id"`
				Title     string `json:"title"`
				URL       string `json:"url"`
				SourceURL string `json:"source_url"`
				Published string `json:"published"`
			} `json:"posts"`
		}
		getJSON(t, srv.URL+"/api/posts", &api)
		if len(api.Posts) != 1 {
			t.Fatalf("api posts = %+v", api.Posts)
		}
		p := api.Posts[0]
		if p.Title != "Germany urges EU unity amid growing tensions as migrants camp on Poland-Belarus border" ||
			p.URL != "/2021/11/germany-urges-eu-unity-amid-growing-tensions-as-migrants.html" ||
			p.SourceURL != "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576" ||
			p.Published != "2021-11-09T15:45:00Z" {
			t.Errorf("api post = %+v", p)
		}
		page := get(t, srv.URL+p.URL)
		for _, want := range append(footer, "Belarus has turned to the Kremlin", "news.google.com/__i/rss/rd/articles/CBMiemh0") {
			if !strings.Contains(page, want) {
				t.Errorf("%s post page lacks %q", lang, want)
			}
		}
		srv.Close()
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, resp.StatusCode, body)
	}
	return string(body)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, url)), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
