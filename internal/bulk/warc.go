package bulk

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/kabarnews/kabar/internal/store"
)

// A streaming WARC reader that knows where each record starts, so that an
// import can note the place of the first record it has not committed and
// start there again. internal/fetch reads WARC too, but into memory for
// replay, with no notion of places.
//
// A .warc.gz is a series of gzip members: usually one per record (then a
// place is the member's file offset, and resuming seeks there), sometimes
// one for the whole file (then a place is an offset into the decompressed
// member, and resuming decompresses up to it). A place is both offsets
// (store.ArchivePosition), which covers either layout and plain files.

// errCut is a gzip stream that ends inside a member.
var errCut = errors.New("gzip stream cut short")

// ErrTruncated is a file that ends inside a record (an interrupted
// download or recording): the records before it were read.
var ErrTruncated = errors.New("archive ends inside a record")

// Record is one WARC record as read.
type Record struct {
	Header textproto.MIMEHeader
	// Type is WARC-Type, lower-cased.
	Type string
	// Block is the record's content block; nil when the caller's keep
	// function declined it or it is larger than the reader's limit.
	Block []byte
	// Size is the block's Content-Length.
	Size int64
	// Start is where the record begins, End where the next one does.
	Start, End store.ArchivePosition
}

// Target is the record's WARC-Target-URI (without the angle brackets some
// tools write).
func (r *Record) Target() string {
	t := strings.TrimSpace(r.Header.Get("WARC-Target-URI"))
	return strings.TrimSuffix(strings.TrimPrefix(t, "<"), ">")
}

// countedFile is the archive file under the Reader's buffer, counting the
// bytes read from it. The gzip decompressor reads the buffer (a
// *bufio.Reader, which it decodes from without a call a byte) and never
// takes more of it than the member it decompresses holds, so the file
// offset of the next member is the count less what is still buffered.
type countedFile struct {
	r io.Reader
	n int64
}

func (c *countedFile) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// fileReader is the buffered archive file and the place in it.
type fileReader struct {
	br      *bufio.Reader
	counted *countedFile
}

// offset is the file offset of the next byte the buffer gives.
func (f *fileReader) offset() int64 { return f.counted.n - int64(f.br.Buffered()) }

// Reader reads the records of one WARC file.
type Reader struct {
	file     *fileReader
	gz       *gzip.Reader // nil for a plain file
	member   int64        // file offset of the current gzip member
	inner    int64        // bytes of the current member (or plain file) consumed
	br       *bufio.Reader
	maxBlock int64
	eof      bool
	pending  error // a damaged gzip member found after a whole record
}

// NewReader reads WARC records from r from the place start (the zero
// position for a whole file; a Record's End to resume after it). A reader
// that can seek is moved there; another is read up to it. Blocks larger
// than maxBlock are skipped, not read.
func NewReader(r io.Reader, start store.ArchivePosition, maxBlock int64) (*Reader, error) {
	seeker, canSeek := r.(io.Seeker)
	if canSeek {
		if _, err := seeker.Seek(start.Member, io.SeekStart); err != nil {
			return nil, err
		}
	} else if _, err := io.CopyN(io.Discard, r, start.Member); err != nil {
		return nil, fmt.Errorf("resume at offset %d: %w", start.Member, err)
	}
	counted := &countedFile{r: r, n: start.Member}
	cr := &fileReader{br: bufio.NewReaderSize(counted, 256<<10), counted: counted}
	rd := &Reader{file: cr, member: start.Member, maxBlock: maxBlock}
	magic, err := cr.br.Peek(2)
	if err != nil && len(magic) == 0 {
		if err == io.EOF {
			rd.eof = true
			return rd, nil
		}
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(cr.br)
		if err != nil {
			return nil, fmt.Errorf("gzip member at offset %d: %w", start.Member, err)
		}
		zr.Multistream(false)
		rd.gz = zr
		rd.br = bufio.NewReaderSize(zr, 64<<10)
		if start.Inner > 0 {
			if _, err := io.CopyN(io.Discard, rd.br, start.Inner); err != nil {
				return nil, fmt.Errorf("resume at %d in the gzip member at offset %d: %w", start.Inner, start.Member, err)
			}
		}
		rd.inner = start.Inner
		return rd, nil
	}
	// A plain file: Member is 0 and Inner the file offset.
	if start.Inner > 0 {
		if canSeek {
			if _, err := seeker.Seek(start.Member+start.Inner, io.SeekStart); err != nil {
				return nil, err
			}
			cr.br.Reset(counted)
		} else if _, err := io.CopyN(io.Discard, cr.br, start.Inner); err != nil {
			return nil, fmt.Errorf("resume at offset %d: %w", start.Inner, err)
		}
	}
	rd.br = cr.br
	rd.inner = start.Inner
	return rd, nil
}

// Compressed is the count of file bytes read so far (for a rate and an
// estimate of the time left).
func (r *Reader) Compressed() int64 {
	if r.gz == nil {
		return r.member + r.inner
	}
	return r.file.offset()
}

func (r *Reader) pos() store.ArchivePosition {
	return store.ArchivePosition{Member: r.member, Inner: r.inner}
}

// nextMember moves to the next gzip member; false at the end of the file.
func (r *Reader) nextMember() (bool, error) {
	if r.gz == nil {
		return false, nil
	}
	start := r.file.offset()
	if err := r.gz.Reset(r.file.br); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, fmt.Errorf("gzip member at offset %d: %w", start, err)
	}
	r.gz.Multistream(false)
	r.member, r.inner = start, 0
	r.br.Reset(r.gz)
	return true, nil
}

