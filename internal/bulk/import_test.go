package bulk_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/bulk"
	"github.com/kabarnews/kabar/internal/bulk/bulktest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/story"
)

// An import in small batches (so that batches are stored while others
// form, and stories are assigned a batch at a time) stores every article
// once, puts each in a story and records the archive as done; a second
// import adds nothing.
func TestImportStoresInBatchesWithStories(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	archive := filepath.Join(dir, "a.warc.gz")
	const pages = 60
	if err := bulktest.Write(archive, bulktest.Synthetic(pages), false); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := bulk.Archive{Name: archive, Key: "a", Open: func() (io.ReadCloser, error) { return os.Open(archive) }}
	for run := 1; run <= 2; run++ {
		im := bulk.NewImporter(st, bulk.Options{Workers: 3, BatchPosts: 7, Stories: story.NewAssigner(st, story.Config{})})
		res, err := im.Import(ctx, a)
		im.Close()
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		posts, stories := im.Stats.Posts.Load(), im.Stats.Stories.Load()
		switch run {
		case 1:
			if res.AlreadyDone || posts != pages || stories != pages {
				t.Fatalf("run 1: %+v, %d posts, %d put in stories; want %d each", res, posts, stories, pages)
			}
		case 2:
			if !res.AlreadyDone || posts != 0 {
				t.Fatalf("run 2: %+v, %d posts; want the archive known as done and nothing added", res, posts)
			}
		}
	}
	if n, err := st.CountPosts(ctx); err != nil || n != pages {
		t.Fatalf("CountPosts = %d, %v; want %d", n, err, pages)
	}
	if waiting, err := st.StorylessPosts(ctx, time.Now().Add(time.Hour), 100); err != nil || len(waiting) != 0 {
		t.Fatalf("posts without a story: %v, %v", waiting, err)
	}
	if p, err := st.ImportProgress(ctx, "a"); err != nil || !p.Done || p.Records == 0 {
		t.Fatalf("progress %+v, %v; want done", p, err)
	}
}
