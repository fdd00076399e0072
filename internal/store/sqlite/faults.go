package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// StorylessPosts lists posts waiting for their story (store.StoryBacklogStore).
func (s *Store) StorylessPosts(ctx context.Context, createdBefore time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM posts WHERE story_pending = 1 AND created_at < ?
		ORDER BY id LIMIT ?`, fmtTime(createdBefore), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Beat records that a process lives (store.ProcessStore).
func (s *Store) Beat(ctx context.Context, id string, now time.Time, first bool) error {
	at := fmtTime(now)
	if first {
		return s.exec(ctx, `INSERT INTO processes (id, started_at, beat_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at`, id, at, at)
	}
	var n int64
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE processes SET beat_at = ? WHERE id = ?`, at, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	return sqlshared.BeatErr(id, n)
}

// Leave forgets a process that stops cleanly (store.ProcessStore).
func (s *Store) Leave(ctx context.Context, id string) error {
	return s.exec(ctx, `DELETE FROM processes WHERE id = ?`, id)
}

// riverTime is a time in the layout River's SQLite driver writes: its
// comparisons are of text, so any other layout would sort wrong.
func riverTime(t time.Time) string {
	return t.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000")
}

// RescueDead hands back the running jobs of dead processes
// (store.ProcessStore). The update is River's own rescue (an error
// appended to the job, its rescue count in the metadata), made at once and
// for the jobs of the dead processes only.
func (s *Store) RescueDead(ctx context.Context, deadBefore, now time.Time) ([]store.RescuedJob, error) {
	// Read first, on a reader: nearly always nobody is dead, and a write
	// would cost a turn of the writer.
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM processes WHERE beat_at < ?`, fmtTime(deadBefore)).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	var out []store.RescuedJob
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id FROM processes WHERE beat_at < ?`, fmtTime(deadBefore))
		if err != nil {
			return err
		}
		var dead []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			dead = append(dead, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range dead {
			jobs, err := rescueJobsOf(ctx, tx, p, now)
			if err != nil {
				return err
			}
			out = append(out, jobs...)
			if _, err := tx.ExecContext(ctx, `DELETE FROM processes WHERE id = ?`, p); err != nil {
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

func rescueJobsOf(ctx context.Context, tx *sql.Tx, process string, now time.Time) ([]store.RescuedJob, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, json(args), attempt, max_attempts FROM river_job
		WHERE state = 'running' AND json_extract(attempted_by, '$[#-1]') = ?`, process)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil // the queue's tables are not there: no jobs
		}
		return nil, err
	}
	type job struct {
		store.RescuedJob
		attempt int
	}
	var jobs []job
	for rows.Next() {
		var j job
		var args string
		var maxAttempts int
		if err := rows.Scan(&j.ID, &j.Kind, &args, &j.attempt, &maxAttempts); err != nil {
			rows.Close()
			return nil, err
		}
		j.Args, j.Process, j.Discarded = []byte(args), process, j.attempt >= maxAttempts
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]store.RescuedJob, 0, len(jobs))
	at := riverTime(now)
	for _, j := range jobs {
		attemptErr, err := rescueError(j.attempt, j.Process, now)
		if err != nil {
			return nil, err
		}
		state, finalized := "available", any(nil)
		if j.Discarded {
			state, finalized = "discarded", at
		}
		res, err := tx.ExecContext(ctx, `UPDATE river_job SET
			errors = jsonb(json_insert(json(coalesce(errors, jsonb('[]'))), '$[#]', json(?))),
			metadata = jsonb_set(metadata, '$."river:rescue_count"',
				coalesce(json_extract(metadata, '$."river:rescue_count"'), 0) + 1),
			state = ?, scheduled_at = ?, finalized_at = ?
			WHERE id = ? AND state = 'running' AND json_extract(attempted_by, '$[#-1]') = ?`,
			attemptErr, state, at, finalized, j.ID, process)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 1 {
			out = append(out, j.RescuedJob)
		}
	}
	return out, nil
}

// rescueError is the attempt error recorded on a rescued job, in River's
// format (rivertype.AttemptError).
func rescueError(attempt int, process string, now time.Time) (string, error) {
	b, err := json.Marshal(struct {
		At      time.Time `json:"at"`
		Attempt int       `json:"attempt"`
		Error   string    `json:"error"`
		Trace   string    `json:"trace"`
	}{now.UTC(), attempt, "process " + process + " stopped: the job is handed back", ""})
	if err != nil {
		return "", errors.New("rescue error: " + err.Error())
	}
	return string(b), nil
}
