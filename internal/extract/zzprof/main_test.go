package prof

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/extract/evalset"
)

func BenchmarkSet(b *testing.B) {
	dir := os.Getenv("SET")
	ps, err := evalset.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	type pg struct {
		b []byte
		u string
	}
	var pages []pg
	for _, p := range ps {
		d, _ := os.ReadFile(p.Path)
		pages = append(pages, pg{d, p.URL})
	}
	_ = filepath.Join
	_ = strings.Join
	parse := os.Getenv("PARSE") != ""
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range pages {
			if parse {
				evalset.ParseOnly(p.b)
			} else {
				extract.Extract(p.b, p.u)
			}
		}
	}
}
