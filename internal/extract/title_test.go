package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// nav is a site's menu of links, as pages carry above the article.
const nav = `<ul class="menu"><li><a href="/a">Home</a></li><li><a href="/b">Local</a></li><li><a href="/c">Business</a></li><li><a href="/d">Sport</a></li><li><a href="/e">Weather</a></li></ul>`

func TestTitleRules(t *testing.T) {
	for _, c := range []struct {
		name, url, head, body, want string
		out                         bool // the blocks stand outside the <article>
	}{
		{
			// a <title> holding the headline and its deck: the heading
			// that opens it is the headline
			"headline and deck in the title",
			"https://www.harbour.example.com/quay",
			`<title>Board Widens North Quay , Fishing Co-operative Wins Three-Year Dispute Over Harbour Berths - Harbour News</title>`,
			nav + `<h1>Board Widens North Quay</h1><h2>Fishing Co-operative Wins Three-Year Dispute Over Harbour Berths</h2>`,
			"Board Widens North Quay",
			false,
		},
		{
			// a headline printed from a <title> that trails its section
			// and the site, under no site name the page declares
			"a trail of sections in the title",
			"https://health.example.org/patient-education/sleep",
			`<title>How to help toddlers sleep through the night | Patient Education | Riverside Children's Hospital</title>`,
			nav + `<h1>How to help toddlers sleep through the night | Patient Education | Riverside Children's Hospital</h1>`,
			"How to help toddlers sleep through the night",
			false,
		},
		{
			// one bar: the part after it may be the headline's own
			"one bar in the title",
			"https://shop.example.net/blog/tools",
			`<title>Go ahead, sharpen your own tools | Quay Notes</title>`,
			nav + `<h1>Go ahead, sharpen your own tools | Quay Notes</h1>`,
			"Go ahead, sharpen your own tools | Quay Notes",
			false,
		},
		{
			"film title and cast in the title",
			"https://reviews.example.com/film/quay",
			`<title>The Quay at Night (2024): Ann Reid, Tom Bell, Sara Lind - Example Film Review</title>`,
			nav + `<h1>The Quay at Night</h1><h2>Director: Joe Smith</h2><h2>Cast: Ann Reid, Tom Bell, Sara Lind, Omar Haddad</h2>`,
			"The Quay at Night",
			false,
		},
		{
			// a domain name before the headline is the site's name
			"domain prefix",
			"https://www.theharbourpost.example/quay",
			`<title>harbourpost.example: Board widens north quay</title>`,
			nav + `<h2>Board widens north quay</h2><h2>Perhaps to end a dispute that had run for three years and twice reached the courts, the harbour board gave the fishing co-operative what it asked</h2>`,
			"Board widens north quay",
			false,
		},
		{
			// a long heading under the headline is its deck, even when
			// the headline's words are not the article's
			"deck",
			"https://www.theharbourpost.example/quay",
			`<title>harbourpost.example: Blame game begins amid fury</title>`,
			nav + `<h2>Blame game begins amid fury</h2><h2>Perhaps to end a dispute that ran three years, the harbour board gave the fishing co-operative the wider north quay it asked for</h2><p>Ann Reid</p>`,
			"Blame game begins amid fury",
			true,
		},
		{
			// and so are the site's and the section's names before it
			"domain and section prefix, headline glued to its deck",
			"https://www.harbournews.example.com/article?id=4",
			`<title>HarbourNews.example.com - Ports - Quay: Board Agrees To Widen The North Berth</title>`,
			nav + `<div class="lead">Quay: Board Agrees To Widen The North Berth Ahead of the spring the harbour board has agreed to widen the north quay after a long dispute</div>`,
			"Quay: Board Agrees To Widen The North Berth",
			false,
		},
		{
			// a link that is the whole headline (the breadcrumb's last
			// step) is the article's, not a section's
			"breadcrumb link",
			"https://www.harbour.example.com/quay",
			`<title>Board agrees to widen the north quay / Harbour Online</title>`,
			nav + `<div class="crumbs"><a href="/local">Local</a></div><div class="crumbs"><a href="/quay">Board agrees to widen the north quay</a></div><span>2025-01-14 00:40:17</span><h2>More in Local news</h2><ul><li><a href="/x">Ferry fares frozen for islanders</a></li><li><a href="/y">Lifeboat crew called out twice</a></li></ul>`,
			"Board agrees to widen the north quay",
			false,
		},
		{
			// no <title>: the agency's credit under the headline is no
			// headline
			"agency credit",
			"https://www.harbour.example.com/quay",
			``,
			nav + `<div class="hl">Board agrees to widen the north quay</div><div class="hl">Press Trust of India</div><div class="hl">Monday, January 14, 2008 (Mumbai):</div>`,
			"Board agrees to widen the north quay",
			true,
		},
		{
			// no <title>: the page's <h1> further up beats an author's
			// name nearer the text
			"main heading above the author's box",
			"https://comment.example.org/ann-reid/quay",
			``,
			nav + `<h1>Battery power</h1><div class="standfirst">Widening the north quay is welcome, but insisting on new cranes is not a luxury every harbour can afford</div>` +
				`<h2><a href="/ann-reid">Ann Reid</a></h2><h2>Articles</h2><a href="/latest">Latest</a> <a href="/all">Show all</a><h2><a href="/profile">Profile</a></h2><div class="more"><a href="/ann-reid/all">All Ann Reid articles</a></div><a href="/feeds">About feeds</a><p>January 7, 2008 4:30 PM</p>`,
			"Battery power",
			true,
		},
		{
			// a <title> that is only the site's name: the headline is
			// the short line that opens the text
			"site name title",
			"https://www.harbourpost.example.com/story?id=9",
			`<title>harbourpost.example.com</title>`,
			nav + `<p>Board Agrees to Widen the North Quay</p>`,
			"Board Agrees to Widen the North Quay",
			false,
		},
		{
			// a <title> naming the section: its label (kicker) above the
			// headline is not the headline
			"kicker",
			"https://www.harbourpost.example.com/sport/9",
			`<title>Harbour Post : SPORTS PLUS</title>`,
			nav + `<div>SPORTS PLUS</div><b>Rowing club wins the regatta for the third year in a row</b>`,
			"Rowing club wins the regatta for the third year in a row",
			false,
		},
		{
			// a caption the text starts with, then the headline
			"caption before the headline",
			"https://www.harbourpost.example.com/9",
			`<title>Harbour Post - Local News | Ferries, Weather, Tides</title>`,
			nav + `<div>OTHER LOCAL NEWS</div><p>Ann Reid - harbour master.</p><div class="headline">BOARD WIDENS NORTH QUAY</div>`,
			"BOARD WIDENS NORTH QUAY",
			false,
		},
		{
			// the headline runs on past the <title>'s shorter version
			"headline longer than the title",
			"https://www.harbourpost.example.com/9",
			`<title>Best Harbour Walks in 2025 | Harbour Post</title>`,
			nav + `<h1>Best Harbour Walks in 2025, Tested by a Harbour Master</h1>`,
			"Best Harbour Walks in 2025, Tested by a Harbour Master",
			true,
		},
		{
			"mojibake",
			"https://www.harbourpost.example.com/9",
			"<title>The Harbour Master\u00e2\u0080\u0099s Guide to the North Quay | Harbour Post</title>",
			nav + "<h1>The Harbour Master\u00e2\u0080\u0099s Guide to the North Quay</h1>",
			"The Harbour Master’s Guide to the North Quay",
			false,
		},
		{
			// a template that prints the <title> as the heading leaves
			// the site's name in it
			"site name in the heading",
			"https://www.quaysidearts.example/shows-2025",
			`<title>Critics’ Choice: Best Harbour Shows 2025 – Quayside Arts - Quayside Arts</title><meta property="og:site_name" content="Quayside Arts">`,
			nav + `<h1>Critics’ Choice: Best Harbour Shows 2025 – Quayside Arts</h1>`,
			"Critics’ Choice: Best Harbour Shows 2025",
			false,
		},
		{
			"domain name after the heading",
			"https://shop.example.com/p/quay-lamp",
			`<title>QUAY LAMP | shop.example.com</title>`,
			nav + `<h1>QUAY LAMP | shop.example.com</h1>`,
			"QUAY LAMP",
			false,
		},
		{
			// the declared title's plain quotes and dashes, the same
			// words as the typeset heading
			"declared spelling of the same words",
			"https://www.harbourpost.example.com/10",
			`<title>Harbour's Best Kept Secret--The Night Ferry | Harbour Post</title><meta property="og:title" content="Harbour's Best Kept Secret--The Night Ferry">`,
			nav + `<h1>Harbour’s Best Kept Secret—The Night Ferry</h1>`,
			"Harbour's Best Kept Secret--The Night Ferry",
			false,
		},
		{
			// other words in the declared title: the heading stands
			"heading differs from the declared title",
			"https://www.harbourpost.example.com/11",
			`<title>Night ferry returns | Harbour Post</title><meta property="og:title" content="Night ferry returns after 20 years">`,
			nav + `<h1>Night ferry returns</h1>`,
			"Night ferry returns",
			false,
		},
		{
			// a heading in capitals: the declared title's case is the
			// publisher's
			"declared case of a heading in capitals",
			"https://www.harbourpost.example.com/12",
			`<title>Harbour Post</title><meta property="og:title" content="Ten Walks Along the Old Harbour Wall">`,
			nav + `<h1>TEN WALKS ALONG THE OLD HARBOUR WALL</h1>`,
			"Ten Walks Along the Old Harbour Wall",
			false,
		},
		{
			// a heading in sentence case against a title-cased
			// declared title: the heading stands
			"heading in sentence case",
			"https://www.harbourpost.example.com/13",
			`<title>Harbour Post</title><meta property="og:title" content="Ten Walks Along the Old Harbour Wall">`,
			nav + `<h1>Ten walks along the old harbour wall</h1>`,
			"Ten walks along the old harbour wall",
			false,
		},
		{
			// a heading all in lower case: the declared title's case,
			// its trail of topics left out
			"declared case of a heading in lower case",
			"https://www.harbourpost.example.com/14",
			`<title>Harbour Post</title><meta property="og:title" content="History of the harbour wall | Origin, Repairs, Storms | Harbour Post">`,
			nav + `<h1>history of the harbour wall</h1>`,
			"History of the harbour wall",
			false,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := testPage(c.head, c.body, "")
			if c.out {
				page = testPageOut(c.head, c.body, "")
			}
			art, err := Extract(page, c.url)
			if err != nil {
				t.Fatal(err)
			}
			if art.Title != c.want {
				t.Errorf("Title = %q, want %q", art.Title, c.want)
			}
		})
	}
}

