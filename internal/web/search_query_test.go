package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// /search and /api/posts?q= share the store's search and its query
// language on both stores: word forms, prefixes, a publisher's name,
// exclusions and filters alone find what a reader means, and no odd input
// is a server error or a syntax error shown to the reader.
func TestSearchQueryLanguageOverHTTP(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *site{
		"sqlite":   func(t *testing.T) *site { return newSite(t, Config{}) },
		"postgres": newPostgresSite,
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			for i, p := range []model.Post{
				{Title: "Floods close schools", Language: "en", Publisher: "Jakarta Post", Paragraphs: []string{"Residents were evacuated at dawn."}},
				{Title: "Warga mengungsi", Language: "id", Publisher: "Kompas", Paragraphs: []string{"Tim SAR mengevakuasi korban di Bandung."}},
				{Title: "Citarum meluap", Language: "id", Publisher: "Pikiran Rakyat", Paragraphs: []string{"Air Citarum naik di Bandung selatan."}},
			} {
				p.SourceURL = "https://publisher.example/" + model.Slugify(p.Title)
				p.Published = time.Date(2024, 5, 1+i, 9, 0, 0, 0, time.UTC)
				if _, err := s.st.SavePost(ctx, &p); err != nil {
					t.Fatal(err)
				}
			}
			for q, want := range map[string][]string{
				"flood":            {"Floods close schools"},
				"evacuate":         {"Floods close schools"},
				"evacu*":           {"Floods close schools"},
				"pengungsi":        {"Warga mengungsi"},
				"evakuasi":         {"Warga mengungsi"},
				"Jakarta Post":     {"Floods close schools"},
				"Bandung -Citarum": {"Warga mengungsi"},
				"lang:id":          {"Citarum meluap", "Warga mengungsi"},
				"label:Kompas":     {"Warga mengungsi"},
				"flood OR citarum": {"Citarum meluap", "Floods close schools"},
			} {
				body := s.mustGet("/api/posts?q="+url.QueryEscape(q), http.StatusOK)
				var got apiPosts
				if err := json.Unmarshal([]byte(body), &got); err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				var titles []string
				for _, p := range got.Posts {
					titles = append(titles, p.Title)
				}
				slices.Sort(titles)
				if !slices.Equal(titles, want) || got.Total == nil || *got.Total != len(want) {
					t.Errorf("/api/posts?q=%s: %v, want %v", q, titles, want)
				}
				page := s.mustGet("/search?q="+url.QueryEscape(q), http.StatusOK)
				for _, w := range want {
					contains(t, page, ">"+strings.Fields(w)[0])
				}
			}
			// Filters alone say how they are ordered; the query language is
			// explained under the results in both languages, open when
			// nothing was found.
			contains(t, s.mustGet("/search?q=lang%3Aid&hl=en", http.StatusOK), "2 posts for “lang:id”, newest first.",
				`<details class="search-help"><summary>How to search</summary>`, "-word leaves out posts")
			contains(t, s.mustGet("/search?q=flood+OR+citarum&hl=id", http.StatusOK), "yang paling cocok lebih dulu",
				`<details class="search-help"><summary>Cara mencari</summary>`, "-kata membuang posting")
			contains(t, s.mustGet("/search?q=nothinglikethis&hl=id", http.StatusOK), `<details class="search-help" open><summary>Cara mencari`)
			odd := []string{`"`, `*`, `NEAR(`, `a OR`, `OR`, `-`, `"unclosed phrase`, `label:`, `lang:"`, `before:2024-13-45`,
				"flood\x00", "\xff\xfe", `AND NOT (`, `{}[]^:~`, strings.Repeat("flood ", 1700)}
			for _, q := range odd {
				for _, target := range []string{"/search?q=", "/api/posts?q=", "/feeds/posts/default?q="} {
					res, body := s.get(target + url.QueryEscape(q))
					// Text that holds no character once cleaned is an
					// empty q, which the API answers with a clear 400.
					want := http.StatusOK
					if target == "/api/posts?q=" && strings.Trim(strings.ToValidUTF8(q, ""), "\x00 ") == "" {
						want = http.StatusBadRequest
					}
					if res.StatusCode != want || strings.Contains(strings.ToLower(body), "syntax") {
						t.Errorf("GET %s%.40q: %d, want %d\n%.300s", target, q, res.StatusCode, want, body)
					}
				}
			}
		})
	}
}

// manyMatches is a store whose searches match more posts than the stores
// count (store.SearchCountCap), as a common word does on a large site.
type manyMatches struct{ store.Store }

func (m manyMatches) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, int, error) {
	hits, _, err := m.Store.Search(ctx, q)
	return hits, store.SearchCountCap + 1, err
}

// A count past the cap reads "more than", on the page in both languages
// and in the API.
func TestSearchCountPastTheCap(t *testing.T) {
	s := newSite(t, Config{})
	s.addPost("Floods in Garut", time.Now().Add(-time.Hour), "The river rose overnight.")
	srv, err := New(manyMatches{s.st}, Config{MinSubmit: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	contains(t, s.mustGet("/search?q=flood&hl=en", http.StatusOK), "More than 1,000 posts for “flood”, best matches first.")
	contains(t, s.mustGet("/search?q=flood&hl=id", http.StatusOK), "Lebih dari 1.000 posting untuk “flood”")
	body := s.mustGet("/api/posts?q=flood", http.StatusOK)
	contains(t, body, `"total":1001`, `"total_capped":true`)
}

// askedEarly is a store whose searches report whether the page's comment
// counts were asked for while the search was still reading its hits.
type askedEarly struct {
	Store
	counted chan []int64
	early   bool
}

func (s *askedEarly) CommentCounts(ctx context.Context, ids []int64) (map[int64]int, error) {
	s.counted <- slices.Clone(ids)
	return s.Store.CommentCounts(ctx, ids)
}

func (s *askedEarly) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, int, error) {
	onPage := q.OnPage
	if onPage == nil {
		return s.Store.Search(ctx, q)
	}
	q.OnPage = func(ids []int64) {
		onPage(ids)
		// The site's question comes from a goroutine of its own; a
		// minute is a bound that load cannot reach, not a timing.
		select {
		case got := <-s.counted:
			s.early = slices.Equal(got, ids)
		case <-time.After(time.Minute):
		}
	}
	return s.Store.Search(ctx, q)
}

// A search page asks for its hits' comment counts (and images) as soon as
// the store has ranked them, before the search returns, and shows them.
func TestSearchAsksExtrasEarly(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Floods close schools", seedTime, "Residents were evacuated at dawn.")
	s.addPost("Floods reach the coast", seedTime.Add(time.Hour), "Water rose overnight.")
	s.approve(&model.Comment{PostID: p.ID, Name: "Budi", Body: "Semoga cepat surut.", Status: model.CommentApproved, CreatedAt: seedTime})
	st := &askedEarly{Store: s.st, counted: make(chan []int64, 1)}
	srv, err := New(st, Config{MinSubmit: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	body := s.mustGet("/search?q=floods&hl=en", http.StatusOK)
	if !st.early {
		t.Error("the comment counts were not asked for while the search read its hits")
	}
	contains(t, body, `href="`+p.Path()+`?hl=en#comments">1 comment</a>`, `#comments">No comments</a>`)
}
