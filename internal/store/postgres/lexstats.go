package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// lexemeStats is what the server's statistics (ANALYZE, in pg_stats) say
// of post_search.search: the share of posts each of its most common
// lexemes is in, and the least of those shares, which no unlisted lexeme's
// share exceeds. Both are estimates from ANALYZE's sample; a search uses
// them only to choose how to ask (atOnce), never for what it finds.
type lexemeStats struct {
	shares map[string]float64
	least  float64
	read   time.Time
}

// share is lexeme's share of posts, or at most it for an unlisted lexeme;
// without statistics, every lexeme may be in every post.
func (ls *lexemeStats) share(lexeme string) float64 {
	if f, ok := ls.shares[lexeme]; ok {
		return f
	}
	return ls.least
}

// lexemeStatsAge is how long a process keeps the statistics it read:
// autovacuum analyzes post_search again once a tenth of it has changed,
// which on a site saving posts all day takes hours.
const lexemeStatsAge = 10 * time.Minute

// readLexemeStats reads post_search.search's most common lexemes with
// their shares. most_common_elem_freqs lists the shares, then the least
// and greatest of them and the share of empty values.
func readLexemeStats(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (*lexemeStats, error) {
	ls := &lexemeStats{least: 1, read: time.Now()}
	var elems []string
	var freqs []float64
	err := db.QueryRow(ctx, `SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
		WHERE schemaname = current_schema() AND tablename = 'post_search' AND attname = 'search'`).Scan(&elems, &freqs)
	if errors.Is(err, pgx.ErrNoRows) || len(elems) == 0 || len(freqs) <= len(elems) {
		return ls, nil // never analyzed, or too few posts to list any lexeme
	}
	if err != nil {
		return nil, err
	}
	ls.shares = make(map[string]float64, len(elems))
	for i, e := range elems {
		ls.shares[e] = float64(freqs[i])
	}
	ls.least = freqs[len(elems)]
	return ls, nil
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
