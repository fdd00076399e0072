package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// StorylessPosts lists posts waiting for their story (store.StoryBacklogStore).
func (s *Store) StorylessPosts(ctx context.Context, createdBefore time.Time, limit int) ([]int64, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM posts WHERE story_pending AND created_at < $1
		ORDER BY id LIMIT $2`, createdBefore.UTC(), lim)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// Beat records that a process lives (store.ProcessStore).
func (s *Store) Beat(ctx context.Context, id string, now time.Time, first bool) error {
	var n int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		q := `UPDATE processes SET beat_at = $2 WHERE id = $1`
		if first {
			q = `INSERT INTO processes (id, started_at, beat_at) VALUES ($1, $2, $2)
				ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at`
		}
		tag, err := tx.Exec(ctx, q, id, now.UTC())
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	return sqlshared.BeatErr(id, n)
}

// Leave forgets a process that stops cleanly (store.ProcessStore).
func (s *Store) Leave(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM processes WHERE id = $1`, id)
	return err
}

// RescueDead hands back the running jobs of dead processes
// (store.ProcessStore). The update is River's own rescue (an error
// appended to the job, its rescue count in the metadata), made at once and
// for the jobs of the dead processes only. Processes rescuing at once take
// turns: a dead process's row is locked by the one that rescues it, and
// skipped by the others.
func (s *Store) RescueDead(ctx context.Context, deadBefore, now time.Time) ([]store.RescuedJob, error) {
	var out []store.RescuedJob
	err := s.tx(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT id FROM processes WHERE beat_at < $1 FOR UPDATE SKIP LOCKED`, deadBefore.UTC())
		if err != nil {
			return err
		}
		dead, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(dead) == 0 {
			return err
		}
		var queue bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass('river_job') IS NOT NULL`).Scan(&queue); err != nil {
			return err
		}
		for _, p := range dead {
			if queue {
				rows, err := tx.Query(ctx, `UPDATE river_job SET
					errors = array_append(errors, jsonb_build_object('at', $2::timestamptz,
						'attempt', attempt, 'error', 'process ' || $1 || ' stopped: the job is handed back', 'trace', '')),
					metadata = metadata || jsonb_build_object('river:rescue_count',
						coalesce((metadata ->> 'river:rescue_count')::int, 0) + 1),
					state = (CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'available' END)::river_job_state,
					scheduled_at = $2,
					finalized_at = CASE WHEN attempt >= max_attempts THEN $2::timestamptz END
				WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1
				RETURNING id, kind, args, attempt >= max_attempts`, p, now.UTC())
				if err != nil {
					return err
				}
				jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.RescuedJob, error) {
					j := store.RescuedJob{Process: p}
					err := r.Scan(&j.ID, &j.Kind, &j.Args, &j.Discarded)
					return j, err
				})
				if err != nil {
					return err
				}
				out = append(out, jobs...)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM processes WHERE id = $1`, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rescue the jobs of dead processes: %w", err)
	}
	return out, nil
}
