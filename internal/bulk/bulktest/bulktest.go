// Package bulktest builds WARC archives for tests and benchmarks of bulk
// import: pages as response records, mixed with the records an import must
// skip (requests, metadata, revisits, non-HTML and failed responses), and
// optionally cut short inside the last record.
package bulktest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/bulk"
)

// Page is one HTML page and its address.
type Page struct {
	URL  string
	HTML []byte
}

// Writer writes WARC records, one gzip member per record (as Common Crawl
// does), or plain when Plain is set.
type Writer struct {
	w     io.Writer
	Plain bool
	Date  time.Time
}

// NewWriter writes records to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, Date: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
}

// Record writes one record of the given type; fields are extra header
// fields, name and value in turn.
func (w *Writer) Record(typ, target, contentType string, block []byte, fields ...string) error {
	var extra []bulk.Field
	for i := 0; i+1 < len(fields); i += 2 {
		extra = append(extra, bulk.Field{Name: fields[i], Value: fields[i+1]})
	}
	return bulk.NewWriter(w.w, !w.Plain).Write(typ, w.Date, target, contentType, block, extra...)
}

// Response writes a response record of an HTTP response.
func (w *Writer) Response(target string, status int, contentType string, body []byte) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", status, contentType, len(body))
	b.Write(body)
	return w.Record("response", target, "application/http; msgtype=response", b.Bytes())
}

// Extras is how many records Mixed writes besides the pages' responses,
// each of them skipped by an import.
const Extras = 7

// Mixed writes a warcinfo record, then for each page a request and its
// response, and among them the records an import skips: a metadata
// record, a revisit, a 404, an image, a home page and a page without text.
func (w *Writer) Mixed(pages []Page) error {
	if err := w.Record("warcinfo", "", "application/warc-fields", []byte("software: bulktest\r\n")); err != nil {
		return err
	}
	for i, p := range pages {
		if err := w.Record("request", p.URL, "application/http; msgtype=request", []byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
			return err
		}
		if err := w.Response(p.URL, 200, "text/html; charset=utf-8", p.HTML); err != nil {
			return err
		}
		if i != len(pages)/2 {
			continue
		}
		extras := []func() error{
			func() error {
				return w.Record("metadata", p.URL, "application/warc-fields", []byte("fetchTimeMs: 12\r\n"))
			},
			func() error {
				return w.Record("revisit", p.URL, "application/http; msgtype=response", []byte("HTTP/1.1 304 Not Modified\r\n\r\n"),
					"WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")
			},
			func() error {
				return w.Response("https://gone.example/missing.html", 404, "text/html", []byte("<html><body><p>Not found</p></body></html>"))
			},
			func() error {
				return w.Response("https://img.example/photo.jpg", 200, "image/jpeg", []byte("\xff\xd8\xff\xe0 not really a jpeg"))
			},
			func() error {
				return w.Response("https://home.example/", 200, "text/html", []byte(homePage))
			},
			func() error {
				return w.Response("https://thin.example/news/thin.html", 200, "text/html", []byte("<html><body><p>Short.</p></body></html>"))
			},
			func() error {
				return w.Record("resource", "dns:home.example", "text/dns", []byte("home.example. 300 IN A 192.0.2.1\n"))
			},
		}
		for _, f := range extras {
			if err := f(); err != nil {
				return err
			}
		}
	}
	return nil
}

const homePage = `<html><head><title>Home</title></head><body><ul>` +
	`<li><a href="/a">A story with a long enough headline to look like one</a></li>` +
	`<li><a href="/b">Another story with a long enough headline to look like one</a></li>` +
	`</ul><p>Welcome to the home page of a news site that lists its stories, with a paragraph long enough to be read as text by an extractor that looks for paragraphs of some length.</p></body></html>`

// Truncate writes the start of one more response record, cut inside its
// block, as an interrupted download leaves an archive.
func (w *Writer) Truncate(p Page) error {
	var rec bytes.Buffer
	inner := NewWriter(&rec)
	inner.Plain = true
	if err := inner.Response(p.URL, 200, "text/html", p.HTML); err != nil {
		return err
	}
	cut := rec.Bytes()[:rec.Len()/2]
	if w.Plain {
		_, err := w.w.Write(cut)
		return err
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write(rec.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	_, err := w.w.Write(z.Bytes()[:z.Len()/2])
	return err
}

// EvalPages reads up to limit pages (0: all) of the evaluation set in dir
// (pairs of ID.html and ID.json with a "url"), sorted by ID; none when dir
// does not exist.
func EvalPages(dir string, limit int) ([]Page, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil || len(names) == 0 {
		return nil, err
	}
	sort.Strings(names)
	var out []Page
	for _, name := range names {
		if limit > 0 && len(out) >= limit {
			break
		}
		meta, err := os.ReadFile(strings.TrimSuffix(name, ".html") + ".json")
		if err != nil {
			continue
		}
		var m struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(meta, &m) != nil || !strings.HasPrefix(m.URL, "http") {
			continue
		}
		html, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Page{URL: m.URL, HTML: html})
	}
	return out, nil
}

var (
	synthWords = strings.Fields(`council harbour budget transit school river market police hospital
		election farmers storm bridge museum library festival court minister teachers railway
		factory union housing water energy rain fishermen village mayor students nurses
		prices workers airport report inquiry protest coast forest museum theatre bakery`)
	synthVerbs = strings.Fields(`approved delayed opened closed announced rejected repaired
		visited questioned reviewed funded expanded moved planned reported promised`)
)

// Synthetic makes n distinct article pages in a news site's layout
// (navigation, headline, byline, several paragraphs, a side list, a
// footer), each with its own text, for tests that need many.
func Synthetic(n int) []Page {
	out := make([]Page, 0, n)
	for i := range n {
		word := func(k int) string { return synthWords[(i*7+k*13)%len(synthWords)] }
		verb := func(k int) string { return synthVerbs[(i*3+k*5)%len(synthVerbs)] }
		title := fmt.Sprintf("The %s %s the %s plan number %d", word(0), verb(0), word(1), i)
		var body strings.Builder
		for k := range 5 {
			fmt.Fprintf(&body, "<p>In report %d, paragraph %d, the %s %s a proposal about the %s and the %s, "+
				"after residents asked why the %s had waited so long; officials said the %s would be %s by the spring, "+
				"and that a meeting on the %s would follow within weeks.</p>\n",
				i, k, word(k+2), verb(k+1), word(k+3), word(k+4), word(k+5), word(k+6), verb(k+2), word(k+7))
		}
		url := fmt.Sprintf("https://site%d.example/news/%d/%s-%s.html", i%9, 2024, word(0), strings.ReplaceAll(fmt.Sprint(i), " ", ""))
		html := fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta property="og:title" content="%s"><meta property="article:published_time" content="2024-05-%02dT08:00:00Z"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>%s</h1><p class="byline">By Staff Reporter</p>
%s</article><aside><h2>Most read</h2><ul><li><a href="/a">Road works this weekend</a></li><li><a href="/b">Weather warning</a></li></ul></aside></main>
<footer><p>© 2024 site · <a href="/privacy">Privacy</a></p></footer></body></html>`,
			title, title, 1+i%28, title, body.String())
		out = append(out, Page{URL: url, HTML: []byte(html)})
	}
	return out
}

// Write writes an archive of pages (Mixed) to path, cut inside one more
// record when truncate is set.
func Write(path string, pages []Page, truncate bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := NewWriter(f)
	err = w.Mixed(pages)
	if err == nil && truncate && len(pages) > 0 {
		err = w.Truncate(pages[0])
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
