package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"testing"

	msqlite "modernc.org/sqlite"

	"github.com/kabarnews/kabar/internal/store"
)

// running, when set, is closed by the SQL function test_running() the
// first time a statement calls it: the test knows the statement is under
// way without waiting for a while.
var running atomic.Pointer[chan struct{}]

func init() {
	msqlite.MustRegisterScalarFunction("test_running", 0, func(*msqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		if ch := running.Swap(nil); ch != nil {
			close(*ch)
		}
		return int64(1), nil
	})
}

// A statement stops when its context ends, in the database and not only in
// Go: the driver interrupts SQLite. The statement below never ends by
// itself. The driver interrupts a statement while it makes its first row,
// which is where a search does its work (the count, the ranking); the rows
// after it are lookups by ID.
func TestCancelInterruptsARunningStatement(t *testing.T) {
	ch := make(chan struct{})
	running.Store(&ch)
	s := openBench(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	go func() {
		var n int64
		result <- s.r.QueryRowContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
			SELECT count(*) FROM c WHERE test_running() AND x > 0`).Scan(&n)
	}()
	<-ch     // the statement runs
	cancel() // and its reader goes
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Fatalf("the statement ended with %v", err)
	}
	// The connection serves the next reader.
	if _, _, err := s.Search(context.Background(), store.SearchQuery{Text: "anything"}); err != nil {
		t.Fatalf("search after an interrupt: %v", err)
	}
}
