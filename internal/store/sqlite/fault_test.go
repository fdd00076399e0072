package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// holdWriter makes the committer wait until release is closed, so that
// the writes queued meanwhile commit as one group.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	hold, rel := make(chan struct{}), make(chan struct{})
	go s.tx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		close(hold)
		<-rel
		return nil
	})
	<-hold
	return func() { close(rel) }
}

// A group whose COMMIT fails is lost whole; its writes are then run again
// one by one, so that only the write at fault fails and every caller hears
// the truth about its own. A deferred foreign key fails at COMMIT, which is
// where a full disk fails a group too.
func TestLostGroupIsRetriedWriteByWrite(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	if err := s.exec(ctx, `CREATE TABLE parent (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if err := s.exec(ctx, `CREATE TABLE child (id INTEGER PRIMARY KEY,
		parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`); err != nil {
		t.Fatal(err)
	}
	if err := s.exec(ctx, `INSERT INTO parent (id) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	const writers, bad = 12, 5
	// The writes meet in one group only if every writer is waiting when
	// the held write ends; on a loaded machine some may not be scheduled in
	// time, so the scenario is run again (on fresh rows) until a group
	// formed. What each run writes is checked every time.
	retried := 0
	for attempt := 0; attempt < 20 && retried == 0; attempt++ {
		runs := make([]int, writers)
		release := holdWriter(t, s)
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					runs[i]++ // the committer's goroutine alone runs it
					parent := 1
					if i == bad {
						parent = 99 // no such parent: the COMMIT fails
					}
					_, err := tx.ExecContext(ctx, `INSERT INTO child (id, parent) VALUES (?, ?)`, attempt*writers+i, parent)
					return err
				})
			}()
		}
		release()
		wg.Wait()
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM child WHERE id >= ?`, attempt*writers).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != writers-1 {
			t.Errorf("rows = %d, want %d (every write but the bad one)", n, writers-1)
		}
		for i, err := range errs {
			if i == bad {
				if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
					t.Errorf("bad write: err = %v, want its foreign key failure", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("write %d failed with the group: %v", i, err)
			}
			if runs[i] > 1 {
				retried++
			}
		}
	}
	if retried == 0 {
		t.Fatal("no write ran twice in 20 runs: the writes never met in one group, so the test proved nothing")
	}
	// A caller's refusal is not the database's fault: still ready.
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after a constraint failure: %v", err)
	}
}

// fillTo makes the database "full" at its current size plus pages more
// (PRAGMA max_page_count on the writer connection, a portable stand-in
// for a full disk: SQLite answers SQLITE_FULL); 0 pages lifts the limit.
func fillTo(t *testing.T, s *Store, pages int) {
	t.Helper()
	ctx := context.Background()
	limit := 1 << 30
	if pages > 0 {
		var n int
		if err := s.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		limit = n + pages
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA max_page_count = `+itoa(limit)); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// On a full disk the write that does not fit fails alone: the others of
// its group commit. While writes fail, Ping (the readiness probe) says so:
// until a write commits again and none has been refused for
// store.WriteHold; a process that writes nothing meanwhile probes with a
// write of its own.
func TestFullDiskFailsTheWriteThatDoesNotFitAndPingSaysSo(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	s.Health().Now = func() time.Time { return now }
	if err := s.exec(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	fillTo(t, s, 8)
	const writers, big = 10, 3
	release := holdWriter(t, s)
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			size := 64
			if i == big {
				size = 1 << 20 // far beyond the 8 pages left
			}
			errs[i] = s.exec(ctx, `INSERT INTO t (k, v) VALUES (?, zeroblob(?))`, i, size)
		}()
	}
	release()
	wg.Wait()
	for i, err := range errs {
		if i == big {
			if err == nil || !isStorageFault(err) {
				t.Errorf("big write: err = %v, want SQLITE_FULL", err)
			}
		} else if err != nil {
			t.Errorf("small write %d failed with the big one: %v", i, err)
		}
	}
	var n int
	s.DB().QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n)
	if n != writers-1 {
		t.Fatalf("rows = %d, want %d", n, writers-1)
	}
	var werr *store.WriteError
	if err := s.Ping(ctx); !errors.As(err, &werr) || !strings.Contains(err.Error(), "full") {
		t.Fatalf("Ping while writes fail: %v, want a WriteError naming the full database", err)
	}
	// Small writes still fit; the probe keeps failing for the hold.
	now = now.Add(10 * time.Second)
	if err := s.exec(ctx, `INSERT INTO t (k, v) VALUES (50, x'00')`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping is fine 10 s after a refused write")
	}
	// The disk is freed; a write commits after the hold: ready.
	fillTo(t, s, 0)
	now = now.Add(store.WriteHold)
	if err := s.exec(ctx, `INSERT INTO t (k, v) VALUES (100, zeroblob(1048576))`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after writes succeed again: %v", err)
	}

	// A refusal, then nothing written: once the hold is over, Ping's own
	// probe write decides.
	fillTo(t, s, 1)
	if err := s.exec(ctx, `INSERT INTO t (k, v) VALUES (101, zeroblob(1048576))`); err == nil {
		t.Fatal("a 1 MiB write fitted into a full database")
	}
	now = now.Add(store.WriteHold - time.Second)
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping is fine within the hold")
	}
	fillTo(t, s, 0)
	now = now.Add(2 * time.Second)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping with its probe after the hold: %v", err)
	}
}

// Migration 008 marks as waiting for a story the posts that a failed
// assignment left without one before it (saved since stories exist), and
// leaves alone those saved before stories existed and those in a story.
func TestMigration008MarksPostsLeftWithoutAStory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kabar.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := &model.Feed{URL: "https://a.example/f"}
	if err := s.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i, created := range []string{"2020-01-01 00:00:00.000000Z", "2099-01-01 00:00:00.000000Z", "2099-01-02 00:00:00.000000Z"} {
		p := &model.Post{FeedID: f.ID, Title: fmt.Sprint("Post ", i), SourceURL: fmt.Sprint("https://a.example/", i)}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `UPDATE posts SET created_at = ? WHERE id = ?`, created, p.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	// The third is in a story.
	if _, err := s.AssignStory(ctx, &store.StoryAssignment{StoryLink: store.StoryLink{PostID: ids[2]}, Title: "S"}); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 008, every post unmarked.
	for _, q := range []string{`DROP INDEX posts_story_pending`, `ALTER TABLE posts DROP COLUMN story_pending`,
		`DROP TABLE processes`, `DELETE FROM kabar_migrations WHERE version = 8`} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	if s, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	waiting, err := s.StorylessPosts(ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	if err != nil || len(waiting) != 1 || waiting[0] != ids[1] {
		t.Fatalf("waiting after migration 008: %v, %v; want [%d] (the post saved since stories, in none)", waiting, err, ids[1])
	}
}
