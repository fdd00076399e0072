package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// eachTestNode calls visit on every node of every test page, in
// document order.
func eachTestNode(t *testing.T, visit func(n *html.Node)) {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.html")
	golden, _ := filepath.Glob("testdata/golden/*.html")
	for _, f := range append(files, golden...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			visit(n)
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
}

// testPageAttrs returns the values of the named attributes on every
// element of the test pages.
func testPageAttrs(t *testing.T, keys ...string) []string {
	t.Helper()
	var vals []string
	eachTestNode(t, func(n *html.Node) {
		for _, a := range n.Attr {
			for _, k := range keys {
				if a.Key == k {
					vals = append(vals, a.Val)
				}
			}
		}
	})
	return vals
}

// the word lists' tests as they were written first, one list at a time
func refContainsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func refWordStartsAny(s string, words []string) bool {
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' {
			continue
		}
		for _, w := range words {
			if strings.HasPrefix(s[i:], w) {
				return true
			}
		}
	}
	return false
}

func refMarkToken(t string) tokenMarks {
	l := strings.ToLower(t)
	m := tokenMarks{
		body:     refContainsAny(l, bodyClassWords),
		unlikely: refContainsAny(l, unlikelyWords),
		maybe:    refContainsAny(l, maybeWords),
		negative: refContainsAny(l, negativeWords) || l == "hid",
		positive: refContainsAny(l, positiveWords),
	}
	if strings.Contains(l, "comment") || refWordStartsAny(l, boilerStarts) {
		m.boiler = reBoiler.MatchString(l)
	}
	return m
}

// markToken tests all its word lists in one pass; it must mark every name
// as the lists tested one by one do.
func TestMarkTokenAgreesWithWordLists(t *testing.T) {
	names := []string{
		"", "a", "ad", "ads", "adslot", "add", "header", "site-header", "HeaderMain", "comments",
		"commentary", "post-meta", "postmeta", "xpost-meta", "entry-content", "article__body",
		"sidebar-left", "shadow-box", "main-column", "share-bar", "x-sharing", "poll", "-poll",
		"x-poll", "x--poll", "survey-box", "text-to-speech", "hid", "hidden", "Related_Posts",
		"sr-only", "visually-hidden", "social", "read-more", "-ad-", "banner-ad", "skyscraper",
		"yom-remote", "h-entry", "hentry", "pagination", "pager", "rss", "about-the-author",
		"author-bio", "video-player", "tags", "tag-cloud", "stage", "taggable", "ÄRTICLE", "ſhare",
	}
	for _, v := range testPageAttrs(t, "class", "id") {
		names = append(names, strings.Fields(v)...)
	}
	if len(names) < 500 {
		t.Fatalf("only %d names", len(names))
	}
	boiler := 0
	for _, n := range names {
		got, want := markToken(n), refMarkToken(n)
		if got != want {
			t.Errorf("markToken(%q) = %+v, the lists say %+v", n, got, want)
		}
		if got.boiler {
			boiler++
		}
	}
	if boiler < 10 {
		t.Errorf("only %d boilerplate names among the samples", boiler)
	}
}

// authorPath skips its pattern on links that cannot match; it must answer
// as the pattern does.
func TestAuthorPathAgreesWithPattern(t *testing.T) {
	hrefs := []string{
		"/author/jane-doe", "/author/jane-doe/", "https://x.example/authors/jane?x=1", "/writer/j",
		"/profile/author/jane", "/people/jane-doe#top", "/staff/jd", "/Author/jane", "/author/",
		"/authors", "/news/author-interview", "/staff", "/people/jane/articles", "",
	}
	hrefs = append(hrefs, testPageAttrs(t, "href")...)
	matched := 0
	for _, h := range hrefs {
		got, want := authorPath(h), reAuthorPath.MatchString(h)
		if got != want {
			t.Errorf("authorPath(%q) = %v, pattern says %v", h, got, want)
		}
		if got {
			matched++
		}
	}
	if matched < 5 {
		t.Errorf("only %d author links among the samples", matched)
	}
}

// hasStreaming looks for `id="S:` in its own way; it must find it where a
// plain search does.
func TestHasStreamingAgreesWithSearch(t *testing.T) {
	pages := []string{
		``, `S:`, `id="S:`, `<template id="S:`, `id="S:<template`, `<template>S: id="S`,
		`<div hidden id="S:0"></div><template id="B:0"></template>`,
		`<p>S: S: S:</p><template id="B:1"></template><div id="S:1" hidden></div>`,
		`<div xid="S:1"></div><template></template>`, `<div id='S:1'></div><template></template>`,
		`id="S<template>`, `S:id="S:<template`,
	}
	for _, p := range pages {
		want := strings.Contains(p, `id="S:`) && strings.Contains(p, "<template")
		if got := hasStreaming([]byte(p)); got != want {
			t.Errorf("hasStreaming(%q) = %v, want %v", p, got, want)
		}
	}
}

// widgetWords skips the widget pattern on lines that cannot match; it must
// pass every line the pattern matches.
func TestWidgetWordsPassesEveryWidgetLine(t *testing.T) {
	lines := []string{
		"Listen to this article", "  — Listen to this article", "LISTEN TO THIS ARTICLE 5 min",
		"Please use Chrome browser for a more accessible video player", "This video can not be played",
		"Your browser does not support the audio element.", "To play this video you need to enable JavaScript",
		"You need to enable JavaScript to run this app.", "Follow Sky News on WhatsApp",
		"Click to subscribe to the Sky News Daily wherever you get your podcasts",
		"Sign up for our newsletter", "View this post on Instagram", "A post shared by Jane (@jane)",
		"Read more from Sky News:", "Loading video", "Stay connected with me!", "Join our mailing list!",
		"Get the best stories in your inbox", "Was this newsletter forwarded to you? Sign up here",
		"ſign up for our newsletter", "Clic\u212a to subscribe", "\u212aeep reading", "«Watch on YouTube»",
		"The video is not available", "Hear the story read aloud", "", "   ", "—", "Thereafter this browser",
		"Listening to this article", "1 Listen to this article", "Nothing to see here",
	}
	for _, s := range testPageTexts(t) {
		lines = append(lines, s, strings.ToUpper(s))
	}
	matched := 0
	for _, s := range lines {
		want := widgetKeysIn(s) && reWidgetLine.MatchString(s)
		if want && !widgetWords(s) {
			t.Errorf("widgetWords(%q) = false, the pattern matches", s)
		}
		if want {
			matched++
		}
	}
	if matched < 15 {
		t.Errorf("only %d widget lines among the samples", matched)
	}
	if widgetWords("The quick brown fox jumps over the video") == false {
		t.Error("a line starting with a widget word and holding a key must pass")
	}
	if widgetWords("Quick brown foxes watch the video") {
		t.Error("a line whose first word starts no widget line must not pass")
	}
}

// widgetKeysIn is widgetWords' key test alone.
func widgetKeysIn(s string) bool {
	l := strings.ToLower(s)
	for _, k := range widgetKeys {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

// testPageTexts returns the collapsed text nodes of the test pages.
func testPageTexts(t *testing.T) []string {
	t.Helper()
	var texts []string
	eachTestNode(t, func(n *html.Node) {
		if n.Type == html.TextNode {
			texts = append(texts, collapse(n.Data))
		}
	})
	return texts
}
