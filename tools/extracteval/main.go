// Command extracteval runs the extractor over an evaluation folder of
// <id>.html + <id>.json pairs and writes <id>.txt predictions (one paragraph
// a line) for /work/shared/eval/score.py. It prints the speed, the metadata
// checks against the gold (title exact after white space folding; published
// day; author) and, with -score, score.py's F1, precision and recall.
//
//	go run ./tools/extracteval -in /work/shared/eval/dev -out /tmp/pred -score /work/shared/eval/score.py
//	go run ./tools/extracteval -in /work/shared/eval/dev -out /tmp/pred -score /work/shared/eval/score.py -spread 1000   # with ± spreads
//	go run ./tools/extracteval -in /work/shared/eval/dev -id ID            # one page's fields and text
//	go run ./tools/extracteval -in /work/shared/eval/dev -id ID -explain   # why each block was kept or dropped
//	go run ./tools/extracteval -in /work/shared/eval/dev-wcxb -misses      # the metadata misses
//	go run ./tools/extracteval -in /work/shared/eval/dev -vs-parse 3       # median time against parse-only
//	go run ./tools/extracteval -in /work/shared/eval/dev -dump /tmp/a       # every field of every article, to diff two versions
//	go run ./tools/extracteval -in /work/shared/eval/dev -cpuprofile /tmp/cpu.out -rounds 5   # profile extraction alone
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"time"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/extract/evalset"
	"github.com/kabarnews/kabar/internal/model"
)

func main() {
	in := flag.String("in", "", "folder with <id>.html and <id>.json")
	out := flag.String("out", "", "folder for <id>.txt predictions")
	only := flag.String("id", "", "run only this page id (prints its fields and text)")
	explain := flag.Bool("explain", false, "with -id: print the block decisions instead")
	scorePy := flag.String("score", "", "score.py to run over the predictions (needs -out)")
	misses := flag.Bool("misses", false, "print every metadata miss against the gold")
	spread := flag.Int("spread", 0, "with -score: bootstrap resamples over pages for the ± spreads (e.g. 1000)")
	vsParse := flag.Int("vs-parse", 0, "time extraction against parse-only, interleaved page by page, best of N runs each")
	dump := flag.String("dump", "", "folder for <id>.json: every field of each article and its error, so two versions can be diffed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of extracting every page -rounds times")
	rounds := flag.Int("rounds", 3, "with -cpuprofile: passes over the set")
	flag.Parse()
	if *in == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *dump != "" || *cpuprofile != "" {
		var err error
		if *dump != "" {
			err = dumpAll(*in, *dump)
		}
		if err == nil && *cpuprofile != "" {
			err = profile(*in, *cpuprofile, *rounds)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "extracteval:", err)
			os.Exit(1)
		}
		return
	}
	if *vsParse > 0 {
		if err := timeVsParse(*in, *vsParse); err != nil {
			fmt.Fprintln(os.Stderr, "extracteval:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*in, *out, *only, *explain, *scorePy, *misses, *spread); err != nil {
		fmt.Fprintln(os.Stderr, "extracteval:", err)
		os.Exit(1)
	}
}

func run(in, out, only string, explain bool, scorePy string, misses bool, spread int) error {
	pages, err := evalset.Load(in)
	if err != nil {
		return err
	}
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
	}
	var durs []time.Duration
	var total time.Duration
	var meta evalset.MetaScore
	empty := 0
	for _, p := range pages {
		if only != "" && p.ID != only {
			continue
		}
		page, err := os.ReadFile(p.Path)
		if err != nil {
			return err
		}
		if only != "" && explain {
			ex, err := extract.Explain(page, p.URL)
			if ex != nil {
				fmt.Print(ex.String())
			}
			return err
		}
		start := time.Now()
		art, err := extract.Extract(page, p.URL)
		d := time.Since(start)
		durs = append(durs, d)
		total += d
		if err != nil && !errors.Is(err, extract.ErrNoArticle) {
			return fmt.Errorf("%s: %w", p.ID, err)
		}
		text := ""
		if err == nil {
			text = art.Text()
		} else {
			empty++
		}
		var m evalset.Meta
		if art != nil {
			m = evalset.Meta{Title: art.Title, Author: art.Author, Published: art.Published}
		}
		meta.Add(p, m)
		if misses {
			printMisses(p, m)
		}
		if only != "" {
			printArticle(art, text)
			continue
		}
		if out != "" {
			if err := os.WriteFile(filepath.Join(out, p.ID+".txt"), []byte(text+"\n"), 0o644); err != nil {
				return err
			}
		}
	}
	if len(durs) == 0 {
		return errors.New("no pages")
	}
	if only != "" {
		return nil
	}
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	median := durs[len(durs)/2]
	fmt.Printf("pages %d empty %d pages/s %.1f median_ms %.2f p90_ms %.2f\n",
		len(durs), empty, float64(len(durs))/total.Seconds(),
		float64(median.Microseconds())/1000, float64(durs[len(durs)*9/10].Microseconds())/1000)
	fmt.Println("meta", meta)
	if scorePy != "" && out != "" {
		return printScore(scorePy, in, out, spread)
	}
	return nil
}

