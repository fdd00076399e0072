package main

import (
	"fmt"
	"math"
	"testing"
)

// Folds never split a story, hold every story once and have about equal
// numbers of articles.
func TestFoldsKeepStoriesWhole(t *testing.T) {
	var arts []devArticle
	sizes := []int{50, 40, 30, 20, 20, 10, 10, 9, 9, 9}
	for s, n := range sizes {
		for i := 0; i < n; i++ {
			arts = append(arts, devArticle{ID: fmt.Sprintf("a%d-%d", s, i), Cluster: fmt.Sprintf("s%d", s)})
		}
	}
	fs := folds(arts, 3)
	seen := map[string]int{}
	for _, f := range fs {
		for c := range f {
			seen[c]++
		}
	}
	if len(seen) != len(sizes) {
		t.Fatalf("%d stories in the folds, want %d", len(seen), len(sizes))
	}
	for c, n := range seen {
		if n != 1 {
			t.Errorf("story %s in %d folds", c, n)
		}
	}
	load := make([]int, len(fs))
	for i, f := range fs {
		for _, a := range arts {
			if f[a.Cluster] {
				load[i]++
			}
		}
	}
	lo, hi := load[0], load[0]
	for _, l := range load {
		lo, hi = min(lo, l), max(hi, l)
	}
	if hi-lo > 10 {
		t.Errorf("fold sizes %v: more apart than the smallest story", load)
	}
}

// bcubedOn scores the chosen items against whole clusters: a held-out item
// put with a distractor loses precision though the distractor is not scored.
func TestBcubedOnCountsDistractors(t *testing.T) {
	gold := map[string]string{"h1": "H", "h2": "H", "d1": "D", "d2": "D"}
	only := map[string]bool{"h1": true, "h2": true}
	perfect := bcubedOn(gold, map[string]string{"h1": "1", "h2": "1", "d1": "2", "d2": "2"}, only)
	if perfect.P != 1 || perfect.R != 1 || perfect.Items != 2 {
		t.Fatalf("perfect clustering: %+v", perfect)
	}
	mixed := bcubedOn(gold, map[string]string{"h1": "1", "h2": "1", "d1": "1", "d2": "2"}, only)
	if math.Abs(mixed.P-2.0/3) > 1e-9 || mixed.R != 1 {
		t.Fatalf("held-out pair with one distractor: P %.3f R %.3f, want 0.667 and 1", mixed.P, mixed.R)
	}
	if s := bcubed(map[string]string{"h1": "H", "h2": "H"}, map[string]string{"h1": "1", "h2": "1"}); s.F != 1 {
		t.Fatalf("bcubed of a perfect clustering: %+v", s)
	}
}

func TestParseGridRejectsBadValues(t *testing.T) {
	if g, err := parseGrid("0.06,0.08", "0.15"); err != nil || len(g) != 2 {
		t.Fatalf("parseGrid: %v %v", g, err)
	}
	for _, bad := range []string{"", "x", "-0.1", "0"} {
		if _, err := parseGrid(bad, "0.15"); err == nil {
			t.Errorf("parseGrid(%q) accepted", bad)
		}
	}
}
