package cli

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/bulk"
	"github.com/kabarnews/kabar/internal/store"
)

// warcWriter writes the pages of the selected posts as a WARC archive, so
// that a corpus can be extracted again later. An imported post's page is
// its response record, copied from the archive it was imported from. kabar
// keeps no other pages: a post made from a feed, or one whose archive is
// gone, is written as a conversion record (WARC's record for another form
// of a resource) holding the text kabar extracted, and the count of those
// is reported.
type warcWriter struct {
	w         *bulk.Writer
	archives  map[string]*os.File
	missing   map[string]bool
	converted int
	started   bool
}

func newWARCWriter(w io.Writer, gz bool) datasetWriter {
	return &warcWriter{w: bulk.NewWriter(w, gz), archives: map[string]*os.File{}, missing: map[string]bool{}}
}

// maxOpenArchives bounds the source archives kept open at once.
const maxOpenArchives = 16

func (x *warcWriter) Write(e *store.ExportedPost) error {
	if !x.started {
		x.started = true
		info := "software: kabar\r\nformat: WARC File Format 1.1\r\ndescription: pages of posts exported by kabar export --format warc\r\n"
		if err := x.w.Write("warcinfo", time.Now(), "", "application/warc-fields", []byte(info)); err != nil {
			return err
		}
	}
	if rec := x.sourceRecord(e); rec != nil {
		fields := []bulk.Field{{Name: "WARC-Payload-Digest", Value: rec.Header.Get("WARC-Payload-Digest")},
			{Name: "WARC-IP-Address", Value: rec.Header.Get("WARC-IP-Address")}}
		var keep []bulk.Field
		for _, f := range fields {
			if f.Value != "" {
				keep = append(keep, f)
			}
		}
		date, err := time.Parse(time.RFC3339, rec.Header.Get("WARC-Date"))
		if err != nil {
			date = e.Post.CreatedAt
		}
		return x.w.Write("response", date, rec.Target(), rec.Header.Get("Content-Type"), rec.Block, keep...)
	}
	x.converted++
	p := &e.Post
	text := p.Title + "\n\n" + strings.Join(p.Paragraphs, "\n\n") + "\n"
	return x.w.Write("conversion", p.CreatedAt, cmp.Or(p.ItemLink, p.SourceURL), "text/plain; charset=utf-8", []byte(text),
		bulk.Field{Name: "WARC-Refers-To-Target-URI", Value: p.SourceURL},
		bulk.Field{Name: "X-Kabar-Post-ID", Value: strconv.FormatInt(p.ID, 10)})
}

// sourceRecord reads an imported post's record from its archive; nil when
// the post was not imported or the archive cannot be read any more.
func (x *warcWriter) sourceRecord(e *store.ExportedPost) *bulk.Record {
	path := e.ArchivePath
	if path == "" || path == "-" || x.missing[path] {
		return nil
	}
	f := x.archives[path]
	if f == nil {
		var err error
		if f, err = os.Open(path); err != nil {
			x.missing[path] = true
			return nil
		}
		if len(x.archives) >= maxOpenArchives {
			for k, old := range x.archives {
				_ = old.Close() // opened to read: nothing to lose
				delete(x.archives, k)
				break
			}
		}
		x.archives[path] = f
	}
	rec, err := bulk.ReadRecordAt(f, e.Record, 64<<20)
	// Another file at the same path holds other records.
	if err != nil || rec.Type != "response" || rec.Block == nil || rec.Target() != e.Post.ItemLink {
		return nil
	}
	return rec
}

func (x *warcWriter) Close() (string, error) {
	for _, f := range x.archives {
		_ = f.Close() // opened to read: nothing to lose
	}
	if x.converted > 0 {
		return fmt.Sprintf("%d post(s) had no archived page (made from feeds, or their archive is gone): written as conversion records of their text", x.converted), nil
	}
	return "", nil
}
