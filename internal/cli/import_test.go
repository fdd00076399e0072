package cli

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/bulk"
	"github.com/kabarnews/kabar/internal/bulk/bulktest"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// openTestStore opens a database a kabar process wrote, to look at it.
func openTestStore(t *testing.T, db string) store.Store {
	t.Helper()
	var st store.Store
	var err error
	if postgres.IsURL(db) {
		st, err = postgres.Open(context.Background(), db)
	} else {
		st, err = sqlite.Open(context.Background(), db)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// sourceURLs lists every post's source URL, sorted.
func sourceURLs(t *testing.T, st store.Store) []string {
	t.Helper()
	posts, err := st.Posts(context.Background(), store.PostQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range posts {
		out = append(out, p.SourceURL)
	}
	sort.Strings(out)
	return out
}

func decodeSummary(t *testing.T, out string) importSummary {
	t.Helper()
	var s importSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	return s
}

// An import killed with SIGKILL at random points, five times, and then
// run to its end stores every article of the archive once, each in a
// story, on SQLite and on PostgreSQL; importing the archive again adds
// nothing.
func TestImportKilledAndResumedStoresEveryArticleOnce(t *testing.T) {
	bin := buildKabar(t)
	dir := t.TempDir()
	pages := bulktest.Synthetic(400)
	archive := filepath.Join(dir, "news.warc.gz")
	if err := bulktest.Write(archive, pages, false); err != nil {
		t.Fatal(err)
	}
	// An import never killed is the reference, and its time the span the
	// kills are spread over.
	refDB := filepath.Join(dir, "ref.db")
	began := time.Now()
	code, out, errs := runKabarBin(t, bin, "--db", refDB, "import", "--json", "--batch", "20", archive)
	took := time.Since(began)
	if code != 0 {
		t.Fatalf("reference import: exit %d\n%s", code, errs)
	}
	if s := decodeSummary(t, out); s.Posts != int64(len(pages)) || s.Skipped != int64(1+len(pages)+bulktest.Extras) {
		t.Fatalf("reference import: %+v", s)
	}
	want := sourceURLs(t, openTestStore(t, refDB))

	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "k.db")
			if backend == "postgres" {
				db = pgtest.Schema(t)
			}
			// The schema first, so that every kill lands in the import.
			if code, _, errs := runKabarBin(t, bin, "--db", db, "migrate"); code != 0 {
				t.Fatalf("migrate: %s", errs)
			}
			killedRunning := 0
			for k := range 5 {
				p := startKabar(t, bin, "import", "--db", db, "import", "--batch", "20", archive)
				time.Sleep(time.Duration(rand.Int64N(int64(took)/3) + int64(took)/20))
				p.cmd.Process.Signal(syscall.SIGKILL)
				err := <-p.done
				if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					killedRunning++
				} else if err != nil {
					t.Fatalf("run %d ended with %v before the kill", k, err)
				}
			}
			if killedRunning == 0 {
				t.Fatal("no kill landed while the import ran")
			}
			code, _, errs := runKabarBin(t, bin, "--db", db, "import", "--json", "--batch", "20", archive)
			if code != 0 {
				t.Fatalf("import after the kills: exit %d\n%s", code, errs)
			}
			st := openTestStore(t, db)
			got := sourceURLs(t, st)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("after %d kills: %d posts, want the reference's %d", killedRunning, len(got), len(want))
			}
			// Search finds every post once: a word of every article's
			// text counts them all, a post's own number finds it alone.
			if _, total, err := st.Search(context.Background(), store.SearchQuery{Text: "officials", Limit: 1}); err != nil || total != len(got) {
				t.Errorf("search for a word of every article: %d hits, %v; want %d", total, err, len(got))
			}
			if hits, total, err := st.Search(context.Background(), store.SearchQuery{Text: `"plan number 137"`, Limit: 5}); err != nil || total != 1 || len(hits) != 1 {
				t.Errorf("search for one post: %d hits, %v; want 1", total, err)
			}
			if waiting, err := st.StorylessPosts(context.Background(), time.Now().Add(time.Hour), 10); err != nil || len(waiting) != 0 {
				t.Errorf("posts without their story after the last run: %v, %v", waiting, err)
			}
			// Again: nothing new, the archive is known as imported.
			code, out, errs := runKabarBin(t, bin, "--db", db, "import", "--json", archive)
			if s := decodeSummary(t, out); code != 0 || s.Posts != 0 || s.AlreadyImported != 1 {
				t.Errorf("second import: exit %d, %+v\n%s", code, s, errs)
			}
			t.Logf("%s: %d of 5 kills landed mid-import; %d posts, each once", backend, killedRunning, len(got))
		})
	}
}

func TestImportProgressLine(t *testing.T) {
	var st bulk.Stats
	st.Records.Store(1200)
	st.Posts.Store(800)
	st.Skipped.Store(400)
	st.Bytes.Store(50e6)
	st.Resumed.Store(25e6)
	line := importProgressLine(&st, 100e6, 10*time.Second)
	for _, want := range []string{"[###############.....]  75%", "records 1200", "posts 800", "skipped 400", "5.0 MB/s", "ETA 5s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	if line := importProgressLine(&bulk.Stats{}, 0, time.Second); !strings.Contains(line, "ETA ?") || strings.Contains(line, "[") {
		t.Errorf("progress of standard input (size unknown): %q", line)
	}
}

func TestImportSummaryLine(t *testing.T) {
	s := importSummary{Archives: 2, AlreadyImported: 1, Records: 10, Posts: 6, Duplicates: 1, Skipped: 3,
		Reasons: map[string]int64{"revisit": 1, "not HTML": 2}, Truncated: []string{"b.warc.gz: record at offset 9: archive ends inside a record"}, Seconds: 1.5}
	line := s.line()
	for _, want := range []string{"imported 2 archive(s) in 1.5s", "10 records, 6 new posts, 1 already stored, 3 skipped",
		"(not HTML 2, revisit 1)", "1 archive(s) imported before", "\ntruncated: b.warc.gz"} {
		if !strings.Contains(line, want) {
			t.Errorf("summary %q lacks %q", line, want)
		}
	}
}

// An import runs the collector against a memory limit unless the
// environment sets one, and puts the setting back when it ends.
func TestImportCollectorSetting(t *testing.T) {
	prevPercent := debug.SetGCPercent(123)
	prevLimit := debug.SetMemoryLimit(1 << 40)
	defer func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}()
	restore := tuneImportGC(func(string) string { return "" })
	if got, held := debug.SetMemoryLimit(-1), goMemoryInUse(); got < ImportGoMemory || got > held+ImportGoMemory {
		t.Errorf("memory limit during an import: %d, want %d above the %d held", got, ImportGoMemory, held)
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GOGC during an import: %d, want off (-1)", got)
	}
	restore()
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("GOGC after the import: %d, want 123 back", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("memory limit after the import: %d, want it back", got)
	}
	// GOGC or GOMEMLIMIT given: left alone.
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		tuneImportGC(func(k string) string {
			if k == env {
				return "200"
			}
			return ""
		})()
		if got := debug.SetGCPercent(123); got != 123 {
			t.Errorf("with %s set, GOGC became %d", env, got)
		}
	}
}
