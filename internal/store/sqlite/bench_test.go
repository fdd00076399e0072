package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// BenchmarkSavePost saves news-sized posts (eight paragraphs of about 60
// words) from 1, 8 and 64 goroutines: one writer commits for all of them,
// so more writers at once make larger groups (write.go). ns/op is the cost
// of one post on the writer.
func BenchmarkSavePost(b *testing.B) {
	words := strings.Fields(`the harbour bridge reopened on monday after months of repairs that
		closed the main road between the old town and the port district while engineers replaced
		its rusted cables and the council argued over who would pay for the work and how long
		the ferries would have to carry the morning traffic across the water`)
	for _, writers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(b.TempDir(), "kabar.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var n atomic.Int64
			b.SetParallelism(max(writers/2, 1)) // GOMAXPROCS is 2 here; 2×4 = 8, 2×32 = 64
			if writers == 1 {
				b.SetParallelism(1)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					paras := make([]string, 8)
					for j := range paras {
						var sb strings.Builder
						for k := 0; k < 60; k++ {
							sb.WriteString(words[(int(i)*7+j*13+k*k)%len(words)])
							sb.WriteByte(' ')
						}
						fmt.Fprintf(&sb, "(%d.%d)", i, j)
						paras[j] = sb.String()
					}
					p := &model.Post{Title: fmt.Sprintf("Bridge reopens, report %d", i),
						SourceURL: fmt.Sprintf("https://coast.example/news/%d", i), Paragraphs: paras,
						ContentHash: fmt.Sprintf("h%d", i), Published: time.Date(2026, 11, 2, 7, 30, 0, 0, time.UTC)}
					if _, err := s.SavePost(ctx, p); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
