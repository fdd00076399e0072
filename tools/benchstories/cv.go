package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kabarnews/kabar/internal/story"
)

// The stories-dev figure of the defaults is optimistic: they were chosen on
// those very stories, and kabar is judged on other stories of the same
// source. Cross-validation by story gives the honest figure: the stories
// are dealt into k folds (a story is never split), the thresholds are
// chosen on k−1 folds and the held-out fold is scored with them; the mean
// and spread over the folds are what to expect of unseen stories.

// cvPoint is a join probability and merge threshold a training part may
// choose. The grid is kept small: every point costs a full assignment run
// per fold.
type cvPoint struct{ story, merge float64 }

func parseGrid(storyList, mergeList string) ([]cvPoint, error) {
	parse := func(s string) ([]float64, error) {
		var out []float64
		for _, f := range strings.Split(s, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v <= 0 || v >= 1 {
				return nil, fmt.Errorf("grid value %q: want a number between 0 and 1", f)
			}
			out = append(out, v)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("empty grid %q", s)
		}
		return out, nil
	}
	st, err := parse(storyList)
	if err != nil {
		return nil, err
	}
	mt, err := parse(mergeList)
	if err != nil {
		return nil, err
	}
	var g []cvPoint
	for _, s := range st {
		for _, m := range mt {
			g = append(g, cvPoint{s, m})
		}
	}
	return g, nil
}

// folds deals the stories into k folds of about equal numbers of articles:
// the largest story first, each to the fold with fewest articles so far
// (ties: the lowest fold), stories of equal size in the order of their
// IDs, so that the folds are the same on every run.
func folds(arts []devArticle, k int) []map[string]bool {
	size := map[string]int{}
	for _, a := range arts {
		size[a.Cluster]++
	}
	ids := make([]string, 0, len(size))
	for id := range size {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if size[a] != size[b] {
			return size[b] - size[a]
		}
		return strings.Compare(a, b)
	})
	out := make([]map[string]bool, k)
	load := make([]int, k)
	for i := range out {
		out[i] = map[string]bool{}
	}
	for _, id := range ids {
		best := 0
		for f := 1; f < k; f++ {
			if load[f] < load[best] {
				best = f
			}
		}
		out[best][id] = true
		load[best] += size[id]
	}
	return out
}

func subset(arts []devArticle, keep func(devArticle) bool) ([]devArticle, map[string]string) {
	var out []devArticle
	labels := map[string]string{}
	for _, a := range arts {
		if keep(a) {
			out = append(out, a)
			labels[a.ID] = a.Cluster
		}
	}
	return out, labels
}

// foldScore is one held-out fold's result.
type foldScore struct {
	stories, articles int
	chosen            cvPoint
	s                 scores
	// among is the held-out fold's articles scored in a run of every
	// story, the others as distractors (denser, like the real test).
	among scores
}

// crossValidate prints the per-fold table and mean ± spread and returns
// the folds' scores. For each fold the scorer (with features) is fitted
// and its thresholds chosen on the other folds' stories (fitOn), and the
// held-out fold is scored with it. quiet prints only the summary lines.
func crossValidate(ctx context.Context, arts []devArticle, tmp string, base story.Config, k int, grid []cvPoint, features []string, quiet bool) ([]foldScore, error) {
	fs := folds(arts, k)
	var res []foldScore
	if !quiet {
		fmt.Printf("cross-validated by story: %d folds; on the other %d folds the scorer's weights are fitted (features %s) and its join probability × merge threshold chosen from %d points, this tool's scorer:\n", k, k-1, strings.Join(features, ","), len(grid))
		fmt.Println("| fold | stories | articles | chosen join prob | chosen merge thr | train B3-F1 | held-out B3-P | B3-R | B3-F1 | among all: B3-P | B3-R | B3-F1 |")
		fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	}
	allLabels := map[string]string{}
	for _, a := range arts {
		allLabels[a.ID] = a.Cluster
	}
	for i, held := range fs {
		if len(held) == 0 {
			continue
		}
		train, _ := subset(arts, func(a devArticle) bool { return !held[a.Cluster] })
		test, testLabels := subset(arts, func(a devArticle) bool { return held[a.Cluster] })
		fit, err := fitOn(ctx, train, tmp, base, features, grid)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", i+1, err)
		}
		c := base
		c.Model, c.StoryThreshold, c.MergeThreshold = fit.m, 0, 0
		pred, _, err := clusterDev(ctx, test, tmp, c)
		if err != nil {
			return nil, err
		}
		s := bcubed(testLabels, pred)
		all, _, err := clusterDev(ctx, arts, tmp, c)
		if err != nil {
			return nil, err
		}
		only := map[string]bool{}
		for id := range testLabels {
			only[id] = true
		}
		among := bcubedOn(allLabels, all, only)
		if *cvPred != "" && !quiet {
			if err := writePred(filepath.Join(*cvPred, fmt.Sprintf("fold%d-alone.tsv", i+1)), test, pred); err != nil {
				return nil, err
			}
			if err := writePred(filepath.Join(*cvPred, fmt.Sprintf("fold%d-among.tsv", i+1)), arts, all); err != nil {
				return nil, err
			}
		}
		chosen := cvPoint{fit.m.Join, fit.m.Merge}
		res = append(res, foldScore{stories: len(held), articles: len(test), chosen: chosen, s: s, among: among})
		if !quiet {
			fmt.Printf("| %d | %d | %d | %.2f | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n",
				i+1, len(held), len(test), chosen.story, chosen.merge, fit.trainF, s.P, s.R, s.F, among.P, among.R, among.F)
		}
	}
	if quiet {
		return res, nil
	}
	m := func(get func(foldScore) float64) string { return meanOf(res, get) }
	fmt.Printf("\nCROSS_VALIDATED B3-F1 %s P %s R %s (mean ± standard deviation over %d held-out folds)\n",
		m(func(r foldScore) float64 { return r.s.F }), m(func(r foldScore) float64 { return r.s.P }),
		m(func(r foldScore) float64 { return r.s.R }), len(res))
	fmt.Printf("CROSS_VALIDATED_AMONG_ALL B3-F1 %s P %s R %s (held-out folds scored in a run of all stories)\n\n",
		m(func(r foldScore) float64 { return r.among.F }), m(func(r foldScore) float64 { return r.among.P }),
		m(func(r foldScore) float64 { return r.among.R }))
	return res, nil
}

// meanSD is the mean and the sample standard deviation.
func meanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// writePred writes predictions as score_clusters.py reads them.
func writePred(path string, arts []devArticle, pred map[string]string) error {
	var b strings.Builder
	for _, a := range arts {
		fmt.Fprintf(&b, "%s\t%s\n", a.ID, pred[a.ID])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
