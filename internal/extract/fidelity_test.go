package extract

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
		"Dec. 19, 2025 · Jane Doe on behalf of the Example team":          "Jane Doe",
		"19 December 2025 | By Jane Doe":                                  "Jane Doe",
		"Dec. 19, 2025":                                                   "",
		// a date after the name goes whole, with its month and weekday
		"Russell Miller Dec 18, 2025":             "Russell Miller",
		"by Meaghan Weeden ● December 23, 2025 ●": "Meaghan Weeden",
		"Tameka Kee, Friday, Dec 5, 2008":         "Tameka Kee",
		"Published: January 5, 2008":              "",
		"Jun 2 Written By":                        "",
		"The Author":                              "",
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

// A landing page's body is a grid of cards named alike: every card's text
// is the article's, not only the best card's.
func TestCardGrid(t *testing.T) {
	card := func(name, text string) string {
		return `<div class="grid-card"><div class="grid-card-body"><h3><a href="/walks/` + name + `">` + name + `</a></h3><p>` + text + `</p></div></div>`
	}
	intro := `<div class="grid-card-body"><h3>Harbour walks</h3><p>Six walks along the old harbour, from an hour's stroll to a full day, chosen by the people who lead them every weekend, with where to start, what to see on the way, and where to eat afterwards.</p><p>Each walk is marked, signposted, and open all year, though the marsh, the cliff path, and the steps can be slippery after rain, so good shoes, a coat, and a map are wise.</p></div>`
	cards := []string{
		card("The lighthouse loop", "A gentle circuit of the north pier, past the lighthouse and the lifeboat station, with benches every few hundred metres."),
		card("Fishermen's steps", "Steep stairs between the cottages, a fine view of the bay from the top, and a café that opens early for walkers."),
		card("The salt marsh", "Boardwalks over the marsh to the bird hide, best at high tide in autumn, when the geese arrive from the north."),
		card("Cliff path east", "A longer walk on the cliff top to the next village, with the bus back along the coast road every hour."),
	}
	page := `<html><head><title>Harbour walks</title></head><body><nav><a href="/">Home</a> <a href="/walks">Walks</a></nav><main><section class="row hero">` + intro +
		`</section><ul class="filters"><li><a href="?all">All walks</a></li><li><a href="?short">Under an hour</a></li><li><a href="?long">Half a day or more</a></li><li><a href="?dogs">Good for dogs</a></li><li><a href="?buggy">Fine with a pushchair</a></li></ul><section class="row cards">` + strings.Join(cards, "") + `</section></main><footer><p>Quayside Visitors' Office</p></footer></body></html>`
	art, err := Extract([]byte(page), "https://quayside.example/walks")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(art.Paragraphs, "\n")
	for _, want := range []string{"Six walks along the old harbour", "north pier", "Steep stairs", "Boardwalks over the marsh", "cliff top"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q is missing from:\n%s", want, got)
		}
	}
}

// A section whose sentences carry their links is prose and stays; a teaser
// list, whose headlines are links, goes.
func TestLinkedProse(t *testing.T) {
	para := `<p>The harbour board met on Monday to discuss the state of the north pier, which has been closed to the public since the storms of last winter damaged its wooden deck.</p>
<p>Engineers told the board that repairs would take about four months and cost more than the sum set aside in the spring, because the timber must now come from abroad.</p>
<p>The board agreed to ask the council for the difference and to reopen the southern half of the pier as soon as it is safe.</p>
<p>Anglers, who used the pier more than anyone before it closed, have asked the board to let them fish from the southern half while the work goes on, and the board said it would consider it.</p>
<p>The harbour master said the lifeboat station at the end of the pier was not affected, since its crews reach it from the water, and that the ferry timetable would not change.</p>`
	linked := `<div class="box"><p>Photographs of the damage are provided by <a href="/photos">the Quayside Camera Club</a>. To use them, fill out <a href="/form">the club's permission form</a> and say where they will appear, for how long, and who took them, since the members keep the rights to their own work.</p>
<p>You can support the repairs with <a href="/give">a gift to the pier trust</a>, which matches every pound given before the end of the year with one of its own reserves.</p>
<p><a href="/pier">See the pier's page</a></p></div>`
	teasers := `<div class="more"><div><h2><a href="/a">Ferry fares to rise in March</a></h2><p>The ferry company blames the cost of fuel. <a href="/a">Read</a></p></div>
<div><h2><a href="/b">New lifeboat named after volunteer</a></h2><p>The station's new boat honours a volunteer of forty years. <a href="/b">Read</a></p></div></div>`
	page := `<html><head><title>Pier repairs will take four months</title></head><body><article><h1>Pier repairs will take four months</h1><div class="body">` + para + linked + teasers + `</div></article></body></html>`
	art, err := Extract([]byte(page), "https://quayside.example/news/pier")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(art.Paragraphs, "\n")
	for _, want := range []string{"Photographs of the damage", "You can support the repairs"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q is missing from:\n%s", want, got)
		}
	}
	for _, not := range []string{"Ferry fares", "The ferry company", "The station's new boat", "See the pier's page"} {
		if strings.Contains(got, not) {
			t.Errorf("teaser %q is in:\n%s", not, got)
		}
	}
}

// A section of the body that the publisher wrapped in "related" markup
// stays when it is prose; the box of related links beside it goes.
func TestRelatedNamedProse(t *testing.T) {
	body := `<p>Most cars need an oil change every ten thousand miles or once a year, whichever comes first, and the owner's manual says which oil to use.</p>
<p>Tyres should be rotated at every other oil change, and their pressure checked once a month, since a tyre loses about a pound of pressure a month.</p>
<p>Brake pads last between thirty and seventy thousand miles, depending on how and where the car is driven, and squeal when they are worn.</p>
<div class="related-articles-wrapper" id="more-on-maintenance-related-articles"><h2>What a shop may add</h2>
<p>More expensive fluids: stick with the manual's recommendations, because a shop may suggest synthetic fluids that the car does not need.</p>
<p>Flushes: coolant, brake fluid and power steering fluid need changing now and then, but seldom as often as a shop proposes.</p>
<p>Parts that are not worn out yet: a part that will need replacing in a year or two can usually wait until it does, and the money is better spent on the brakes or the tyres.</p></div>
<div class="related-links"><h3>Related</h3><p><a href="/a">How to choose a mechanic you can trust</a></p><p><a href="/b">The best cars for low running costs</a></p><p><a href="/c">When to replace a car battery</a></p></div>`
	page := `<html><head><title>Your car maintenance checklist</title></head><body><article><h1>Your car maintenance checklist</h1><div class="story">` + body + `</div></article></body></html>`
	art, err := Extract([]byte(page), "https://ledger.example/cars/checklist")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(art.Paragraphs, "\n")
	for _, want := range []string{"More expensive fluids", "Flushes:", "Parts that are not worn out"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q is missing from:\n%s", want, got)
		}
	}
	for _, not := range []string{"choose a mechanic", "low running costs"} {
		if strings.Contains(got, not) {
			t.Errorf("related link %q is in:\n%s", not, got)
		}
	}
}

// A "Latest News" heading in the last part of the text ends the article,
// however the list of teasers under it is marked up; the same words early
// in a page, or inside a sentence, do not.
func TestMorePostsHeading(t *testing.T) {
	para := `<p>If someone is not careful at the gym, they may get hurt, and dropping weights or straining too hard are the usual causes of the injuries that reach a lawyer.</p>
<p>Whether someone can sue a gym depends first on the waiver they signed when they joined, which most gyms ask every member to sign before a first visit.</p>
<p>Most waivers protect a gym only from claims of ordinary negligence; a gym that ignored broken equipment for weeks may still be answerable in court.</p>
<p>Owners must also keep their premises safe, so a member who slips on a wet floor that nobody marked may have a claim whatever the waiver says.</p>`
	more := `<div class="sidebar-posts"><div class="heading">Latest News</div>
<div class="post"><h3>Can you sue to receive your benefits?</h3><p>Navigating the disability process can be overwhelming while dealing with a condition that keeps you from working.</p></div>
<div class="post"><h3>Disability laws explained</h3><p>The landscape of disability law is complex, especially when you are already dealing with a serious illness.</p></div></div>`
	page := `<html><head><title>Getting hurt at a gym</title></head><body><div class="page"><h1>Getting hurt at a gym</h1>` + para + more + `</div></body></html>`
	art, err := Extract([]byte(page), "https://lawfirm.example/blog/gym")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(art.Paragraphs, "\n")
	if !strings.Contains(got, "Owners must also keep their premises safe") {
		t.Errorf("the body's end is missing from:\n%s", got)
	}
	for _, not := range []string{"Latest News", "Can you sue", "Navigating the disability process"} {
		if strings.Contains(got, not) {
			t.Errorf("%q is in:\n%s", not, got)
		}
	}
}

