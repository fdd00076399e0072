package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// A query of filters alone lists the posts they select, newest first
// (relevance has nothing to weigh), paged like any search.
func init() {
	register("Search/FiltersAloneListNewestFirst", testSearchFiltersAlone)
}

func testSearchFiltersAlone(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/filters.xml")
	base := time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC)
	var want []int64 // the Antara posts, newest first
	// Stored out of date order, so that ID order is not date order.
	for i, day := range []int{3, 1, 5, 2, 4} {
		it := mustItem(t, s, f.ID, fmt.Sprintf("filter-%d", i))
		publisher := "Antara"
		if i == 2 {
			publisher = "Kompas"
		}
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: fmt.Sprintf("Harga beras hari %d", day), Publisher: publisher,
			Language: "id", SourceURL: fmt.Sprintf("https://publisher.example/filter-%d", i),
			Published: base.AddDate(0, 0, day), Paragraphs: []string{"Harga beras naik lagi."}}
		if i == 4 {
			p.Paragraphs = []string{"Harga gula naik lagi."}
		}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if publisher == "Antara" {
			want = append(want, p.ID)
		}
	}
	// Days 3, 1, 2, 4 were Antara's: newest first is 4, 3, 2, 1.
	want = []int64{want[3], want[0], want[2], want[1]}
	ids := func(q string, limit, offset int) ([]int64, int) {
		hits, total, err := s.Search(ctx, store.SearchQuery{Text: q, Limit: limit, Offset: offset})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		var out []int64
		for _, h := range hits {
			out = append(out, h.Post.ID)
			if h.Snippet == "" || h.Title == "" {
				t.Errorf("Search(%q): hit %d without title or snippet", q, h.Post.ID)
			}
		}
		return out, total
	}
	if got, total := ids("publisher:antara", 10, 0); !slices.Equal(got, want) || total != 4 {
		t.Errorf("publisher:antara = %v (total %d), want %v newest first", got, total, want)
	}
	if got, total := ids("publisher:Antara", 2, 2); !slices.Equal(got, want[2:]) || total != 4 {
		t.Errorf("publisher:Antara, second page = %v (total %d), want %v", got, total, want[2:])
	}
	if got, total := ids("publisher:Antara -gula", 10, 0); !slices.Equal(got, want[1:]) || total != 3 {
		t.Errorf("publisher:Antara -gula = %v (total %d), want %v", got, total, want[1:])
	}
	if got, _ := ids("publisher:Antara after:2024-07-04", 10, 0); !slices.Equal(got, want[:2]) {
		t.Errorf("publisher:Antara after:2024-07-04 = %v, want %v", got, want[:2])
	}
	if got, total := ids("publisher:Nobody", 10, 0); len(got) != 0 || total != 0 {
		t.Errorf("publisher:Nobody = %v (total %d)", got, total)
	}
}
