package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Search finds what a reader means, in English and Indonesian, on every
// store alike: word forms, prefixes, phrases, exclusions, OR and the
// publisher's name (internal/search).
func init() {
	register("Search/WordFormsAndQueryLanguage", testSearchLanguage)
	register("Search/StemmedWordsAreHighlighted", testSearchHighlightsForms)
	register("Search/RecencyBreaksEqualRelevance", testSearchRecency)
}

type langPost struct {
	slug, lang, publisher, author, title, body string
}

var searchLanguagePosts = []langPost{
	{"floods", "en", "Jakarta Post", "", "Floods close schools", "Three rivers rose overnight."},
	{"evacuated", "en", "Reuters", "Ana Lee", "Villagers moved", "Residents were evacuated from the valley at dawn."},
	{"drought", "en", "Reuters", "", "A dry summer", "The harvest failed after months without rain."},
	{"mengungsi", "id", "Kompas", "", "Warga mengungsi", "Ratusan warga mengungsi ke balai desa."},
	{"pengungsian", "id", "Tempo", "", "Posko pengungsian dibuka", "Relawan membantu di posko."},
	{"mengevakuasi", "id", "Detik", "", "Tim SAR bergerak", "Petugas mengevakuasi korban banjir."},
	{"bandung", "id", "Pikiran Rakyat", "", "Banjir di Bandung", "Sungai Cikapundung meluap di Bandung."},
	{"citarum", "id", "Pikiran Rakyat", "", "Bandung dan Citarum", "Air Citarum naik di Bandung selatan."},
	{"phrase", "en", "Antara", "", "Storm report", "A state of emergency was declared in the north."},
	{"scattered", "en", "Antara", "", "Storm aftermath", "The emergency in the state ended; the north declared calm."},
}

func testSearchLanguage(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/lang.xml")
	ids := map[int64]string{}
	for i, lp := range searchLanguagePosts {
		it := mustItem(t, s, f.ID, "lang-"+lp.slug)
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: lp.title, Author: lp.author, Publisher: lp.publisher,
			Language: lp.lang, SourceURL: "https://publisher.example/" + lp.slug,
			Published: time.Date(2024, 5, 1+i, 9, 0, 0, 0, time.UTC), Paragraphs: []string{lp.body}}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatalf("SavePost(%s): %v", lp.slug, err)
		}
		ids[p.ID] = lp.slug
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"flood", []string{"floods"}},
		{"FLOODING", []string{"floods"}},
		{"evacuate", []string{"evacuated"}},
		{"evacu*", []string{"evacuated"}},
		{"pengungsi", []string{"mengungsi", "pengungsian"}},
		{"ungsi", []string{"mengungsi", "pengungsian"}},
		{"evakuasi", []string{"mengevakuasi"}},
		{"Reuters", []string{"drought", "evacuated"}},
		{"Pikiran Rakyat", []string{"bandung", "citarum"}},
		{"Lee", []string{"evacuated"}},
		{"Bandung", []string{"bandung", "citarum"}},
		{"Bandung -Citarum", []string{"bandung"}},
		{`"state of emergency"`, []string{"phrase"}},
		{"state emergency declared", []string{"phrase", "scattered"}},
		{`emergency -"state of emergency"`, []string{"scattered"}},
		{"harvest OR flood", []string{"drought", "floods"}},
		{"harvest OR", []string{"drought"}},
		{"-Bandung", nil},
		{"pengungsi -posko", []string{"mengungsi"}},
		{`"`, nil},
		{"*", nil},
		{"NEAR(", nil},
		{"flood\x00", []string{"floods"}},
		{"flood\xff\xfe", []string{"floods"}},
		{"banjír", []string{"bandung", "mengevakuasi"}},
		{"banjir publisher:detik", []string{"mengevakuasi"}},
		{`bandung source:"pikiran rakyat" -citarum`, []string{"bandung"}},
		{"storm lang:en", []string{"phrase", "scattered"}},
		{"storm lang:id", nil},
		{"storm after:2024-05-10", []string{"scattered"}},
		{"storm before:2024-05-10", []string{"phrase"}},
		{"storm after:yesterday", nil},
		{"publisher:Reuters", []string{"drought", "evacuated"}},
		{"lang:id -Citarum", []string{"bandung", "mengevakuasi", "mengungsi", "pengungsian"}},
		{"lang:xx", nil},
		{"dry publisher:", nil}, // an empty filter is the word "publisher"
	}
	for _, c := range cases {
		hits, total, err := s.Search(ctx, store.SearchQuery{Text: c.q, Limit: 20})
		if err != nil {
			t.Errorf("Search(%q): %v", c.q, err)
			continue
		}
		var got []string
		for _, h := range hits {
			got = append(got, ids[h.Post.ID])
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) || total != len(c.want) {
			t.Errorf("Search(%q) = %v (total %d), want %v", c.q, got, total, c.want)
		}
	}
}