// The author's biography at the end of a post goes; a closing sentence
// that only names the author stays.
func TestAuthorBio(t *testing.T) {
	paras := []string{
		"Personal loans can help you cover big expenses, but the rate you are offered depends on your credit score and your income.",
		"Compare at least three lenders before you sign, and look at the yearly rate rather than the monthly payment alone.",
		"Fees matter too: an origination fee of five percent can cost more over the loan's life than a slightly higher rate.",
		"Paying the loan off early saves interest, but some lenders charge for it, so read the terms before you borrow.",
	}
	page := func(last string) string {
		b := ""
		for _, p := range append(append([]string(nil), paras...), last) {
			b += "<p>" + p + "</p>"
		}
		return `<html><head><title>How to compare personal loans</title><meta name="author" content="Cassidy Horn"></head><body><article><h1>How to compare personal loans</h1>` + b + `</article></body></html>`
	}
	for last, kept := range map[string]bool{
		"Cassidy Horn is a finance writer who is passionate about helping people find financial freedom, with an MBA and ten years of experience.": false,
		"Cassidy Horn, a former bank manager, has written about loans and credit cards for a decade.":                                              false,
		"Cassidy Horn said the best loan is often the one you do not take, and that a savings account beats any lender.":                           true,
	} {
		art, err := Extract([]byte(page(last)), "https://ledger.example/money/loans")
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(art.Paragraphs, "\n")
		if strings.Contains(got, last) != kept {
			t.Errorf("kept %v for %q:\n%s", !kept, last, got)
		}
		if !strings.Contains(got, paras[3]) {
			t.Errorf("the body's last paragraph is missing:\n%s", got)
		}
	}
}

// Calls to join a mailing list go as widget lines; sentences about
// newsletters stay.
func TestMailingListCalls(t *testing.T) {
	for _, line := range []string{"Join our newsletter", "Join Our Mailing List! Get a note when an episode is published", "Stay connected with me!", "Was this newsletter forwarded to you? Sign up to get it in your inbox."} {
		if r := dropReason(block{text: line, textLen: len(line)}, ""); r != "widget" {
			t.Errorf("%q: reason %q, want widget", line, r)
		}
	}
	for _, line := range []string{"The council will join the newsletter scheme next year, officials said.", "Readers can stay connected with the library through its new reading groups, which meet weekly."} {
		if r := dropReason(block{text: line, textLen: len(line)}, ""); r != "" {
			t.Errorf("%q: reason %q, want none", line, r)
		}
	}
}

// A page builder prints the body as rows named alike, each paragraph four
// levels down: a row of the article's opening section scores little, but
// is the article's as much as the longest row.
func TestPageBuilderRowsNamedAlike(t *testing.T) {
	row := func(id int, heading string, paras ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<div id="pg-9-%d" class="panel-grid panel-no-style"><div class="panel-grid-cell"><div class="so-panel widget widget_text"><div class="textwidget">`, id)
		if heading != "" {
			fmt.Fprintf(&b, "<h2>%s</h2>", heading)
		}
		for _, p := range paras {
			fmt.Fprintf(&b, "<p>%s</p>", p)
		}
		b.WriteString(`</div></div></div></div>`)
		return b.String()
	}
	intro := "Asking for more money feels awkward, but a starting salary ten percent below what you expected can take years to make up, since every raise builds on it."
	long := []string{
		"Start with research: salary surveys, the postings of similar jobs and people who work in the field tell you what the position pays in your region.",
		"Then count what you bring, such as your years of experience, the certificates you hold and the skills the posting asks for, and write it down.",
		"When the offer comes, thank the employer, ask for it in writing and take a day to weigh the salary together with the benefits, the leave and the hours.",
		"Make your counter-offer with a figure, the reasons for it and an open question, and be ready for a reply that meets you half way or offers other benefits.",
		"Whatever the answer, stay courteous: the people you negotiate with are the ones you will work with, and they remember how the talk went.",
		"If the salary cannot move, ask about a review after six months, extra days of leave, training or the chance to work from home some days.",
	}
	page := `<html><head><title>How to negotiate salary</title></head><body><main><article><h1>How to negotiate salary</h1><div class="entry-content"><div class="panel-layout">` +
		row(1, "Why should I negotiate?", intro) + row(2, "How do I negotiate?", long...) +
		`</div></div></article></main><footer><p>Campus address, phone and opening hours of the office.</p></footer></body></html>`
	art, err := Extract([]byte(page), "https://example.edu/career/negotiate")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"Why should I negotiate?", intro, long[0], long[5]} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "Campus address") {
		t.Errorf("footer in\n%s", text)
	}
}

// A list the text announces with a sentence ending in a colon is the
// article's even when every item is a link (a changelog of patches); a
// title-cased line over links heads the site's other posts.
func TestAnnouncedListOfLinksKept(t *testing.T) {
	prose := "<p>The compiler back end made steady progress this autumn, with most of the work going into the code generator and the test suite that checks it against the reference implementation.</p>" +
		"<p>Two of the larger changes landed upstream in the main repository after a long review, which means that the next release will ship them by default for every target.</p>"
	items := func(titles ...string) string {
		var b strings.Builder
		b.WriteString("<ul>")
		for i, s := range titles {
			fmt.Fprintf(&b, `<li><a href="https://forge.example.org/pulls/%d">%s</a></li>`, i+1, s)
		}
		b.WriteString("</ul>")
		return b.String()
	}
	page := `<html><head><title>Progress report</title></head><body><article><h1>Progress report</h1><div class="content">` + prose +
		"<p>Many patches were sent for review:</p>" +
		items("Make type comparison support floating point types", "Allow casts between integers and pointers", "Add support for the weak variable attribute") +
		"<p>The remaining failures are mostly in the tests of inline assembly, which need a few more changes before they can pass on every platform.</p>" +
		"<p>Related Articles From The Blog:</p>" +
		items("How We Cut Build Times in Half", "Ten Tips for Faster Tests", "Our Year in Review") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://blog.example.org/progress-report")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"Many patches were sent for review:", "Allow casts between integers and pointers", "Add support for the weak variable attribute"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"How We Cut Build Times in Half", "Our Year in Review"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("kept %q in\n%s", unwanted, text)
		}
	}
}

// A callout in the body ("Note: …") that a page builder marks role=alert
// is the article's.
func TestCalloutWithAlertRoleKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	note := "New users can try the app for the first two weeks and cancel if they are not satisfied with the lessons."
	page := `<html><head><title>Language apps</title></head><body><article><h1>Language apps</h1><div class="entry-content">` +
		p("Learning a language on a phone works best when the lessons are short, spoken aloud and repeated at growing intervals, which is what the better apps do.") +
		p("The first app on our list offers courses for travel and for work, so that learners can adapt the vocabulary they practise to their interests and needs.") +
		`<div class="callout"><div class="callout-box" role="alert"><span class="callout-title">Note: </span><span class="callout-text">` + note + `</span></div></div>` +
		p("The second app pairs learners with native speakers for conversation, and its lessons follow the levels of the common European framework of reference.") +
		p("The third app is free, paid for by advertising, and its short daily exercises suit learners who have ten minutes on the way to work and no more.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/blog/language-apps")
	if err != nil {
		t.Fatal(err)
	}
	if text := art.Text(); !strings.Contains(text, note) {
		t.Errorf("missing the note in\n%s", text)
	}
}

// A linked item in a list of plain ones is one of them; a link the page
// repeats under every item is a call to act.
func TestLinkedItemAmongPlainItemsKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Counselling in the city</title></head><body><article><h1>Counselling in the city</h1><div class="content">` +
		p("Low-cost counselling is easier to find than most people think, since training clinics and community centres offer sessions on a sliding scale of fees.") +
		p("The places below take new clients this year; call ahead, since most of them keep a waiting list and ask for a short interview on the phone first.") +
		`<ul><li>Harbour Street Community Counselling Centre</li><li><a href="https://clinic.example.org/">Institute for Psychological Services</a></li>` +
		`<li>North Side Family Therapy Collective</li><li>University Training Clinic for Psychotherapy</li></ul>` +
		p("Each of them sets its fee by your income, and a few see students for free when they bring a card from their college or university.") +
		`<ul><li>Weekly sessions of fifty minutes</li><li><a href="https://books.example.com/add">Add to reading list →</a></li><li>Group therapy on Tuesdays</li>` +
		`<li>Evening sessions for people who work</li><li><a href="https://books.example.com/add">Add to reading list →</a></li></ul>` +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/guides/counselling")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if !strings.Contains(text, "Institute for Psychological Services") {
		t.Errorf("missing the linked item in\n%s", text)
	}
	if strings.Contains(text, "Add to reading list") {
		t.Errorf("kept the repeated call in\n%s", text)
	}
}

