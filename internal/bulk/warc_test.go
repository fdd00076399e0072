package bulk_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"testing"

	"github.com/kabarnews/kabar/internal/bulk"
	"github.com/kabarnews/kabar/internal/bulk/bulktest"
	"github.com/kabarnews/kabar/internal/store"
)

func testPages(n int) []bulktest.Page {
	var out []bulktest.Page
	for i := range n {
		out = append(out, bulktest.Page{URL: fmt.Sprintf("https://news.example/%d.html", i),
			HTML: fmt.Appendf(nil, "<html><body><p>page %d</p></body></html>", i)})
	}
	return out
}

// layouts are the three ways an archive comes: a gzip member per record,
// one gzip stream for the whole file, and plain.
func layouts(t *testing.T, pages []bulktest.Page, truncate bool) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, plain := range []bool{false, true} {
		var b bytes.Buffer
		w := bulktest.NewWriter(&b)
		w.Plain = plain
		if err := w.Mixed(pages); err != nil {
			t.Fatal(err)
		}
		if truncate {
			w.Truncate(pages[0])
		}
		if plain {
			out["plain"] = b.Bytes()
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(b.Bytes())
			zw.Close()
			whole := z.Bytes()
			if truncate {
				whole = whole[:len(whole)-40]
			}
			out["one gzip stream"] = whole
		} else {
			out["gzip per record"] = b.Bytes()
		}
	}
	return out
}

type readRec struct {
	typ, target string
	block       string
	start, end  store.ArchivePosition
}

func readAll(t *testing.T, data []byte, from store.ArchivePosition) ([]readRec, error) {
	t.Helper()
	rd, err := bulk.NewReader(bytes.NewReader(data), from, 1<<20)
	if err != nil {
		t.Fatalf("NewReader at %+v: %v", from, err)
	}
	var out []readRec
	for {
		rec, err := rd.Next(func(textproto.MIMEHeader) bool { return true })
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, readRec{rec.Type, rec.Target(), string(rec.Block), rec.Start, rec.End})
	}
}

func TestReaderPlacesResume(t *testing.T) {
	pages := testPages(6)
	want := 1 + 2*len(pages) + bulktest.Extras
	for name, data := range layouts(t, pages, false) {
		t.Run(name, func(t *testing.T) {
			all, err := readAll(t, data, store.ArchivePosition{})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != want {
				t.Fatalf("%d records, want %d", len(all), want)
			}
			if all[0].typ != "warcinfo" || all[2].typ != "response" || all[2].target != pages[0].URL {
				t.Errorf("records out of order: %+v", all[:3])
			}
			if !bytes.Contains([]byte(all[2].block), pages[0].HTML) {
				t.Errorf("block of the first response: %q", all[2].block)
			}
			// Starting at any record's End reads exactly the records after it.
			for i, r := range all {
				if i+1 < len(all) && all[i+1].start != r.end {
					t.Errorf("record %d ends at %+v, the next starts at %+v", i, r.end, all[i+1].start)
				}
				rest, err := readAll(t, data, r.end)
				if err != nil {
					t.Fatalf("resume after record %d: %v", i, err)
				}
				if len(rest) != len(all)-i-1 {
					t.Fatalf("resume after record %d: %d records, want %d", i, len(rest), len(all)-i-1)
				}
				if len(rest) > 0 && (rest[0].target != all[i+1].target || rest[0].block != all[i+1].block) {
					t.Fatalf("resume after record %d read %+v, want %+v", i, rest[0], all[i+1])
				}
			}
		})
	}
}

func TestReaderTruncatedTail(t *testing.T) {
	pages := testPages(4)
	want := 1 + 2*len(pages) + bulktest.Extras
	for name, data := range layouts(t, pages, true) {
		t.Run(name, func(t *testing.T) {
			all, err := readAll(t, data, store.ArchivePosition{})
			if !errors.Is(err, bulk.ErrTruncated) {
				t.Fatalf("err = %v, want bulk.ErrTruncated", err)
			}
			// In one gzip stream, the records of the deflate block that was
			// cut are lost with it.
			if len(all) != want && (name != "one gzip stream" || len(all) == 0) {
				t.Errorf("%d whole records before the cut, want %d", len(all), want)
			}
		})
	}
}

func TestReaderRefusesOtherFiles(t *testing.T) {
	for name, data := range map[string]string{
		"html":       "<html><body>hello</body></html>\n",
		"bad length": "WARC/1.1\r\nWARC-Type: response\r\nContent-Length: many\r\n\r\n",
	} {
		_, err := readAll(t, []byte(data), store.ArchivePosition{})
		if err == nil || errors.Is(err, bulk.ErrTruncated) {
			t.Errorf("%s: err = %v, want a clear refusal", name, err)
		}
	}
	if recs, err := readAll(t, nil, store.ArchivePosition{}); err != nil || len(recs) != 0 {
		t.Errorf("empty file: %v, %v", recs, err)
	}
}
