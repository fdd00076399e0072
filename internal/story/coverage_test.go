package story

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// coverage is the share of a post's title words a story's titles hold:
// as a story grows with reports in other words, its title cosine with a
// post falls, but the post's words are still all the story's.
func TestCoverageNotDilutedByStorySize(t *testing.T) {
	t0 := time.Date(2014, 3, 11, 10, 0, 0, 0, time.UTC)
	cfg := Config{}.withDefaults()
	x := newIndex(cfg)
	add := func(id, storyID int64, title string) {
		f := cfg.featuresOf(&model.Post{Title: title})
		x.sign(&f)
		x.add(id, storyID, 0, t0, f)
	}
	add(1, 10, "Titanfall ships with 792p rendering on Xbox One")
	add(2, 20, "Chiquita to acquire Fyffes creating biggest banana supplier")
	add(3, 30, "Carney defends Bank of England guidance before Treasury committee")
	q := cfg.featuresOf(&model.Post{Title: "Titanfall 792p rendering"})
	col := slices.Index(FeatureNames, "coverage")
	feats := func() []float64 {
		return x.pairFeatures(&q, x.query(&q), x.stories[10], t0, 0)
	}
	small := feats()
	for i := 0; i < 40; i++ {
		add(int64(100+i), 10, fmt.Sprintf("Respawn reviewer%d praises mech%d campaign", i, i))
	}
	big := feats()
	if math.Abs(small[col]-1) > 1e-9 || math.Abs(big[col]-1) > 1e-9 {
		t.Errorf("coverage %.3f with one report, %.3f with 41: want 1 (every word of the post is the story's)", small[col], big[col])
	}
	if big[0] >= small[0] {
		t.Errorf("title cosine %.3f with 41 reports, %.3f with one: the test wants a diluted centroid", big[0], small[0])
	}
	other := x.pairFeatures(&q, x.query(&q), x.stories[20], t0, 0)
	if other[col] != 0 {
		t.Errorf("coverage with an unrelated story: %.3f, want 0", other[col])
	}
}

// A lone name in common (a place two events of one day share) gives no
// coverage; two words in common do.
func TestCoverageSkipsALoneName(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cfg := Config{}.withDefaults()
	x := newIndex(cfg)
	for i, title := range []string{
		"Presiden Prabowo resmikan Bendungan Jragung di Semarang",
		"Prabowo resmikan Bendungan Jragung, warga Semarang sambut gembira",
	} {
		f := cfg.featuresOf(&model.Post{Title: title, Language: "id"})
		x.sign(&f)
		x.add(int64(i+1), 10, 0, t0, f)
	}
	col := slices.Index(FeatureNames, "coverage")
	cov := func(title string) float64 {
		q := cfg.featuresOf(&model.Post{Title: title, Language: "id"})
		return x.pairFeatures(&q, x.query(&q), x.stories[10], t0, 0)[col]
	}
	if c := cov("Harga cabai rawit di Semarang turun jelang akhir pekan"); c != 0 {
		t.Errorf("a lone place in common: coverage %.3f, want 0", c)
	}
	if c := cov("Warga Semarang sambut Bendungan Jragung"); c <= 0.5 {
		t.Errorf("three words in common: coverage %.3f, want most of the post", c)
	}
}
