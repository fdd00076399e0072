package extract

import (
	"strings"
	"testing"
)

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
		"Ledger Staff":                                                    "Ledger Staff",
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

// Readers' posts go when the page stamps them one by one without a
// "Comments" heading, from a "comments are closed" line on, and a poll's
// box goes with its options.
func TestCommentsAndPolls(t *testing.T) {
	article := `<p>The league leaders dropped two points at home on Tuesday after a late equaliser from the visitors, who had not won away since October.</p>
<p>The manager said his side had been the better team for most of the match, but had failed to make their chances count in the second half.</p>
<div class="poll-box"><p>Will the leaders still win the title?</p><ul><li>Yes</li><li>No</li><li>Don't know</li></ul></div>
<p>The two sides meet again in the cup next month, when the home side will be without their captain, who is suspended after his fifth booking.</p>`
	for name, tail := range map[string]string{
		"stamped posts": `<p>Posted by: Dom, Leeds on 5:19pm Tue 1 Jan 08</p><p>A very tight league this year, anyone can beat anyone on their day.</p>
<p>Posted by: Sal, York on 6:02pm Tue 1 Jan 08</p><p>Sort the home form out and we will be laughing by the end of the season, mark my words.</p>`,
		"comments closed": `<p>Comments are now closed for this story</p><p>Ray</p><p>Same old story every week: a goal up and then we sit back and invite them on, it never works.</p>`,
	} {
		t.Run(name, func(t *testing.T) {
			page := `<html><head><title>Leaders held at home</title></head><body><article><h1>Leaders held at home</h1>` + article + tail + `</article></body></html>`
			art, err := Extract([]byte(page), "https://sport.example/football/leaders-held")
			if err != nil {
				t.Fatal(err)
			}
			if len(art.Paragraphs) != 3 || !strings.HasPrefix(art.Paragraphs[2], "The two sides meet again") {
				t.Errorf("got %d paragraphs:\n%s", len(art.Paragraphs), strings.Join(art.Paragraphs, "\n"))
			}
		})
	}
}