func TestCleanTitleDomains(t *testing.T) {
	for in, want := range map[string]string{
		"globe.example.com: Blame game begins amid fury":                 "Blame game begins amid fury",
		"Goal.example - Chelsea - Cole: Winning Cup Would Give Momentum": "Cole: Winning Cup Would Give Momentum",
		"example.com: Hi": "example.com: Hi", // too short to be a headline
	} {
		if got := cleanTitle(in, ""); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFixMojibake(t *testing.T) {
	for in, want := range map[string]string{
		"Investor\u00e2\u0080\u0099s guide": "Investor’s guide", // read as Latin-1
		"Investorâ€™s guide":                "Investor’s guide", // read as Windows-1252
		"Café in São Paulo":                 "Café in São Paulo",
		"SÃO PAULO":                         "SÃO PAULO",
		"plain":                             "plain",
	} {
		if got := fixMojibake(in); got != want {
			t.Errorf("fixMojibake(%q) = %q, want %q", in, got, want)
		}
	}
}

// A page's one <h1> says the declared title in other words ("The 7 Best
// Garden Tools for a Beginner" for "Beginner Garden Tools: Check out My Top
// 7 Favourites"): it is the headline the reader sees, not the declared
// title nor a heading nearer the body.
func TestRewordedSoleH1(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "reworded-h1.html"))
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, "https://shednotes.example/reviews/garden-tools")
	if err != nil {
		t.Fatal(err)
	}
	if want := "The 7 Best Garden Tools for a Beginner"; art.Title != want {
		t.Errorf("title %q, want %q", art.Title, want)
	}
}

