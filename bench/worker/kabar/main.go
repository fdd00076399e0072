// Command kabar is the bench worker for kabar's extractor and for the
// parse-only floor (x/net/html, all text), which needs nothing more.
package main

import (
	"net/url"

	"github.com/kabarnews/kabar/bench/internal/run"
	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/extract/evalset"
)

func main() {
	run.Main(
		run.Extractor{Name: "kabar", Run: runKabar, Meta: true, Floor: func(page []byte) { evalset.ParseOnly(page) }},
		run.Extractor{Name: "x/net/html parse only, all text", Run: runParseOnly},
	)
}

func runKabar(page []byte, _ *url.URL, raw string) (string, evalset.Meta) {
	art, err := extract.Extract(page, raw)
	if art == nil {
		return "", evalset.Meta{}
	}
	m := evalset.Meta{Title: art.Title, Author: art.Author, Published: art.Published}
	if err != nil {
		return "", m
	}
	return art.Text(), m
}

// runParseOnly is the floor: parse the page and keep all its text.
func runParseOnly(page []byte, _ *url.URL, _ string) (string, evalset.Meta) {
	return evalset.ParseOnly(page), evalset.Meta{}
}
