package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// CopyReport is what CopyFromSQLite did to one table.
type CopyReport struct {
	Table string
	// Rows is the row count, the same on both sides once verified.
	Rows int64
	// Derived tables are filled by PostgreSQL's own triggers from the
	// tables copied before them (labels from posts); they are compared,
	// not copied.
	Derived bool
}

// skippedSource are SQLite tables that are not copied: bookkeeping that each
// database keeps for itself (migrations, the job queue, pacing slots, the
// search index's queue of posts to index, the processes running jobs, the
// site's generation and the ranking fields' revisions, which its triggers
// move).
func skippedSource(name string) bool {
	switch name {
	case "kabar_migrations", "pace", "posts_fts_pending", "processes", "site_generation", "search_rev", "post_rev":
		return true
	}
	return strings.HasPrefix(name, "river_") || strings.HasPrefix(name, "sqlite_")
}

// CopyFromSQLite copies every row of every kabar table of a SQLite database
// (opened and migrated by package sqlite, so both schemas are at the same
// migration) into this one, in one transaction, and verifies the counts.
// The target's kabar tables must be empty. Tables are copied in foreign-key
// order; columns by name, with SQLite's text times becoming timestamptz
// (” becomes NULL) and its 0/1 integers booleans. Identity sequences are
// moved past the copied IDs. The job queue is not copied: feeds are polled
// again and their unfinished items enqueued by the first run.
func (s *Store) CopyFromSQLite(ctx context.Context, src *sql.DB) ([]CopyReport, error) {
	tables, err := sqliteTables(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("read source tables: %w", err)
	}
	var reports []CopyReport
	err = s.tx(ctx, func(tx pgx.Tx) error {
		destCols, err := pgColumns(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if _, ok := destCols[t]; !ok {
				return fmt.Errorf("table %s has no counterpart in PostgreSQL: are both schemas at the same migration?", t)
			}
		}
		order, err := fkOrder(ctx, tx, tables)
		if err != nil {
			return err
		}
		count := func(t string) (int64, error) {
			var n int64
			err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&n)
			return n, err
		}
		for _, t := range order {
			if n, err := count(t); err != nil {
				return err
			} else if n > 0 {
				return fmt.Errorf("target table %s is not empty (%d rows): migrate-store copies into an empty database", t, n)
			}
		}
		for _, t := range order {
			n, err := count(t)
			if err != nil {
				return err
			}
			// Rows here now were made by triggers on the tables copied
			// before (every table was empty when the copy began).
			derived := n > 0
			if !derived {
				if err := copyTable(ctx, src, tx, t, destCols[t]); err != nil {
					return fmt.Errorf("copy %s: %w", t, err)
				}
			}
			reports = append(reports, CopyReport{Table: t, Derived: derived})
		}
		for i, r := range reports {
			var want, got int64
			if err := src.QueryRowContext(ctx, `SELECT count(*) FROM "`+r.Table+`"`).Scan(&want); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{r.Table}.Sanitize()).Scan(&got); err != nil {
				return err
			}
			if got != want {
				return fmt.Errorf("table %s: %d rows in SQLite, %d in PostgreSQL after the copy", r.Table, want, got)
			}
			reports[i].Rows = got
		}
		return resetIdentities(ctx, tx, order, destCols)
	})
	if err != nil {
		return nil, err
	}
	return reports, nil
}

// pgColumn is one column of a target table.
type pgColumn struct {
	name, dataType string
	notNull        bool
}

func pgColumns(ctx context.Context, tx pgx.Tx) (map[string]map[string]pgColumn, error) {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]pgColumn{}
	for rows.Next() {
		var t string
		var c pgColumn
		if err := rows.Scan(&t, &c.name, &c.dataType, &c.notNull); err != nil {
			return nil, err
		}
		if out[t] == nil {
			out[t] = map[string]pgColumn{}
		}
		out[t][c.name] = c
	}
	return out, rows.Err()
}

