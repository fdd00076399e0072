package extract

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// Tricky layouts, one hand-written page each in testdata/golden: captions
// inside the body, multi-page markers, a live blog, a paywall teaser, and
// pages in Russian, Japanese and Arabic. <name>.want.txt holds the fields
// then, after a "---" line, the paragraphs one a line. Run with -update
// to rewrite them after a deliberate change, and read the diff.
func TestGolden(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "golden", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatal("no golden pages", err)
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			art, err := Extract(b, "https://news.example.org/2025/"+name+".html")
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			got := goldenText(art.Title, art.Author, art.Published, art.Language, art.Paragraphs)
			want := filepath.Join("testdata", "golden", name+".want.txt")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			w, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(w) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(w), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, x string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						x = wl[i]
					}
					if g != x {
						t.Errorf("line %d:\n got: %q\nwant: %q", i+1, g, x)
					}
				}
			}
		})
	}
}

func goldenText(title, author string, published time.Time, lang string, paras []string) string {
	var b strings.Builder
	b.WriteString("title: " + title + "\n")
	b.WriteString("author: " + author + "\n")
	p := ""
	if !published.IsZero() {
		p = published.Format(time.RFC3339)
	}
	b.WriteString("published: " + p + "\n")
	b.WriteString("language: " + lang + "\n")
	b.WriteString("---\n")
	for _, s := range paras {
		b.WriteString(s + "\n")
	}
	return b.String()
}
