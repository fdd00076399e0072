package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

// TestLoginAttemptsAcrossProcesses: two stores on one file, as two
// processes of the site would have, count sign-in attempts as one. Each
// store's committer serializes its own writes; between stores it is the
// write lock BEGIN takes (_txlock=immediate) that keeps the read and the
// update of a count together.
func TestLoginAttemptsAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kabar.db")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	p := store.LoginThrottle{Free: 5, First: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const n = 24
	var mu sync.Mutex
	var wg sync.WaitGroup
	free := 0
	for i := range n {
		wg.Go(func() {
			until, err := stores[i%2].LoginAttempt(ctx, "owner", now, p)
			if err != nil {
				t.Error(err)
				return
			}
			if until.IsZero() {
				mu.Lock()
				free++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if free != p.Free {
		t.Fatalf("%d attempts through two stores: %d went on, want %d", n, free, p.Free)
	}
}
