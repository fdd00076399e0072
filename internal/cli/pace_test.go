package cli

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/pace"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// The resolver's pace is shared through the database: two pacers (two
// processes) on one store space their resolutions, and a 429 blocked by one
// holds the other off with the error the resolver knows (pace.HeldError).
func TestGNewsPaceIsShared(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, b := newGNewsPacer(st, 150*time.Millisecond), newGNewsPacer(st, 150*time.Millisecond)
	start := time.Now()
	for _, p := range []store.SharedPacer{a, b, a} {
		if err := p.Wait(ctx, gnews.PaceKey); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 280*time.Millisecond {
		t.Fatalf("three resolutions through two pacers in %v, want >= 300ms", d)
	}
	until := time.Now().Add(time.Hour)
	if err := a.Block(ctx, gnews.PaceKey, until); err != nil {
		t.Fatal(err)
	}
	err = b.Wait(ctx, gnews.PaceKey)
	var held *pace.HeldError
	if !errors.As(err, &held) || held.Until.Before(until.Add(-time.Second)) {
		t.Fatalf("after a block: %v", err)
	}
}
