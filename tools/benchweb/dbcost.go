package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/tools/internal/proc"
)

// dbCPU reads the CPU time PostgreSQL's backends spend for the benchmark's
// database: on PostgreSQL most of a search's work is the server's, which
// kabar's own CPU time does not show. It sums the backends connected to
// the benchmark's databases (this reader's own aside), read from /proc, so it needs
// the server on this machine; nil when it is not, or on SQLite. During the
// cost phase one kabar process at a time is sent requests, so the sum's
// growth is that process's.
type dbCPU struct {
	conn  *pgx.Conn
	names []string // the databases whose backends count
}

// openDBCPU reads the backends of the databases dbs (the first kabar's,
// and the baseline's when it has its own).
func openDBCPU(ctx context.Context, dbs ...string) *dbCPU {
	d := &dbCPU{}
	for _, db := range dbs {
		if !isPostgres(db) {
			return nil
		}
		cfg, err := pgx.ParseConfig(db)
		if err != nil {
			return nil
		}
		d.names = append(d.names, cfg.Database)
	}
	conn, err := pgx.Connect(ctx, dbs[0])
	if err != nil {
		return nil
	}
	d.conn = conn
	if _, err := d.read(ctx); err != nil {
		_ = conn.Close(ctx) // without the first reading there is nothing to measure; the caller runs on without
		return nil
	}
	return d
}

// read returns each backend's CPU time so far, by process ID.
func (d *dbCPU) read(ctx context.Context) (map[int]time.Duration, error) {
	rows, err := d.conn.Query(ctx, `SELECT pid FROM pg_stat_activity
		WHERE datname = ANY($1) AND pid <> pg_backend_pid()`, d.names)
	if err != nil {
		return nil, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, err
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		// A backend may end between the query and the read; it is left
		// out, as one that ended during the window is.
		if c, err := proc.CPU(int(pid)); err == nil {
			out[int(pid)] = c
		}
	}
	if len(pids) > 0 && len(out) == 0 {
		// Backends listed, none readable: the server is elsewhere.
		_, err := proc.CPU(int(pids[0]))
		return nil, err
	}
	return out, nil
}

// since is the CPU the backends used from before (a read) to now; a
// backend that started meanwhile counts from zero.
func (d *dbCPU) since(ctx context.Context, before map[int]time.Duration) time.Duration {
	now, err := d.read(ctx)
	if err != nil {
		return 0
	}
	var sum time.Duration
	for pid, c := range now {
		sum += c - before[pid]
	}
	return sum
}

func (d *dbCPU) close() {
	if d != nil {
		_ = d.conn.Close(context.Background()) // the readings are taken; nothing is left to lose
	}
}