// A page's one <h1> is the headline over a section's heading inside the
// body that matched the <title> better ("What is sea kayaking?" under
// "An introduction to sea kayaking: what beginners need to know"); an
// <h1> that names the section ("Local Sports Wire") is not.
func TestOneH1OverSectionHeading(t *testing.T) {
	p := func(s string) string { return "<p>" + s + "</p>" }
	body := p("Sea kayaking takes you where no boat with a keel can go: into caves, along cliffs and onto beaches that nobody reaches on foot, and it is easier to learn than most people think.") +
		"<h2>What is sea kayaking?</h2>" +
		p("A sea kayak is longer and narrower than the kayaks rented on lakes, with a rudder or a skeg, and it tracks straight in wind and waves over long distances.") +
		p("Most clubs run a beginners' course over two weekends, covering strokes, rescues, tides and the rules of the sea, and lend the boats for it.")
	page := func(head, h1 string) []byte {
		return []byte(`<html><head>` + head + `</head><body><header><h1>` + h1 + `</h1></header><article>` + body + `</article></body></html>`)
	}
	art, err := Extract(page(`<title>What is Sea Kayaking - A guided introduction | Paddle Coast</title>`, "An introduction to sea kayaking: what beginners need to know"), "https://paddle.example.com/learn/sea-kayaking")
	if err != nil {
		t.Fatal(err)
	}
	if want := "An introduction to sea kayaking: what beginners need to know"; art.Title != want {
		t.Errorf("Title = %q, want %q", art.Title, want)
	}
	art, err = Extract(page(`<title>What is sea kayaking? | Local Sports Wire</title>`, "Local Sports Wire"), "https://paddle.example.com/learn/sea-kayaking")
	if err != nil {
		t.Fatal(err)
	}
	if want := "What is sea kayaking?"; art.Title != want {
		t.Errorf("Title = %q, want %q", art.Title, want)
	}
}