// A page builder wraps each section's heading in a <header>; after body
// text such a header is the section's and stays, while the article's own
// header at the top (kicker and headline) still goes.
func TestSectionHeadersKept(t *testing.T) {
	page, err := os.ReadFile("testdata/section-headers.html")
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, "https://health.harbourside.example/news/winter-cycling-myths")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, s := range []string{
		"1. Myth: Cold air damages your lungs",
		"2. Myth: You burn fewer calories in winter",
		"3. Myth: Studded tyres are only for ice racers",
		"Fewer people ride to work once the clocks go back",
		"They cost less than a single visit to the emergency department",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("missing %q in:\n%s", s, text)
		}
	}
	for _, s := range []string{"Wellness", "Related tags", "Five Myths About Winter Cycling"} {
		if strings.Contains(text, s) {
			t.Errorf("unwanted %q in:\n%s", s, text)
		}
	}
}

// A page builder splits one body over rows of one kind: the intro's row
// joins the row the top candidate sits in, while a short call to act in
// a row of the same kind stays out.
func TestBuilderRowsJoined(t *testing.T) {
	page, err := os.ReadFile("testdata/builder-rows.html")
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, "https://crumbline.example/blog/types-of-bakery-service/")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, s := range []string{
		"How a bakery serves its customers shapes what they expect to pay",
		"Why the service style matters",
		"It also sets the price customers accept",
		"1. Counter service",
		"Many bakeries combine wholesale with a small counter",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("missing %q in:\n%s", s, text)
		}
	}
	for _, s := range []string{"Run your bakery on Crumbline", "All rights reserved", "Book a demo"} {
		if strings.Contains(text, s) {
			t.Errorf("unwanted %q in:\n%s", s, text)
		}
	}
}

// A checklist's boxes tick the items of the text: they are no form's
// fields, and the list stays; a sign-up form's box still counts.
func TestChecklistKept(t *testing.T) {
	page, err := os.ReadFile("testdata/checklist.html")
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, "https://harbour-removals.example/blog/moving-day-checklist")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, s := range []string{
		"Book the removal company and confirm the date in writing",
		"Read the meters and send the readings to your suppliers",
		"Moving house goes better with a plan.",
		"On the day itself, keep the essentials box in the car",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("missing %q in:\n%s", s, text)
		}
	}
	for _, s := range []string{"I agree to the privacy policy", "Moving tips in your inbox", "Get a quote"} {
		if strings.Contains(text, s) {
			t.Errorf("unwanted %q in:\n%s", s, text)
		}
	}
	if !checklistBox(&html.Node{Type: html.ElementNode, DataAtom: atom.Input, Data: "input", Attr: []html.Attribute{{Key: "type", Val: "checkbox"}}}, &node{tag: atom.Label, parent: &node{tag: atom.Li}}) {
		t.Error("a checkbox in a list item is a checklist's")
	}
	if checklistBox(&html.Node{Type: html.ElementNode, DataAtom: atom.Input, Data: "input", Attr: []html.Attribute{{Key: "type", Val: "checkbox"}}}, &node{tag: atom.Label, parent: &node{tag: atom.Form}}) {
		t.Error("a checkbox in a form's label is the form's")
	}
}

// A sentence that is all link, standing between the body's paragraphs
// ("Read our full review."), points the reader on in the text's own words
// and stays; a call to act (a fragment) and a title-cased teaser go.
func TestLinkedSentenceBetweenParagraphsKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	a := func(s string) string { return `<p><a href="https://example.com/reviews/kettle">` + s + "</a></p>" }
	linked := "You can read our full test of this kettle here."
	page := `<html><head><title>The best kettles</title></head><body><article><h1>The best kettles</h1><div class="entry-content">` +
		p("We boiled water in nine kettles over two weeks, timing each of them with a full litre and with a single cup, and noting how loud they were.") +
		p("The steel kettle from the first maker came out on top: it boiled a litre in under three minutes and its handle stayed cool to the touch.") +
		a(linked) +
		a("Shop the Steel Kettle Now") +
		p("The glass kettle was the quietest of the lot, though its lid was stiff to open and the light inside it went out after a week of use.") +
		a("Ten Kettles We Loved And Why You Will Too!") +
		p("The cheapest kettle we tried was also the slowest, and the limescale it gathered after a fortnight in hard water was hard to clean off.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/guides/kettles")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if !strings.Contains(text, linked) {
		t.Errorf("missing %q in\n%s", linked, text)
	}
	for _, unwanted := range []string{"Shop the Steel Kettle Now", "Ten Kettles We Loved"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("kept %q in\n%s", unwanted, text)
		}
	}
}

