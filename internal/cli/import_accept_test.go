package cli

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/bulk"
	"github.com/kabarnews/kabar/internal/bulk/bulktest"
	"github.com/kabarnews/kabar/internal/sanitize"
)

// evalDir finds the shared evaluation pages (research-licensed: read at
// run time, never copied): $KABAR_EVAL, or shared/eval/dev beside an
// ancestor of the working directory. "" when absent.
func evalDir() string {
	if e := os.Getenv("KABAR_EVAL"); e != "" {
		return filepath.Join(e, "dev")
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if st, err := os.Stat(filepath.Join(dir, "shared", "eval", "dev")); err == nil && st.IsDir() {
			return filepath.Join(dir, "shared", "eval", "dev")
		}
	}
	return ""
}

// acceptancePages are the pages written for these tests, then up to
// evalLimit of the shared evaluation pages when they are there.
func acceptancePages(t *testing.T) []bulktest.Page {
	t.Helper()
	names, err := filepath.Glob("../bulk/testdata/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no test pages: %v", err)
	}
	var pages []bulktest.Page
	for _, n := range names {
		html, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		u, err := os.ReadFile(strings.TrimSuffix(n, ".html") + ".url")
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, bulktest.Page{URL: strings.TrimSpace(string(u)), HTML: html})
	}
	const evalLimit = 120
	if dir := evalDir(); dir != "" {
		eval, err := bulktest.EvalPages(dir, evalLimit)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d pages of %s", len(eval), dir)
		pages = append(pages, eval...)
	}
	return pages
}

// readJSONL reads an export --format jsonl by page URL.
func readJSONL(t *testing.T, out string) map[string]datasetRecord {
	t.Helper()
	got := map[string]datasetRecord{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		var r datasetRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("jsonl line %q: %v", sc.Text(), err)
		}
		got[r.URL] = r
	}
	return got
}

// The acceptance test of bulk import: an archive of real page layouts,
// with records that are not articles, a revisit and a truncated final
// record, imports with the same text `kabar extract` finds in each page
// (read from the same archive); the truncated record is reported, not
// fatal. The dataset exports carry the same text, and the WARC export
// imports again into the same posts.
func TestImportMatchesExtract(t *testing.T) {
	dir := t.TempDir()
	pages := acceptancePages(t)
	archive := filepath.Join(dir, "news.warc.gz")
	if err := bulktest.Write(archive, pages, true); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "k.db")
	code, out, errs := kabar(t, "--db", db, "import", "--json", archive)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errs)
	}
	sum := decodeSummary(t, out)
	if len(sum.Truncated) != 1 || !strings.Contains(sum.Truncated[0], "ends inside a record") || !strings.Contains(errs, "ends inside a record") {
		t.Errorf("the truncated record was not reported: %+v\n%s", sum, errs)
	}
	for _, reason := range []string{bulk.SkipRevisit, bulk.SkipNotResponse, bulk.SkipStatus, bulk.SkipNotHTML, bulk.SkipIndexPage} {
		if sum.Reasons[reason] == 0 {
			t.Errorf("no record skipped as %q: %v", reason, sum.Reasons)
		}
	}
	if want := int64(1 + 2*len(pages) + bulktest.Extras); sum.Records != want {
		t.Errorf("%d records read, want %d (the truncated one not counted)", sum.Records, want)
	}
	posts := readJSONL(t, mustKabar(t, "--db", db, "export", "--format", "jsonl"))
	if int64(len(posts)) != sum.Posts {
		t.Fatalf("export has %d posts, import made %d", len(posts), sum.Posts)
	}
	matched, notArticles := 0, 0
	for _, p := range pages {
		code, out, _ := kabar(t, "extract", "--replay", archive, "--json", p.URL)
		var ex struct {
			Paragraphs []string `json:"paragraphs"`
		}
		if code == 0 {
			if err := json.Unmarshal([]byte(out), &ex); err != nil {
				t.Fatalf("extract --json %s: %v", p.URL, err)
			}
		}
		var want []string
		chars := 0
		for _, para := range ex.Paragraphs {
			// A post's paragraphs are the extractor's, as plain text.
			if s := sanitize.Plain(para); s != "" {
				want = append(want, s)
				chars += len(para)
			}
		}
		got, ok := posts[p.URL]
		switch {
		case ok:
			matched++
			if strings.Join(got.Paragraphs, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: imported text differs from kabar extract's:\nimported %.300q\nextract  %.300q", p.URL, got.Text, strings.Join(want, "\n"))
			}
		case code != 0 || chars < 200:
			notArticles++
		}
	}
	// Every page is a post, a page that is no article by kabar extract's
	// own reading, or the same article as another page's post.
	if dups := len(pages) - matched - notArticles; int64(dups) != sum.Duplicates {
		t.Errorf("%d pages: %d posts, %d no article; %d left over, but the import counted %d duplicates",
			len(pages), matched, notArticles, dups, sum.Duplicates)
	}
	t.Logf("%d pages: %d posts with kabar extract's text, %d no article, %d duplicates", len(pages), matched, notArticles, sum.Duplicates)
	if matched < 3 {
		t.Fatalf("only %d pages imported", matched)
	}

	// Datasets: CSV has the same rows; the WARC export imports again into
	// the same posts with the same text.
	csvPath := filepath.Join(dir, "posts.csv.gz")
	mustKabar(t, "--db", db, "export", "--format", "csv", "--output", csvPath)
	rows := readGzipCSV(t, csvPath)
	if len(rows) != len(posts)+1 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("csv: %d rows (header %v), want %d", len(rows), rows[0], len(posts)+1)
	}
	for _, r := range rows[1:] {
		if p, ok := posts[r[1]]; !ok || r[10] != csvCell(p.Text) {
			t.Errorf("csv row of %s differs from the jsonl export", r[1])
			break
		}
	}
	warcPath := filepath.Join(dir, "again.warc.gz")
	mustKabar(t, "--db", db, "export", "--format", "warc", "--output", warcPath)
	db2 := filepath.Join(dir, "again.db")
	mustKabar(t, "--db", db2, "import", warcPath)
	again := readJSONL(t, mustKabar(t, "--db", db2, "export", "--format", "jsonl"))
	if len(again) != len(posts) {
		t.Errorf("the exported WARC imports into %d posts, want %d", len(again), len(posts))
	}
	for u, p := range posts {
		if a, ok := again[u]; !ok || a.Text != p.Text || a.Canonical != p.Canonical {
			t.Errorf("%s: not the same post after export and import again", u)
			break
		}
	}
	// Filters select.
	if en := readJSONL(t, mustKabar(t, "--db", db, "export", "--format", "jsonl", "--language", "id")); len(en) == 0 || len(en) >= len(posts) {
		t.Errorf("--language id selected %d of %d posts", len(en), len(posts))
	}
}

func readGzipCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s is not gzip: %v", path, err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
