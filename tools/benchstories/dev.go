package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/story"
)

type devArticle struct {
	ID        string `json:"id"`
	Cluster   string `json:"cluster"`
	Lang      string `json:"lang"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Published string `json:"published"`
	URL       string `json:"url"`
	Source    string `json:"source"`
	at        time.Time
}

func readDev(path string) ([]devArticle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // only read
	var out []devArticle
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var a devArticle
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			return nil, err
		}
		a.at, _ = time.Parse(time.RFC3339, a.Published)
		out = append(out, a)
	}
	// The order kabar would see them in: by publication time.
	slices.SortStableFunc(out, func(a, b devArticle) int { return a.at.Compare(b.at) })
	return out, sc.Err()
}

// clusterDev assigns every article of the set, in time order, and returns
// article ID → story ID and the assignment time.
func clusterDev(ctx context.Context, arts []devArticle, dir string, cfg story.Config) (map[string]string, time.Duration, error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("dev-%d.db", time.Now().UnixNano())))
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = st.Close() }() // a scratch store, read for its stories
	a := story.NewAssigner(st, cfg)
	pred := map[string]string{}
	ids := map[string]int64{}
	var spent time.Duration
	for i, art := range arts {
		p := devPost(i, art)
		if _, err := st.SavePost(ctx, p); err != nil {
			return nil, 0, err
		}
		t0 := time.Now()
		_, _, err := a.Assign(ctx, p, nil)
		spent += time.Since(t0)
		if err != nil {
			return nil, 0, err
		}
		ids[art.ID] = p.ID
	}
	// Stories merge as posts come: read where each post ended.
	for art, postID := range ids {
		l, err := st.PostStory(ctx, postID)
		if err != nil {
			return nil, 0, err
		}
		pred[art] = strconv.FormatInt(l.StoryID, 10)
	}
	return pred, spent, nil
}

var (
	predOut     = flag.String("pred-out", "", "also write the stories-dev predictions (id<TAB>story) here")
	cvFolds     = flag.Int("folds", 5, "folds of the cross-validation by story (runs with -sweep, or when given; below 2: none)")
	cvStory     = flag.String("cv-story", "0.3,0.4,0.5,0.6,0.7", "join probabilities a fit (and each cross-validation training part) chooses from")
	cvMerge     = flag.String("cv-merge", "0.15,0.30", "merge thresholds a fit (and each cross-validation training part) chooses from")
	fitOut      = flag.String("fit", "", "fit the scorer on all of stories-dev and write it here (internal/story/weights.json)")
	ablation    = flag.Bool("ablation", false, "also print the cross-validated ablation of the scorer's features")
	cvPred      = flag.String("cv-pred", "", "also write each cross-validation fold's predictions (held out alone, among all) into this folder")
	fitFeatures = flag.String("features", "", "comma-separated features for -fit and the cross-validation (default: those of weights.json)")
	foldsSet    bool // -folds given on the command line
)

func benchDev(ctx context.Context, eval, tmp string, cfg story.Config, sweep bool) error {
	gold := filepath.Join(eval, "stories-dev", "stories-dev.jsonl")
	arts, err := readDev(gold)
	if err != nil {
		return fmt.Errorf("%w (set -eval or KABAR_EVAL to the shared evaluation folder)", err)
	}
	fmt.Printf("## Stories: %s (%d articles)\n\n", gold, len(arts))
	labels := map[string]string{}
	for _, a := range arts {
		labels[a.ID] = a.Cluster
	}
	pred, spent, err := clusterDev(ctx, arts, tmp, cfg)
	if err != nil {
		return err
	}
	tsv, err := writeDevPred(arts, pred, tmp)
	if err != nil {
		return err
	}
	s := bcubed(labels, pred)
	scorer := filepath.Join(eval, "score_clusters.py")
	out, err := exec.CommandContext(ctx, "python3", scorer, gold, tsv).CombinedOutput()
	if err != nil {
		fmt.Printf("score_clusters.py did not run (%v); the same formulas here:\n", err)
	} else {
		fmt.Printf("score_clusters.py:\n%s\n", indent(string(out)))
	}
	fmt.Printf("B-cubed P %.3f R %.3f F1 %.3f; pairwise P %.3f R %.3f; %d stories for %d articles; %.0f µs a post\n\n",
		s.P, s.R, s.F, s.PairP, s.PairR, s.Clusters, s.Items, float64(spent.Microseconds())/float64(len(arts)))
	fmt.Printf("ALL_DATA B3-F1 %.3f P %.3f R %.3f (defaults, chosen on these very stories: optimistic)\n\n", s.F, s.P, s.R)
	grid, err := parseGrid(*cvStory, *cvMerge)
	if err != nil {
		return fmt.Errorf("-cv-story, -cv-merge: %w", err)
	}
	if *fitOut != "" {
		if err := fitAll(ctx, arts, tmp, *fitOut, cfg, grid); err != nil {
			return fmt.Errorf("fit: %w", err)
		}
	}
	if *cvFolds > 1 && (sweep || foldsSet) {
		if _, err := crossValidate(ctx, arts, tmp, cfg, *cvFolds, grid, defaultFeatures(), false); err != nil {
			return err
		}
	}
	if *ablation && *cvFolds > 1 {
		if err := ablate(ctx, arts, tmp, cfg, *cvFolds, grid); err != nil {
			return err
		}
	}
	if !sweep {
		return nil
	}
	return sweepDev(ctx, arts, labels, tmp, cfg)
}

// sweepDev prints B-cubed scores over a range of join probabilities, then
// of merge thresholds, each with the other at its default.
func sweepDev(ctx context.Context, arts []devArticle, labels map[string]string, tmp string, cfg story.Config) error {
	def := story.NewAssigner(nil, cfg).Config()
	row := func(label string, c story.Config) error {
		pred, _, err := clusterDev(ctx, arts, tmp, c)
		if err != nil {
			return err
		}
		s := bcubed(labels, pred)
		fmt.Printf("| %s | %.3f | %.3f | %.3f | %d |\n", label, s.P, s.R, s.F, s.Clusters)
		return nil
	}
	fmt.Printf("join probability sweep (merge threshold %.2f; same set, this tool's scorer):\n", def.MergeThreshold)
	fmt.Println("| join probability | B3-P | B3-R | B3-F1 | stories |")
	fmt.Println("|---|---|---|---|---|")
	for _, thr := range []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9} {
		c := cfg
		c.StoryThreshold = thr
		if err := row(fmt.Sprintf("%.2f", thr), c); err != nil {
			return err
		}
	}
	fmt.Printf("\nmerge threshold sweep (join probability %.2f):\n", def.StoryThreshold)
	fmt.Println("| merge threshold | B3-P | B3-R | B3-F1 | stories |")
	fmt.Println("|---|---|---|---|---|")
	for _, thr := range []float64{0.08, 0.10, 0.15, 0.20, 0.30, 0.50, 2} {
		c := cfg
		c.MergeThreshold = thr
		label := fmt.Sprintf("%.2f", thr)
		if thr > 1 {
			label = "no merging"
		}
		if err := row(label, c); err != nil {
			return err
		}
	}
	fmt.Println()
	return nil
}

// writeDevPred writes the predicted stories as the scorer reads them, in
// tmp and at -pred when given, and returns the first file's path.
func writeDevPred(arts []devArticle, pred map[string]string, tmp string) (string, error) {
	tsv := filepath.Join(tmp, "stories-dev.pred.tsv")
	var b strings.Builder
	b.WriteString("# id\tstory (kabar internal/story)\n")
	for _, a := range arts {
		fmt.Fprintf(&b, "%s\t%s\n", a.ID, pred[a.ID])
	}
	if err := os.WriteFile(tsv, []byte(b.String()), 0o644); err != nil {
		return "", err
	}
	if *predOut != "" {
		if err := os.WriteFile(*predOut, []byte(b.String()), 0o644); err != nil {
			return "", err
		}
	}
	return tsv, nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
