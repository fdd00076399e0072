package extract

import (
	"strings"
	"testing"
	"time"
)

// articleText is a body long enough for the extractor to take it as one.
const articleText = `<p>The harbour board voted on Tuesday to widen the north quay, ending a dispute with the fishing co-operative that had run for almost three years and had twice reached the courts.</p>
<p>Work on the quay will start in the spring and last eighteen months. The board said boats would keep their berths during the work, moving in turn to a temporary pontoon by the lifeboat station.</p>
<p>Members of the co-operative said they were relieved. Their chair said the wider quay would let the larger boats land their catch at low tide for the first time since the harbour was built.</p>`

// testPage builds a page: head holds the <head> elements, top the blocks
// above the article's text (in its <article>), bottom those after it.
func testPage(head, top, bottom string) []byte {
	return []byte(`<html><head>` + head + `</head><body><div class="site-header"><a href="/">Home</a> <a href="/news">News</a></div><article>` +
		top + articleText + bottom + `</article><div class="footer"><p>Contact us</p></div></body></html>`)
}

// testPageOut is testPage with the blocks above the text outside its
// <article>, as many pages keep their headline.
func testPageOut(head, top, bottom string) []byte {
	return []byte(`<html><head>` + head + `</head><body><div class="site-header"><a href="/">Home</a> <a href="/news">News</a></div>` +
		top + `<article>` + articleText + bottom + `</article><div class="footer"><p>Contact us</p></div></body></html>`)
}

func day(y int, m time.Month, d int) string {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

func TestPublishedDate(t *testing.T) {
	ld := func(pub, mod string) string {
		return `<script type="application/ld+json">{"@type":"Article","headline":"Harbour board widens north quay","datePublished":"` + pub + `","dateModified":"` + mod + `"}</script>`
	}
	og := func(pub, mod string) string {
		return `<meta property="article:published_time" content="` + pub + `"><meta property="article:modified_time" content="` + mod + `">`
	}
	for _, c := range []struct {
		name      string
		url       string
		page      []byte
		published string
	}{
		{
			// the page presents itself as of its update; the JSON-LD
			// publication date is the record's
			"update shown, publication only in JSON-LD",
			"https://harbour.example.com/quay",
			testPage(ld("2021-03-02T10:00:00Z", "2025-06-09T08:00:00Z"), `<h1>Harbour board widens north quay</h1><div class="byline">By Ann Reid · Updated June 9, 2025</div>`, ""),
			day(2025, 6, 9),
		},
		{
			// an Open Graph publication time stands by a shown update
			"update shown, publication in Open Graph",
			"https://harbour.example.com/quay",
			testPage(og("2021-03-02T10:00:00Z", "2025-06-09T08:00:00Z"), `<h1>Harbour board widens north quay</h1><div class="byline">By Ann Reid · Updated June 9, 2025</div>`, ""),
			day(2021, 3, 2),
		},
		{
			// nor does an update the metadata does not know move it
			"other update shown, publication in Open Graph",
			"https://harbour.example.com/quay",
			testPage(og("2021-03-02T10:00:00Z", "2025-06-09T08:00:00Z"), `<h1>Harbour board widens north quay</h1><div class="byline">Last updated: May 2, 2024</div>`, ""),
			day(2021, 3, 2),
		},
		{
			// a shown date that is no update still overrides
			"publication shown, other in Open Graph",
			"https://harbour.example.com/quay",
			testPage(og("2021-03-02T10:00:00Z", ""), `<h1>Harbour board widens north quay</h1><div class="byline">Published May 2, 2024</div>`, ""),
			day(2024, 5, 2),
		},
		{
			// a date inside a sentence is not the page's date
			"note in prose",
			"https://harbour.example.com/quay",
			testPage("", `<h1>Harbour board widens north quay</h1><div class="byline">By Ann Reid ⋅ Updated March 5, 2025</div><p class="note">Editor's note: we revised this story on March 4, 2025 to add the board's figures for the pontoon.</p>`, ""),
			day(2025, 3, 5),
		},
		{
			"originally published",
			"https://harbour.example.com/quay",
			testPage("", `<h1>Harbour board widens north quay</h1><div class="byline">30 Sep 2022, 11:07am</div>`, `<p>This article was originally published on 26 Sep 2019 and has been updated since.</p>`),
			day(2019, 9, 26),
		},
		{
			// no date by the headline, but a line that states it after
			// the text; the metadata's is a save time
			"published line below the article",
			"https://harbour.example.com/quay",
			testPage(ld("2025-11-29T12:28:31-05:00", "2025-11-29T12:28:31-05:00"), `<h1>Harbour board widens north quay</h1>`, `<div class="meta">Published August 13, 2025</div>`),
			day(2025, 8, 13),
		},
		{
			"labelled month",
			"https://harbour.example.com/quay",
			testPage("", `<h1>Harbour board widens north quay</h1>`, `<div class="meta"><b>Last Updated:</b> June 2022</div>`),
			day(2022, 6, 1),
		},
		{
			"posted line below the article",
			"https://harbour.example.com/quay",
			testPage("", `<h1>Harbour board widens north quay</h1>`, `<div class="meta">Posted on April 13, 2023</div>`),
			day(2023, 4, 13),
		},
		{
			"British page writes the day first",
			"https://www.harbour.example.co.uk/quay",
			testPage("", `<h1>Harbour board widens north quay</h1><div class="byline">Last Updated: 12:01am GMT 08/01/2008</div>`, ""),
			day(2008, 1, 8),
		},
		{
			"American page writes the month first",
			"https://www.harbour.example.com/quay",
			testPage(`<meta property="og:locale" content="en_US">`, `<h1>Harbour board widens north quay</h1><div class="byline">Posted 08/01/2008</div>`, ""),
			day(2008, 8, 1),
		},
		{
			"a date valid one way only",
			"https://www.harbour.example.com/quay",
			testPage("", `<h1>Harbour board widens north quay</h1><div class="byline">Posted 29/12/2007</div>`, ""),
			day(2007, 12, 29),
		},
		{
			"German",
			"https://hafen.example.de/kai",
			testPage(`<meta http-equiv="content-language" content="de">`, `<h1>Hafenbehörde verbreitert den Nordkai</h1><div class="byline">Veröffentlicht am 13. März 2024</div>`, ""),
			day(2024, 3, 13),
		},
		{
			"Spanish",
			"https://puerto.example.es/muelle",
			testPage("", `<h1>El puerto amplía el muelle norte</h1><div class="byline">Publicado el 5 de marzo de 2024</div>`, ""),
			day(2024, 3, 5),
		},
		{
			"French update does not move the publication",
			"https://port.example.fr/quai",
			testPage(og("2024-03-01T09:00:00+01:00", ""), `<h1>Le port élargit le quai nord</h1><div class="byline">Mis à jour le 3 avril 2024</div>`, ""),
			day(2024, 3, 1),
		},
		{
			"published-date meta",
			"https://harbour.example.com/quay",
			testPage(`<meta name="published-date" content="2021-02-16">`, `<h1>Harbour board widens north quay</h1>`, ""),
			day(2021, 2, 16),
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			art, err := Extract(c.page, c.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := art.Published.Format("2006-01-02"); got != c.published {
				t.Errorf("Published = %v, want the day %s", art.Published, c.published)
			}
		})
	}
}

// A page that shows its local day next to a UTC timestamp of the same
// moment keeps the timestamp, in the zone its other timestamps carry.
func TestPublishedZone(t *testing.T) {
	head := `<meta property="article:published_time" content="2025-12-19T02:41:41+00:00">`
	top := `<h1>Harbour board widens north quay</h1><div class="byline">Posted on December 18, 2025</div>`
	bottom := `<ol class="comments"><li><time datetime="2025-12-18T21:46:01-05:00">9:46 pm</time> Good news.</li></ol>`
	art, err := Extract(testPage(head, top, bottom), "https://harbour.example.com/quay")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 12, 19, 2, 41, 41, 0, time.UTC); !art.Published.Equal(want) {
		t.Errorf("Published = %v, want the instant %v", art.Published, want)
	}
	if got := art.Published.Format("2006-01-02"); got != "2025-12-18" {
		t.Errorf("Published = %v, want it on the page's day 2025-12-18", art.Published)
	}

	// without a zone anywhere the UTC timestamp stays as it is
	art, err = Extract(testPage(head, top, ""), "https://harbour.example.com/quay")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 12, 19, 2, 41, 41, 0, time.UTC); !art.Published.Equal(want) || art.Published.Location() != time.UTC {
		t.Errorf("Published = %v, want %v", art.Published, want)
	}
}

