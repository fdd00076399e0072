package story

import (
	"fmt"
	"math"
	"strings"
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
		if now.storyID != 10 || now.score <= 0 {
			t.Fatalf("half-life %s: at once found story %d score %.3f, want story 10", tc.halfLife, now.storyID, now.score)
		}
		// The word evidence, not the probability the scorer makes of it,
		// halves.
		qq := x.query(&q)
		at := x.pairFeatures(&q, qq, x.stories[10], t0, 0)
		later := x.pairFeatures(&q, qq, x.stories[10], t0.Add(24*time.Hour), 0)
		for i, name := range FeatureNames {
			if name != "title" && name != "best_title" && name != "coverage" {
				continue
			}
			if got := later[i] / at[i]; math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("half-life %s: a day later %s is %.4f of it at once, want %.4f", tc.halfLife, name, got, tc.want)
			}
		}
		if tc.want < 1 && x.find(&q, t0.Add(24*time.Hour)).score >= now.score {
			t.Errorf("half-life %s: the probability did not fall a day later", tc.halfLife)
		}
	}
}

// BenchmarkFindDecay times the index's lookup of a post among 10 000
// others spread over two days, with and without the time decay, so that
// the decay's cost shows as a ratio measured in one run.
func BenchmarkFindDecay(b *testing.B) {
	t0 := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	title := func(i int) string {
		var s []string
		for j := 0; j < 9; j++ {
			// Zipf-like: low ranks common, a story's own words rarer.
			s = append(s, vocab[(i*7919+j*j*104729)%len(vocab)*(j%3+1)/3])
		}
		return strings.Join(s, " ")
	}
	for _, hl := range []time.Duration{-1, 24 * time.Hour} {
		cfg := Config{HalfLife: hl}.withDefaults()
		x := newIndex(cfg)
		for i := 0; i < 10000; i++ {
			f := cfg.featuresOf(&model.Post{Title: title(i)})
			x.sign(&f)
			x.add(int64(i+1), int64(i/20+1), 0, t0.Add(time.Duration(i)*17*time.Second), f)
		}
		qs := make([]features, 200)
		for i := range qs {
			qs[i] = cfg.featuresOf(&model.Post{Title: title(i*37 + 5)})
			x.sign(&qs[i])
		}
		at := t0.Add(48 * time.Hour)
		b.Run(fmt.Sprintf("half-life=%s", hl), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				x.find(&qs[i%len(qs)], at)
			}
		})
	}
}
