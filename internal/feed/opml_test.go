package feed

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The OPML exports of four readers, written from their documentation: each
// dialect's folders, attributes and quirks come out as the same feeds.
func TestParseOPMLDialects(t *testing.T) {
	for _, c := range []struct {
		file, title string
		want        []string // "category|url|title"
	}{
		{"miniflux.opml", "Miniflux", []string{
			"All|https://news.example.org/feed.xml|Loop News",
			"Indonesia|https://news.google.com/rss/search?q=pemilu&hl=id&gl=ID&ceid=ID:id|Google News - pemilu",
			"Indonesia|https://www.kompas.example/rss|Kompas",
		}},
		{"freshrss.opml", "FreshRSS", []string{
			"|https://github.com/FreshRSS/FreshRSS/releases.atom|FreshRSS releases",
			"Science|https://science.example.net/physics.rss|Physics & Space",
			"Science|https://news.google.com/rss/headlines/section/topic/SCIENCE?hl=pt-BR&gl=BR&ceid=BR:pt-419|Brasil",
		}},
		{"feedly.opml", "Reader subscriptions in feedly Cloud", []string{
			"Tech|https://www.theverge.example/rss/index.xml|The Verge",
			"Tech|https://news.example.org/feed.xml|Loop News",
			"World|https://news.google.com/rss/headlines/section/topic/WORLD?hl=en-GB&gl=GB&ceid=GB:en|Google News - World",
		}},
		{"inoreader.xml", "Subscriptions of reader from Inoreader [https://www.inoreader.com]", []string{
			"Daily|https://feeds.bbc.example/news/world/rss.xml|BBC News - World",
			"Daily|https://news.example.org/feed.xml|Loop News",
			"Later/Regional|https://news.google.com/rss/headlines/section/geo/Jakarta?hl=id&gl=ID&ceid=ID:id|Jakarta",
			"Blogs/Personal|https://toplevel.example.com/atom.xml|Top level",
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/opml/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			title, feeds, err := ParseOPML(raw)
			if err != nil {
				t.Fatal(err)
			}
			if title != c.title {
				t.Errorf("title %q, want %q", title, c.title)
			}
			var got []string
			for _, f := range feeds {
				got = append(got, f.Category+"|"+f.URL+"|"+f.Title)
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("feeds:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			// What kabar writes reads back the same.
			var buf bytes.Buffer
			if err := WriteOPML(&buf, "kabar", time.Unix(0, 0), feeds); err != nil {
				t.Fatal(err)
			}
			_, again, err := ParseOPML(buf.Bytes())
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			if fmt.Sprint(again) != fmt.Sprint(feeds) {
				t.Errorf("round trip:\n%v\nwant\n%v\n%s", again, feeds, buf.String())
			}
		})
	}
}

func TestWriteOPML(t *testing.T) {
	var buf bytes.Buffer
	err := WriteOPML(&buf, `Tom "&" Jerry`, time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC), []OPMLFeed{
		{URL: "https://a.example/feed?x=1&y=2", Title: "A <b>"},
		{URL: "https://b.example/rss", Category: "News/World"},
		{URL: "https://c.example/rss", Title: "C", Category: "News"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>Tom &#34;&amp;&#34; Jerry</title>
    <dateCreated>Sun, 06 Dec 2026 05:00:00 +0000</dateCreated>
  </head>
  <body>
    <outline type="rss" text="A &lt;b&gt;" title="A &lt;b&gt;" xmlUrl="https://a.example/feed?x=1&amp;y=2"/>
    <outline text="News" title="News">
      <outline type="rss" text="C" title="C" xmlUrl="https://c.example/rss"/>
      <outline text="World" title="World">
        <outline type="rss" text="https://b.example/rss" title="https://b.example/rss" xmlUrl="https://b.example/rss"/>
      </outline>
    </outline>
  </body>
</opml>
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestParseOPMLRefusesOtherDocuments(t *testing.T) {
	for _, doc := range []string{"", "<html><body>hi</body></html>", `<rss version="2.0"><channel/></rss>`, "{}"} {
		if _, _, err := ParseOPML([]byte(doc)); err == nil || !strings.Contains(err.Error(), "not an OPML document") {
			t.Errorf("%q: err = %v", doc, err)
		}
	}
	// An entity bomb stays unexpanded (encoding/xml reads no DTD).
	bomb := `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example/f"/></body></opml>`
	if _, feeds, err := ParseOPML([]byte(bomb)); err == nil && len(feeds) == 1 && strings.Contains(feeds[0].Title, "aaaa") {
		t.Errorf("entity expanded: %v", feeds)
	}
}
