// Command benchstories measures story assignment (internal/story) three
// ways and prints the figures docs/benchmarks.md (## Stories) records:
//
//  1. Stories: B-cubed precision, recall and F1 of the stories it makes of
//     the labelled headlines in stories-dev (../shared/eval/stories-dev),
//     scored by ../shared/eval/score_clusters.py (and by the same formulas
//     here, for the threshold sweep); then cross-validated by story
//     (-folds): the pair scorer's weights fitted and its thresholds chosen
//     on k−1 folds of stories, the held-out fold scored, mean ± spread
//     printed beside the all-data figure; -ablation refits it without each
//     feature; -fit writes a scorer fitted on all the stories
//     (internal/story/weights.json).
//  2. Copies: pairwise precision and recall of copy detection on the
//     hand-made corpus of internal/story/storytest: each wire story as the
//     original plus -sites copies with random syndication edits, and
//     independent reports of some events as hard negatives; with a sweep
//     of the copy threshold.
//  3. Speed: the time to assign a post with 10 000 and 100 000 posts
//     already stored (synthetic news, -per-day posts a day), on SQLite and
//     PostgreSQL, for this tree's internal/story and for the -baseline
//     commit's in the same run (speed.go), with the index's size and the
//     heap, so that the growth and the window's bound show.
//
// The evaluation data is read where it lies and never copied. `make
// bench-stories` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/story"
)

func main() {
	eval := flag.String("eval", defaultEval(), "the shared evaluation folder (stories-dev/, score_clusters.py)")
	scale := flag.String("scale", "10000,100000", "stored posts before timing assignment, comma-separated")
	measure := flag.Int("measure", 1000, "posts assigned and timed in each speed run")
	warm := flag.Int("warm", 200, "posts assigned untimed in each speed run before the timed ones")
	repeats := flag.Int("repeats", 3, "speed runs of each version at each store and scale")
	stores := flag.String("stores", "sqlite,postgres", "stores the speed part runs on")
	baseline := flag.String("baseline", "808919e^", "the commit whose internal/story the speed part compares with (\"\": none); the default is the last one with hand-set thresholds")
	pgURL := flag.String("pg", pgDefault(), "PostgreSQL server for the speed part; it makes databases kabar_bench_stories_<scale> (kept) and kabar_bench_stories_run")
	cache := flag.String("cache", filepath.Join("out", "benchstories"), "folder where the speed part keeps its filled SQLite stores between runs")
	perDay := flag.Int("per-day", 5000, "synthetic posts published a day")
	sites := flag.Int("sites", 6, "copies of each wire story in the copy set")
	storyThr := flag.Float64("story-threshold", 0, "StoryThreshold, the least probability to join a story (0: the scorer's)")
	copyThr := flag.Float64("copy-threshold", 0, "CopyThreshold (0: default)")
	halfLife := flag.Duration("half-life", 0, "HalfLife, the time decay of word evidence (0: default; negative: none)")
	sweep := flag.Bool("sweep", true, "also sweep the thresholds")
	only := flag.String("only", "stories,copies,speed", "parts to run")
	flag.Parse()
	log.SetFlags(0)
	flag.Visit(func(f *flag.Flag) { foldsSet = foldsSet || f.Name == "folds" })

	cfg := story.Config{StoryThreshold: *storyThr, CopyThreshold: *copyThr, HalfLife: *halfLife}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "benchstories")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(tmp) }() // leftovers in the temporary folder change no figure
	start := time.Now()
	d := story.NewAssigner(nil, cfg).Config()
	fmt.Printf("# benchstories: window %s, join probability %.2f, copy threshold %.2f, half-life %s\n\n", d.Window, d.StoryThreshold, d.CopyThreshold, d.HalfLife)
	if strings.Contains(*only, "stories") {
		if err := benchDev(ctx, *eval, tmp, cfg, *sweep); err != nil {
			log.Fatalf("benchstories: stories: %v", err)
		}
	}
	if strings.Contains(*only, "copies") {
		if err := benchCopies(ctx, tmp, cfg, *sites, *sweep); err != nil {
			log.Fatalf("benchstories: copies: %v", err)
		}
	}
	if strings.Contains(*only, "speed") {
		var sizes []int
		for _, s := range strings.Split(*scale, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				log.Fatalf("benchstories: -scale: %v", err)
			}
			sizes = append(sizes, n)
		}
		o := speedOpts{stores: strings.Split(*stores, ","), sizes: sizes, measure: *measure, warm: *warm,
			repeats: *repeats, perDay: *perDay, baseline: *baseline, pg: *pgURL, cache: *cache}
		if err := benchSpeed(ctx, o); err != nil {
			log.Fatalf("benchstories: speed: %v", err)
		}
	}
	fmt.Printf("\ntotal time %s\n", time.Since(start).Round(time.Second))
}

func pgDefault() string {
	if e := os.Getenv("KABAR_TEST_POSTGRES"); e != "" {
		return e
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func defaultEval() string {
	if e := os.Getenv("KABAR_EVAL"); e != "" {
		return e
	}
	return filepath.Join("..", "shared", "eval")
}
