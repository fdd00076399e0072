package postgres

import (
	"context"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Pace reserves the next slot of key with one statement. The upsert locks
// the key's row, so concurrent callers, in any process, queue behind each
// other and each gets its own slot. The database's clock decides, so the
// workers' clocks need not agree.
func (s *Store) Pace(ctx context.Context, key string, every time.Duration) (time.Duration, error) {
	if every <= 0 {
		return 0, nil
	}
	var waitUS int64
	// On a new key the slot is now and the next one is now + every; on a
	// known key the slot is the later of its next_at and now.
	err := s.pool.QueryRow(ctx, `INSERT INTO pace AS p (key, next_at)
		VALUES ($1, clock_timestamp() + make_interval(secs => $2::float8 / 1e6))
		ON CONFLICT (key) DO UPDATE
			SET next_at = greatest(p.next_at, clock_timestamp()) + make_interval(secs => $2::float8 / 1e6)
		RETURNING (extract(epoch FROM (next_at - clock_timestamp())) * 1e6)::bigint - $2::bigint`,
		key, every.Microseconds()).Scan(&waitUS)
	if err != nil {
		return 0, err
	}
	return max(time.Duration(waitUS)*time.Microsecond, 0), nil
}

// Ping checks that the database answers and that the last write
// transaction was taken: while writes fail (a full disk), a process is not
// ready, however well the database still answers reads.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.health.Writable(ctx, s); err != nil {
		return err
	}
	return s.pool.Ping(ctx)
}

// PruneItems clears the feed descriptions of items done before cutoff.
func (s *Store) PruneItems(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE items SET description = ''
		WHERE status = $1 AND description <> '' AND updated_at < $2`, model.ItemDone, before.UTC())
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// QueueDepth counts River's jobs by state.
func (s *Store) QueueDepth(ctx context.Context) (map[string]int, error) {
	counts, err := countBy(ctx, s, `SELECT state::text, count(*) FROM river_job GROUP BY state`)
	if pgCode(err) == codeUndefinedTable {
		return map[string]int{}, nil
	}
	return counts, err
}

// HoldPace moves key's next slot to until unless it is later already.
func (s *Store) HoldPace(ctx context.Context, key string, until time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO pace AS p (key, next_at) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET next_at = greatest(p.next_at, excluded.next_at)`, key, until.UTC())
	return err
}

// Health is the store's record of how its writes fare (Ping's answer), for
// tests that drive its clock.
func (s *Store) Health() *store.WriteHealth { return &s.health }

// BufferFit returns the server's shared_buffers and the bytes of what
// pages and searches read again and again: posts with their text, the
// search table's rows and indexes, the ranking fields and the labels. What
// does not fit in shared_buffers is read through the operating system's
// cache, which a machine may give back when memory is short or, on some
// virtual machines, after seconds of disuse; then a page waits for the
// disk (docs/operations.md, "PostgreSQL's memory").
func (s *Store) BufferFit(ctx context.Context) (shared, hot int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT
		(SELECT setting::bigint * current_setting('block_size')::bigint FROM pg_settings WHERE name = 'shared_buffers'),
		pg_table_size('posts') + pg_relation_size('post_search') + pg_indexes_size('post_search')
			+ pg_table_size('post_rank') + pg_total_relation_size('post_labels')`).Scan(&shared, &hot)
	return shared, hot, err
}
