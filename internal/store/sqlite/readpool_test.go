package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// The reader pool keeps each statement text it runs prepared, answers the
// same as an unprepared query, and stops keeping more at maxPrepared.
func TestReadPoolPrepares(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	base := s.r.prepared()
	var n int
	for range 3 {
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM posts WHERE id > ?`, -1).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.r.prepared(); got != base+1 {
		t.Fatalf("prepared statements after one text run three times: %d, want %d", got, base+1)
	}
	// Texts past the bound still run, unprepared.
	for i := 0; s.r.prepared() < maxPrepared+5 && i < maxPrepared+5; i++ {
		q := fmt.Sprintf(`SELECT %d + count(*) FROM posts`, i)
		if err := s.r.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != i {
			t.Fatalf("%s = %d", q, n)
		}
	}
	if got := s.r.prepared(); got != maxPrepared {
		t.Fatalf("prepared statements: %d, want the bound %d", got, maxPrepared)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT 'over the bound', ?`, 7)
	if err != nil {
		t.Fatal(err)
	}
	var tag string
	for rows.Next() {
		if err := rows.Scan(&tag, &n); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if tag != "over the bound" || n != 7 {
		t.Fatalf("unprepared query past the bound: %q %d", tag, n)
	}
	// A text SQLite refuses is refused with SQLite's error, and not kept.
	err = s.r.QueryRowContext(ctx, `SELECT nope FROM nowhere`).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("bad statement: %v", err)
	}
}
