// Command benchsearch measures search on both stores against the search
// kabar had before (baseline.go), in one run:
//
//   - relevance: the hand-judged English and Indonesian set of testdata
//     (word forms, phrases, exclusions, publishers, prefixes, OR and
//     filters), recall and precision at 10 per language and overall, on a
//     fresh SQLite file and a fresh PostgreSQL schema;
//   - latency: p50 and p99 of searches for common and rare words, two words
//     and prefixes over a generated corpus of -posts posts (Zipf-distributed
//     words with English and Indonesian affixes), on a SQLite file and a
//     PostgreSQL schema that later runs reuse.
//
// `make bench-search` runs it; docs/benchmarks.md (## Search) records the
// figures.
//
//	go run ./tools/benchsearch -posts 100000 -queries 100
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// defaultPG is the PostgreSQL the project's machines run.
const defaultPG = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func main() {
	dbPath := flag.String("db", filepath.Join(os.TempDir(), "kabar-bench-search.db"), "SQLite corpus file (built once; reused while it holds -posts posts)")
	pgURL := flag.String("pg", envOr("KABAR_TEST_POSTGRES", defaultPG), "PostgreSQL database; the corpus goes into schema kabar_bench_search_<posts>, the relevance set into a schema dropped at the end")
	posts := flag.Int("posts", 100_000, "posts in the latency corpus")
	queries := flag.Int("queries", 100, "searches timed per kind of query, store and search")
	seed := flag.Uint64("seed", 1, "random seed of the corpus and the queries")
	skipPG := flag.Bool("no-postgres", false, "measure SQLite only")
	verbose := flag.Bool("v", false, "list every query of the relevance set whose top 10 is not perfect")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()

	setPosts, setQueries, err := loadSet()
	if err != nil {
		log.Fatalf("benchsearch: relevance set: %v", err)
	}
	log.Printf("relevance set: %d posts, %d queries", len(setPosts), len(setQueries))
	var rel []relevanceRow
	var misses []string
	r, m, err := relevanceSQLite(ctx, setPosts, setQueries)
	if err != nil {
		log.Fatalf("benchsearch: relevance on SQLite: %v", err)
	}
	rel, misses = append(rel, r...), append(misses, m...)
	if !*skipPG {
		r, m, err := relevancePG(ctx, *pgURL, setPosts, setQueries)
		if err != nil {
			log.Fatalf("benchsearch: relevance on PostgreSQL: %v", err)
		}
		rel, misses = append(rel, r...), append(misses, m...)
	}

	w := newWords(*seed)
	start := time.Now()
	st, err := buildSQLite(ctx, *dbPath, *posts, w, *seed)
	if err != nil {
		log.Fatalf("benchsearch: corpus: %v", err)
	}
	defer func() { _ = st.Close() }() // built and closed-checked above; only read from here on
	log.Printf("corpus %s: %d posts (%s)", *dbPath, *posts, time.Since(start).Round(time.Second))
	reader, err := sql.Open("sqlite", readerDSN(*dbPath))
	if err != nil {
		log.Fatalf("benchsearch: %v", err)
	}
	defer func() { _ = reader.Close() }() // only read
	reader.SetMaxOpenConns(4)
	qs := w.queries(*queries, *seed)

	var lat []latencyRow
	var pgStore *postgres.Store
	if !*skipPG {
		start := time.Now()
		pgStore, err = buildPG(ctx, *pgURL, *posts, st)
		if err != nil {
			log.Fatalf("benchsearch: PostgreSQL corpus: %v", err)
		}
		defer func() { _ = pgStore.Close() }() // only read from here on
		log.Printf("PostgreSQL corpus: %d posts (%s)", *posts, time.Since(start).Round(time.Second))
	}
	// The baseline index of the SQLite file is made after the copy to
	// PostgreSQL, which copies the file's tables (full-text ones aside).
	start = time.Now()
	if err := sqliteRaw(ctx, st.DB()); err != nil {
		log.Fatalf("benchsearch: SQLite baseline index: %v", err)
	}
	log.Printf("SQLite baseline index ready (%s)", time.Since(start).Round(time.Second))
	rows, err := measure(ctx, "SQLite", qs,
		func(ctx context.Context, q string) (int, error) {
			_, n, err := st.Search(ctx, store.SearchQuery{Text: q, Limit: 10})
			return n, err
		},
		func(ctx context.Context, q string) (int, error) {
			_, n, err := sqliteBaseline(ctx, reader, q, 10)
			return n, err
		})
	if err != nil {
		log.Fatalf("benchsearch: SQLite latency: %v", err)
	}
	lat = append(lat, rows...)
	if pgStore != nil {
		rows, err := measure(ctx, "PostgreSQL", qs,
			func(ctx context.Context, q string) (int, error) {
				_, n, err := pgStore.Search(ctx, store.SearchQuery{Text: q, Limit: 10})
				return n, err
			},
			func(ctx context.Context, q string) (int, error) {
				_, n, err := pgBaseline(ctx, pgStore.Pool(), q, 10)
				return n, err
			})
		if err != nil {
			log.Fatalf("benchsearch: PostgreSQL latency: %v", err)
		}
		lat = append(lat, rows...)
	}
	report(os.Stdout, rel, misses, lat, *posts, *verbose)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// readerDSN opens the SQLite file for reading with the pragmas of the
// store's own readers (internal/store/sqlite, dsn).
func readerDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "query_only(1)"} {
		q.Add("_pragma", p)
	}
	return "file:" + path + "?" + q.Encode()
}

