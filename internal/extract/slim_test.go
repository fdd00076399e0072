package extract

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// A page with nothing to leave out comes back byte for byte, whatever
// its spelling: the parser sees what it saw before.
func TestSlimKeepsOrdinaryMarkup(t *testing.T) {
	page := []byte("<!DOCTYPE html>\n<HTML lang=en><Head><TITLE>A &amp; B</TITLE>" +
		`<meta property="og:title" content='A &amp; B'><link rel=canonical href=/a?x=1&amp;y=2>` +
		"</head>\r\n<body class=\"x y\"><!--$--><DIV id=main data-x=\"&quot;\"><p>One &lt;b&gt; two<br/>three</P>" +
		"<template id=\"B:0\"></template><!--/$--><textarea></textarea><img src=a.jpg alt=\"\">" +
		"<table><tr><td>1<td>2</table><svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/></svg></div></body></html>")
	s := slim(page)
	if !bytes.Equal(s.page, page) {
		t.Errorf("slim changed the page:\n%s\nwant\n%s", s.page, page)
	}
	if s.cut || s.dropped != 0 || s.String() != "" {
		t.Errorf("cut %v dropped %d %q", s.cut, s.dropped, s.String())
	}
}

func TestSlimDropsWhatIsNeverContent(t *testing.T) {
	long := strings.Repeat("A", slimMaxAttr+500)
	page := "<html><head><script>var secret = 'script text';</script>" +
		`<script type="application/ld+json">{"@type":"NewsArticle","headline":"JSON kept"}</script>` +
		"<style>.c { color: red }</style></head><body>" +
		"<noscript><img src=noscript-img.jpg></noscript>" +
		"<!-- a long comment that nobody reads -->" +
		`<template id="B:1"><p>template text<template><p>inner</p></template><script>in template</script></template>` +
		`<script>$RC("B:1","S:1")</script>` +
		`<img alt="x" src="data:image/png;base64,` + long + `">` +
		`<div class="c" data-props="` + strings.Repeat("&quot;", slimMaxAttr) + `">kept text</div>` +
		"<iframe>iframe text</iframe><textarea>form text</textarea>" +
		"<p>after</p></body></html>"
	s := slim([]byte(page))
	got := string(s.page)
	for _, gone := range []string{"script text", ".c { color", "noscript-img", "nobody reads", "template text", "inner", "in template", "iframe text", "form text", long} {
		if strings.Contains(got, gone) {
			t.Errorf("%.40q kept:\n%.2000s", gone, got)
		}
	}
	for _, kept := range []string{`"headline":"JSON kept"`, `$RC("B:1","S:1")`, `<template id="B:1"></template>`,
		"<noscript></noscript>", "<style></style>", `alt="x"`, `src="data:image/png;base64,` + long[:slimMaxAttr-len("data:image/png;base64,")] + `"`,
		">kept text</div>", "<p>after</p></body></html>"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%.80q lost:\n%.3000s", kept, got)
		}
	}
	if s.cut {
		t.Error("cut")
	}
	if s.dropped < len(long) {
		t.Errorf("dropped %d bytes", s.dropped)
	}
	// the cut attribute stays one attribute of the right length
	if !strings.Contains(got, `data-props="`+strings.Repeat("&#34;", slimMaxAttr)+`"`) {
		t.Errorf("entity-heavy value not cut to %d characters:\n%.300s", slimMaxAttr, got[strings.Index(got, "data-props"):])
	}
}

// Past the limits only what the metadata needs is copied; the article
// before the cut is extracted, the metadata after it still read.
func TestSlimCutsHugePages(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html><head><title>Ferry timetable approved</title></head><body><article>`)
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d of the article about the ferry timetable, which the council approved after a long debate on Tuesday night.</p>", i)
	}
	b.WriteString(`</article><div class="grid">`)
	cutFrom := -1
	for i := 0; i < slimMaxElements+1000; i++ {
		if i == slimMaxElements-20 { // the page's elements before the grid
			cutFrom = b.Len()
		}
		b.WriteString(`<span>cell</span>`)
	}
	b.WriteString(`</div><p>text after the cut</p>`)
	b.WriteString(`<meta property="og:image" content="https://example.com/late.jpg">`)
	b.WriteString(`<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-03-05T10:00:00Z","author":{"@type":"Person","name":"Ana Lima"}}</script>`)
	b.WriteString(`<script>var dropped = 1;</script></body></html>`)
	page := []byte(b.String())

	s := slim(page)
	if !s.cut || s.cutAt < cutFrom-len("<span>cell</span>")*40 || s.cutAt > cutFrom+len("<span>cell</span>")*40 {
		t.Fatalf("cut %v at %d, want near %d", s.cut, s.cutAt, cutFrom)
	}
	if !bytes.HasPrefix(page[s.cutAt:], []byte("<span>")) {
		t.Errorf("cut at %.20q, want at a tag", page[s.cutAt:])
	}
	if n := bytes.Count(s.page, []byte("<span>")); n >= slimMaxElements {
		t.Errorf("%d elements copied", n)
	}
	if bytes.Contains(s.page, []byte("text after the cut")) || bytes.Contains(s.page, []byte("dropped = 1")) {
		t.Error("content after the cut copied")
	}

	art, err := Extract(page, "https://example.com/ferry")
	if err != nil {
		t.Fatal(err)
	}
	if len(art.Paragraphs) != 6 || !strings.HasPrefix(art.Paragraphs[5], "Paragraph 5 ") {
		t.Errorf("paragraphs %q", art.Paragraphs)
	}
	if art.Image != "https://example.com/late.jpg" || art.Author != "Ana Lima" || art.Published.Year() != 2024 {
		t.Errorf("metadata after the cut lost: image %q author %q published %v", art.Image, art.Author, art.Published)
	}
}

// Text limit: a page of one endless paragraph is cut at slimMaxText of
// text.
func TestSlimCutsLongText(t *testing.T) {
	const head = "<html><body><p>"
	page := []byte(head + strings.Repeat("word ", slimMaxText/5+1000) + "</p></body></html>")
	s := slim(page)
	if !s.cut || !bytes.Equal(s.page, page[:len(head)+slimMaxText]) {
		t.Errorf("cut %v, %d bytes copied, want the first %d", s.cut, len(s.page), len(head)+slimMaxText)
	}
	art, err := Extract(page, "")
	if err != nil || len(art.Paragraphs) != 1 || len(art.Paragraphs[0]) < slimMaxText-100 {
		t.Errorf("the text's start lost: %v", err)
	}
	// nor is a character cut in two
	page = []byte("<html><body><p>" + strings.Repeat("é", slimMaxText) + "</p></body></html>")
	if s := slim(page); !utf8.Valid(s.page) {
		t.Error("a character cut in two")
	}
}

// Byte limit: markup heavy with long attributes (under slimMaxAttr each)
// is cut at slimMaxBytes, long before slimMaxElements.
func TestSlimCutsHeavyMarkup(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body>")
	class := strings.Repeat("u-utility ", 150)
	for b.Len() < slimMaxBytes+64<<10 {
		b.WriteString(`<div class="` + class + `">x</div>`)
	}
	s := slim([]byte(b.String()))
	if !s.cut || len(s.page) > slimMaxBytes || len(s.page) < slimMaxBytes-4096 {
		t.Errorf("cut %v, %d bytes copied, want about %d", s.cut, len(s.page), slimMaxBytes)
	}
}
