package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestAPIPosts(t *testing.T) {
	s := newSite(t, Config{Lang: "id", Location: time.FixedZone("WIB", 7*3600)})
	old := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	newer := s.addPost("EU vows sanctions", seedTime.Add(90*time.Minute), "Text.")

	res, body := s.get("/api/posts")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Decoded loosely, so an extra or renamed field fails the test.
	var got map[string][]map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	want := map[string][]map[string]any{"posts": {
		{"id": float64(newer.ID), "title": "EU vows sanctions", "url": "/2021/11/eu-vows-sanctions.html",
			"source_url": newer.SourceURL, "published": "2021-11-09T17:15:00Z"},
		{"id": float64(old.ID), "title": "Belarus turns to Kremlin", "url": "/2021/11/belarus-turns-to-kremlin.html",
			"source_url": old.SourceURL, "published": "2021-11-09T15:45:00Z"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}

	for target, ids := range map[string][]int64{
		"/api/posts?limit=1":          {newer.ID},
		"/api/posts?limit=1&offset=1": {old.ID},
		"/api/posts?offset=2":         {},
	} {
		res, body := s.get(target)
		var page struct {
			Posts []struct{ ID int64 } `json:"posts"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", target, res.StatusCode, err)
		}
		if page.Posts == nil {
			t.Errorf("%s: posts is null, want a list", target)
		}
		var gotIDs []int64
		for _, p := range page.Posts {
			gotIDs = append(gotIDs, p.ID)
		}
		if !slices.Equal(gotIDs, ids) {
			t.Errorf("%s: ids %v, want %v", target, gotIDs, ids)
		}
	}
}

func TestAPIErrors(t *testing.T) {
	s := newSite(t, Config{})
	cases := []struct {
		target string
		status int
		code   string
	}{
		{"/api/posts?limit=0", http.StatusBadRequest, "invalid_argument"},
		{"/api/posts?limit=101", http.StatusBadRequest, "invalid_argument"},
		{"/api/posts?limit=ten", http.StatusBadRequest, "invalid_argument"},
		{"/api/posts?offset=-1", http.StatusBadRequest, "invalid_argument"},
		{"/api/nothing", http.StatusNotFound, "not_found"},
		{"/api/posts/1/x", http.StatusNotFound, "not_found"},
	}
	for _, c := range cases {
		res, body := s.get(c.target)
		var got map[string]map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Errorf("%s: %v\n%s", c.target, err, body)
			continue
		}
		e := got["error"]
		if res.StatusCode != c.status || len(got) != 1 || len(e) != 2 || e["code"] != c.code || e["message"] == "" {
			t.Errorf("%s: %d %v, want %d with code %q", c.target, res.StatusCode, got, c.status, c.code)
		}
	}
}
