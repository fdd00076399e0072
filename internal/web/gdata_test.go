package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// gdataDoc as a widget reads it: every value behind "$t".
type gdataRead struct {
	Feed struct {
		Title struct {
			T string `json:"$t"`
		} `json:"title"`
		TotalResults struct {
			T string `json:"$t"`
		} `json:"openSearch$totalResults"`
		StartIndex struct {
			T string `json:"$t"`
		} `json:"openSearch$startIndex"`
		Link  []struct{ Rel, Href string } `json:"link"`
		Entry []struct {
			ID struct {
				T string `json:"$t"`
			} `json:"id"`
			Title struct {
				T string `json:"$t"`
			} `json:"title"`
			Published struct {
				T string `json:"$t"`
			} `json:"published"`
			Content *struct {
				T string `json:"$t"`
			} `json:"content"`
			Summary *struct {
				T string `json:"$t"`
			} `json:"summary"`
			Link     []struct{ Rel, Href, Title string } `json:"link"`
			Category []struct{ Term string }             `json:"category"`
			Total    *struct {
				T string `json:"$t"`
			} `json:"thr$total"`
			Author []struct {
				Name struct {
					T string `json:"$t"`
				} `json:"name"`
			} `json:"author"`
			InReplyTo *struct{ Ref, Href string } `json:"thr$in-reply-to"`
		} `json:"entry"`
	} `json:"feed"`
}

func readGData(t *testing.T, s *site, target string) gdataRead {
	t.Helper()
	res, body := s.get(target)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s\n%s", target, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%s: scripts elsewhere may not read it", target)
	}
	var d gdataRead
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("GET %s: %v\n%s", target, err, body)
	}
	return d
}

func (d gdataRead) titles() []string {
	var out []string
	for _, e := range d.Feed.Entry {
		out = append(out, e.Title.T)
	}
	return out
}

