package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"
)

// A statement stops when its context ends, in the server and not only in
// Go: pgx asks PostgreSQL to cancel it. The test waits for conditions
// (the statement seen running, then seen gone), never for a time.
func TestCancelStopsTheStatementOnTheServer(t *testing.T) {
	s := open(t)
	tag := "kabar_cancel_" + rand.Text()
	sql := `SELECT pg_sleep(3600) /* ` + tag + ` */`
	active := func() int {
		t.Helper()
		var n int
		err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND query = $1`, sql).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	go func() {
		_, err := s.pool.Exec(ctx, sql)
		result <- err
	}()
	for active() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Fatalf("the statement ended with %v", err)
	}
	for active() != 0 {
		time.Sleep(10 * time.Millisecond)
	}
}
