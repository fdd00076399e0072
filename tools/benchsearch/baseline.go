package main

// The baseline is the search kabar had before internal/search: the raw
// words of title and body, folded but not stemmed, in an index of their
// own beside the current one, over the same posts in the same run.
//
//   - SQLite: an FTS5 table bench_raw_fts (title, body) with the tokenizer
//     "unicode61 remove_diacritics 2" and bm25(10, 1), as migration 001
//     made posts_fts before migration 011.
//   - PostgreSQL: a table bench_raw (id, doc) whose doc is migration 007's
//     search column (setweight(to_tsvector('simple', kabar_fold(title)),
//     'A') || setweight(to_tsvector('simple', kabar_fold(body)), 'B')),
//     with a GIN index.
//
// A query is its words, all required, unstemmed: "quoted words" are a
// phrase, and everything else (-word, OR, publisher:…, word*) is plain
// words, which is what the old search made of them. Each search does what
// the old one did: count the matches, rank the newest store.SearchWindow
// of them (bm25, ts_rank), load the top hits' title and body and highlight
// them in Go.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
)

// rawQuery splits a query into its words outside quotes and its quoted
// phrases, folded as the index folds them.
func rawQuery(text string) (words []string, phrases [][]string) {
	text = strings.ToValidUTF8(text, " ")
	for i, part := range strings.Split(text, `"`) {
		var ws []string
		search.Words(part, func(w string) { ws = append(ws, w) })
		if i%2 == 1 && len(ws) > 1 {
			phrases = append(phrases, ws)
		} else {
			words = append(words, ws...)
		}
	}
	return words, phrases
}

func rawTerms(words []string, phrases [][]string) []store.SearchTerm {
	var out []store.SearchTerm
	for _, w := range words {
		out = append(out, store.SearchTerm{Text: w})
	}
	for _, p := range phrases {
		out = append(out, store.SearchTerm{Text: strings.Join(p, " "), Phrase: true})
	}
	return out
}

// sqliteRaw builds (or completes) the baseline index in the SQLite file
// of db.
func sqliteRaw(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS bench_raw_fts USING fts5 (
		title, body, tokenize = 'unicode61 remove_diacritics 2')`); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO bench_raw_fts (bench_raw_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)')`); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `INSERT INTO bench_raw_fts (rowid, title, body)
		SELECT id, title, body FROM posts WHERE id > (SELECT COALESCE(max(rowid), 0) FROM bench_raw_fts) ORDER BY id`)
	return err
}

// sqliteBaseline searches the baseline index through db (a reader of the
// store's file) and returns the ranked IDs of the top limit and the count.
func sqliteBaseline(ctx context.Context, db *sql.DB, text string, limit int) ([]int64, int, error) {
	words, phrases := rawQuery(text)
	var parts []string
	for _, w := range words {
		parts = append(parts, `"`+w+`"`)
	}
	for _, p := range phrases {
		parts = append(parts, `"`+strings.Join(p, " ")+`"`)
	}
	if len(parts) == 0 {
		return nil, 0, nil
	}
	match := strings.Join(parts, " ")
	var total int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM bench_raw_fts WHERE bench_raw_fts MATCH ?`, match).Scan(&total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return nil, 0, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT rowid FROM (SELECT rowid, rank FROM bench_raw_fts WHERE bench_raw_fts MATCH ?
		ORDER BY rowid DESC LIMIT ?) ORDER BY rank LIMIT ?`, match, store.SearchWindow, limit)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, total, err
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err = db.QueryContext(ctx, `SELECT id, title, body FROM posts WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	_, err = highlightRows(rawTerms(words, phrases), rows)
	return ids, total, err
}

// rowScanner is what database/sql's and pgx's rows have in common.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// highlightRows makes the title and snippet of each row (id, title, body)
// as store.Highlight does, and returns the rows' IDs.
func highlightRows(terms []store.SearchTerm, rows rowScanner) ([]int64, error) {
	h := store.NewHighlighter(terms)
	var ids []int64
	for rows.Next() {
		var id int64
		var title, body string
		if err := rows.Scan(&id, &title, &body); err != nil {
			return nil, err
		}
		_ = h.Title(title)
		_ = h.Snippet(body)
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// pgRaw builds the baseline table in the store's schema unless it holds
// every post already.
func pgRaw(ctx context.Context, pool *pgxpool.Pool) error {
	var posts, raw int
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, doc TSVECTOR NOT NULL)`); err != nil {
		return err
	}
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM bench_raw)`).Scan(&posts, &raw); err != nil {
		return err
	}
	if posts == raw {
		return nil
	}
	for _, q := range []string{
		`DROP INDEX IF EXISTS bench_raw_doc`,
		`TRUNCATE bench_raw`,
		`INSERT INTO bench_raw (id, doc) SELECT id,
			setweight(to_tsvector('simple', kabar_fold(left(title, 1024))), 'A')
			|| setweight(to_tsvector('simple', kabar_fold(body)), 'B') FROM posts`,
		`CREATE INDEX bench_raw_doc ON bench_raw USING GIN (doc)`,
		`ANALYZE bench_raw`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("%.40s…: %w", q, err)
		}
	}
	return nil
}

// pgBaseline searches the baseline table as the old PostgreSQL search did.
func pgBaseline(ctx context.Context, pool *pgxpool.Pool, text string, limit int) ([]int64, int, error) {
	words, phrases := rawQuery(text)
	var parts []string
	var args []any
	if len(words) > 0 {
		args = append(args, strings.Join(words, " "))
		parts = append(parts, fmt.Sprintf(`plainto_tsquery('simple', $%d)`, len(args)))
	}
	for _, p := range phrases {
		args = append(args, strings.Join(p, " "))
		parts = append(parts, fmt.Sprintf(`phraseto_tsquery('simple', $%d)`, len(args)))
	}
	if len(parts) == 0 {
		return nil, 0, nil
	}
	tsq := strings.Join(parts, " && ")
	var total int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bench_raw WHERE doc @@ (`+tsq+`)`, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return nil, 0, nil
	}
	n := len(args)
	args = append(args, store.SearchWindow, limit)
	rows, err := pool.Query(ctx, fmt.Sprintf(`WITH q AS (SELECT (%s) AS query),
		matches AS (SELECT r.id, r.doc FROM bench_raw r, q WHERE r.doc @@ q.query ORDER BY r.id DESC LIMIT $%d),
		hits AS (SELECT m.id, ts_rank(m.doc, q.query) AS rank FROM matches m, q ORDER BY rank DESC, m.id DESC LIMIT $%d)
		SELECT p.id, p.title, p.body FROM hits h JOIN posts p ON p.id = h.id ORDER BY h.rank DESC, h.id DESC`, tsq, n+1, n+2), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ids, err := highlightRows(rawTerms(words, phrases), rows)
	return ids, total, err
}