// A heading's id that is the slug of its own words ("h-how-to-share-a-
// garden-plot") is an anchor, not a name of furniture, and a framework's
// scroll utility ("scroll-mt-[120px]") is no scrolling box: both headings
// stay, while a share bar named as one still goes.
func TestHeadingAnchorsAndScrollUtilitiesKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Community gardens</title></head><body><article><h1>Community gardens</h1><div class="entry-content">` +
		p("A community garden gives people without a yard a place to grow vegetables, and the waiting lists in most towns show how many want one.") +
		`<h2 id="h-how-to-share-a-garden-plot" class="wp-block-heading">How to share a garden plot</h2>` +
		p("Two households can split one plot by season or by bed; what matters is to agree early on who waters in August, when most people travel.") +
		p("Write the agreement down, even on one page, and say who keeps the tools and who pays the yearly fee to the association that runs the site.") +
		`<h3 class="font-bold md:scroll-mt-[120px]">Rules for social events</h3>` +
		p("Most associations allow a harvest party once a year, provided the members tidy the common area afterwards and keep the noise down at night.") +
		p("Barbecues are a matter for each site: some forbid open fires altogether, others allow them in the common area on a paved surface, away from the sheds.") +
		p("Children are welcome at every event, though the ponds and the compost bays should be fenced off first, and a member should be named to watch them.") +
		`<div id="share-buttons" class="share-bar">Share this on Facebook Share this on X</div>` +
		p("Ask the association for its calendar before planning anything, since the shed and the tables are booked by the committee months ahead.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.org/blog/community-gardens")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"How to share a garden plot", "Rules for social events"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "Share this on") {
		t.Errorf("share bar kept in\n%s", text)
	}
}

func TestScrollUtility(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{
		{"scroll-mt-[140px]", true}, {"md:scroll-pt-8", true}, {"scroll-m-4", true}, {"scroll-smooth", true},
		{"overflow-x-scroll", true}, {"scroll", false}, {"scroll-menu", false}, {"scroll-more-btn", false},
		{"scrollbox", false}, {"infinite-scroll", false},
	} {
		if got := scrollUtility(c.name); got != c.want {
			t.Errorf("scrollUtility(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

// A section's heading among the body's paragraphs stays whatever its
// class ("header-anchor-post" holds Readability's unlikely "header"); at
// the top of the body, before any of its text, such a heading goes.
func TestSectionHeadingNamedUnlikelyKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	h := func(s string) string { return `<h3 class="header-anchor-post">` + s + "</h3>" }
	page := `<html><head><title>Learning to bake bread</title></head><body><article class="post"><h1>Learning to bake bread</h1><div class="body markup">` +
		h("From the kitchen desk") +
		p("I started baking bread in the spring, with a bag of flour, a packet of dried yeast and no idea how long a dough should rise before it goes in.") +
		p("The first loaves were dense and pale. It took a month of weekends, and a good deal of flour, before one came out of the oven that we could slice.") +
		h("What the first month taught me") +
		p("Most of my mistakes came from hurrying: a dough left to rise for half the time the recipe asks for will not rise in the oven to make up for it.") +
		p("A kitchen scale helped more than any book did, because a cup of flour weighs anything from one hundred and twenty to one hundred and fifty grams.") +
		h("Where to start") +
		p("Start with a plain white loaf, bake the same recipe four weekends running, and change one thing at a time, so you learn what each change does.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://bakes.example.com/p/learning-to-bake-bread")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"What the first month taught me", "Where to start"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "From the kitchen desk") {
		t.Errorf("kept the heading above the body in\n%s", text)
	}
}

// A list chosen as the body (the products of a roundup, one section an
// item) is seldom the whole article: the intro and the questions in the
// sections beside it join, though they hold far less text than the list.
func TestListBodyWidensToItsSections(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	intro := "We tested eleven rain jackets on the coast path over a wet month, wearing each of them for a full day of walking in steady rain."
	faq := "Can a rain jacket be washed? Most can, at a low temperature and without softener, which clogs the membrane and stops it breathing."
	item := func(name string) string {
		return `<li class="product"><div class="inner"><h3>` + name + `</h3><div class="descr">` +
			p("The "+name+" kept us dry through six hours of rain on the first day, and its hood stayed in place in the strong wind on the cliffs above the harbour.") +
			p("Its pockets sit high enough to use with a rucksack's hip belt fastened, the zips run smoothly with cold hands, and it packs down into its own chest pocket.") +
			p("On the downside, the cuffs let in water when we used walking poles, and the fabric rustles more than we would like on a quiet walk through the woods.") +
			"</div></div></li>"
	}
	page := `<html><head><title>The best rain jackets</title></head><body><main><h1>The best rain jackets</h1><div class="column">` +
		`<section class="wysiwyg">` + p(intro) + `</section>` +
		`<section class="product-list"><div class="grid"><ul class="products">` +
		item("Harbour Shell") + item("Cliff Walker") + item("Coastline Pro") + item("Tideway Lite") +
		`</ul></div></section>` +
		`<section class="wysiwyg"><h2>Questions</h2>` + p(faq) + `</section>` +
		`</div></main></body></html>`
	art, err := Extract([]byte(page), "https://example.com/reviews/best-rain-jackets")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{intro, "Tideway Lite", faq} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}

// A line in parentheses is the text's aside when it starts in lower case
// or ends as a sentence ("(includes the permit and the fees)", "(No,
// really.)"); a credit in parentheses ("(AP)", "(Editing by …)") still
// goes.
func TestParentheticalAsidesKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>What a plumber charges</title></head><body><article><h1>What a plumber charges</h1><div class="entry-content">` +
		p("The prices below are what our members paid last year for common jobs around the house, and they are a guide rather than a quote for your home.") +
		"<h3>Replacing a water heater: from $900</h3>" + p("(includes the permit and fees)") +
		"<h3>Clearing a blocked drain: from $150</h3>" + p("(discounts for a second drain)") +
		p("Most plumbers charge a call-out fee on top of these prices, and some waive it when the job takes more than two hours to finish.") +
		p("Yes, we asked every one of them twice.") + p("(No, really.)") +
		p("Prices rose by about a tenth over the year, a little faster than in the year before, as the cost of copper pipe went up again.") +
		p("(AP)") + p("(Editing by Jane Roe)") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/guides/plumber-prices")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"(includes the permit and fees)", "(discounts for a second drain)", "(No, really.)"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"(AP)", "(Editing by Jane Roe)"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("kept %q in\n%s", unwanted, text)
		}
	}
}

// A glossary term's tooltip inside a paragraph (its definition and a
// "Learn more" button, shown on hover) is a widget: the paragraph keeps
// the term and loses the bubble.
func TestTooltipInParagraphDropped(t *testing.T) {
	tip := func(term, def string) string {
		return `<span class="Term_box__x1"><dfn class="Term_term__x2" tabindex="0">` + term + `</dfn><span class="Term_tooltip__x3" ><strong>` + term + `</strong><br/>` + def + `<br/><a href="/glossary/` + term + `/">Learn more</a></span></span>`
	}
	page := `<html><head><title>Measuring a shop's reach</title></head><body><article><h1>Measuring a shop's reach</h1><div class="entry-content">` +
		`<p>A small shop used to judge its website by its visits and its ` + tip("ranking", "Where a page stands among the results a search engine shows for a query.") + ` for a few searches, and by little else.</p>` +
		`<p>Those figures still say something, but they move for reasons the shop does not control, and they tell nothing of what a visitor did next on the <span class="term">site<span class="bubble" role="tooltip">All the pages under one address.</span></span>.</p>` +
		`<p>Orders, calls and requests for a quote are what count, and a shop that counts them each week learns more than one that watches its traffic.</p>` +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/blog/reach")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if !strings.Contains(text, "by its visits and its ranking") {
		t.Errorf("the term is missing in\n%s", text)
	}
	for _, unwanted := range []string{"Where a page stands", "Learn more", "All the pages under one address"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("kept %q in\n%s", unwanted, text)
		}
	}
}

// An inline element holding only a space or a line break keeps the words
// beside it apart ("Martin<strong> </strong>Parr"), in a small page
// parsed directly and in a large one parsed from slim's copy.
func TestSpaceInEmptyInlineElementKept(t *testing.T) {
	para := "<p>Ada<strong> </strong>Lovelace<em> </em>wrote the first published program for a machine that was never built, in notes longer than the paper<span><br> </span>they annotated.</p>"
	// 13 000 elements in the footer send the page through slim
	for _, pad := range []int{0, 13000} {
		page := `<html><head><title>Early programs</title></head><body><article><h1>Early programs</h1><div class="entry-content">` +
			strings.Repeat(para, 3) + `</div></article><footer>` + strings.Repeat("<span></span>", pad) + `</footer></body></html>`
		if parseDirectly([]byte(page)) != (pad == 0) {
			t.Fatalf("padding %d: parsed directly %v", pad, parseDirectly([]byte(page)))
		}
		art, err := Extract([]byte(page), "https://example.com/history/early-programs")
		if err != nil {
			t.Fatal(err)
		}
		if text := art.Text(); !strings.Contains(text, "Ada Lovelace wrote") || strings.Contains(text, "paperthey") {
			t.Errorf("padding %d: words glued in\n%s", pad, text)
		}
	}
}