// relevanceSQLite scores the current search and the baseline on a fresh
// SQLite file.
func relevanceSQLite(ctx context.Context, posts []setPost, queries []setQuery) ([]relevanceRow, []string, error) {
	dir, err := os.MkdirTemp("", "benchsearch")
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }() // leftovers in the temporary folder change no figure
	path := filepath.Join(dir, "set.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = st.Close() }() // a scratch copy, read for its scores
	names, err := loadPosts(ctx, st, posts)
	if err != nil {
		return nil, nil, err
	}
	if err := sqliteRaw(ctx, st.DB()); err != nil {
		return nil, nil, err
	}
	reader, err := sql.Open("sqlite", readerDSN(path))
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = reader.Close() }() // only read
	return scoreBoth(ctx, "SQLite", queries, storeEngine(st, names), func(ctx context.Context, q string) ([]string, error) {
		ids, _, err := sqliteBaseline(ctx, reader, q, 10)
		return namesOf(ids, names), err
	})
}

// relevancePG scores both searches on a PostgreSQL schema of their own,
// dropped at the end.
func relevancePG(ctx context.Context, base string, posts []setPost, queries []setQuery) ([]relevanceRow, []string, error) {
	var b [6]byte
	rand.Read(b[:])
	schema := "kabar_bench_search_set_" + hex.EncodeToString(b[:])
	u, err := withSchema(ctx, base, schema, true)
	if err != nil {
		return nil, nil, err
	}
	defer dropSchema(base, schema)
	st, err := postgres.Open(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = st.Close() }() // a scratch schema, dropped at the end
	names, err := loadPosts(ctx, st, posts)
	if err != nil {
		return nil, nil, err
	}
	if err := pgRaw(ctx, st.Pool()); err != nil {
		return nil, nil, err
	}
	return scoreBoth(ctx, "PostgreSQL", queries, storeEngine(st, names), func(ctx context.Context, q string) ([]string, error) {
		ids, _, err := pgBaseline(ctx, st.Pool(), q, 10)
		return namesOf(ids, names), err
	})
}

func namesOf(ids []int64, names map[int64]string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = names[id]
	}
	return out
}

