package cli

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/kabarnews/kabar/internal/store"
)

// csvWriter writes a dataset for spreadsheets: a header row, then one row
// an article, the text's paragraphs separated by line breaks in one cell.
type csvWriter struct {
	w      *csv.Writer
	header bool
}

func newCSVWriter(w io.Writer, _ bool) datasetWriter { return &csvWriter{w: csv.NewWriter(w)} }

var csvHeader = []string{"id", "url", "canonical", "title", "author", "published", "language", "publisher", "story_id", "copy_of", "text"}

func (c *csvWriter) Write(e *store.ExportedPost) error {
	if !c.header {
		c.header = true
		if err := c.w.Write(csvHeader); err != nil {
			return err
		}
	}
	r := newDatasetRecord(e)
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	return c.w.Write([]string{strconv.FormatInt(r.ID, 10), r.URL, r.Canonical, csvCell(r.Title), csvCell(r.Author),
		r.Published, r.Language, csvCell(r.Publisher), id(r.StoryID), id(r.CopyOf), csvCell(r.Text)})
}

// csvCell keeps a spreadsheet from reading a cell as a formula (CSV
// injection): text starting with = + - @ gets a leading apostrophe.
func csvCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func (c *csvWriter) Close() (string, error) {
	if !c.header {
		c.header = true
		// csv.Writer keeps a write's error for Error, checked below.
		_ = c.w.Write(csvHeader)
	}
	c.w.Flush()
	return "", c.w.Error()
}
