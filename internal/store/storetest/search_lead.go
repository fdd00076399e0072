package storetest

import (
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Ranking weighs title > lead > body: of two posts with the same words and
// date, the one with the searched word in its lead (first paragraph) ranks
// above the one with it deep in the body.
func init() {
	register("Search/LeadOutranksBody", testSearchLead)
}

func testSearchLead(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/lead.xml")
	published := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	save := func(slug, lang string, paras ...string) int64 {
		it := mustItem(t, s, f.ID, slug)
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: "Rain in the hills", Publisher: "Daily",
			Language: lang, SourceURL: "https://publisher.example/" + slug, Published: published, Paragraphs: paras}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatalf("SavePost(%s): %v", slug, err)
		}
		return p.ID
	}
	// The two posts of each pair hold the same words, one of them swapped
	// between the first and the last paragraph. The lead posts are saved
	// first: on a tie the newer ID ranks first, so only the lead's weight
	// can put them on top.
	enLead := save("en-lead", "en",
		"Rescuers reached the landslide at dawn.",
		"Roads into the valley were cut.", "Villagers waited in the school.", "Rain fell again on the hills.")
	enDeep := save("en-deep", "en",
		"Rescuers reached the hills at dawn.",
		"Roads into the valley were cut.", "Villagers waited in the school.", "Rain fell again on the landslide.")
	idLead := save("id-lead", "id",
		"Warga mengungsi ke balai desa.",
		"Jalan ke lembah terputus.", "Relawan membuka dapur umum.", "Hujan turun lagi, warga pergi.")
	idDeep := save("id-deep", "id",
		"Warga pergi ke balai desa.",
		"Jalan ke lembah terputus.", "Relawan membuka dapur umum.", "Hujan turun lagi, warga mengungsi.")
	for _, c := range []struct {
		q string
		first,
		second int64
	}{{"landslides", enLead, enDeep}, {"pengungsi", idLead, idDeep}} {
		hits, total, err := s.Search(ctx, store.SearchQuery{Text: c.q, Limit: 10})
		if err != nil || total != 2 || len(hits) != 2 {
			t.Fatalf("Search(%q) = %d hits of %d, %v; want 2", c.q, len(hits), total, err)
		}
		if hits[0].Post.ID != c.first || hits[1].Post.ID != c.second {
			t.Errorf("Search(%q) ranks %d before %d; want the lead's post %d first", c.q, hits[0].Post.ID, hits[1].Post.ID, c.first)
		}
	}
}
