// Package sqlshared is the code the SQLite and PostgreSQL stores share where
// their dialects agree: the columns of the main tables and how a row of them
// becomes a model value, and the defaults a write fills in. The SQL that
// differs (placeholders, upserts, search) stays in each store.
package sqlshared

import (
	"fmt"
	"time"
)

// Scanner is one row to scan: database/sql's *Row and *Rows, pgx's Row,
// Rows and CollectableRow.
type Scanner interface{ Scan(dest ...any) error }

// TextLayout is how SQLite keeps a timestamp (its columns are TEXT; the
// empty string is no time). PostgreSQL's columns are timestamptz.
const TextLayout = "2006-01-02 15:04:05.000000Z"

// Time is the scan destination of a timestamp column of either store: a
// timestamptz (a time.Time, or NULL) or SQLite's text in TextLayout. NULL,
// the empty string and text that does not parse are the zero time, as
// every reader of a post or feed expects of a time never set.
type Time struct{ Value time.Time }

// Scan implements database/sql's Scanner, which pgx also honours.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Value = time.Time{}
	case time.Time:
		t.Value = v.UTC()
	case string:
		t.Value = ParseText(v)
	case []byte:
		t.Value = ParseText(string(v))
	default:
		return fmt.Errorf("timestamp: cannot scan %T", src)
	}
	return nil
}

// ParseText reads a timestamp SQLite keeps; "" and text that does not
// parse are the zero time.
func ParseText(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(TextLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// WithExtra scans a model's columns followed by extra columns of the row,
// so that one Scan function serves queries that select a little more.
type WithExtra struct {
	Scanner
	Extra []any
}

// Scan scans dest, then the extra columns.
func (w WithExtra) Scan(dest ...any) error { return w.Scanner.Scan(append(dest, w.Extra...)...) }

// NullID is an optional reference (a parent comment, a feed): 0 is NULL.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Rows is a query's result: database/sql's *Rows or pgx's Rows.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// ScanMap reads rows of two columns, a key and its value (a count, an ID),
// into out and returns it. The caller closes rows.
func ScanMap[K comparable, V any](rows Rows, out map[K]V) (map[K]V, error) {
	for rows.Next() {
		var k K
		var v V
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}
