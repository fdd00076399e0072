// Package extracttest builds pages for the extractor's memory tests and
// benchmarks: pages near the fetcher's body cap in the shapes a hostile or
// just careless site can send, each with a short real article in it, so
// that a test can check both the memory an extraction takes and that the
// article still comes out.
package extracttest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

// Shapes are the kinds of huge page Page builds.
var Shapes = []string{
	"paragraphs", // an article of thousands of long paragraphs
	"table",      // a table of a million tiny cells
	"spans",      // flat runs of tiny inline elements with utility classes
	"scripts",    // megabytes of inline scripts, hydration JSON and styles
	"svg",        // inline SVG icons with many paths
	"base64",     // images inlined as data: URIs
	"attrs",      // elements carrying huge attribute values (island props)
	"comments",   // megabytes of comments
	"nested",     // deeply nested containers around the text
}

// ArticleMarker opens the first paragraph of every page's article.
const ArticleMarker = "The harbour council met on Tuesday"

// article is the short real article every page carries.
func article(w *bytes.Buffer) {
	w.WriteString(`<article class="article-body"><h1>Harbour council approves the new ferry timetable</h1>`)
	for i := 0; i < 6; i++ {
		fmt.Fprintf(w, "<p>%s, paragraph %d: members approved the new ferry timetable after a long debate, with the fishermen, the shop owners and the school asking for earlier boats, and the council promising to review it in spring.</p>\n", ArticleMarker, i)
	}
	w.WriteString(`</article>`)
}

const head = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour council approves the new ferry timetable</title>` +
	`<meta property="og:title" content="Harbour council approves the new ferry timetable"></head><body>`

// Page returns a page of the given shape, size bytes long give or take a
// few hundred bytes. It panics on an unknown shape.
func Page(shape string, size int) []byte {
	var w bytes.Buffer
	w.Grow(size + 4096)
	w.WriteString(head)
	article(&w)
	fill := func(unit func(i int)) {
		for i := 0; w.Len() < size-64; i++ {
			unit(i)
		}
	}
	switch shape {
	case "paragraphs":
		// the article itself goes on and on
		w.Reset()
		w.WriteString(head)
		w.WriteString(`<article class="article-body"><h1>Harbour council approves the new ferry timetable</h1>`)
		fill(func(i int) {
			fmt.Fprintf(&w, "<p>%s, paragraph %d: members approved the new ferry timetable after a long debate, with the fishermen, the shop owners and the school asking for earlier boats, and the council, which met until late, promising to review the timetable in spring once the first month of the new boats is known.</p>\n", ArticleMarker, i)
		})
		w.WriteString(`</article>`)
	case "table":
		w.WriteString(`<table class="results">`)
		fill(func(i int) {
			if i%20 == 0 {
				w.WriteString("<tr>")
			}
			fmt.Fprintf(&w, "<td>%d</td>", i%1000)
		})
		w.WriteString(`</table>`)
	case "spans":
		w.WriteString(`<div class="grid">`)
		fill(func(i int) {
			fmt.Fprintf(&w, `<span class="px-2 py-1 text-sm c%d">%d</span>`, i%50, i%100)
		})
		w.WriteString(`</div>`)
	case "scripts":
		fill(func(i int) {
			switch i % 3 {
			case 0:
				w.WriteString(`<script>window.__STATE__=window.__STATE__||[];window.__STATE__.push({"id":` + fmt.Sprint(i) + `,"body":"` + strings.Repeat("lorem ipsum dolor ", 3000) + `"});</script>`)
			case 1:
				w.WriteString(`<style>` + strings.Repeat(".c"+fmt.Sprint(i)+"{margin:0;padding:1px 2px;color:#123456}", 800) + `</style>`)
			default:
				w.WriteString(`<script type="application/json" id="__NEXT_DATA__">{"props":` + strings.Repeat(`{"a":[1,2,3],"b":"text"},`, 2000) + `{}}</script>`)
			}
		})
	case "svg":
		fill(func(i int) {
			w.WriteString(`<svg viewBox="0 0 24 24" class="icon">`)
			for j := 0; j < 40; j++ {
				fmt.Fprintf(&w, `<path d="M%d %d l4 4 l-4 4 z"/>`, j, i%24)
			}
			w.WriteString(`</svg>`)
		})
	case "base64":
		img := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 1, 2, 3}, 40000))
		fill(func(i int) {
			fmt.Fprintf(&w, `<figure><img alt="photo %d" src="data:image/png;base64,%s"></figure>`, i, img)
		})
	case "attrs":
		props := strings.Repeat(`{&quot;k&quot;:[1,2,3],&quot;v&quot;:&quot;some value&quot;},`, 3000)
		fill(func(i int) {
			fmt.Fprintf(&w, `<astro-island uid="%d" props="[%s{}]"><div class="card">card %d</div></astro-island>`, i, props, i)
		})
	case "comments":
		fill(func(i int) {
			w.WriteString(`<!-- ` + strings.Repeat("debug build info ", 4000) + ` -->`)
		})
	case "nested":
		// layouts nested as deep as the parser takes (512), over and over
		fill(func(i int) {
			w.WriteString(strings.Repeat(`<div class="w">`, 500))
			fmt.Fprintf(&w, "cell %d", i)
			w.WriteString(strings.Repeat(`</div>`, 500))
		})
	default:
		panic("extracttest: unknown shape " + shape)
	}
	w.WriteString("</body></html>")
	return w.Bytes()
}
