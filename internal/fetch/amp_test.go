package fetch

import (
	"os"
	"strings"
	"testing"
)

func TestAMPLink(t *testing.T) {
	const base = "https://news.example.com/world/story-123?utm=x#top"
	for _, c := range []struct{ name, page, want string }{
		{"absolute", `<html><head><link rel="amphtml" href="https://news.example.com/amp/story-123"></head></html>`,
			"https://news.example.com/amp/story-123"},
		{"relative", `<link rel=amphtml href="/amp/world/story-123">`, "https://news.example.com/amp/world/story-123"},
		{"path-relative", `<link href="story-123/amp" rel="amphtml">`, "https://news.example.com/world/story-123/amp"},
		{"protocol-relative", `<link rel="amphtml" href="//amp.example.com/s/123">`, "https://amp.example.com/s/123"},
		{"rel token list, case", `<LINK REL="Alternate AMPHTML" HREF="/amp">`, "https://news.example.com/amp"},
		{"fragment dropped", `<link rel="amphtml" href="/amp#x">`, "https://news.example.com/amp"},
		{"base href", `<head><base href="https://cdn.example.net/root/"><link rel="amphtml" href="amp/1"></head>`,
			"https://cdn.example.net/root/amp/1"},
		{"first link wins", `<link rel="amphtml" href="/a1"><link rel="amphtml" href="/a2">`, "https://news.example.com/a1"},
		{"in the body too", `<body><p>x</p><link rel="amphtml" href="/late"></body>`, "https://news.example.com/late"},
		{"other rels ignored", `<link rel="canonical" href="/c"><link rel="amp" href="/x"><link rel="alternate" hreflang="id" href="/id">`, ""},
		{"javascript refused", `<link rel="amphtml" href="javascript:alert(1)">`, ""},
		{"data refused", `<link rel="amphtml" href="data:text/html,x">`, ""},
		{"empty href", `<link rel="amphtml" href="  ">`, ""},
		{"in a comment", `<!-- <link rel="amphtml" href="/c"> -->`, ""},
		{"in a script", `<script>var s = '<link rel="amphtml" href="/s">';</script>`, ""},
		{"none", `<html><head><title>t</title></head><body>text</body></html>`, ""},
		{"not HTML", "\x00\x01\xff binary", ""},
	} {
		if got := AMPLink([]byte(c.page), base); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := AMPLink([]byte(`<link rel="amphtml" href="/amp">`), "::not a url"); got != "" {
		t.Errorf("bad base: %q", got)
	}
	// A link past the scan limit is not looked for.
	long := "<html><head>" + strings.Repeat("<meta name=x content=y>", ampScanBytes/20) + `<link rel="amphtml" href="/amp"></head>`
	if got := AMPLink([]byte(long), base); got != "" {
		t.Errorf("past the limit: %q", got)
	}
}

// TestAMPLinkSeedPage: the seed article's page names its AMP version.
func TestAMPLinkSeedPage(t *testing.T) {
	page, err := os.ReadFile("../extract/testdata/seed-news.html")
	if err != nil {
		t.Skip(err)
	}
	const want = "https://news.sky.com/story/amp/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576"
	if got := AMPLink(page, "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576"); got != want {
		t.Errorf("got %q", got)
	}
}