func (d gdataRead) link(rel string) string {
	for _, l := range d.Feed.Link {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// gdataSite has seven posts, P1 (oldest) to P7, the odd ones labelled.
func gdataSite(t *testing.T) (*site, []*model.Post) {
	s := newSite(t, Config{BaseURL: "https://blog.example"})
	var posts []*model.Post
	for i := 1; i <= 7; i++ {
		p := s.addPost(fmt.Sprintf("P%d <b>&</b>", i), seedTime.Add(time.Duration(i)*24*time.Hour), fmt.Sprintf("Text of post %d.", i))
		posts = append(posts, p)
		if i%2 == 1 {
			if err := s.st.AddPostLabels(t.Context(), p.ID, []string{"Odd one"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s, posts
}

func TestGDataJSONShape(t *testing.T) {
	s, posts := gdataSite(t)
	s.approve(&model.Comment{PostID: posts[6].ID, Name: "Ani", Body: "First!", Status: model.CommentApproved, CreatedAt: seedTime.Add(8 * 24 * time.Hour)})
	d := readGData(t, s, "/feeds/posts/default?alt=json&max-results=2")
	if d.Feed.TotalResults.T != "7" || d.Feed.StartIndex.T != "1" || d.Feed.Title.T != "kabar" {
		t.Fatalf("feed %+v", d.Feed)
	}
	if got := d.titles(); len(got) != 2 || got[0] != "P7 <b>&</b>" || got[1] != "P6 <b>&</b>" {
		t.Fatalf("titles %q", got)
	}
	e := d.Feed.Entry[0]
	var alternate, replies string
	for _, l := range e.Link {
		switch {
		case l.Rel == "alternate":
			alternate = l.Href
		case l.Rel == "replies" && strings.HasSuffix(l.Href, "/comments/default"):
			replies = l.Href
		}
	}
	if alternate != "https://blog.example"+posts[6].Path() || replies != fmt.Sprintf("https://blog.example/feeds/%d/comments/default", posts[6].ID) {
		t.Errorf("links %+v", e.Link)
	}
	if !strings.HasSuffix(e.ID.T, fmt.Sprintf(".post-%d", posts[6].ID)) || e.Total == nil || e.Total.T != "1" {
		t.Errorf("id %q, comments %+v", e.ID.T, e.Total)
	}
	if e.Content == nil || !strings.Contains(e.Content.T, "<p>Text of post 7.</p>") || e.Summary != nil {
		t.Errorf("content %+v summary %+v", e.Content, e.Summary)
	}
	if e.Published.T != posts[6].Published.UTC().Format("2006-01-02T15:04:05.000Z07:00") || e.Author[0].Name.T != "Sky News" {
		t.Errorf("published %q author %+v", e.Published.T, e.Author)
	}
	if len(e.Category) == 0 || e.Category[len(e.Category)-1].Term == "" {
		t.Errorf("categories %+v", e.Category)
	}
	if next := d.link("next"); !strings.Contains(next, "start-index=3") || !strings.Contains(next, "max-results=2") || d.link("previous") != "" {
		t.Errorf("next %q previous %q", next, d.link("previous"))
	}

	// The summary feed carries a summary and no content.
	sum := readGData(t, s, "/feeds/posts/summary?alt=json&max-results=1")
	if e := sum.Feed.Entry[0]; e.Content != nil || e.Summary == nil || e.Summary.T != "Text of post 7." {
		t.Errorf("summary entry %+v", e)
	}
	// A label named "summary" is a label, not the summary feed.
	if err := s.st.AddPostLabels(t.Context(), posts[0].ID, []string{"summary"}); err != nil {
		t.Fatal(err)
	}
	if e := readGData(t, s, "/feeds/posts/default/-/summary?alt=json").Feed.Entry; len(e) != 1 || e[0].Content == nil {
		t.Errorf("label summary: %+v", e)
	}
	// A label's feed.
	odd := readGData(t, s, "/feeds/posts/default/-/Odd%20one?alt=json")
	if got := odd.titles(); odd.Feed.TotalResults.T != "4" || len(got) != 4 || got[3] != "P1 <b>&</b>" {
		t.Errorf("label feed %s: %q", odd.Feed.TotalResults.T, got)
	}
	// The comments of a post, with the post they answer.
	c := readGData(t, s, fmt.Sprintf("/feeds/%d/comments/default?alt=json", posts[6].ID))
	if c.Feed.TotalResults.T != "1" || len(c.Feed.Entry) != 1 || c.Feed.Entry[0].Author[0].Name.T != "Ani" ||
		c.Feed.Entry[0].InReplyTo == nil || !strings.HasSuffix(c.Feed.Entry[0].InReplyTo.Ref, fmt.Sprintf(".post-%d", posts[6].ID)) {
		t.Errorf("comments %+v", c.Feed)
	}
	if all := readGData(t, s, "/feeds/comments/default?alt=json&max-results=0"); all.Feed.TotalResults.T != "1" || len(all.Feed.Entry) != 0 {
		t.Errorf("comment count only: %+v", all.Feed)
	}
}

// Paging by start-index and max-results is exact at both ends.
func TestGDataPagingEdges(t *testing.T) {
	s, _ := gdataSite(t)
	for _, c := range []struct {
		query string
		want  []string
		next  bool
	}{
		{"start-index=1&max-results=3", []string{"P7", "P6", "P5"}, true},
		{"start-index=4&max-results=3", []string{"P4", "P3", "P2"}, true},
		{"start-index=7&max-results=3", []string{"P1"}, false},
		{"start-index=5&max-results=3", []string{"P3", "P2", "P1"}, false},
		{"start-index=8&max-results=3", nil, false},
		{"start-index=1000&max-results=3", nil, false},
		{"max-results=0", nil, false},
		{"max-results=7", []string{"P7", "P6", "P5", "P4", "P3", "P2", "P1"}, false},
		{"max-results=99999", []string{"P7", "P6", "P5", "P4", "P3", "P2", "P1"}, false},
		{"orderby=published&max-results=1", []string{"P7"}, true},
		{"orderby=updated&max-results=1", []string{"P7"}, true},
		// P3 is on day 3, P5 on day 5: min is inclusive, max exclusive.
		{"published-min=" + seedTime.Add(3*24*time.Hour).Format(time.RFC3339) + "&published-max=" + seedTime.Add(5*24*time.Hour).Format(time.RFC3339), []string{"P4", "P3"}, false},
		{"published-min=" + seedTime.Add(6*24*time.Hour).Format("2006-01-02T15:04:05"), []string{"P7", "P6"}, false},
	} {
		d := readGData(t, s, "/feeds/posts/default?alt=json&"+c.query)
		var got []string
		for _, title := range d.titles() {
			got = append(got, strings.Fields(title)[0])
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %q, want %q", c.query, got, c.want)
		}
		if (d.link("next") != "") != c.next {
			t.Errorf("%s: next link %q", c.query, d.link("next"))
		}
		if !strings.Contains(c.query, "published") && d.Feed.TotalResults.T != "7" {
			t.Errorf("%s: total %s", c.query, d.Feed.TotalResults.T)
		}
	}
	// Atom and RSS page the same way.
	atom := s.mustGet("/feeds/posts/default?start-index=7&max-results=3", http.StatusOK)
	if strings.Count(atom, "<entry>") != 1 || !strings.Contains(atom, "P1 &lt;b&gt;") {
		t.Errorf("atom last page:\n%s", atom)
	}
	if rss := s.mustGet("/feeds/posts/default?alt=rss&start-index=2&max-results=2", http.StatusOK); strings.Count(rss, "<item>") != 2 || !strings.Contains(rss, "P6") {
		t.Errorf("rss page:\n%s", rss)
	}
}

func TestGDataJSONP(t *testing.T) {
	s, _ := gdataSite(t)
	res, body := s.get("/feeds/posts/default?alt=json-in-script&callback=recent.show_1&max-results=1")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(body, "// API callback\nrecent.show_1({") || !strings.HasSuffix(body, "});") {
		t.Fatalf("body %q…", body[:min(len(body), 80)])
	}
	// Markup in a post cannot end the script that loads it.
	if strings.Contains(body, "<b>") || strings.Contains(body, "</") {
		t.Error("raw markup in the script")
	}
	var d gdataRead
	inner := strings.TrimSuffix(strings.TrimPrefix(body, "// API callback\nrecent.show_1("), ");")
	if err := json.Unmarshal([]byte(inner), &d); err != nil || len(d.Feed.Entry) != 1 {
		t.Fatalf("%v %+v", err, d)
	}
	// alt=json with a callback is a script too; without one Blogger's.
	if _, body := s.get("/feeds/posts/default?alt=json&callback=cb&max-results=1"); !strings.HasPrefix(body, "// API callback\ncb({") {
		t.Errorf("alt=json&callback: %q", body[:40])
	}
	if _, body := s.get("/feeds/posts/summary?alt=json-in-script&max-results=1"); !strings.HasPrefix(body, "// API callback\ngdata.io.handleScriptLoaded({") {
		t.Errorf("no callback: %q", body[:40])
	}
	for _, bad := range []string{"alert(1)", "a%3Bb", "x-y", "1abc", "a..b", "a.", "<script>", "a b", strings.Repeat("a", 200), "cb%0a"} {
		if res, body := s.get("/feeds/posts/default?alt=json-in-script&callback=" + strings.ReplaceAll(bad, " ", "%20")); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "callback must be") {
			t.Errorf("callback %q: %d", bad, res.StatusCode)
		}
	}
}

func TestGDataBadParameters(t *testing.T) {
	s, _ := gdataSite(t)
	for target, msg := range map[string]string{
		"/feeds/posts/default?alt=xml":                  "alt must be",
		"/feeds/posts/default?max-results=-1":           "max-results",
		"/feeds/posts/default?max-results=ten":          "max-results",
		"/feeds/posts/default?start-index=0":            "start-index",
		"/feeds/posts/default?start-index=x":            "start-index",
		"/feeds/posts/default?orderby=title":            "orderby",
		"/feeds/posts/default?published-min=yesterday":  "published-min",
		"/feeds/posts/default?published-max=2024-13-01": "published-max",
		"/feeds/comments/default?start-index=-3":        "start-index",
	} {
		if res, body := s.get(target); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, msg) {
			t.Errorf("%s: %d %q", target, res.StatusCode, body)
		}
	}
}

// JSON Feed has its own addresses, which the pages announce.
func TestJSONFeedMoved(t *testing.T) {
	s, _ := gdataSite(t)
	for _, target := range []string{"/feed.json", "/feeds/posts/default?alt=jsonfeed"} {
		res, body := s.get(target)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/feed+json") ||
			!strings.Contains(body, `"version": "https://jsonfeed.org/version/1.1"`) {
			t.Errorf("%s: %d %s", target, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	home := s.mustGet("/", http.StatusOK)
	for _, want := range []string{`<link rel="alternate" type="application/feed&#43;json" title="kabar (JSON Feed)" href="/feeds/posts/default?alt=jsonfeed">`,
		`<a href="/feed.json" type="application/feed+json">`} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	if strings.Contains(home, "alt=json\"") {
		t.Error("home page still announces ?alt=json as JSON Feed")
	}
}
