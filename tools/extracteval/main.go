// Command extracteval runs the extractor over an evaluation folder of
// <id>.html + <id>.json pairs and writes <id>.txt predictions (one paragraph
// a line) for /work/shared/eval/score.py, printing the speed.
//
//	go run ./tools/extracteval -in /work/shared/eval/dev -out /tmp/pred
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/extract"
)

func main() {
	in := flag.String("in", "", "folder with <id>.html and <id>.json")
	out := flag.String("out", "", "folder for <id>.txt predictions")
	only := flag.String("id", "", "run only this page id (prints the text)")
	flag.Parse()
	if *in == "" || (*out == "" && *only == "") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out, *only); err != nil {
		fmt.Fprintln(os.Stderr, "extracteval:", err)
		os.Exit(1)
	}
}

func run(in, out, only string) error {
	files, err := filepath.Glob(filepath.Join(in, "*.html"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
	}
	var durs []time.Duration
	var total time.Duration
	empty := 0
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".html")
		if only != "" && id != only {
			continue
		}
		page, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var meta struct {
			URL string `json:"url"`
		}
		if b, err := os.ReadFile(strings.TrimSuffix(f, ".html") + ".json"); err == nil {
			_ = json.Unmarshal(b, &meta)
		}
		start := time.Now()
		art, err := extract.Extract(page, meta.URL)
		d := time.Since(start)
		durs = append(durs, d)
		total += d
		text := ""
		if err != nil && !errors.Is(err, extract.ErrNoArticle) {
			return fmt.Errorf("%s: %w", id, err)
		}
		if err == nil {
			text = art.Text()
		} else {
			empty++
		}
		if only != "" {
			if art != nil {
				fmt.Printf("title: %q\nauthor: %q\npublished: %v\nimage: %q\nsite: %q\nlang: %q\ncanonical: %q\n---\n", art.Title, art.Author, art.Published, art.Image, art.SiteName, art.Language, art.Canonical)
			}
			fmt.Println(text)
			continue
		}
		if out != "" {
			if err := os.WriteFile(filepath.Join(out, id+".txt"), []byte(text+"\n"), 0o644); err != nil {
				return err
			}
		}
	}
	if len(durs) == 0 {
		return errors.New("no pages")
	}
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	median := durs[len(durs)/2]
	fmt.Printf("pages %d empty %d pages/s %.1f median_ms %.2f p90_ms %.2f\n",
		len(durs), empty, float64(len(durs))/total.Seconds(),
		float64(median.Microseconds())/1000, float64(durs[len(durs)*9/10].Microseconds())/1000)
	return nil
}