// sqliteTables lists the source's kabar tables: not views, not full-text
// indexes (virtual tables and their shadow tables), not bookkeeping.
func sqliteTables(ctx context.Context, src *sql.DB) ([]string, error) {
	rows, err := src.QueryContext(ctx, `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type tbl struct{ name, sql string }
	var all []tbl
	for rows.Next() {
		var t tbl
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			return nil, err
		}
		all = append(all, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var virtual []string
	for _, t := range all {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(t.sql)), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, t.name)
		}
	}
	var out []string
next:
	for _, t := range all {
		if skippedSource(t.name) {
			continue
		}
		for _, v := range virtual {
			if t.name == v || strings.HasPrefix(t.name, v+"_") {
				continue next
			}
		}
		out = append(out, t.name)
	}
	return out, nil
}

// fkOrder sorts tables so that a table comes after those its foreign keys
// point to (self-references aside: a statement's foreign keys are checked at
// its end, so a table may refer to its own rows in any order).
func fkOrder(ctx context.Context, tx pgx.Tx, tables []string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, r.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		if from != to {
			deps[from] = append(deps[from], to)
		}
	}
	rows.Close()
	want := map[string]bool{}
	for _, t := range tables {
		want[t] = true
	}
	sorted := append([]string(nil), tables...)
	sort.Strings(sorted)
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(t string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		for _, d := range deps[t] {
			if want[d] {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	for _, t := range sorted {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func copyTable(ctx context.Context, src *sql.DB, tx pgx.Tx, table string, dest map[string]pgColumn) error {
	rows, err := src.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	cols := make([]pgColumn, len(names))
	for i, n := range names {
		c, ok := dest[n]
		if !ok {
			return fmt.Errorf("column %s.%s has no counterpart in PostgreSQL", table, n)
		}
		cols[i] = c
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var convErr error
	_, err = tx.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]any, len(vals))
		for i, v := range vals {
			if out[i], convErr = convert(v, cols[i]); convErr != nil {
				return nil, fmt.Errorf("column %s: %w", cols[i].name, convErr)
			}
		}
		return out, nil
	}))
	return err
}

// sqliteTimeLayouts are the layouts SQLite stores hold times in: the
// store's own first.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.000000Z", time.RFC3339Nano, "2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05", "2006-01-02"}

// convert turns a SQLite value into one for a PostgreSQL column.
func convert(v any, c pgColumn) (any, error) {
	if b, ok := v.([]byte); ok && c.dataType != "bytea" {
		v = string(b)
	}
	switch c.dataType {
	case "timestamp with time zone", "timestamp without time zone":
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			if x == "" {
				if c.notNull {
					return time.Unix(0, 0).UTC(), nil
				}
				return nil, nil
			}
			for _, l := range sqliteTimeLayouts {
				if t, err := time.Parse(l, x); err == nil {
					return t.UTC(), nil
				}
			}
			return nil, fmt.Errorf("unreadable time %q", x)
		case int64:
			return time.Unix(x, 0).UTC(), nil
		case time.Time:
			return x.UTC(), nil
		}
	case "boolean":
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case string:
			return strconv.ParseBool(x)
		case bool, nil:
			return x, nil
		}
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case string:
			return strconv.ParseInt(x, 10, 64)
		case float64:
			return int64(x), nil
		}
		return v, nil
	case "text", "character varying", "jsonb", "json":
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
		return v, nil
	}
	return v, nil
}

// resetIdentities moves each copied table's id sequence past its largest ID.
func resetIdentities(ctx context.Context, tx pgx.Tx, tables []string, cols map[string]map[string]pgColumn) error {
	for _, t := range tables {
		if _, ok := cols[t]["id"]; !ok {
			continue
		}
		var seq *string
		err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, 'id')`, pgx.Identifier{t}.Sanitize()).Scan(&seq)
		if err != nil {
			return fmt.Errorf("sequence of %s: %w", t, err)
		}
		if seq == nil {
			continue
		}
		if _, err := tx.Exec(ctx, `SELECT setval($1, GREATEST((SELECT max(id) FROM `+pgx.Identifier{t}.Sanitize()+`), 0) + 1, false)`, *seq); err != nil {
			return fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	return nil
}
