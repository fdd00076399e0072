package bulk

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"io"
	"net/textproto"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

// Writer writes WARC 1.1 records to a stream, one gzip member per record
// when Gzip is set (as Common Crawl does: a reader can start at any
// record), plain otherwise.
type Writer struct {
	w    io.Writer
	Gzip bool
	buf  bytes.Buffer
}

// NewWriter writes records to w.
func NewWriter(w io.Writer, gz bool) *Writer { return &Writer{w: w, Gzip: gz} }

// Field is one header field of a record.
type Field struct{ Name, Value string }

// Write writes one record: its type, date, target URI (omitted when
// empty), content type, extra fields and block.
func (w *Writer) Write(typ string, date time.Time, target, contentType string, block []byte, extra ...Field) error {
	b := &w.buf
	b.Reset()
	fmt.Fprintf(b, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\n",
		typ, recordID(), date.UTC().Format("2006-01-02T15:04:05Z"))
	if target != "" {
		fmt.Fprintf(b, "WARC-Target-URI: %s\r\n", oneLine(target))
	}
	if contentType != "" {
		fmt.Fprintf(b, "Content-Type: %s\r\n", oneLine(contentType))
	}
	for _, f := range extra {
		fmt.Fprintf(b, "%s: %s\r\n", f.Name, oneLine(f.Value))
	}
	fmt.Fprintf(b, "Content-Length: %d\r\n\r\n", len(block))
	b.Write(block)
	b.WriteString("\r\n\r\n")
	if !w.Gzip {
		_, err := w.w.Write(b.Bytes())
		return err
	}
	zw := gzip.NewWriter(w.w)
	if _, err := zw.Write(b.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}

func oneLine(s string) string {
	return string(bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, []byte(s)))
}

func recordID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// ReadRecordAt reads the record that starts at pos in an archive.
func ReadRecordAt(r io.ReadSeeker, pos store.ArchivePosition, maxBlock int64) (*Record, error) {
	rd, err := NewReader(r, pos, maxBlock)
	if err != nil {
		return nil, err
	}
	rec, err := rd.Next(func(textproto.MIMEHeader) bool { return true })
	if err == io.EOF {
		return nil, fmt.Errorf("no record at %s", placeOf(pos))
	}
	return rec, err
}