func TestLabelledDates(t *testing.T) {
	ds := labelledDates("Published 3 May 2024 | Updated 9 June 2025", 0, true)
	if len(ds) != 2 || ds[0].kind != datePublished || ds[1].kind != dateUpdated ||
		ds[0].t.Format("2006-01-02") != "2024-05-03" || ds[1].t.Format("2006-01-02") != "2025-06-09" {
		t.Errorf("got %+v", ds)
	}
	for s, want := range map[string]dateKind{
		"16 December 2025":                 dateBare,
		"Diperbarui 16 Desember 2025":      dateUpdated,
		"Date: 16 March 2026":              dateNamed,
		"Last reviewed on 16 Dec 2025":     dateUpdated,
		"Publié le 16 décembre 2025":       datePublished,
		"Aggiornato il 16 dicembre 2025":   dateUpdated,
		"Gepubliceerd op 16 december 2025": datePublished,
	} {
		ds := labelledDates(s, 0, true)
		if len(ds) != 1 || ds[0].kind != want || ds[0].t.Day() != 16 {
			t.Errorf("labelledDates(%q) = %+v, want kind %d on the 16th", s, ds, want)
		}
	}
	if !proseDate("Editor's note: we updated this review on March 4, 2025 to share more of our test results.") ||
		proseDate("Posted by Jane on Friday December 19, 2025 @08:00PM from the long-weekend dept.") {
		t.Error("proseDate")
	}
}

func TestDayFirstLocale(t *testing.T) {
	for _, c := range []struct {
		host, lang string
		want       bool
	}{
		{"www.telegraph.example.co.uk", "", true},
		{"news.example.com", "", false},
		{"news.example.com", "en-GB", true},
		{"news.example.com.au", "en_US", false},
		{"berita.example.id", "", true},
		{"news.example.com", "fr", true},
		{"news.example.us", "", false},
	} {
		if got := dayFirstLocale(c.host, c.lang); got != c.want {
			t.Errorf("dayFirstLocale(%q, %q) = %v", c.host, c.lang, got)
		}
	}
	if !hasYear("on 8/1/2008") || hasYear("call 555 1234") || hasYear("12345 items") {
		t.Error("hasYear")
	}
	if strings.Contains(monthRe, "()") {
		t.Error("empty month name")
	}
}
