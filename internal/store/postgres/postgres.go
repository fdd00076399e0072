// Package postgres is kabar's store on PostgreSQL, for many workers on many
// machines sharing one database. It implements the same store.Store contract
// as package sqlite and passes the same conformance suite (storetest).
//
// Conventions for every file of this package:
//   - SQL lives in the Go files next to the method that runs it; schema
//     changes are numbered files in migrations/, numbered like SQLite's, so
//     that migration N means the same change on both backends.
//   - Times are timestamptz. A time that never happened (the zero time.Time)
//     is NULL: write it with nullTime, read it into a pgtype.Timestamptz and
//     convert with timeOf.
//   - Concurrency is real here (SQLite has one writer): every write that
//     checks before it inserts must hold under two processes doing it at
//     once, with a unique constraint and ON CONFLICT, never a read-then-write
//     alone.
//   - Search: post_search.search is a tsvector kept by a trigger on posts
//     from the text stemmed in Go (search_title weight A, search_meta B,
//     search_body C, its first 512 KiB) under the 'simple' configuration,
//     in a narrow table of its own (migration 021); query it with the terms
//     internal/search parses (search.TSQuery), never with a reader's text
//     as tsquery syntax.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements store.Store on PostgreSQL through one pgx pool.
type Store struct {
	pool *pgxpool.Pool
	// searchPool runs searches' statements (searchPlan).
	searchPool *pgxpool.Pool
	// rank holds the ranking fields of posts that searches have ranked
	// (rankDocs).
	rank *store.RankCache
	// lastHi is the highest post ID the last search read (Search).
	lastHi atomic.Int64
	// lexStats is what the server's statistics say of the searched
	// lexemes (lexemes); lexReading is set while they are read again.
	lexStats   atomic.Pointer[lexemeStats]
	lexReading atomic.Bool
	// searchesAtOnce counts the searches asked of all posts at once
	// (searchIn), for tests.
	searchesAtOnce atomic.Int64
	// health is how the last write transaction fared, for Ping (the
	// readiness probe).
	health store.WriteHealth
}

// migrationLock is the advisory lock key that serializes schema changes
// (kabar's and the job queue's) when many processes start at once.
const migrationLock int64 = 0x6b61626172 // "kabar"

// IsURL reports whether a --db value names a PostgreSQL database.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open connects to the database at url (a postgres:// URL; pool settings
// such as pool_max_conns and runtime parameters such as search_path may be
// given as query parameters) and applies every migration it has not seen yet.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	// Searches get a pool of their own whose sessions leave the planner
	// only bitmap scans (searchPlan): set once for each connection, they
	// need no transaction to scope them, which was three round trips of a
	// search's nine.
	scfg := cfg.Copy()
	scfg.MaxConns = max(2, cfg.MaxConns/4)
	scfg.MinConns = 0
	// SET when a connection opens, not startup parameters, which a pooler
	// such as PgBouncer refuses.
	scfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.PgConn().Exec(ctx, searchPlan).ReadAll()
		return err
	}
	searchPool, err := pgxpool.NewWithConfig(ctx, scfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, searchPool: searchPool, rank: store.NewRankCache(store.RankCacheBytes)}
	if err := s.Locked(ctx, func(ctx context.Context) error {
		if err := s.migrate(ctx); err != nil {
			return err
		}
		return s.backfillSearch(ctx)
	}); err != nil {
		_ = s.Close() // the migration's error is the one to report
		return nil, err
	}
	return s, nil
}

// Pool is the connection pool, for the job queue that keeps its tables in
// the same database.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	s.rank.Close()
	s.searchPool.Close()
	s.pool.Close()
	return nil
}

// Locked runs fn while holding the database-wide migration lock, so that
// processes starting together apply each schema change once. The job queue's
// migrations run under it too.
func (s *Store) Locked(ctx context.Context, fn func(ctx context.Context) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	// An unlock fails only on a broken connection, whose session, and the
	// lock with it, ends with the connection.
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock) }()
	return fn(ctx)
}

// MigrationVersions lists the migrations applied, oldest first.
func (s *Store) MigrationVersions(ctx context.Context) ([]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT version FROM kabar_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int])
}

// migrateUpTo, when not 0, is the last migration Open applies: a test
// makes a database as an older kabar left it, to see a migration fill in
// what it derives from the rows there.
var migrateUpTo = 0

// migrate applies the numbered files of migrations/ in order, each in its own
// transaction together with the row that records it.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS kabar_migrations (
		version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	applied := map[int]bool{}
	versions, err := s.MigrationVersions(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, v := range versions {
		applied[v] = true
	}
	all, err := sqlshared.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	for _, m := range all {
		if applied[m.Version] || (migrateUpTo > 0 && m.Version > migrateUpTo) {
			continue
		}
		if m.Version == 1 {
			s.tryUnaccent(ctx)
		}
		if err := s.tx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO kabar_migrations (version) VALUES ($1)`, m.Version)
			return err
		}); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// tryUnaccent installs the unaccent extension when the role may; search
// folds accents with it and works (accent-sensitively) without it. It goes
// into the public schema when there is one, so that it outlives any schema
// kabar's tables live in.
func (s *Store) tryUnaccent(ctx context.Context) {
	for _, q := range []string{
		`CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public`,
		`CREATE EXTENSION IF NOT EXISTS unaccent`,
	} {
		if _, err := s.pool.Exec(ctx, q); err == nil {
			return
		}
	}
}

// tx runs fn in a transaction, committed when fn returns nil. Its outcome
// is the store's write health: a commit clears a past failure, a failure
// for a reason of the database's own is the new state.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	if b, ok := ctx.Value(batchKey{}).(*batchTx); ok && b.s == s {
		// Inside a StoryBatch: a savepoint of its transaction.
		return pgx.BeginFunc(ctx, b.tx, fn)
	}
	err := pgx.BeginFunc(ctx, s.pool, fn)
	switch {
	case err == nil:
		s.health.Succeeded()
	case isStorageFault(err):
		s.health.Failed(err)
	}
	return err
}

// isStorageFault tells the errors that say the database cannot take
// writes now, whoever wrote (SQLSTATE class 53: insufficient resources,
// such as disk_full; 58: system error, such as io_error; XX: internal
// error; 25006: a read-only transaction, as on a standby), from those
// about one write.
func isStorageFault(err error) bool {
	code := pgCode(err)
	return code == "25006" || strings.HasPrefix(code, "53") || strings.HasPrefix(code, "58") || strings.HasPrefix(code, "XX")
}

// nullTime is t as a timestamptz parameter: NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeOf is a scanned timestamptz as a UTC time; NULL is the zero time.
func timeOf(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return err
}

// pgCode is the SQLSTATE of a PostgreSQL error, "" for other errors.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeUndefinedTable      = "42P01"
)

func isUnique(err error) bool { return pgCode(err) == codeUniqueViolation }

// row is what scan functions read from: a pgx.Row or pgx.Rows.
type row = sqlshared.Scanner
