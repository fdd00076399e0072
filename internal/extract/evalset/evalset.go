// Package evalset reads the open evaluation sets (folders of <id>.html +
// <id>.json pairs, see /work/shared/eval/README.md), checks extracted
// metadata against their gold and runs the shared scorer, score.py. It is
// used by tools/extracteval and by the benchmark module in bench/; the
// product does not import it.
package evalset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Page is one page of a set: its gold metadata and where its HTML is.
type Page struct {
	ID     string
	Path   string // the <id>.html file
	URL    string
	Title  string // gold title ("" when none)
	Author string // gold author(s) ("" when none)
	Date   string // gold publication date, YYYY-MM-DD ("" when none)
}

// Load lists a set's pages, sorted by id.
func Load(dir string) ([]Page, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("evalset: no pages in %s", dir)
	}
	sort.Strings(files)
	pages := make([]Page, 0, len(files))
	for _, f := range files {
		p := Page{ID: strings.TrimSuffix(filepath.Base(f), ".html"), Path: f}
		if b, err := os.ReadFile(strings.TrimSuffix(f, ".html") + ".json"); err == nil {
			var g struct {
				URL    string `json:"url"`
				Title  string `json:"title"`
				Author string `json:"author"`
				Date   string `json:"date"`
			}
			if err := json.Unmarshal(b, &g); err != nil {
				return nil, fmt.Errorf("evalset: %s: %w", p.ID, err)
			}
			p.URL, p.Title, p.Author, p.Date = g.URL, g.Title, g.Author, g.Date
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// Meta is the metadata an extractor found on a page.
type Meta struct {
	Title     string
	Author    string
	Published time.Time
}

// MetaScore counts metadata checks over a set: titles against every page
// with a gold title, dates and authors against the pages whose gold has one.
type MetaScore struct {
	Titles, TitlesOK   int
	Dates, DatesOK     int
	Authors, AuthorsOK int
}

// Add checks one page's metadata.
func (s *MetaScore) Add(p Page, m Meta) {
	if p.Title != "" {
		s.Titles++
		if TitleMatch(p.Title, m.Title) {
			s.TitlesOK++
		}
	}
	if p.Date != "" {
		s.Dates++
		if DateMatch(p.Date, m.Published) {
			s.DatesOK++
		}
	}
	if p.Author != "" {
		s.Authors++
		if AuthorMatch(p.Author, m.Author) {
			s.AuthorsOK++
		}
	}
}

func share(ok, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(ok) / float64(n)
}

// Title, Date and Author are the shares right ("" sets give 0).
func (s MetaScore) Title() float64  { return share(s.TitlesOK, s.Titles) }
func (s MetaScore) Date() float64   { return share(s.DatesOK, s.Dates) }
func (s MetaScore) Author() float64 { return share(s.AuthorsOK, s.Authors) }

// String prints the checks that the set has gold for.
func (s MetaScore) String() string {
	var parts []string
	if s.Titles > 0 {
		parts = append(parts, fmt.Sprintf("title %.3f (%d/%d)", s.Title(), s.TitlesOK, s.Titles))
	}
	if s.Dates > 0 {
		parts = append(parts, fmt.Sprintf("date %.3f (%d/%d)", s.Date(), s.DatesOK, s.Dates))
	}
	if s.Authors > 0 {
		parts = append(parts, fmt.Sprintf("author %.3f (%d/%d)", s.Author(), s.AuthorsOK, s.Authors))
	}
	return strings.Join(parts, " ")
}

// TitleMatch is the title check: equal after white space is folded.
func TitleMatch(gold, got string) bool {
	return strings.Join(strings.Fields(gold), " ") == strings.Join(strings.Fields(got), " ")
}

// DateMatch is the date check: the day of got, in the zone the page gave
// or else UTC, is the gold day (YYYY-MM-DD).
func DateMatch(gold string, got time.Time) bool {
	if got.IsZero() {
		return false
	}
	return got.Format("2006-01-02") == strings.TrimSpace(gold)
}

// AuthorMatch is the author check. Both sides are folded to lower-case
// words (punctuation and the words "and" and "by" dropped); they match when
// equal, or when one is the start of the other: a gold "Name | Outlet" or
// "Name, Role" is right for a found "Name", and a found "Name, Other" for a
// gold "Name".
func AuthorMatch(gold, got string) bool {
	g, f := authorWords(gold), authorWords(got)
	if len(g) == 0 || len(f) == 0 {
		return false
	}
	short, long := g, f
	if len(f) < len(g) {
		short, long = f, g
	}
	for i, w := range short {
		if long[i] != w {
			return false
		}
	}
	return true
}

func authorWords(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	})
	out := words[:0]
	for _, w := range words {
		if w != "and" && w != "by" {
			out = append(out, w)
		}
	}
	return out
}

// Score is score.py's verdict on a prediction folder.
type Score struct {
	F1, Precision, Recall float64
	// the bootstrap standard deviations over pages, when asked for
	F1Std, PrecisionStd, RecallStd float64
	Pages                          int
	Snippets                       string // the SNIPPETS line's figures, when the set has snippets
}

// RunScore runs python3 scorePy on a gold set and a prediction folder.
func RunScore(scorePy, goldDir, predDir string) (Score, error) {
	return RunScoreSpread(scorePy, goldDir, predDir, 0)
}

// RunScoreSpread is RunScore with score.py's bootstrap over pages
// (resamples of them; 0 for none) giving the spreads.
func RunScoreSpread(scorePy, goldDir, predDir string, resamples int) (Score, error) {
	var s Score
	out, err := exec.Command("python3", scorePy, goldDir, predDir, "--quiet", "--bootstrap", strconv.Itoa(resamples)).Output()
	if err != nil {
		// older scorers may not know --bootstrap
		out, err = exec.Command("python3", scorePy, goldDir, predDir, "--quiet").Output()
		if err != nil {
			return s, fmt.Errorf("evalset: score.py: %w", err)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case len(f) >= 9 && f[0] == "precision" && f[2] == "±" && f[4] == "recall" && f[6] == "±" && f[8] == "F1" && len(f) >= 12:
			// precision 0.964 ± 0.004  recall 0.987 ± 0.002  F1 0.975 ± 0.002 ...
			s.PrecisionStd, _ = strconv.ParseFloat(f[3], 64)
			s.RecallStd, _ = strconv.ParseFloat(f[7], 64)
			s.F1Std, _ = strconv.ParseFloat(f[11], 64)
		case strings.HasPrefix(line, "SNIPPETS"):
			s.Snippets = strings.TrimSpace(strings.TrimPrefix(line, "SNIPPETS"))
		case len(f) >= 8 && f[0] == "F1" && f[2] == "precision" && f[4] == "recall":
			s.F1, _ = strconv.ParseFloat(f[1], 64)
			s.Precision, _ = strconv.ParseFloat(f[3], 64)
			s.Recall, _ = strconv.ParseFloat(f[5], 64)
			s.Pages, _ = strconv.Atoi(f[7])
		}
	}
	if s.Pages == 0 {
		return s, fmt.Errorf("evalset: score.py printed no result line:\n%s", out)
	}
	return s, nil
}