// scoreBoth scores the current search and the baseline and lists the
// current search's imperfect queries.
func scoreBoth(ctx context.Context, storeName string, queries []setQuery, cur, old engine) ([]relevanceRow, []string, error) {
	rows, per, err := score(ctx, storeName, "current", cur, queries)
	if err != nil {
		return nil, nil, err
	}
	oldRows, _, err := score(ctx, storeName, "baseline", old, queries)
	if err != nil {
		return nil, nil, err
	}
	var misses []string
	for _, q := range queries {
		j := per[q.q]
		if j.recall < 1 || j.precision < 1 || j.forbidden > 0 {
			misses = append(misses, fmt.Sprintf("%s: %-32q recall %.2f precision %.2f forbidden %d: got %v, want %v",
				storeName, q.q, j.recall, j.precision, j.forbidden, j.got, q.want))
		}
	}
	return append(rows, oldRows...), misses, nil
}

// withSchema returns base with its connections on schema (public kept on
// the path for the extensions there), creating the schema first.
func withSchema(ctx context.Context, base, schema string, create bool) (string, error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer func() { _ = conn.Close(ctx) }() // its statements' errors are the ones to report
	if create {
		if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return "", err
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func dropSchema(base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		log.Printf("drop schema %s: %v", schema, err)
		return
	}
	defer func() { _ = conn.Close(ctx) }() // its statement's error is reported below
	if _, err := conn.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
		log.Printf("drop schema %s: %v", schema, err)
	}
}

func report(w io.Writer, rel []relevanceRow, misses []string, lat []latencyRow, posts int, verbose bool) {
	fmt.Fprintf(w, "\nRelevance (hand-judged set, top 10): recall@10, precision@10, means over queries\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tsearch\tlang\tqueries\trecall@10\tprecision@10\tperfect\tnone found\tforbidden found\t")
	for _, r := range rel {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.3f\t%.3f\t%d\t%d\t%d\t\n", r.store, r.engine, r.lang, r.queries, r.recall, r.precision, r.perfect, r.empty, r.forbidden)
	}
	_ = tw.Flush() // text for a person on standard output
	fmt.Fprintf(w, "\nRatios current/baseline (all queries):")
	for _, cur := range rel {
		if cur.engine != "current" || cur.lang != "all" {
			continue
		}
		for _, old := range rel {
			if old.engine == "baseline" && old.store == cur.store && old.lang == "all" {
				fmt.Fprintf(w, " %s recall %s, precision %s;", cur.store, ratio(cur.recall, old.recall), ratio(cur.precision, old.precision))
			}
		}
	}
	fmt.Fprintln(w)
	if verbose || len(misses) <= 12 {
		fmt.Fprintf(w, "\nQueries the current search does not answer perfectly (%d):\n", len(misses))
		for _, m := range misses {
			fmt.Fprintln(w, "  "+m)
		}
	} else {
		fmt.Fprintf(w, "\n%d store×query pairs not answered perfectly by the current search (-v lists them)\n", len(misses))
	}

	fmt.Fprintf(w, "\nLatency over %d posts (one search at a time; Search with 10 hits: count, rank, load, highlight)\n\n", posts)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tquery\tsearches\tmatches (median)\tcurrent p50\tcurrent p99\tbaseline p50\tbaseline p99\tp50 ratio\tp99 ratio\tbaseline matches (median)\t")
	for _, r := range lat {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", r.store, r.kind, r.n, r.matches,
			fmtDur(r.cur.p50), fmtDur(r.cur.p99), fmtDur(r.old.p50), fmtDur(r.old.p99),
			ratio(r.cur.p50.Seconds(), r.old.p50.Seconds()), ratio(r.cur.p99.Seconds(), r.old.p99.Seconds()), r.oldMatches)
	}
	_ = tw.Flush() // text for a person on standard output
	fmt.Fprintln(w, "\nRatios are current ÷ baseline: above 1 the current search is slower (latency) or better (relevance).")
}

func ratio(a, b float64) string {
	if b == 0 {
		if a == 0 {
			return "—"
		}
		return "∞"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
}
