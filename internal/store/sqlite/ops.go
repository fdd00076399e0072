package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// Pace reserves the next slot of key. The writer pool has one connection and
// the transaction takes the write lock at BEGIN, so reservations are
// serialized; every process that opens the file shares them.
func (s *Store) Pace(ctx context.Context, key string, every time.Duration) (time.Duration, error) {
	if every <= 0 {
		return 0, nil
	}
	var wait time.Duration
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := time.Now().UnixMicro()
		var next int64
		err := tx.QueryRowContext(ctx, `SELECT next_at FROM pace WHERE key = ?`, key).Scan(&next)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		start := max(next, now)
		wait = time.Duration(start-now) * time.Microsecond
		_, err = tx.ExecContext(ctx, `INSERT INTO pace (key, next_at) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET next_at = excluded.next_at`, key, start+every.Microseconds())
		return err
	})
	return wait, err
}

// Ping checks that both pools answer and that the last write was taken:
// while writes fail (a full disk), a process is not ready, however well
// the database still answers reads.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.health.Writable(ctx, s); err != nil {
		return err
	}
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	return s.r.PingContext(ctx)
}

// PruneItems clears the feed descriptions of items done before cutoff.
func (s *Store) PruneItems(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE items SET description = ''
		WHERE status = ? AND description <> '' AND updated_at < ?`, model.ItemDone, fmtTime(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// QueueDepth counts River's jobs by state.
func (s *Store) QueueDepth(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state, count(*) FROM river_job GROUP BY state`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return map[string]int{}, nil
		}
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	return sqlshared.ScanMap(rows, out)
}

// HoldPace moves key's next slot to until unless it is later already.
func (s *Store) HoldPace(ctx context.Context, key string, until time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO pace (key, next_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET next_at = max(next_at, excluded.next_at)`, key, until.UnixMicro())
	return err
}

// MigrationVersions lists the migrations applied, oldest first.
func (s *Store) MigrationVersions(ctx context.Context) ([]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT version FROM kabar_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Health is the store's record of how its writes fare (Ping's answer), for
// tests that drive its clock.
func (s *Store) Health() *store.WriteHealth { return &s.health }
