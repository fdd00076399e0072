package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Writes that meet in one commit stay apart: one that fails is undone
// alone, and every caller hears of its own write only.
func TestGroupCommitKeepsWritesApart(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	if err := s.exec(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const writers = 40
	errBad := errors.New("refused by the caller")
	// Hold the writer so that all the writes queue and commit together.
	hold, release := make(chan struct{}), make(chan struct{})
	go s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		close(hold)
		<-release
		return nil
	})
	<-hold
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				// Two statements: a failing write must undo its first too.
				if _, err := tx.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, 'first')`, i); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errBad
				case 2:
					// A constraint error from SQLite itself.
					_, err := tx.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, NULL)`, 1000+i)
					return err
				}
				_, err := tx.ExecContext(ctx, `UPDATE t SET v = 'second' WHERE k = ?`, i)
				return err
			})
		}()
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		var want string
		switch i % 4 {
		case 1:
			if !errors.Is(err, errBad) {
				t.Errorf("write %d: err = %v, want its own refusal", i, err)
			}
			continue
		case 2:
			if err == nil {
				t.Errorf("write %d: NOT NULL violation not reported", i)
			}
			continue
		default:
			want = "second"
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
		var v string
		if err := s.DB().QueryRowContext(ctx, `SELECT v FROM t WHERE k = ?`, i).Scan(&v); err != nil || v != want {
			t.Errorf("row %d = %q, %v; want %q", i, v, err, want)
		}
	}
	var n int
	s.DB().QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n)
	if n != writers/2 {
		t.Fatalf("rows = %d, want %d (the failed writes undone whole)", n, writers/2)
	}
}

// A write whose caller gave up before its turn is not run; a closed store
// refuses writes instead of hanging.
func TestGroupCommitCancelledAndClosed(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	if err := s.exec(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	hold, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			close(hold)
			<-release
			return nil
		})
	}()
	<-hold
	cctx, cancel := context.WithCancel(ctx)
	ran := make(chan struct{}, 1)
	waiting := make(chan error, 1)
	go func() {
		waiting <- s.tx(cctx, func(ctx context.Context, tx *sql.Tx) error {
			ran <- struct{}{}
			return nil
		})
	}()
	cancel()
	close(release)
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: err = %v", err)
	}
	if <-done != nil {
		t.Fatal("holding write failed")
	}
	select {
	case <-ran:
		t.Fatal("a write cancelled before its turn was run")
	default:
	}
	s.Close()
	if err := s.exec(ctx, `INSERT INTO t (k) VALUES (1)`); !errors.Is(err, errClosed) {
		t.Fatalf("write to a closed store: %v", err)
	}
}

// Many writers at once against one file: nothing is lost and every post
// is searchable as soon as it is saved (the search queue is indexed inside
// each group, before its commit).
func TestGroupCommitUnderLoad(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				p := &model.Post{Title: "Load", SourceURL: fmt.Sprintf("https://x.example/%d/%d", g, i),
					Paragraphs: []string{fmt.Sprintf("kopi tubruk w%dx%d", g, i)}}
				if _, err := s.SavePost(ctx, p); err != nil {
					t.Error(err)
					return
				}
				var n int
				if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?`,
					fmt.Sprintf("w%dx%d", g, i)).Scan(&n); err != nil || n != 1 {
					t.Errorf("post %d/%d saved but found %d times (%v)", g, i, n, err)
				}
			}
		}()
	}
	wg.Wait()
	var posts, indexed int
	s.DB().QueryRowContext(ctx, `SELECT count(*) FROM posts`).Scan(&posts)
	s.DB().QueryRowContext(ctx, `SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'tubruk'`).Scan(&indexed)
	if posts != 120 || indexed != 120 {
		t.Fatalf("posts = %d, indexed = %d, want 120 each", posts, indexed)
	}
}
