package cli

import (
	"cmp"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

// datasetRecord is one article of a dataset (jsonl and csv): where it was
// read, what it says, and its place among the reports of its story.
type datasetRecord struct {
	ID         int64    `json:"id"`
	URL        string   `json:"url"`
	Canonical  string   `json:"canonical"`
	Title      string   `json:"title"`
	Author     string   `json:"author"`
	Published  string   `json:"published"`
	Language   string   `json:"language"`
	Publisher  string   `json:"publisher"`
	StoryID    *int64   `json:"story_id"`
	CopyOf     *int64   `json:"copy_of"`
	Text       string   `json:"text"`
	Paragraphs []string `json:"paragraphs"`
}

func newDatasetRecord(e *store.ExportedPost) datasetRecord {
	p := &e.Post
	r := datasetRecord{ID: p.ID, URL: cmp.Or(p.ItemLink, p.SourceURL), Canonical: p.SourceURL,
		Title: p.Title, Author: p.Author, Published: p.Published.UTC().Format(time.RFC3339), Language: p.Language,
		Publisher: p.Publisher, Text: strings.Join(p.Paragraphs, "\n"), Paragraphs: p.Paragraphs}
	if r.Paragraphs == nil {
		r.Paragraphs = []string{}
	}
	if e.StoryID != 0 {
		r.StoryID = &e.StoryID
	}
	if e.CopyOf != 0 {
		r.CopyOf = &e.CopyOf
	}
	return r
}

type jsonlWriter struct{ enc *json.Encoder }

func newJSONLWriter(w io.Writer, _ bool) datasetWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonlWriter{enc}
}

func (j *jsonlWriter) Write(e *store.ExportedPost) error { return j.enc.Encode(newDatasetRecord(e)) }
func (j *jsonlWriter) Close() (string, error)            { return "", nil }
