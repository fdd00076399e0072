// Command readability is the bench worker for codeberg.org/readeck/go-readability/v2.
package main

import (
	"bytes"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"

	"github.com/kabarnews/kabar/bench/internal/run"
	"github.com/kabarnews/kabar/internal/extract/evalset"
)

func main() {
	run.Main(run.Extractor{Name: "go-readability v2.1.3", Run: runReadability, Meta: true})
}

func runReadability(page []byte, u *url.URL, _ string) (string, evalset.Meta) {
	art, err := readability.FromReader(bytes.NewReader(page), u)
	if err != nil || art.Node == nil {
		return "", evalset.Meta{}
	}
	var b strings.Builder
	_ = art.RenderText(&b)
	m := evalset.Meta{Title: art.Title(), Author: art.Byline()}
	m.Published, _ = art.PublishedTime()
	return b.String(), m
}