// A hit found through a word form shows that form marked.
func testSearchHighlightsForms(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/hl.xml")
	for i, lp := range []langPost{
		{"hl-en", "en", "", "", "Floods close schools", "Schools shut after the floods."},
		{"hl-id", "id", "", "", "Warga mengungsi", "Posko pengungsian dibuka."},
	} {
		it := mustItem(t, s, f.ID, lp.slug)
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: lp.title, Language: lp.lang,
			SourceURL: "https://publisher.example/" + lp.slug, Published: time.Date(2024, 5, 1+i, 9, 0, 0, 0, time.UTC),
			Paragraphs: []string{lp.body}}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	m := func(w string) string { return store.MarkStart + w + store.MarkEnd }
	for _, c := range []struct{ q, title, snippet string }{
		{"flood", m("Floods") + " close schools", "Schools shut after the " + m("floods") + "."},
		{"pengungsi", "Warga " + m("mengungsi"), "Posko " + m("pengungsian") + " dibuka."},
	} {
		hits, _, err := s.Search(ctx, store.SearchQuery{Text: c.q, Limit: 5})
		if err != nil || len(hits) != 1 {
			t.Fatalf("Search(%q) = %d hits, %v", c.q, len(hits), err)
		}
		if hits[0].Title != c.title || hits[0].Snippet != c.snippet {
			t.Errorf("Search(%q): title %q snippet %q, want %q and %q", c.q, hits[0].Title, hits[0].Snippet, c.title, c.snippet)
		}
	}
}

// Of posts with the same text, the newer ranks first, whatever the order
// they were stored in; a post that matches in its title still beats one a
// year newer that matches in its body only, past the lead
// (search.RecencyDays).
func testSearchRecency(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/recency.xml")
	now := time.Now().UTC()
	save := func(slug, title, body string, published time.Time) int64 {
		it := mustItem(t, s, f.ID, slug)
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: title, Language: "en",
			SourceURL: "https://publisher.example/" + slug, Published: published, Paragraphs: strings.Split(body, "\n")}
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	today := save("r-today", "River report", "The river flooded the town.", now.Add(-time.Hour))
	old := save("r-old", "River report", "The river flooded the city.", now.AddDate(-1, 0, 0))
	older := save("r-older", "River report", "The river flooded the village.", now.AddDate(-2, 0, 0))
	titled := save("r-title", "Floods everywhere", "Nothing else to say here at all today.", now.AddDate(-1, 0, 0))
	body := save("r-body", "Weather", "Some rain today.\nAnd floods somewhere, among many other words of a long text.", now.Add(-2*time.Hour))
	ids := func(q string) []int64 {
		hits, _, err := s.Search(ctx, store.SearchQuery{Text: q, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range hits {
			out = append(out, h.Post.ID)
		}
		return out
	}
	if got, want := ids("river report"), []int64{today, old, older}; !slices.Equal(got, want) {
		t.Errorf("river report: %v, want %v (newest first)", got, want)
	}
	if got := ids("floods -river"); len(got) != 2 || got[0] != titled || got[1] != body {
		t.Errorf("floods: %v, want the title match %d before the body match %d", got, titled, body)
	}
}
