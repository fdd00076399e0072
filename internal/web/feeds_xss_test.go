package web

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
)

// newSiteOn is newSite over the named store: "sqlite" or "postgres" (a
// fresh schema; the test fails instead of skipping when CI is set).
func newSiteOn(t *testing.T, kind string, cfg Config) *site {
	t.Helper()
	if kind == "sqlite" {
		return newSite(t, cfg)
	}
	if cfg.MinSubmit == 0 {
		cfg.MinSubmit = -1
	}
	st, err := postgres.Open(t.Context(), pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, st: st, srv: srv}
}

var stores = []string{"sqlite", "postgres"}

// xssVectors reads the shared hostile kit's vectors (KABAR_XSS_VECTORS may
// name another file of the same format).
func xssVectors(t *testing.T) []string {
	t.Helper()
	path := os.Getenv("KABAR_XSS_VECTORS")
	if path == "" {
		path = filepath.Join("..", "sanitize", "testdata", "xss_vectors.jsonl")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []string
	for sc.Scan() {
		var v struct {
			Vector string `json:"vector"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.Vector)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 400 {
		t.Fatalf("read %d vectors from %s, want the whole kit", len(out), path)
	}
	return out
}

// liveMarkup parses s as a browser parses HTML in a <body>, alone and
// followed by markup an unclosed tag would swallow, and names the first
// thing in it that could run script or change the page (the kit's rule and
// its stricter checks); "" when there is none.
func liveMarkup(s string) string {
	for _, in := range []string{s, s + `</div><p title="t">tail</p>`} {
		nodes, err := html.ParseFragment(strings.NewReader(in), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
		if err != nil {
			return "parse error: " + err.Error()
		}
		for _, n := range nodes {
			if bad := liveNode(n); bad != "" {
				return bad
			}
		}
	}
	return ""
}

var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true,
	"poster": true, "background": true, "srcset": true, "data": true, "codebase": true, "cite": true, "dynsrc": true, "lowsrc": true}

func liveNode(n *html.Node) string {
	if n.Type == html.ElementNode {
		switch strings.ToLower(n.Data) {
		case "script", "style", "iframe", "object", "embed", "form", "meta", "base", "link", "frame",
			"frameset", "applet", "animate", "set":
			return "element:" + n.Data
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			if a.Namespace != "" {
				k = strings.ToLower(a.Namespace) + ":" + k
			}
			v := strings.TrimLeft(a.Val, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
			v = strings.ToLower(strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(v))
			switch {
			case strings.HasPrefix(k, "on"), k == "srcdoc":
				return "attr:" + k
			case strings.HasPrefix(v, "javascript:"), strings.HasPrefix(v, "vbscript:"), strings.HasPrefix(v, "livescript:"):
				return "url:" + k
			case urlAttrs[k] && strings.Contains(v, "data:"):
				return "data-url:" + k
			case k == "style" && (strings.Contains(v, "expression(") || strings.Contains(v, "javascript:") ||
				strings.Contains(v, "behavior:") || strings.Contains(v, "-moz-binding")):
				return "style:" + v
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if bad := liveNode(c); bad != "" {
			return bad
		}
	}
	return ""
}

func TestLiveMarkupCatchesRawVectors(t *testing.T) {
	// The checker must see what a reader would run, or the feed test below
	// proves nothing.
	caught := 0
	for _, v := range xssVectors(t) {
		if liveMarkup(v) != "" {
			caught++
		}
	}
	if caught < 200 {
		t.Errorf("the checker flags %d raw vectors; the kit has 204 that execute in a <body>", caught)
	}
	for _, s := range []string{"plain text", "&lt;script&gt;alert(1)&lt;/script&gt;", "<p>fine</p>"} {
		if bad := liveMarkup(s); bad != "" {
			t.Errorf("%q flagged: %s", s, bad)
		}
	}
}

// feedField is one field of a feed as a reader gets it after decoding the
// XML or JSON: asHTML says the reader renders it as HTML.
type feedField struct {
	where  string
	text   string
	asHTML bool
}

// readerFields decodes a feed the way a feed reader does and returns every
// text field with how a reader treats it. RSS's title, dc:creator and
// category have no declared type and many readers render them as HTML, so
// they are checked as HTML too.
func readerFields(t *testing.T, alt, body string) []feedField {
	t.Helper()
	var out []feedField
	switch alt {
	case "rss":
		var d struct {
			Channel struct {
				Title       string `xml:"title"`
				Description string `xml:"description"`
				Items       []struct {
					Title       string   `xml:"title"`
					Description string   `xml:"description"`
					Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
					Creator     string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
					Categories  []string `xml:"category"`
				} `xml:"item"`
			} `xml:"channel"`
		}
		if err := xml.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("rss: %v", err)
		}
		out = append(out, feedField{"channel title", d.Channel.Title, true}, feedField{"channel description", d.Channel.Description, true})
		for _, it := range d.Channel.Items {
			out = append(out, feedField{"title", it.Title, true}, feedField{"description", it.Description, true},
				feedField{"content:encoded", it.Content, true}, feedField{"dc:creator", it.Creator, true})
			for _, c := range it.Categories {
				out = append(out, feedField{"category", c, true})
			}
		}
		if len(d.Channel.Items) == 0 {
			t.Fatal("rss: no items")
		}
	case "atom":
		type text struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		}
		var d struct {
			Title   text `xml:"title"`
			Entries []struct {
				Title   text `xml:"title"`
				Summary text `xml:"summary"`
				Content text `xml:"content"`
				Author  struct {
					Name string `xml:"name"`
				} `xml:"author"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("atom: %v", err)
		}
		// RFC 4287: a text construct is text unless its type says html.
		field := func(where string, x text) feedField {
			return feedField{where, x.Text, x.Type == "html" || x.Type == "xhtml"}
		}
		out = append(out, field("feed title", d.Title))
		for _, e := range d.Entries {
			out = append(out, field("title", e.Title), field("summary", e.Summary), field("content", e.Content),
				feedField{"author", e.Author.Name, false})
		}
		if len(d.Entries) == 0 {
			t.Fatal("atom: no entries")
		}
	case "json":
		// Blogger's GData JSON: a text construct is text unless its type
		// says html, as in Atom.
		type text struct {
			Type string `json:"type"`
			T    string `json:"$t"`
		}
		var d struct {
			Feed struct {
				Title text `json:"title"`
				Entry []struct {
					Title   text  `json:"title"`
					Content *text `json:"content"`
					Author  []struct {
						Name struct {
							T string `json:"$t"`
						} `json:"name"`
					} `json:"author"`
				} `json:"entry"`
			} `json:"feed"`
		}
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("gdata json: %v", err)
		}
		field := func(where string, x text) feedField { return feedField{where, x.T, x.Type == "html"} }
		out = append(out, field("feed title", d.Feed.Title))
		for _, e := range d.Feed.Entry {
			out = append(out, field("title", e.Title), feedField{"author", e.Author[0].Name.T, false})
			if e.Content != nil {
				out = append(out, field("content", *e.Content))
			}
		}
		if len(d.Feed.Entry) == 0 {
			t.Fatal("gdata json: no entries")
		}
	case "jsonfeed":
		var d struct {
			Title string `json:"title"`
			Items []struct {
				Title       string `json:"title"`
				ContentHTML string `json:"content_html"`
				Summary     string `json:"summary"`
				Authors     []struct {
					Name string `json:"name"`
				} `json:"authors"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("json: %v", err)
		}
		for _, it := range d.Items {
			out = append(out, feedField{"title", it.Title, false}, feedField{"content_html", it.ContentHTML, true},
				feedField{"summary", it.Summary, false})
			for _, a := range it.Authors {
				out = append(out, feedField{"author", a.Name, false})
			}
		}
		if len(d.Items) == 0 {
			t.Fatal("json: no items")
		}
	}
	return out
}

// Every vector of the hostile kit, as a post's title, text, author and
// publisher and as a comment's text and name, comes out of every feed
// format as text: a reader that renders the HTML fields finds no live
// markup in them.
func TestFeedsCarryHostileTextAsText(t *testing.T) {
	vectors := xssVectors(t)
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			const chunk = feedMaxItems // one feed page shows a whole chunk
			for start := 0; start < len(vectors); start += chunk {
				s := newSiteOn(t, kind, Config{})
				part := vectors[start:min(start+chunk, len(vectors))]
				seedHostile(t, s, part)
				checked := 0
				for _, path := range []string{"/feeds/posts/default", "/feeds/comments/default"} {
					for _, alt := range []string{"atom", "rss", "json", "jsonfeed"} {
						target := fmt.Sprintf("%s?alt=%s&max-results=%d", path, alt, chunk)
						req := httptest.NewRequest(http.MethodGet, target, nil)
						res, body := s.do(req)
						if res.StatusCode != http.StatusOK {
							t.Fatalf("GET %s: %d", target, res.StatusCode)
						}
						for _, f := range readerFields(t, alt, body) {
							checked++
							if !f.asHTML {
								continue
							}
							if bad := liveMarkup(f.text); bad != "" {
								t.Errorf("%s %s: %s survives in %q", target, f.where, bad, f.text)
							}
						}
					}
				}
				// Six feeds, every item with several fields.
				if checked < 6*len(part) {
					t.Fatalf("checked %d fields for %d vectors", checked, len(part))
				}
			}
		})
	}
}

// The text a reader sees is the comment as typed: markup-looking text is
// shown, not dropped, where the format allows it.
func TestCommentFeedKeepsTextReadable(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	body := `I think a<b and <script>alert(1)</script> & "quotes"`
	s.approve(&model.Comment{PostID: p.ID, Name: "Ann <b>", Body: body, Status: model.CommentApproved, CreatedAt: seedTime})
	_, rss := s.get("/feeds/comments/default?alt=rss")
	fields := readerFields(t, "rss", rss)
	got := map[string]string{}
	for _, f := range fields {
		got[f.where] = f.text
	}
	// description: HTML whose text is the comment exactly.
	doc, err := html.Parse(strings.NewReader(got["description"]))
	if err != nil {
		t.Fatal(err)
	}
	if txt := nodeText(doc); txt != body {
		t.Errorf("description renders as %q, want %q", txt, body)
	}
	// "<b and <script>" is one tag to an HTML parser, so it goes as one.
	if got["title"] != `I think a alert(1) & "quotes"` {
		t.Errorf("title %q", got["title"])
	}
	if got["dc:creator"] != "Ann" {
		t.Errorf("dc:creator %q", got["dc:creator"])
	}
	// Atom and JSON carry the text as typed in their text fields.
	_, atomBody := s.get("/feeds/comments/default")
	for _, f := range readerFields(t, "atom", atomBody) {
		if f.where == "summary" && f.text != body {
			t.Errorf("atom summary %q", f.text)
		}
	}
}

func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(nodeText(c))
	}
	return b.String()
}

func TestRSSText(t *testing.T) {
	cases := map[string]string{
		"Plain title":                         "Plain title",
		"3 < 5 and 7 > 2":                     "3 < 5 and 7 > 2",
		"<script>alert(1)</script>":           "alert(1)",
		"a<b":                                 "a< b",
		"<<b>script>alert(1)<</b>/script>":    "< script>alert(1)< /script>",
		"x <!-- hidden --> y":                 "x y",
		`<img src=x onerror="alert(1)">after`: "after",
		"Tom &amp; Jerry":                     "Tom &amp; Jerry",
	}
	for in, want := range cases {
		got := rssText(in)
		if got != want {
			t.Errorf("rssText(%q) = %q, want %q", in, got, want)
		}
		if bad := liveMarkup(got); bad != "" {
			t.Errorf("rssText(%q) = %q: %s", in, got, bad)
		}
		doc, _ := html.ParseFragment(strings.NewReader(got), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
		for _, n := range doc {
			if n.Type != html.TextNode {
				t.Errorf("rssText(%q) = %q parses to a <%s> element", in, got, n.Data)
			}
		}
	}
}

// seedHostile stores one post and one approved comment per vector, the
// vector in every text field a feed carries.
func seedHostile(t *testing.T, s *site, vectors []string) {
	t.Helper()
	ctx := context.Background()
	f := &model.Feed{URL: "https://news.google.com/rss?hl=en-GB"}
	if err := s.st.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	for i, v := range vectors {
		source := fmt.Sprintf("https://news.example.com/story/%d", i)
		published := seedTime.Add(time.Duration(i) * time.Minute)
		it := &model.Item{FeedID: f.ID, GUID: source, Link: source, Title: v, Publisher: v, Published: published}
		if _, err := s.st.UpsertItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		p := &model.Post{FeedID: f.ID, ItemID: it.ID, Title: v, Author: v, Publisher: v, SourceURL: source,
			ItemLink: source, Published: published, Description: v, Paragraphs: []string{v, "plain " + v}}
		if _, err := s.st.SavePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		c := &model.Comment{PostID: p.ID, Name: cutRunes(v, 80), Body: v, Status: model.CommentApproved, CreatedAt: published}
		if err := s.st.AddComment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