// An author's box before a closing disclaimer: the line with the name,
// the biography and the sentence after it about the writer go, and the
// name is the author when nothing else gave one.
func TestAuthorBoxBeforeDisclaimer(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	body := p("Saving a tenth of every pay cheque sounds dull, but it is the habit that most of the savers we spoke to started with, and kept.") +
		p("Automatic transfers on pay day made the difference for most of them: money that never reaches the current account is never missed.") +
		p("Several kept a second account at another bank, so that moving the money back took a day and a decision, not a tap on the phone.") +
		p("None of them found it easy in the first year, and all of them said the second year was easier than the first, and the third easier still.")
	box := "<h3>Written by Rosa Lindqvist</h3>" +
		p("Rosa Lindqvist is a personal finance writer who has covered savings and pensions for twelve years.") +
		p("Her work has appeared in several national newspapers and on public radio.")
	disclaimer := "Savings accounts are offered by a partner bank."
	page := `<html><head><title>How savers save</title></head><body><article><h1>How savers save</h1><div class="entry-content">` +
		body + box + p(disclaimer) + `</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/money/how-savers-save")
	if err != nil {
		t.Fatal(err)
	}
	if art.Author != "Rosa Lindqvist" {
		t.Errorf("Author = %q, want Rosa Lindqvist", art.Author)
	}
	text := art.Text()
	for _, unwanted := range []string{"Written by", "personal finance writer", "Her work has appeared"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("kept %q in\n%s", unwanted, text)
		}
	}
	for _, want := range []string{"None of them found it easy", disclaimer} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}

// A biography by the writer's first name at the end of a post goes; the
// same sentence followed by more of the story stays.
func TestAuthorBioByFirstName(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	body := p("Sitting still for ten minutes a day is harder than it sounds, and most beginners give up in the first week because they expect calm at once.") +
		p("It helps to sit at the same time each day, after something you do anyway, like the first coffee or the walk back from the school gate.") +
		p("A timer helps too: not looking at the clock is half the practice, and a gentle bell at the end means you never have to wonder.") +
		p("Happy practising, and be patient with yourself.")
	bio := "Mira is a teacher and a mother of two, and she writes about living mindfully with a busy family."
	page := func(after string) []byte {
		return []byte(`<html><head><title>Sitting still</title><meta name="author" content="Mira Castellanos"></head><body><article><h1>Sitting still</h1><div class="entry-content">` +
			body + p(bio) + after + `</div></article></body></html>`)
	}
	art, err := Extract(page(""), "https://example.com/blog/sitting-still")
	if err != nil {
		t.Fatal(err)
	}
	if text := art.Text(); strings.Contains(text, "Mira is a teacher") {
		t.Errorf("kept the biography in\n%s", text)
	}
	more := p("Mira's class meets on Tuesdays in the library hall, and the first session is free for anyone who wants to try it before signing up for the term.") +
		p("Bring a cushion or a folded blanket; the hall has chairs for those who prefer them, and tea is served afterwards in the room next door.")
	art, err = Extract(page(more), "https://example.com/blog/sitting-still")
	if err != nil {
		t.Fatal(err)
	}
	if text := art.Text(); !strings.Contains(text, "Mira is a teacher") {
		t.Errorf("dropped the sentence before more of the story in\n%s", text)
	}
}

// The dates of a list of events are its text: three or more date lines,
// each between lines the body keeps, stay; a teaser list's time stamps
// ("Mon, Jun 2 2025, 06:54 GMT") do not.
func TestEventDatesKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	event := func(name, place, date, about string) string {
		return "<h3>" + name + "</h3>" + p(place) + p(date) + p(about)
	}
	page := `<html><head><title>Conferences this spring</title></head><body><article><h1>Conferences this spring</h1><div class="entry-content">` +
		p("Here are the meetings our readers asked about most this year, with the dates the organisers have confirmed so far and what each is known for.") +
		p("Prices for a ticket vary a good deal, and most of the meetings offer a lower rate to students and to those who book before the end of January.") +
		event("Northern Data Week", "Leeds, United Kingdom", "March 16, 2026", "Three days of talks on data engineering, with a day of workshops for newcomers to the field before the main programme starts.") +
		event("Harbour Security Summit", "Gdansk, Poland", "April 2, 2026", "A small meeting on the security of ports and shipping, where operators and researchers share what went wrong over the past year.") +
		event("Open Maps Forum", "Porto, Portugal", "May 20, 2026", "Volunteers and city officials who map streets, paths and buildings meet to compare their tools and plan the next year's work.") +
		`<h3>Latest reports</h3>` + p("Quarterly outlook for freight by the port authority") + p("Mon, Jun 2 2025, 06:54 GMT") + p("Survey of shipping rates by the chamber of commerce") + p("Mon, Jun 2 2025, 06:40 GMT") + p("Review of the winter season by the harbour board") + p("Mon, Jun 2 2025, 06:12 GMT") + p("Notes on the new quay by the city engineer") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/events/spring")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"March 16, 2026", "April 2, 2026", "May 20, 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "06:54 GMT") {
		t.Errorf("kept a teaser's time stamp in\n%s", text)
	}
}

// A paragraph in a container of its own whose sentences carry their
// links (a fifth of its text or more) is prose; a copyright notice with
// its links still goes, wherever it stands.
func TestLinkedParagraphInItsOwnContainerKept(t *testing.T) {
	p := func(s string) string { return "<div><p>" + s + "</p></div>" }
	a := func(s string) string { return `<a href="https://journal.example.org/a">` + s + "</a>" }
	linked := "It puts whole foods first and plants above all. " + a("Several trials found") + " that such diets help with " + a("losing weight") + " and with " + a("blood pressure") + ", at least over the first year."
	page := `<html><head><title>Eating mostly plants</title></head><body><article><h1>Eating mostly plants</h1><div class="article-body">` +
		p("Diets built on whole, plant foods have been studied for decades, and the people who keep to them tend to be healthier than those who do not.") +
		p("Copyright 2025 by "+a("Example Health Media Group")+". All rights reserved. This material may not be published, broadcast or rewritten without "+a("the written permission of the publisher")+".") +
		p("Nutritionists do not agree on much, but most of them agree that meals made from fresh ingredients beat those made from packets.") +
		p(linked) +
		p("This guide explains what such a diet includes, what it leaves out, and how to start without turning the weekly shop upside down.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/nutrition/plants")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if !strings.Contains(text, "Several trials found that such diets help") {
		t.Errorf("missing the linked paragraph in\n%s", text)
	}
	if strings.Contains(text, "All rights reserved") {
		t.Errorf("kept the copyright notice in\n%s", text)
	}
}

// Some sites title every section of the body with an <h1> ("Day 2", "Day
// 3"): after the body's first paragraphs such an <h1> stays, while the
// headline at the top goes.
func TestSectionH1sKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Ten days on the coast path</title></head><body><article><div class="entry-content"><h1>Ten days on the coast path</h1>` +
		`<h1>Day 1</h1>` +
		p("We left the harbour at eight with full water bottles and a forecast of light rain, which turned out to be generous: it poured until noon.") +
		p("The path climbs straight out of town onto the cliffs, and by the first headland the town had gone and there was only the sea and the wind.") +
		p("We reached the hostel at six, soaked and happy, and the warden lit the stove in the drying room without being asked, which we will not forget.") +
		p("Dinner was soup and bread at the pub next door, where the landlord drew us a map of the next day's path on the back of a beer mat.") +
		`<h1>Day 2</h1>` +
		p("The second day was dry and long, twenty-two kilometres of climbs and descents with a café at the halfway point that was, alas, closed.") +
		p("Seals were lying on the rocks below the path in the afternoon, and we watched them for half an hour, which we told ourselves was resting.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://walks.example.com/coast-path")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if !strings.Contains(text, "Day 2") {
		t.Errorf("missing the section's title in\n%s", text)
	}
	if strings.Contains(text, "Ten days on the coast path") {
		t.Errorf("kept the headline in\n%s", text)
	}
}

