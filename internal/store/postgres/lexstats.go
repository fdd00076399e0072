package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// lexemeStats is what the server's statistics (ANALYZE, in pg_stats) say
// of post_search's columns search and strong: the share of posts each of
// their most common lexemes is in, and, for search, the least of those
// shares, which no unlisted lexeme's share exceeds. All are estimates from
// ANALYZE's sample; a search uses them only to choose how to ask
// (newestSpan), never for what it finds.
type lexemeStats struct {
	shares, strong map[string]float64
	least          float64
	read           time.Time
}

// share is lexeme's share of posts, or at most it for an unlisted lexeme;
// without statistics, every lexeme may be in every post.
func (ls *lexemeStats) share(lexeme string) float64 {
	if f, ok := ls.shares[lexeme]; ok {
		return f
	}
	return ls.least
}

// listed is lexeme's share of posts when the statistics list it.
func (ls *lexemeStats) listed(lexeme string) (float64, bool) {
	f, ok := ls.shares[lexeme]
	return f, ok
}

// listedStrong is lexeme's share of posts' titles and leads when the
// statistics list it.
func (ls *lexemeStats) listedStrong(lexeme string) (float64, bool) {
	f, ok := ls.strong[lexeme]
	return f, ok
}

// lexemeStatsAge is how long a process keeps the statistics it read:
// autovacuum analyzes post_search again once a tenth of it has changed,
// which on a site saving posts all day takes hours.
const lexemeStatsAge = 10 * time.Minute

// readLexemeStats reads the most common lexemes of post_search's columns
// with their shares. most_common_elem_freqs lists the shares, then the
// least and greatest of them and the share of empty values.
func readLexemeStats(ctx context.Context, db *pgxpool.Pool) (*lexemeStats, error) {
	ls := &lexemeStats{least: 1, read: time.Now()}
	rows, err := db.Query(ctx, `SELECT attname::text, most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
		WHERE schemaname = current_schema() AND tablename = 'post_search' AND attname IN ('search', 'strong')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var column string
		var elems []string
		var freqs []float64
		if err := rows.Scan(&column, &elems, &freqs); err != nil {
			return nil, err
		}
		if len(elems) == 0 || len(freqs) <= len(elems) {
			continue // too few posts to list any lexeme
		}
		shares := make(map[string]float64, len(elems))
		for i, e := range elems {
			shares[e] = freqs[i]
		}
		if column == "strong" {
			ls.strong = shares
		} else {
			ls.shares, ls.least = shares, freqs[len(elems)]
		}
	}
	return ls, rows.Err()
}

// lexemes returns the statistics of post_search's lexemes, read at a
// process's first search and again, in the background, when older than
// lexemeStatsAge. A process that cannot read them searches as without.
func (s *Store) lexemes(ctx context.Context) *lexemeStats {
	ls := s.lexStats.Load()
	if ls == nil {
		// A reader who leaves does not leave the process without them.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		read, err := readLexemeStats(ctx, s.pool)
		if err != nil {
			read = &lexemeStats{least: 1, read: time.Now()}
		}
		s.lexStats.Store(read)
		return read
	}
	if time.Since(ls.read) > lexemeStatsAge && s.lexReading.CompareAndSwap(false, true) {
		go func() {
			defer s.lexReading.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if fresh, err := readLexemeStats(ctx, s.pool); err == nil {
				s.lexStats.Store(fresh)
			}
		}()
	}
	return ls
}