// printScore runs score.py over the predictions and prints its figures.
func printScore(scorePy, in, out string, spread int) error {
	s, err := evalset.RunScoreSpread(scorePy, in, out, spread)
	if err != nil {
		return err
	}
	if spread > 0 {
		fmt.Printf("spread F1 ±%.3f precision ±%.3f recall ±%.3f (bootstrap sd, %d resamples)\n", s.F1Std, s.PrecisionStd, s.RecallStd, spread)
	}
	fmt.Printf("F1 %.3f precision %.3f recall %.3f pages %d\n", s.F1, s.Precision, s.Recall, s.Pages)
	if s.Snippets != "" {
		fmt.Println("snippets", s.Snippets)
	}
	return nil
}

// printMisses prints the page's metadata that differs from its gold.
func printMisses(p evalset.Page, m evalset.Meta) {
	if p.Title != "" && !evalset.TitleMatch(p.Title, m.Title) {
		fmt.Printf("%s title  gold %q got %q\n", p.ID, p.Title, m.Title)
	}
	if p.Date != "" && !evalset.DateMatch(p.Date, m.Published) {
		fmt.Printf("%s date   gold %q got %v\n", p.ID, p.Date, m.Published)
	}
	if p.Author != "" && !evalset.AuthorMatch(p.Author, m.Author) {
		fmt.Printf("%s author gold %q got %q\n", p.ID, p.Author, m.Author)
	}
}

// printArticle prints one page's fields and text.
func printArticle(art *model.Article, text string) {
	if art != nil {
		fmt.Printf("title: %q\nauthor: %q\npublished: %v\nmodified: %v\nimage: %q\nsite: %q\nlang: %q\ncanonical: %q\namp: %q\n---\n",
			art.Title, art.Author, art.Published, art.Modified, art.Image, art.SiteName, art.Language, art.Canonical, art.AMPURL)
	}
	fmt.Println(text)
}

// timeVsParse times, page by page, parse-only and extraction alternately
// (best of n each), so that a shared machine's load falls on both alike,
// and prints both medians and their ratio.
func timeVsParse(in string, n int) error {
	pages, err := evalset.Load(in)
	if err != nil {
		return err
	}
	var parse, ext []time.Duration
	for _, p := range pages {
		page, err := os.ReadFile(p.Path)
		if err != nil {
			return err
		}
		bp, be := time.Duration(1<<62), time.Duration(1<<62)
		for range n {
			start := time.Now()
			evalset.ParseOnly(page)
			bp = min(bp, time.Since(start))
			start = time.Now()
			if _, err := extract.Extract(page, p.URL); err != nil && !errors.Is(err, extract.ErrNoArticle) {
				return fmt.Errorf("%s: %w", p.ID, err)
			}
			be = min(be, time.Since(start))
		}
		parse, ext = append(parse, bp), append(ext, be)
	}
	if len(parse) == 0 {
		return errors.New("no pages")
	}
	med := func(d []time.Duration) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	mp, me := med(parse), med(ext)
	fmt.Printf("pages %d median_ms parse-only %.2f extract %.2f ratio %.2f (best of %d, interleaved)\n", len(parse), mp, me, me/mp, n)
	return nil
}

// dumpAll writes each page's whole article (every field, and the error) as
// JSON, so that a change meant to keep the output can be checked with diff.
func dumpAll(in, out string) error {
	pages, err := evalset.Load(in)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, p := range pages {
		page, err := os.ReadFile(p.Path)
		if err != nil {
			return err
		}
		art, err := extract.Extract(page, p.URL)
		rec := struct {
			Article any
			Err     string
		}{Article: art}
		if err != nil {
			rec.Err = err.Error()
		}
		b, err := json.MarshalIndent(rec, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, p.ID+".json"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// profile extracts every page of the set rounds times under the CPU
// profiler; the pages are read first so that only extraction is sampled.
func profile(in, file string, rounds int) (err error) {
	pages, err := evalset.Load(in)
	if err != nil {
		return err
	}
	bodies := make([][]byte, len(pages))
	for i, p := range pages {
		if bodies[i], err = os.ReadFile(p.Path); err != nil {
			return err
		}
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	// the profile is written as it goes: a failed close loses its end
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	for range rounds {
		for i, p := range pages {
			if _, err := extract.Extract(bodies[i], p.URL); err != nil && !errors.Is(err, extract.ErrNoArticle) {
				return fmt.Errorf("%s: %w", p.ID, err)
			}
		}
	}
	return nil
}