// A section named with a generated hash ("component_5cd3ad805f") is no
// advertisement for the "ad" among its hex digits.
func TestHashNamedSectionsKept(t *testing.T) {
	sec := func(id, head, text string) string {
		return `<section id="component_` + id + `" class="component component--paragraph"><div class="component-text"><h2>` + head + `</h2><p>` + text + `</p></div></section>`
	}
	page := `<html><head><title>Five myths about sleep</title></head><body><article><h1>Five myths about sleep</h1><div class="content">` +
		sec("3f9e21b7c4", "1. Myth: Everyone needs eight hours", "Most adults need between seven and nine hours, and the right amount for you depends on your age, your health and how active you are during the day.") +
		sec("5cd3ad805f", "2. Myth: You can catch up at the weekend", "Sleeping late on Saturday helps a little, but it does not undo a week of short nights, and it can make falling asleep on Sunday evening harder.") +
		sec("1ad269af0d", "3. Myth: Alcohol helps you sleep", "A drink may help you fall asleep sooner, but the sleep that follows is lighter and more broken, and you are more likely to wake in the small hours.") +
		sec("8be04c11a2", "4. Myth: Snoring is harmless", "Loud snoring with pauses in breathing can be a sign of sleep apnoea, which is worth raising with a doctor, since it is easy to treat once found.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://health.example.org/news/sleep-myths")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"2. Myth: You can catch up at the weekend", "A drink may help you fall asleep sooner"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}

// A "Latest News" heading over dated teasers ends a short article even
// when the teasers hold more text than it does.
func TestLatestNewsWithDatesCut(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	teaser := func(head, date, summary string) string { return "<h3>" + head + "</h3>" + p(date) + p(summary) }
	page := `<html><head><title>Injured at the gym</title></head><body><article><h1>Injured at the gym</h1><div class="post">` +
		p("A gym member who is hurt by faulty equipment may have a claim against the gym, even after signing the waiver that most gyms ask for at the desk.") +
		p("Waivers usually cover the ordinary risks of exercise, such as a strained muscle, and not the gym's own negligence, such as a cable it failed to replace.") +
		p("Anyone hurt should report the injury to the staff at once, keep a copy of the report and take photographs of the equipment before it is repaired.") +
		p("A lawyer can then ask for the gym's maintenance records, which often show whether the fault was known and how long it went unrepaired.") +
		"<h2>Latest News</h2>" +
		teaser("Can you appeal a refused disability claim?", "March 29, 2025", "Many claims are refused the first time, and an appeal within sixty days is often the quickest way to a decision in your favour, with or without a hearing.") +
		teaser("Five reasons to hire a benefits lawyer", "March 27, 2025", "The rules for disability benefits are long and change often, and a lawyer who handles such claims every day knows which records the office will ask for.") +
		teaser("Disability law in plain words", "March 24, 2025", "Here is what the main terms in a benefits decision mean, from the onset date to the residual capacity, and why each of them matters for the amount paid.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://law.example.com/blog/injured-at-the-gym")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if !strings.Contains(text, "keep a copy of the report") {
		t.Errorf("missing the article's end in\n%s", text)
	}
	for _, unwanted := range []string{"Latest News", "Many claims are refused"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("kept %q in\n%s", unwanted, text)
		}
	}
}

// More headings over the site's other posts end the article: "More from"
// and the site's name, "Recommended Reading", "Related articles that may
// interest you"; "More from the survey" in lower case is the text's own.
func TestMorePostsHeadingsNamed(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	body := p("Our survey of four hundred small bakeries asked what had changed in the past year, and the answers were more alike than we expected them to be.") +
		p("Almost all of them now sell online, most through a shared platform run by a wholesaler, and a third deliver by bicycle within their own town.") +
		p("The smallest shops said the platform's fees ate most of what they gained, while the larger ones found new customers in the villages around them.")
	for _, head := range []string{"More from Harbour Post:", "Recommended Reading", "Related articles that may interest you"} {
		page := `<html><head><title>Bakeries online</title></head><body><article><h1>Bakeries online</h1><div class="entry-content">` + body +
			"<h3>More from the survey</h3>" +
			p("Flour prices were the first worry of nine in ten, ahead of rent and wages, and most had raised their prices twice since the spring.") +
			"<h3>" + head + "</h3>" +
			"<h4>How to price a loaf</h4>" + p("A guide to the costs that go into a loaf of bread, from the flour and the oven to the hours before dawn that nobody pays for.") +
			"<h4>Ten bakeries worth a detour</h4>" + p("Our readers sent us their favourites from across the country, and we visited every one of them over a long and hungry month.") +
			`</div></article></body></html>`
		art, err := Extract([]byte(page), "https://harbourpost.example.com/food/bakeries-online")
		if err != nil {
			t.Fatal(err)
		}
		text := art.Text()
		if !strings.Contains(text, "Flour prices were the first worry") {
			t.Errorf("%s: the body's end is missing from:\n%s", head, text)
		}
		for _, not := range []string{head, "A guide to the costs"} {
			if strings.Contains(text, not) {
				t.Errorf("%s: %q is in:\n%s", head, not, text)
			}
		}
	}
}

// A biography that names the writer and a role before its verb ("Nadia
// Okafor, Senior Editor, studied journalism…") is the author's box too.
func TestAuthorBioWithRole(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	bio := "Nadia Okafor, Senior Editor, studied journalism in Lagos and has reviewed running shoes for eight years."
	page := `<html><head><title>The best trail shoes</title><meta name="author" content="Nadia Okafor"></head><body><article><h1>The best trail shoes</h1><div class="entry-content">` +
		p("We ran four hundred kilometres of muddy and rocky trails this autumn in twelve pairs of shoes, and three of them stood out from the rest.") +
		p("The first has the best grip we have tested on wet rock, though its narrow toe box will not suit runners with wide feet on long days out.") +
		p("The second is the lightest of the lot and drains quickly after a river crossing, at the price of a thin sole that lets you feel every stone.") +
		p("The third is the one we would buy with our own money: comfortable from the first run, grippy enough, and still in one piece after five hundred kilometres.") +
		p(bio) + `</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/reviews/trail-shoes")
	if err != nil {
		t.Fatal(err)
	}
	if text := art.Text(); strings.Contains(text, "studied journalism") {
		t.Errorf("kept the biography in\n%s", text)
	}
}

// A line that labels a link to an address ("Website: https://…") is a fact
// of the text, as in a directory of services; a label over a headline
// ("Next story: …") is still a link line.
func TestLabelledAddressKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Where to get help with a leaking roof</title></head><body><article><h1>Where to get help with a leaking roof</h1><div class="entry-content">` +
		p("A roof that leaks after every storm rarely fixes itself, and the longer it waits the more the ceiling and the insulation under it suffer from the damp.") +
		`<h3>Harbour Roofing Trust</h3>` +
		p("The trust sends a volunteer surveyor to homes of pensioners within a week and pays for small repairs where the owner cannot afford them.") +
		p(`Website: <a href="https://harbourtrust.example.org/">https://harbourtrust.example.org</a>`) +
		`<h3>Quayside Tenants' Advice</h3>` +
		p("Tenants whose landlord does not answer can ask the advice office to write on their behalf; most repairs follow within a month of its letter.") +
		p(`Website: <a href="https://quaysidetenants.example.org/">www.quaysidetenants.example.org</a>`) +
		`<h3>Roofers' Guild</h3>` +
		p("The guild keeps a list of members who have passed its inspection, and it will step in when a member's work has to be put right.") +
		p(`Website: <a href="https://roofersguild.example.org/">the guild's list of members</a>`) +
		`<ul><li>Documentation: <a href="https://docs.example.org/leaks">https://docs.example.org/leaks</a></li><li>Registration: <a href="https://register.example.org/">https://register.example.org</a></li></ul>` +
		p("Whichever you call first, take photographs of the damage before anything is moved, as both will ask for them.") +
		p(`Next story: <a href="/news/gutter-guards">Are gutter guards worth the money?</a>`) +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/guides/leaking-roof")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"Website: https://harbourtrust.example.org", "Website: www.quaysidetenants.example.org", "Website: the guild's list of members", "Documentation: https://docs.example.org/leaks"} {
		if !strings.Contains(text, want) {
			t.Errorf("lost %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "gutter guards") {
		t.Errorf("kept the next story's link in\n%s", text)
	}
}

// A heading that repeats the title after the body's first paragraphs heads
// a section (a roundup's list of picks) and stays; the headline printed
// again at the top, or over a byline, goes.
func TestTitleRepeatingSectionHeadingKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>The Best Camping Kettles of 2026</title></head><body><article><h1>The Best Camping Kettles of 2026</h1><div class="entry-content">` +
		`<h2>The Best Camping Kettles of 2026</h2>` +
		p("We boiled more than two hundred litres of lake water this summer on gas, wood and alcohol stoves to find the kettles worth carrying into the hills.") +
		p("Weight matters on a long walk, but so do a spout that pours without dribbling, a lid that stays on in the wind and a handle that does not scald your fingers.") +
		p("Every kettle below was used for at least a week of camping by two of our testers, and the prices are the ones we paid at ordinary outdoor shops.") +
		`<h2>The Best Camping Kettles</h2>` +
		p("Best Overall Camping Kettle: the Fellside Two-Litre") +
		p("Best Lightweight Camping Kettle: the Ridgeback Half-Litre") +
		`<h3>The Fellside Two-Litre</h3>` +
		p("Its wide base sits firmly on any burner and it boiled a litre in under four minutes on a small gas stove, the fastest of the group.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/gear/camping-kettles")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if !strings.Contains(text, "\nThe Best Camping Kettles\n") {
		t.Errorf("lost the picks' heading in\n%s", text)
	}
	if strings.Contains(text, "Kettles of 2026") {
		t.Errorf("kept the headline printed again in\n%s", text)
	}
}

// The headline printed again over its byline, after the captions of the
// story's photos, is the header's even after 400 characters.
func TestTitleRepeatOverBylineDropped(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Harbour ferry fares to rise in spring</title></head><body><div id="story">` +
		p("The harbour ferry leaves the north quay on a grey morning as commuters wait under the shelter, many of them daily passengers for twenty years.") +
		p("A deckhand ties up the smaller of the two boats at the island pier, where the operator says its engines will need replacing within five years.") +
		p("Passengers queue at the ticket office on the south quay, where the new fares will be shown on a board from the first week of March onwards.") +
		`<h2>Harbour ferry fares to rise in spring</h2>` +
		p("Ledger Staff") +
		p("Fares on the harbour ferry will rise by a fifth in the spring, the operator said on Monday, blaming the cost of fuel and of repairs to its older boat.") +
		p("A season ticket will cost forty pounds a month, up from thirty-three, though children and pensioners will still travel at half the price.") +
		`</div></body></html>`
	art, err := Extract([]byte(page), "https://ledger.example/news/ferry-fares")
	if err != nil {
		t.Fatal(err)
	}
	if text := art.Text(); strings.Contains(text, "fares to rise in spring") {
		t.Errorf("kept the headline printed again in\n%s", text)
	}
}

