// Command trafilatura is the bench worker for github.com/markusmobius/go-trafilatura,
// without and with its fallback extractors.
package main

import (
	"bytes"
	"net/url"

	"github.com/markusmobius/go-trafilatura"

	"github.com/kabarnews/kabar/bench/internal/run"
	"github.com/kabarnews/kabar/internal/extract/evalset"
)

func main() {
	run.Main(
		run.Extractor{Name: "go-trafilatura v1.12.2", Run: func(p []byte, u *url.URL, _ string) (string, evalset.Meta) { return extract(p, u, false) }, Meta: true},
		run.Extractor{Name: "go-trafilatura v1.12.2 +fallback", Run: func(p []byte, u *url.URL, _ string) (string, evalset.Meta) { return extract(p, u, true) }, Meta: true},
	)
}

func extract(page []byte, u *url.URL, fallback bool) (string, evalset.Meta) {
	res, err := trafilatura.Extract(bytes.NewReader(page), trafilatura.Options{
		OriginalURL: u, EnableFallback: fallback, ExcludeComments: true,
	})
	if err != nil || res == nil {
		return "", evalset.Meta{}
	}
	return res.ContentText, evalset.Meta{Title: res.Metadata.Title, Author: res.Metadata.Author, Published: res.Metadata.Date}
}
