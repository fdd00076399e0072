package story

import (
	"math"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// A story's word evidence halves every HalfLife between a post and the
// story's nearest report, and is whole within the story's span.
func TestDecayHalvesEvidencePerHalfLife(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		halfLife time.Duration
		want     float64 // score a day later / score at once
	}{
		{24 * time.Hour, 0.5},
		{12 * time.Hour, 0.25},
		{-1, 1},
	} {
		cfg := Config{HalfLife: tc.halfLife}.withDefaults()
		x := newIndex(cfg)
		add := func(id, storyID int64, title string) {
			f := cfg.featuresOf(&model.Post{Title: title})
			x.sign(&f)
			x.add(id, storyID, 0, t0, f)
		}
		add(1, 10, "Plosser says Fed taper pace should not slow after weak data")
		add(2, 20, "Apple unveils new iPhone at Cupertino event")
		add(3, 30, "Malaysia Airlines jet missing over South China Sea")
		q := cfg.featuresOf(&model.Post{Title: "Fed's Plosser: taper pace should stay despite weak data"})
		x.sign(&q)
		now := x.find(&q, t0)
		later := x.find(&q, t0.Add(24*time.Hour))
		if now.storyID != 10 || now.score <= 0 {
			t.Fatalf("half-life %s: at once found story %d score %.3f, want story 10", tc.halfLife, now.storyID, now.score)
		}
		if got := later.score / now.score; math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("half-life %s: a day later the score is %.4f of the score at once, want %.4f", tc.halfLife, got, tc.want)
		}
	}
}