// A sentence that opens with a teaser's word and carries a link in passing
// is the text's; a teaser, its link most of its text, goes.
func TestSentenceOpeningLikeTeaserKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Walking the coast path in winter</title></head><body><article><h1>Walking the coast path in winter</h1><div class="entry-content">` +
		p("The coast path is quieter in winter than at any other time of year, and the low sun turns the cliffs a colour you never see in August.") +
		p(`Watch the tide tables before you set out: two of the coves flood at high water, so check <a href="https://tides.example.org/">the tide times</a> every morning.`) +
		p("Boots with a stiff sole are worth their weight on the muddy stretches between the villages, where the path is often no wider than a sheep track.") +
		p(`More detailed advice on walking alone in the dark months can be found in <a href="https://council.example.gov/walks">the council's guide</a> for walkers.`) +
		p(`Read more: <a href="/walks/ten-winter-walks">Ten winter walks for short days</a>`) +
		p("Whatever the weather, the cafes in the harbour towns stay open at weekends, and most of them will fill a flask for a walker who asks.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/walks/coast-path-winter")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"Watch the tide tables before you set out", "More detailed advice on walking alone"} {
		if !strings.Contains(text, want) {
			t.Errorf("lost %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "Ten winter walks") {
		t.Errorf("kept the teaser in\n%s", text)
	}
}

// An author's box that opens with the writer's name alone, a role and a
// biography that does not name her again, goes; so does a biography by
// the first name a site signs with.
func TestAuthorBoxByNameLine(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	story := p("The river festival returns to the old docks next month after three years away, with boat races, a night market and music on two stages.") +
		p("Organisers expect twice the crowds of the last festival, and the council has agreed to run extra buses from the station on both evenings.") +
		p("Tickets for the night market are free but must be booked, as the docks can hold only four thousand people at a time under the fire rules.") +
		p("The boat races start at noon on the Saturday, and crews from eleven towns along the river have entered, two of them for the first time.")
	for _, tc := range []struct{ author, box string }{
		{"Priya Ramdas", p("Priya Ramdas") + p("Events Editor") + p("Events editor at the Quayside Post since 2019. Keen rower, reluctant cook, collector of old ferry timetables.")},
		{"Marta", p("Marta has written about the town's festivals for this blog since 2018. She grew up by the docks and still swims in the river every summer.")},
	} {
		page := `<html><head><title>River festival returns</title><meta name="author" content="` + tc.author + `"></head><body><article><h1>River festival returns</h1><div class="entry-content">` +
			story + tc.box + `</div></article></body></html>`
		art, err := Extract([]byte(page), "https://example.com/news/river-festival")
		if err != nil {
			t.Fatal(err)
		}
		text := art.Text()
		if strings.Contains(text, "Events Editor") || strings.Contains(text, "ferry timetables") || strings.Contains(text, "swims in the river") {
			t.Errorf("%s: kept the author's box in\n%s", tc.author, text)
		}
		if !strings.Contains(text, "two of them for the first time") {
			t.Errorf("%s: lost the story's end in\n%s", tc.author, text)
		}
	}
}

// An "About the author" heading over a short biography closes the post,
// whoever it names; so does the heading alone at the end.
func TestAboutTheAuthorBoxDropped(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	story := p("Index funds spread a small sum over hundreds of companies, so one bad year for a single firm barely moves what you own.") +
		p("Their fees are a fraction of what an actively managed fund charges, and over twenty years that difference alone can add up to a fifth of your savings.") +
		p("Most brokers let you buy a fund for a few pounds a month, and a standing order takes the decision out of your hands on the days the market falls.") +
		p("None of this makes a fund safe: its price falls with the market, and money you will need within five years is better kept in cash.")
	for _, box := range []string{
		`<h3>About the Author</h3>` + p("Tomas Elberg, CFA, is a contributing analyst who covers pensions and savings. Before writing he spent ten years at a building society."),
		`<h3>About the Author</h3>`,
	} {
		page := `<html><head><title>How index funds work</title></head><body><article><h1>How index funds work</h1><div class="entry-content">` +
			story + box + `</div></article></body></html>`
		art, err := Extract([]byte(page), "https://example.com/money/index-funds")
		if err != nil {
			t.Fatal(err)
		}
		text := art.Text()
		if strings.Contains(text, "About the Author") || strings.Contains(text, "building society") {
			t.Errorf("kept the author's box in\n%s", text)
		}
		if !strings.Contains(text, "better kept in cash") {
			t.Errorf("lost the story's end in\n%s", text)
		}
	}
}

// A section whose links are the items of lists its sentences announce
// stays, though its links pass a fifth of its text; a list announced as
// pages to read next still goes.
func TestSectionOfAnnouncedListsKept(t *testing.T) {
	li := func(items ...string) string {
		s := "<ul>"
		for _, it := range items {
			s += `<li><a href="https://tracker.example.org/` + strings.ReplaceAll(strings.ToLower(it), " ", "-") + `">` + it + `</a></li>`
		}
		return s + "</ul>"
	}
	para := func(s string) string { return `<div class="paragraph"><p>` + s + `</p></div>` }
	page := `<html><head><title>Compiler backend progress report</title></head><body><div id="container"><main><article><div class="content">` +
		para("This is the monthly report on the compiler backend, the part that turns the middle of the compiler's work into machine code for each target we support, and it covers the four weeks since the last one.") +
		para("The short version is that the backend now builds the standard library on every target we test, that its code runs a little faster than a month ago, and that the list of known failures is shorter than it has ever been.") +
		para("The longer version follows, section by section, with the fixes that went in, the ones still waiting for review, and what we plan to work on in the weeks to come, as always in the open on the project's tracker.") +
		para("As before, thanks go to everyone who tested the nightly builds and sent us the smallest programs that still failed; most of the fixes below started from one of those reports, and we could not have done without them.") +
		`<div class="sect1"><div class="sectionbody">` +
		para("Work on the backend moved faster this month than in any month before, mostly thanks to two new contributors who took on the oldest open bugs.") +
		para("Several fixes were sent for review this month:") +
		`<div class="ulist">` + li("Allow casts between vector types", "Fix alignment of packed fields", "Support the weak linkage attribute", "Fix volatile stores in loops", "Add checks for thread local storage") + `</div>` +
		para("A few of them were merged upstream already:") +
		`<div class="ulist">` + li("Add the calling convention attributes", "Fix the size of long double", "Stop treating warnings as errors") + `</div>` +
		`</div></div>` +
		`<div class="sect1"><div class="sectionbody">` +
		para("The test suite now passes on three more targets, and the remaining failures are almost all in inline assembly, which we will tackle next.") +
		para("Readers new to the project found the following pages helpful:") +
		`<div class="ulist">` + li("Getting started with the backend", "How we test the backend", "Our roadmap for next year") + `</div>` +
		`</div></div>` +
		`</div></article></main></div></body></html>`
	art, err := Extract([]byte(page), "https://blog.example.org/progress-report")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, want := range []string{"Several fixes were sent for review this month:", "Fix alignment of packed fields", "Stop treating warnings as errors"} {
		if !strings.Contains(text, want) {
			t.Errorf("lost %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "Our roadmap for next year") {
		t.Errorf("kept the pages to read next in\n%s", text)
	}
}

// A container holding one sentence as bare text whose links it carries in
// passing is prose, as a container of one such paragraph is.
func TestLinkedSentenceInBareContainerKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Three walks above the bay</title></head><body><article><h1>Three walks above the bay</h1><div class="entry-content">` +
		p("The first walk climbs from the harbour to the old signal station, an hour up and forty minutes down, with the whole bay below you at the top.") +
		p("The second follows the cliff edge north to the lighthouse and comes back along the lane, which is easier going in wet weather than the path.") +
		p("The third is the longest: over the moor to the standing stones and back by the river, five hours for most walkers with a stop for lunch.") +
		`<div class="note">For longer routes over two days, see <a href="/guides/coast">the coast guide</a> and <a href="/guides/hills">the hill guide</a>, both free from the park office.</div>` +
		p("All three start from the car park by the harbour, which fills early on summer weekends, so the first bus from town is the better way to arrive.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/walks/bay")
	if err != nil {
		t.Fatal(err)
	}
	if text := art.Text(); !strings.Contains(text, "For longer routes over two days, see the coast guide and the hill guide") {
		t.Errorf("lost the linked sentence in\n%s", text)
	}
}

// A caption printed as a paragraph, ending with its photograph's credit,
// is no body text; a sentence about a photograph stays.
func TestCaptionWithCreditDropped(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	page := `<html><head><title>Choosing a first camera</title></head><body><article><h1>Choosing a first camera</h1><div class="entry-content">` +
		p("A first camera should be light enough to carry every day, since the one left at home takes no pictures at all, however good its sensor.") +
		p("The old mill at dawn, taken on a small mirrorless body. Photo by: 'Ann Lee'.") +
		p("Mirrorless bodies are smaller than the reflex cameras they replaced, and most of them now focus faster on moving subjects too.") +
		p("The club's exhibition shows one photo by each of its forty members, every one of them taken on a camera that cost under five hundred pounds.") +
		p("Whatever you buy, spend the first month with one lens: it teaches you to move your feet instead of turning a ring.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/guides/first-camera")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	if strings.Contains(text, "Ann Lee") {
		t.Errorf("kept the caption in\n%s", text)
	}
	if !strings.Contains(text, "one photo by each of its forty members") {
		t.Errorf("lost the sentence about photographs in\n%s", text)
	}
}

// A list whose every point carries an icon is the text's, not a gallery;
// a list of thumbnails over linked headlines still goes.
func TestListWithIconsKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	icon := `<img src="/icons/tick.svg" alt="">`
	items := []string{
		"Evening classes fit around a job, so you keep your salary while you study.",
		"Recorded lectures let you catch up on the weeks you travel for work.",
		"Fees for distance students are often lower than for those on campus.",
		"You meet classmates from other trades, which widens your circle of contacts.",
		"There is no move to pay for, and no second rent while the course lasts.",
	}
	list := "<ul>"
	for _, it := range items {
		list += `<li><span class="icon">` + icon + `</span><span>` + it + "</span></li>"
	}
	list += "</ul>"
	teasers := "<ul>"
	for _, h := range []string{"Ten evening courses compared", "How to pay for a degree", "Studying with children at home", "A week in the life of a student"} {
		teasers += `<li><img src="/thumbs/a.jpg" alt=""><a href="/stories/` + strings.ReplaceAll(strings.ToLower(h), " ", "-") + `">` + h + `</a></li>`
	}
	teasers += "</ul>"
	page := `<html><head><title>Why study part time</title></head><body><article><h1>Why study part time</h1><div class="entry-content">` +
		p("Part-time study used to mean a decade of evenings in a cold classroom; now most courses can be followed from home at any hour of the day.") +
		p("We asked forty students who finished a part-time degree last year what they would tell someone thinking of starting one.") +
		`<h2>What they liked</h2>` + list +
		p("Nearly all of them said the hardest part was the first term, before the habit of studying a little every day had taken hold.") +
		p("Most would do it again, though a third said they would choose a shorter course and add to it later rather than sign up for six years at once.") +
		teasers + `</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/study/part-time")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, it := range items {
		if !strings.Contains(text, it) {
			t.Errorf("lost %q in\n%s", it, text)
		}
	}
	if strings.Contains(text, "Studying with children at home") {
		t.Errorf("kept the teasers in\n%s", text)
	}
}

// A list item's text wrapped in a container of its own, a linked name
// with its details, is the list's point, not a box of links.
func TestListItemTextInContainerKept(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	events := [][2]string{
		{"Harbour Makers Fair", " – 4–6 May 2026, Quayside Hall, Port Ellen"},
		{"North Coast Food Week", " – 12–18 June 2026, the market square, Tarbet"},
		{"Lighthouse Film Nights", " – every Friday in July, the old lamp room"},
		{"Island Boat Show", " – 21–23 August 2026, the marina, Kilmory"},
	}
	list := "<ul>"
	for _, e := range events {
		list += `<li><div><a href="https://events.example.org/` + strings.ReplaceAll(strings.ToLower(e[0]), " ", "-") + `">` + e[0] + `</a>` + e[1] + `</div></li>`
	}
	list += "</ul>"
	page := `<html><head><title>Summer on the coast: what's on</title></head><body><article><h1>Summer on the coast: what's on</h1><div class="entry-content">` +
		p("The coast's summer fills up early, and the events below sell out weeks ahead, so it pays to plan the trip around the one you most want to see.") +
		p("We picked four that are worth a detour, from a makers' fair in a converted warehouse to film nights in a lighthouse's lamp room.") +
		list +
		p("Most of them are free, and the ones that are not keep a few tickets back for the door on each day, though the queue starts early.") +
		p("Trains run to all four towns, and on event days the ferry company adds a late sailing back from the islands for those who stay to the end.") +
		p("Rooms go quickly in August; the tourist office keeps a list of spare beds in farmhouses and will ring round for you if you ask.") +
		`</div></article></body></html>`
	art, err := Extract([]byte(page), "https://example.com/whats-on/summer")
	if err != nil {
		t.Fatal(err)
	}
	text := art.Text()
	for _, e := range events {
		if !strings.Contains(text, e[0]+e[1]) {
			t.Errorf("lost %q in\n%s", e[0]+e[1], text)
		}
	}
}