// readLine reads one line, counting it; io.EOF only at the end of the file.
func (r *Reader) readLine() ([]byte, error) {
	for {
		line, err := r.br.ReadSlice('\n')
		r.inner += int64(len(line))
		if err == bufio.ErrBufferFull {
			// A header line longer than the buffer: no WARC writes those.
			return nil, fmt.Errorf("a header line longer than %d bytes", r.br.Size())
		}
		if err == io.EOF {
			if len(line) > 0 {
				return line, io.ErrUnexpectedEOF
			}
			more, merr := r.nextMember()
			if merr != nil {
				return nil, merr
			}
			if !more {
				return nil, io.EOF
			}
			continue
		}
		if err != nil {
			return nil, r.gzipErr(err)
		}
		return line, nil
	}
}

// gzipErr names a gzip failure (a corrupt member) with its place.
func (r *Reader) gzipErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errCut
	}
	if r.gz != nil {
		return fmt.Errorf("gzip member at offset %d: %w", r.member, err)
	}
	return err
}

// Next reads the next record. keep tells, from the header, whether the
// block is wanted. It returns io.EOF after the last record and
// ErrTruncated (wrapped, with the place) when the file ends inside one.
func (r *Reader) Next(keep func(textproto.MIMEHeader) bool) (*Record, error) {
	if r.pending != nil {
		err := r.pending
		r.pending, r.eof = nil, true
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, r.truncated(store.ArchivePosition{Member: r.file.offset()})
		}
		return nil, err
	}
	if r.eof {
		return nil, io.EOF
	}
	start, line, err := r.versionLine()
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(line, []byte("WARC/")) {
		return nil, fmt.Errorf("record at %s: expected a WARC version line, got %.40q", placeOf(start), line)
	}
	h, err := r.header(start)
	if err != nil {
		return nil, err
	}
	size, err := strconv.ParseInt(strings.TrimSpace(h.Get("Content-Length")), 10, 64)
	if err != nil || size < 0 {
		return nil, fmt.Errorf("record at %s: bad Content-Length %q", placeOf(start), h.Get("Content-Length"))
	}
	rec := &Record{Header: h, Type: strings.ToLower(strings.TrimSpace(h.Get("WARC-Type"))), Size: size, Start: start}
	if err := r.block(rec, size <= r.maxBlock && keep(h)); err != nil {
		return nil, err
	}
	// The two CRLFs after the block belong to this record: consume what
	// of them this member holds, so that End is the next record's start.
	for range 2 {
		b, err := r.br.Peek(1)
		if err != nil || (b[0] != '\r' && b[0] != '\n') {
			break
		}
		l, _ := r.br.ReadSlice('\n')
		r.inner += int64(len(l))
	}
	rec.End = r.end()
	return rec, nil
}

// versionLine reads up to a record's first line, past the blank lines
// (the CRLFs that end the previous record), and returns where the record
// starts. io.EOF: the file ends between records.
func (r *Reader) versionLine() (start store.ArchivePosition, line []byte, err error) {
	for {
		start = r.pos()
		l, err := r.readLine()
		if err == io.EOF {
			r.eof = true
			return start, nil, io.EOF
		}
		if err == errCut {
			return start, nil, r.truncated(start)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			if len(bytes.TrimSpace(l)) == 0 {
				r.eof = true
				return start, nil, io.EOF
			}
			return start, nil, r.truncated(start)
		}
		if err != nil {
			return start, nil, err
		}
		if len(bytes.TrimSpace(l)) > 0 {
			return start, l, nil
		}
	}
}

// header reads the header of the record that starts at start, up to the
// blank line that ends it.
func (r *Reader) header(start store.ArchivePosition) (textproto.MIMEHeader, error) {
	h := textproto.MIMEHeader{}
	for {
		l, err := r.readLine()
		if err == io.EOF || err == errCut || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, r.truncated(start)
		}
		if err != nil {
			return nil, err
		}
		l = bytes.TrimRight(l, "\r\n")
		if len(l) == 0 {
			return h, nil
		}
		k, v, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			return nil, fmt.Errorf("record at %s: bad header line %.60q", placeOf(start), l)
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(string(bytes.TrimSpace(k))), string(bytes.TrimSpace(v)))
	}
}

// block reads rec's block (Size bytes) into rec.Block when keep, or
// skips over it.
func (r *Reader) block(rec *Record, keep bool) error {
	var n int64
	var err error
	if keep {
		rec.Block = make([]byte, rec.Size)
		var read int
		read, err = io.ReadFull(r.br, rec.Block)
		n = int64(read)
	} else {
		n, err = io.CopyN(io.Discard, r.br, rec.Size)
	}
	r.inner += n
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF:
		return r.truncated(rec.Start)
	}
	return r.gzipErr(err)
}

// end is where the record just read ends: here, or, at the end of a
// gzip member, the next member's start.
func (r *Reader) end() store.ArchivePosition {
	if r.gz == nil {
		return r.pos()
	}
	if _, err := r.br.Peek(1); err != io.EOF {
		return r.pos()
	}
	more, err := r.nextMember()
	switch {
	case err != nil:
		// This record is whole; the next call reports the damage.
		r.pending = err
		return store.ArchivePosition{Member: r.file.offset()}
	case !more:
		r.eof = true
		return store.ArchivePosition{Member: r.file.offset()}
	}
	return r.pos()
}

func (r *Reader) truncated(start store.ArchivePosition) error {
	r.eof = true
	return fmt.Errorf("record at %s: %w", placeOf(start), ErrTruncated)
}

func placeOf(p store.ArchivePosition) string {
	if p.Member == 0 {
		return "offset " + strconv.FormatInt(p.Inner, 10)
	}
	return fmt.Sprintf("gzip member at offset %d, +%d", p.Member, p.Inner)
}
