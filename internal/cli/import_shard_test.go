package cli

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/bulk/bulktest"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
)

// Several kabar import processes on one PostgreSQL database at once: one
// archive split in two by --shard, and a second archive that shares half
// its pages with the first, all running together. Every article is one
// post, whoever stored it.
func TestImportShardsAndProcessesOnPostgres(t *testing.T) {
	bin := buildKabar(t)
	db := pgtest.Schema(t)
	if code, _, errs := runKabarBin(t, bin, "--db", db, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	dir := t.TempDir()
	pages := bulktest.Synthetic(300)
	a, b := filepath.Join(dir, "a.warc.gz"), filepath.Join(dir, "b.warc.gz")
	if err := bulktest.Write(a, pages[:200], false); err != nil {
		t.Fatal(err)
	}
	if err := bulktest.Write(b, pages[100:], false); err != nil {
		t.Fatal(err)
	}
	procs := []*proc{
		startKabar(t, bin, "shard1", "--db", db, "import", "--json", "--batch", "10", "--shard", "1/2", a),
		startKabar(t, bin, "shard2", "--db", db, "import", "--json", "--batch", "10", "--shard", "2/2", a),
		startKabar(t, bin, "other", "--db", db, "import", "--json", "--batch", "10", b),
	}
	for _, p := range procs {
		if err := <-p.done; err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
	}
	var want []string
	for _, p := range pages {
		want = append(want, p.URL)
	}
	sort.Strings(want)
	got := sourceURLs(t, openTestStore(t, db))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%d posts after three processes, want %d, each once", len(got), len(want))
	}
	// The shards again, and the whole archive unsharded: nothing new.
	for _, args := range [][]string{{"--shard", "1/2", a}, {a}} {
		code, out, errs := runKabarBin(t, bin, append([]string{"--db", db, "import", "--json"}, args...)...)
		if s := decodeSummary(t, out); code != 0 || s.Posts != 0 {
			t.Errorf("import %v again: exit %d, %+v\n%s", args, code, s, errs)
		}
	}
}

func TestShardsDealEveryRecordOnce(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "s.warc.gz")
	if err := bulktest.Write(archive, bulktest.Synthetic(20), false); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3} {
		posts := 0
		for i := 1; i <= n; i++ {
			code, out, errs := kabar(t, "--db", filepath.Join(t.TempDir(), "k.db"), "import", "--json", "--shard", fmt.Sprintf("%d/%d", i, n), archive)
			if code != 0 {
				t.Fatalf("shard %d/%d: %s", i, n, errs)
			}
			posts += int(decodeSummary(t, out).Posts)
		}
		if posts != 20 {
			t.Errorf("%d shards made %d posts of 20 pages", n, posts)
		}
	}
	for _, bad := range []string{"0/2", "3/2", "1/0", "a/b", "1"} {
		if code, _, errs := kabar(t, "import", "--shard", bad, archive); code != 2 || !strings.Contains(errs, "shard") {
			t.Errorf("--shard %s: exit %d %q", bad, code, errs)
		}
	}
}
