// Package sqlite is kabar's default store: one SQLite file, opened through the
// pure-Go modernc.org/sqlite driver so that kabar builds with CGO_ENABLED=0.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements store.Store on one SQLite file.
//
// SQLite allows one writer at a time, so all writes (and River's queue, which
// shares the file) go through a pool of exactly one connection; reads use a
// separate pool and, thanks to WAL, never wait for the writer.
type Store struct {
	w     *sql.DB
	r     *readPool
	stmts map[string]*sql.Stmt // prepared on w (stmt.go)

	// The group committer (write.go), and whether the transaction it runs
	// has queued posts for the search index (touched by it alone).
	writes        chan *writeReq
	quit, stopped chan struct{}
	stopOnce      sync.Once
	unindexed     bool
	// health is how the last write fared, for Ping (the readiness probe).
	health store.WriteHealth

	// rank holds the ranking fields of posts that searches have ranked,
	// under their revisions (store.RankCache).
	rank *store.RankCache

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and applies every
// migration it has not seen yet.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	// The one writer connection is kept alive: reopening it costs a schema read.
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close() // the open error is the one to report, here and below
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{w: w, rank: store.NewRankCache(store.RankCacheBytes)}
	s.startCommitter()
	if err := s.migrate(ctx); err != nil {
		s.stopCommitter()
		_ = w.Close()
		return nil, err
	}
	if err := s.backfillSearch(ctx); err != nil {
		s.stopCommitter()
		_ = w.Close()
		return nil, err
	}
	// A queue left by an older kabar or a crash mid-way (cannot happen
	// with the committer, which indexes before it commits, but costs
	// nothing to check).
	if err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		s.unindexed = true
		return nil
	}); err != nil {
		s.stopCommitter()
		_ = w.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.stopCommitter()
		_ = w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		s.stopCommitter()
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	// All four stay open: database/sql keeps two idle by default, and a
	// new connection parses the whole schema again before its first query.
	r.SetMaxIdleConns(4)
	s.r = newReadPool(r)
	return s, nil
}

func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if write {
		// Take the write lock at BEGIN, so a transaction never fails half-way
		// on a lock upgrade.
		q.Set("_txlock", "immediate")
	} else {
		// No mmap_size: mapped, a post page cost 1.6 times the CPU of
		// read(2)s (page faults on each new page touched) and a search no
		// less (make bench-web's cost table, 100 000 posts).
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// DB is the writer pool, for the job queue that keeps its tables in the same
// file.
func (s *Store) DB() *sql.DB { return s.w }

// Close closes both pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.rank.Close()
		s.stopCommitter()
		s.closeStmts()
		var err error
		if s.r != nil {
			err = s.r.Close()
		}
		s.closeErr = errors.Join(err, s.w.Close())
	})
	return s.closeErr
}

// migrate applies the numbered files of migrations/ in order, each in its own
// transaction together with the row that records it.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS kabar_migrations (
		version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	all, err := sqlshared.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	for _, m := range all {
		if err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kabar_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO kabar_migrations (version, applied_at) VALUES (?, ?)`, m.Version, fmtTime(time.Now()))
			return err
		}); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

const timeLayout = sqlshared.TextLayout

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time { return sqlshared.ParseText(s) }

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return err
}

// scanner is a row to scan: *sql.Row or *sql.Rows.
type scanner = sqlshared.Scanner

// collect reads every row of a query with scan, and closes the rows; err is
// the query's own error, so that a call site reads
//
//	rows, err := s.r.QueryContext(ctx, q, args...)
//	return collect(rows, err, sqlshared.ScanPost)
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (*T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// inList is the placeholders of an IN list of vals, "(?, ?, ?)", and args
// with vals appended.
func inList[T any](args []any, vals []T) (string, []any) {
	for _, v := range vals {
		args = append(args, v)
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args
}
