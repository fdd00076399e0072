package extract

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/extract/extracttest"
)

// hugePage is the size of the benchmark's pages, and of the memory tests'
// unless under the race detector (testPageSize): just under the fetcher's
// default body cap (fetch.DefaultMaxBodyBytes, 10 MiB).
const hugePage = 9_900_000

// pageAllocBound is what one extraction may allocate in all, whatever the
// page: slim's limits (slimMaxBytes of markup and text, slimMaxElements
// elements) bound the tree, the tokenizer's pass over the rest allocates
// next to nothing. Before the limits a page of tiny table cells allocated
// 734 MB; now the costliest shapes allocate about 50 MB.
const pageAllocBound = 64 << 20

// allocated returns the bytes f allocates (TotalAlloc, which counts every
// allocation whatever the collector does meanwhile, so the figure does not
// depend on the machine's load, and bounds the live heap's growth) and the
// highest live heap above the heap before the call, sampled every
// millisecond (a figure to print, not to assert).
func allocated(f func()) (total, peak uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var highest atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > highest.Load() {
					highest.Store(m.HeapAlloc)
				}
			}
		}
	}()
	f()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	close(stop)
	<-done
	p := max(highest.Load(), after.HeapAlloc)
	if p > before.HeapAlloc {
		p -= before.HeapAlloc
	} else {
		p = 0
	}
	return after.TotalAlloc - before.TotalAlloc, p
}

// TestHugePagesBounded extracts pages at the body cap in every shape of
// extracttest: each allocates less than pageAllocBound and still gives
// the article it holds; the pages too large to read whole say where they
// were cut.
func TestHugePagesBounded(t *testing.T) {
	for _, shape := range extracttest.Shapes {
		t.Run(shape, func(t *testing.T) {
			page := extracttest.Page(shape, testPageSize)
			var ex *Explanation
			var err error
			total, peak := allocated(func() { ex, err = Explain(page, "https://example.com/news/ferry") })
			t.Logf("page %.1f MB: allocated %.1f MB (%.1fx the page), peak heap about %.1f MB", float64(len(page))/1e6, float64(total)/1e6, float64(total)/float64(len(page)), float64(peak)/1e6)
			if total > pageAllocBound {
				t.Errorf("allocated %d bytes, want at most %d", total, pageAllocBound)
			}
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			paras := ex.Article.Paragraphs
			if len(paras) < 5 || !strings.Contains(paras[0], extracttest.ArticleMarker) || !strings.Contains(paras[4], extracttest.ArticleMarker) {
				t.Errorf("article lost: %d paragraphs, first %.100q", len(paras), strings.Join(paras, "\n"))
			}
			if ex.Article.Title != "Harbour council approves the new ferry timetable" {
				t.Errorf("title %q", ex.Article.Title)
			}
			switch shape {
			case "paragraphs", "table", "spans", "svg", "nested":
				// more content or elements than the limits take
				if !strings.Contains(ex.Cut, "page cut at byte") || !strings.Contains(ex.String(), ex.Cut) {
					t.Errorf("Cut %q, want where the page was cut", ex.Cut)
				}
			default:
				// what goes is never content: nothing is cut
				if ex.Cut != "" {
					t.Errorf("Cut %q for a page whose content fits", ex.Cut)
				}
			}
		})
	}
}

// TestExtractMemoryFlatInPageSize: past the limits, a page twice as large
// costs the same (what the tokenizer's pass over the extra bytes
// allocates is small).
func TestExtractMemoryFlatInPageSize(t *testing.T) {
	for _, shape := range []string{"spans", "paragraphs"} {
		page, double := extracttest.Page(shape, testPageSize), extracttest.Page(shape, 2*testPageSize)
		one, _ := allocated(func() { Extract(page, "") })
		two, _ := allocated(func() { Extract(double, "") })
		if float64(two) > float64(one)*1.2 {
			t.Errorf("%s: %d bytes allocated for a page of %d bytes, %d for one twice as large", shape, one, len(page), two)
		}
	}
}

// BenchmarkExtractPageSize extracts a small article page and huge pages
// of each shape, and reports the peak heap of one extraction (sampled) as
// a ratio to the small page's.
func BenchmarkExtractPageSize(b *testing.B) {
	small := extracttest.Page("paragraphs", 20_000)
	_, smallPeak := allocated(func() { Extract(small, "") })
	smallPeak = max(smallPeak, 1)
	b.Run("small", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			Extract(small, "")
		}
		b.ReportMetric(float64(smallPeak)/1e6, "peak-MB")
	})
	for _, shape := range extracttest.Shapes {
		page := extracttest.Page(shape, hugePage)
		b.Run(shape, func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			for i := 0; i < b.N; i++ {
				_, p := allocated(func() { Extract(page, "") })
				peak = max(peak, p)
			}
			b.ReportMetric(float64(peak)/1e6, "peak-MB")
			b.ReportMetric(float64(peak)/float64(smallPeak), "x-small-peak")
		})
	}
}
