package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedParagraphs are the seed article's paragraphs, as the seed document
// has them.
func seedParagraphs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed-document.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "https://news.google.com/") {
			break
		}
		want = append(want, line)
	}
	return want
}

// The seed's publisher in its other layouts: the 2025 article page (video
// players with their accessibility notice and error fallback, a read-aloud
// button, a WhatsApp call, an embedded post, "Read more from Sky News:",
// a podcast call, captions, "Related Topics", the author's role beside the
// name, JSON-LD in a @graph) and the AMP page (amp-video-iframe
// placeholders and fallbacks, amp-twitter, amp-ad, a deck and a
// "By name, role" byline under the headline, an organisation as JSON-LD
// author). Each must give the seed's paragraphs exactly.
func TestSkyNewsLayouts(t *testing.T) {
	want := seedParagraphs(t)
	const title = "Germany urges EU unity amid growing tensions as migrants camp on Poland-Belarus border"
	for _, tc := range []struct{ file, url string }{
		{"sky-2025.html", "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576"},
		{"sky-amp.html", "https://news.sky.com/story/amp/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			page, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			art, err := Extract(page, tc.url)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(want) || i < len(art.Paragraphs); i++ {
				var g, w string
				if i < len(art.Paragraphs) {
					g = art.Paragraphs[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Errorf("paragraph %d:\n got: %q\nwant: %q", i+1, g, w)
				}
			}
			if art.Title != title {
				t.Errorf("title %q, want %q", art.Title, title)
			}
			if art.Author != "Alix Culbertson" {
				t.Errorf("author %q, want Alix Culbertson", art.Author)
			}
			if !art.Published.Equal(time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC)) {
				t.Errorf("published %v", art.Published)
			}
			for _, junk := range []string{"Chrome browser", "can not be played", "Listen to this article", "WhatsApp", "Policja", "Read more", "podcasts", "Related Topics", "Pic:"} {
				if strings.Contains(art.Text(), junk) {
					t.Errorf("text holds %q", junk)
				}
			}
		})
	}
}

// Widget text inside a body goes, with the other lines of its small box;
// article sentences that merely mention browsers, videos or newsletters
// stay.
func TestWidgetLines(t *testing.T) {
	body := `<p>The council approved the budget on Tuesday after a long debate about the cost of new bus lanes in the town centre.</p>
<div class="player"><p>Please use a different browser for a more accessible video player</p></div>
<p>Councillors said the plan would cut journeys by ten minutes for most commuters, although shop owners remain worried.</p>
<div class="app-promo"><p>Follow The Ledger on WhatsApp</p><p>Get the day's top stories straight to your phone every morning</p></div>
<p>The video of the meeting, which the council streamed, could not be played on older browsers, residents complained.</p>
<p>Your browser does not support the audio element.</p>
<p>Officials said the newsletter they send to residents would explain the changes in detail next month.</p>
<p>Listen to this article</p>
<p>Work on the first lane is due to begin in the spring and last about six months, the council said.</p>`
	page := `<html><head><title>Council backs bus lanes</title></head><body><article><h1>Council backs bus lanes</h1>` + body + `</article></body></html>`
	art, err := Extract([]byte(page), "https://ledger.example/news/bus-lanes")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"The council approved the budget on Tuesday after a long debate about the cost of new bus lanes in the town centre.",
		"Councillors said the plan would cut journeys by ten minutes for most commuters, although shop owners remain worried.",
		"The video of the meeting, which the council streamed, could not be played on older browsers, residents complained.",
		"Officials said the newsletter they send to residents would explain the changes in detail next month.",
		"Work on the first lane is due to begin in the spring and last about six months, the council said.",
	}
	if got := strings.Join(art.Paragraphs, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestBylineNames(t *testing.T) {
	for in, want := range map[string]string{
		"By Alix Culbertson, political reporter":                          "Alix Culbertson",
		"Alix Culbertson Political reporter @AlixCulbertson":              "Alix Culbertson",
		"By Sam Coates, Deputy Political Editor":                          "Sam Coates",
		"Written by Beth Rigby, Political Editor | Updated 3 March 2025":  "Beth Rigby",
		"By Jane Doe and John Roe in Kyiv":                                "Jane Doe, John Roe",
		"By Jane Doe, Political Editor, and John Roe, Foreign Reporter":   "Jane Doe, John Roe",
		"This post was written by Dana Pell, Head of Marketing and Sales": "Dana Pell",
		"Jane Doe, John Roe and Ann Poe":                                  "Jane Doe, John Roe and Ann Poe",
		"Podium Staff":                                                    "Podium Staff",
		"Human in the Loop":                                               "",
		"The Example Agency Ltd":                                          "",
		"By Jane Doe":                                                     "Jane Doe",
		"Political Editor":                                                "",
	} {
		if got := bylineName(in); got != want {
			t.Errorf("bylineName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Authors that modern pages give out of the usual places.
func TestAuthorSources(t *testing.T) {
	const body = `<article><h1>How we rebuilt the archive search</h1><p>` +
		`We moved the archive to a new index this spring, which took three months of careful work and a lot of testing.</p><p>` +
		`The old system had grown slow, and readers told us so, which is why we started with the queries they run most.</p><p>` +
		`Search now answers in a fraction of the time it took, and the results are ranked by date as well as by words.</p></article>`
	for name, tc := range map[string]struct{ head, pre, want string }{
		"graph person by @id": {
			head: `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[` +
				`{"@type":"Article","@id":"https://blog.example/a#article","headline":"How we rebuilt the archive search","author":{"@id":"https://blog.example/#/schema/person/9f2"},"publisher":{"@id":"https://blog.example/#org"}},` +
				`{"@type":"Organization","@id":"https://blog.example/#org","name":"Example Blog"},` +
				`{"@type":"Person","@id":"https://blog.example/#/schema/person/9f2","name":"Ruth Okafor"}]}</script>`,
			want: "Ruth Okafor",
		},
		"organisation author yields to byline": {
			head: `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"How we rebuilt the archive search","author":{"@type":"Organization","name":"Example Wire"}}</script>`,
			pre:  `<p class="article-byline">By Tomas Lind, technology correspondent</p>`,
			want: "Tomas Lind",
		},
		"organisation author alone": {
			head: `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"How we rebuilt the archive search","author":{"@type":"Organization","name":"Example Wire"}}</script>`,
			want: "Example Wire",
		},
		"twitter label": {
			head: `<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Priya Raman"><meta name="twitter:label2" content="Est. reading time"><meta name="twitter:data2" content="4 minutes">`,
			want: "Priya Raman",
		},
		"label then name": {
			pre:  `<div class="post-info"><h3>Author</h3><p>Lisa M. Grant</p><h3>Published</h3><p>March 3, 2025</p></div>`,
			want: "Lisa M. Grant",
		},
		"author box name": {
			pre:  `<div class="elementor-author-box"><h4 class="elementor-author-box__name">Owen Pike</h4></div>`,
			want: "Owen Pike",
		},
		"author page link": {
			pre:  `<div class="meta"><a href="/authors/mei-tanaka">Mei Tanaka</a> · 6 min read</div>`,
			want: "Mei Tanaka",
		},
	} {
		t.Run(name, func(t *testing.T) {
			page := `<html><head><title>How we rebuilt the archive search</title>` + tc.head + `</head><body>` + tc.pre + body + `</body></html>`
			art, err := Extract([]byte(page), "https://blog.example/archive-search")
			if err != nil {
				t.Fatal(err)
			}
			if art.Author != tc.want {
				t.Errorf("author %q, want %q", art.Author, tc.want)
			}
		})
	}
}
