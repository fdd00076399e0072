package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/story"
)

// fitL2 is the L2 penalty of the fit: small beside the tens of thousands
// of pairs, there to keep features that never vary at weight 0.
const fitL2 = 1.0

// precisionSlack: thresholds whose training F1 is this close to the best
// count as equal, and the most precise of them is chosen (a wrong report
// on a story page costs a reader more than a missing one).
const precisionSlack = 0.005

// devPost is the post kabar makes of a stories-dev article.
func devPost(i int, art devArticle) *model.Post {
	var paras []string
	if art.Text != "" {
		paras = strings.Split(art.Text, "\n")
	}
	p := &model.Post{Title: art.Title, Publisher: art.Source, SourceURL: story.Canonical(art.URL, ""),
		ArticleID: art.ID, Published: art.at, Language: art.Lang, Paragraphs: paras}
	if p.SourceURL == "" {
		p.SourceURL = "https://example.invalid/" + strconv.Itoa(i)
	}
	return p
}

// fitted is a scorer fitted on some stories with the thresholds chosen
// on them.
type fitted struct {
	m      *story.Model
	trainF float64
}

// fitOn fits the scorer's weights on the articles' stories (pairs from
// story.PairExamples), then chooses the join probability and merge
// threshold from grid by the B-cubed F1 of full assignment runs over the
// same articles. Nothing outside arts is looked at.
func fitOn(ctx context.Context, arts []devArticle, tmp string, base story.Config, features []string, grid []cvPoint) (fitted, error) {
	labeled := make([]story.Labeled, len(arts))
	labels := map[string]string{}
	for i, a := range arts {
		labeled[i] = story.Labeled{Post: devPost(i, a), Story: a.Cluster}
		labels[a.ID] = a.Cluster
	}
	m, err := story.Fit(story.PairExamples(labeled, base), features, fitL2)
	if err != nil {
		return fitted{}, err
	}
	m.Priors = story.DefaultModel().Priors
	data, err := m.JSON()
	if err != nil {
		return fitted{}, err
	}
	if m, err = story.ParseModel(data); err != nil { // the priors take their place
		return fitted{}, err
	}
	// Precision first: of the points within precisionSlack of the best F1,
	// the most precise.
	type tried struct {
		fitted
		p float64
	}
	var all []tried
	for _, p := range grid {
		mm := *m
		mm.Join, mm.Merge = p.story, p.merge
		c := base
		c.Model, c.StoryThreshold, c.MergeThreshold = &mm, 0, 0
		pred, _, err := clusterDev(ctx, arts, tmp, c)
		if err != nil {
			return fitted{}, err
		}
		sc := bcubed(labels, pred)
		all = append(all, tried{fitted{m: &mm, trainF: sc.F}, sc.P})
	}
	top := slices.MaxFunc(all, func(a, b tried) int { return cmp.Compare(a.trainF, b.trainF) }).trainF
	all = slices.DeleteFunc(all, func(t tried) bool { return t.trainF < top-precisionSlack })
	return slices.MaxFunc(all, func(a, b tried) int { return cmp.Compare(a.p, b.p) }).fitted, nil
}

// fitAll fits the scorer on every article and writes it to path: the
// shipped weights.json. Cross-validated figures never use it; they refit
// on each fold's training stories.
func fitAll(ctx context.Context, arts []devArticle, tmp, path string, base story.Config, grid []cvPoint) error {
	fs, err := fitOn(ctx, arts, tmp, base, defaultFeatures(), grid)
	if err != nil {
		return err
	}
	fs.m.Source = fmt.Sprintf("stories-dev (%d headlines, %d stories): go run ./tools/benchstories -only stories -fit internal/story/weights.json; join and merge chosen from %s × %s by B-cubed F1 %.3f on the same stories",
		len(arts), countStories(arts), *cvStory, *cvMerge, fs.trainF)
	data, err := fs.m.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("fitted on all %d articles, written to %s:\n%s\n", len(arts), path, data)
	return nil
}

func countStories(arts []devArticle) int {
	seen := map[string]bool{}
	for _, a := range arts {
		seen[a.Cluster] = true
	}
	return len(seen)
}

// defaultFeatures are the features of the shipped scorer.
func defaultFeatures() []string {
	if *fitFeatures != "" {
		return strings.Split(*fitFeatures, ",")
	}
	return story.DefaultModel().Features
}

// ablate prints the cross-validated score of the scorer with each of its
// features left out (and with each unused feature added), refitted on
// every fold's training stories.
func ablate(ctx context.Context, arts []devArticle, tmp string, base story.Config, k int, grid []cvPoint) error {
	feats := defaultFeatures()
	type row struct {
		label string
		fs    []string
	}
	// Features the development stories never set (lead, body: headlines
	// only; other_lang: one language) change nothing there and are left
	// out of the table.
	silent := []string{"lead", "body", "other_lang"}
	rows := []row{{"all features of the scorer", feats}}
	for _, f := range feats {
		if slices.Contains(silent, f) {
			continue
		}
		rows = append(rows, row{"without " + f, slices.DeleteFunc(slices.Clone(feats), func(g string) bool { return g == f })})
	}
	for _, f := range story.FeatureNames {
		if !slices.Contains(feats, f) && !slices.Contains(silent, f) {
			rows = append(rows, row{"with " + f + " added", append(slices.Clone(feats), f)})
		}
	}
	var lines []string
	for _, r := range rows {
		res, err := crossValidate(ctx, arts, tmp, base, k, grid, r.fs, true)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |", r.label,
			meanOf(res, func(s foldScore) float64 { return s.among.F }), meanOf(res, func(s foldScore) float64 { return s.among.P }),
			meanOf(res, func(s foldScore) float64 { return s.among.R }),
			meanOf(res, func(s foldScore) float64 { return s.s.F }), meanOf(res, func(s foldScore) float64 { return s.s.P }),
			meanOf(res, func(s foldScore) float64 { return s.s.R })))
	}
	fmt.Printf("ablation (%d folds by story, refitted on each training part; mean ± sd over folds):\n", k)
	fmt.Println("| scorer | among all: B3-F1 | B3-P | B3-R | held-out alone: B3-F1 | B3-P | B3-R |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, l := range lines {
		fmt.Println(l)
	}
	fmt.Println()
	return nil
}

func meanOf(res []foldScore, get func(foldScore) float64) string {
	var xs []float64
	for _, r := range res {
		xs = append(xs, get(r))
	}
	mean, sd := meanSD(xs)
	return fmt.Sprintf("%.3f ± %.3f", mean, sd)
}
