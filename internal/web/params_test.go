package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
)

// newPostgresSite is newSite over a fresh PostgreSQL schema: the store
// whose errors a reader's odd parameters used to raise.
func newPostgresSite(t *testing.T) *site {
	t.Helper()
	st, err := postgres.Open(t.Context(), pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(st, Config{MinSubmit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, st: st, srv: srv}
}

// Finding 3: dashes, NUL, invalid UTF-8 and overlong text in a search, a
// label or a publisher answered 500 on PostgreSQL. Each answers what it
// should, on both stores.
func TestOddParametersAreNeverServerErrors(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *site{
		"sqlite":   func(t *testing.T) *site { return newSite(t, Config{}) },
		"postgres": newPostgresSite,
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			s.addPost("Alpha news", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "The alpha text.")
			dashes := strings.Repeat("-", 40)
			for target, want := range map[string]int{
				"/search?q=" + dashes + "alpha":               http.StatusOK,
				"/search?q=alpha+" + strings.Repeat("-+", 50): http.StatusOK,
				"/search?q=%00":                               http.StatusOK,
				"/search?q=alpha%00":                          http.StatusOK,
				"/search?q=%FF%FEalpha":                       http.StatusOK,
				"/search?q=" + strings.Repeat("alpha+", 3000): http.StatusOK,
				"/search/label/a%00b":                         http.StatusNotFound,
				"/search/label/%FF":                           http.StatusNotFound,
				"/search/label/" + strings.Repeat("x", 5000):  http.StatusNotFound,
				"/publisher/Sky%00News":                       http.StatusNotFound,
				"/publisher/%C3":                              http.StatusNotFound,
				"/api/posts?q=" + dashes + "alpha":            http.StatusOK,
				"/api/posts?q=alpha%00":                       http.StatusOK,
				"/api/posts?label=a%00b":                      http.StatusBadRequest,
				"/api/posts?publisher=%FF":                    http.StatusBadRequest,
				"/2024/05/a%00b.html":                         http.StatusNotFound,
			} {
				if res, body := s.get(target); res.StatusCode != want {
					t.Errorf("GET %.80s: %d, want %d\n%.300s", target, res.StatusCode, want, body)
				}
			}
			// Label feeds, labels and comments by an odd name list nothing.
			for _, target := range []string{"/feeds/posts/default/-/a%00b", "/feeds/posts/default/-/%FF",
				"/feeds/posts/default?q=%00" + dashes, "/api/labels?kind=%00", "/api/comments?status=%FF"} {
				if res, body := s.get(target); res.StatusCode >= 500 {
					t.Errorf("GET %s: %d\n%.300s", target, res.StatusCode, body)
				}
			}
			// The search that was an error finds the post.
			body := s.mustGet("/api/posts?q="+dashes+"alpha", http.StatusOK)
			var got apiPosts
			if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Posts) != 1 {
				t.Fatalf("search with dashes: %s, %v", body, err)
			}
		})
	}
}

// A post longer than kabar stores says so in the API.
func TestAPIPostSaysTruncated(t *testing.T) {
	s := newSite(t, Config{})
	para := strings.Repeat("Long text goes on. ", 100)
	var paras []string
	for len(paras)*len(para) < 2*model.MaxArticleBytes {
		paras = append(paras, para)
	}
	long := s.addPost("Long", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), paras...)
	short := s.addPost("Short", time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), "Brief.")
	for id, want := range map[int64]bool{long.ID: true, short.ID: false} {
		body := s.mustGet(fmt.Sprintf("/api/posts/%d", id), http.StatusOK)
		var got apiPostFull
		if err := json.Unmarshal([]byte(body), &got); err != nil || got.Truncated != want || !strings.Contains(body, `"truncated":`) {
			t.Errorf("post %d: truncated %v, want %v (%v)", id, got.Truncated, want, err)
		}
		if want && len(strings.Join(got.Paragraphs, "\n")) > model.MaxArticleBytes {
			t.Errorf("post %d: %d paragraphs beyond the cap", id, len(got.Paragraphs))
		}
	}
}

// blockingSearch is a store whose searches wait for their context to end,
// as a search over a huge text did.
type blockingSearch struct {
	store.Store
	started chan struct{}
	ended   chan error
}

func (b *blockingSearch) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, int, error) {
	close(b.started)
	<-ctx.Done()
	b.ended <- ctx.Err()
	return nil, 0, ctx.Err()
}

// Finding 1: abandoned searches kept running. A reader who leaves cancels
// the context the store works under.
func TestSearchEndsWhenTheReaderLeaves(t *testing.T) {
	s := newSite(t, Config{})
	st := &blockingSearch{Store: s.st, started: make(chan struct{}), ended: make(chan error, 1)}
	srv, err := New(st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/search?q=alpha", nil)
	done := make(chan error, 1)
	go func() {
		res, err := ts.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	<-st.started
	cancel() // the reader closes the tab
	if err := <-st.ended; err != context.Canceled {
		t.Fatalf("the store's context ended with %v", err)
	}
	if err := <-done; err == nil {
		t.Fatal("the abandoned request got an answer")
	}
}
