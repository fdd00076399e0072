package fetch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WARC reading and writing, by hand (WARC 1.0 and 1.1).
//
// github.com/nlnwa/gowarc is in go.mod, but its writer names and rotates
// files itself (a ".open" suffix, generated names) where kabar needs one
// given path, it pulls github.com/prometheus/prometheus into the product
// binary, and its validating reader is stricter than archives from other
// tools need. The format is small: a record is a version line, header
// fields, a blank line, Content-Length bytes of block and two CRLFs; a
// .warc.gz file is a series of gzip members (one per record, or one for
// the whole file), which compress/gzip reads as one stream either way.

// ArchiveWriter writes response records to a WARC file, one gzip member per
// record. It is safe for concurrent use.
type ArchiveWriter struct {
	mu   sync.Mutex
	f    *os.File
	path string
	err  error
}

// CreateArchive creates (or truncates) a .warc.gz file at path and writes
// its warcinfo record.
func CreateArchive(path string) (*ArchiveWriter, error) {
	return openArchive(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY)
}

// appendArchive opens path for appending records (creating it if needed).
// Appending gzip members to a .warc.gz keeps it a valid archive.
func appendArchive(path string) (*ArchiveWriter, error) {
	return openArchive(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY)
}

func openArchive(path string, flag int) (*ArchiveWriter, error) {
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("fetch: open archive: %w", err)
	}
	w := &ArchiveWriter{f: f, path: path}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		info := "software: kabar/0.1 (+https://github.com/kabarnews/kabar)\r\n" +
			"format: WARC File Format 1.1\r\n"
		fields := [][2]string{
			{"WARC-Type", "warcinfo"},
			{"WARC-Record-ID", newRecordID()},
			{"WARC-Date", warcDate(time.Now())},
			{"WARC-Filename", baseName(path)},
			{"Content-Type", "application/warc-fields"},
		}
		if err := w.writeRecord(fields, []byte(info)); err != nil {
			_ = f.Close() // the write error is the one to report
			return nil, err
		}
	}
	return w, nil
}

// WriteResponse appends a response record for targetURL: an HTTP/1.1 status
// line for status, header and body. body is the payload as sent on the
// wire after transfer decoding: if header has a Content-Encoding, body must
// be encoded with it. Transfer-Encoding is dropped and Content-Length set to
// len(body), so the record is self-consistent.
func (w *ArchiveWriter) WriteResponse(targetURL string, status int, header http.Header, body []byte) error {
	var blk bytes.Buffer
	text := http.StatusText(status)
	if text == "" {
		text = "Status"
	}
	fmt.Fprintf(&blk, "HTTP/1.1 %03d %s\r\n", status, text)
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if err := h.Write(&blk); err != nil {
		return err
	}
	blk.WriteString("\r\n")
	payloadStart := blk.Len()
	blk.Write(body)
	block := blk.Bytes()
	fields := [][2]string{
		{"WARC-Type", "response"},
		{"WARC-Record-ID", newRecordID()},
		{"WARC-Date", warcDate(time.Now())},
		{"WARC-Target-URI", targetURL},
		{"WARC-Block-Digest", sha1Digest(block)},
		{"WARC-Payload-Digest", sha1Digest(block[payloadStart:])},
		{"Content-Type", "application/http;msgtype=response"},
	}
	return w.writeRecord(fields, block)
}

func (w *ArchiveWriter) writeRecord(fields [][2]string, block []byte) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	bw := bufio.NewWriter(zw)
	bw.WriteString("WARC/1.1\r\n")
	for _, f := range fields {
		bw.WriteString(f[0])
		bw.WriteString(": ")
		bw.WriteString(strings.NewReplacer("\r", " ", "\n", " ").Replace(f[1]))
		bw.WriteString("\r\n")
	}
	fmt.Fprintf(bw, "Content-Length: %d\r\n\r\n", len(block))
	bw.Write(block)
	bw.WriteString("\r\n\r\n")
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.f == nil {
		return errors.New("fetch: archive closed")
	}
	// One write per record: a crash leaves at most one partial member.
	if _, err := w.f.Write(buf.Bytes()); err != nil {
		w.err = fmt.Errorf("fetch: write archive %s: %w", w.path, err)
		return w.err
	}
	return nil
}

// Close syncs and closes the archive file.
func (w *ArchiveWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

func warcDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func sha1Digest(b []byte) string {
	sum := sha1.Sum(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(sum[:])
}

func newRecordID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// ---- reading ----

// warcRecord is one record as read: its header fields and block.
type warcRecord struct {
	header textproto.MIMEHeader
	block  []byte // nil when skipped
	size   int64  // Content-Length
}

// readWARC calls fn for each record of a WARC file (plain, gzip per record
// or gzip as a whole). Blocks are read only for records keep returns true
// for (up to maxBlock bytes; larger ones have block nil and size set). A
// file cut short after its last complete record (an interrupted recording)
// is accepted.
func readWARC(r io.Reader, keep func(textproto.MIMEHeader) bool, maxBlock int64, fn func(warcRecord) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("warc: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	tp := textproto.NewReader(br)
	for n := 0; ; n++ {
		rec, err := readRecord(br, tp, n, keep, maxBlock)
		if err == io.EOF || errors.Is(err, errTail) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// errTail ends reading at a record cut short: the records before it are
// kept (an interrupted recording).
var errTail = errors.New("warc: truncated tail")

// readRecord reads record n+1; io.EOF at a clean end of the file.
func readRecord(br *bufio.Reader, tp *textproto.Reader, n int, keep func(textproto.MIMEHeader) bool, maxBlock int64) (warcRecord, error) {
	line, err := versionLine(br, n)
	if err != nil {
		return warcRecord{}, err
	}
	if !strings.HasPrefix(line, "WARC/") {
		return warcRecord{}, fmt.Errorf("warc: record %d: expected a WARC version line, got %.40q", n+1, line)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		if n > 0 && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
			return warcRecord{}, errTail
		}
		return warcRecord{}, fmt.Errorf("warc: record %d header: %w", n+1, err)
	}
	size, err := strconv.ParseInt(strings.TrimSpace(h.Get("Content-Length")), 10, 64)
	if err != nil || size < 0 {
		return warcRecord{}, fmt.Errorf("warc: record %d: bad Content-Length %q", n+1, h.Get("Content-Length"))
	}
	rec := warcRecord{header: h, size: size}
	if keep(h) && size <= maxBlock {
		rec.block = make([]byte, size)
		_, err = io.ReadFull(br, rec.block)
	} else {
		_, err = io.CopyN(io.Discard, br, size)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return warcRecord{}, errTail
		}
		return warcRecord{}, fmt.Errorf("warc: record %d block: %w", n+1, err)
	}
	return rec, nil
}

// versionLine skips the blank lines before record n+1 and returns its
// first line, trimmed; io.EOF at a clean end of the file.
func versionLine(br *bufio.Reader, n int) (string, error) {
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			switch {
			case err == io.EOF && strings.TrimSpace(l) == "":
				return "", io.EOF
			case n > 0 && errors.Is(err, io.ErrUnexpectedEOF):
				return "", errTail
			case err == io.EOF:
				return "", fmt.Errorf("warc: record %d: unexpected end of file", n+1)
			}
			return "", fmt.Errorf("warc: record %d: %w", n+1, err)
		}
		if t := strings.TrimSpace(l); t != "" {
			return t, nil
		}
	}
}

// archive is a replay index: response records by target URL.
type archive struct {
	path  string
	exact map[string]*archived
	norm  map[string]*archived
}

type archived struct {
	block    []byte
	status   int
	tooLarge bool
}

func loadArchive(path string, maxBlock int64) (*archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fetch: open replay archive: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	a := &archive{path: path, exact: map[string]*archived{}, norm: map[string]*archived{}}
	keep := func(h textproto.MIMEHeader) bool {
		return strings.EqualFold(strings.TrimSpace(h.Get("WARC-Type")), "response")
	}
	err = readWARC(f, keep, maxBlock, func(r warcRecord) error {
		if !keep(r.header) {
			return nil
		}
		target := strings.TrimSpace(r.header.Get("WARC-Target-URI"))
		target = strings.TrimSuffix(strings.TrimPrefix(target, "<"), ">")
		if target == "" {
			return nil
		}
		if ct := strings.ToLower(r.header.Get("Content-Type")); ct != "" && !strings.HasPrefix(ct, "application/http") {
			return nil // a response record that is not an HTTP response (dns:, ...)
		}
		e := &archived{block: r.block, tooLarge: r.block == nil && r.size > 0}
		if r.block != nil {
			e.status = statusOfBlock(r.block)
		}
		a.add(a.exact, target, e)
		a.add(a.norm, normalizeURL(target), e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fetch: read replay archive %s: %w", path, err)
	}
	return a, nil
}

// add indexes e under key. A later capture replaces an earlier one, except
// that a 304 never replaces a capture that has a body.
func (a *archive) add(m map[string]*archived, key string, e *archived) {
	if old, ok := m[key]; ok && e.status == http.StatusNotModified && old.status != http.StatusNotModified {
		return
	}
	m[key] = e
}

func (a *archive) lookup(u string) *archived {
	if e := a.exact[u]; e != nil {
		return e
	}
	if e := a.exact[normalizeURL(u)]; e != nil {
		return e
	}
	return a.norm[normalizeURL(u)]
}

func statusOfBlock(b []byte) int {
	line := b
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(string(line))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// normalizeURL is the replay lookup's second chance: fragment dropped,
// scheme and host lower-cased, default port dropped, empty path as "/".
func normalizeURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return s
	}
	u.Fragment, u.RawFragment = "", ""
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	return u.String()
}

// replayTransport answers requests from an archive; it never touches the
// network.
type replayTransport struct{ a *archive }

func (t *replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	target := req.URL.String()
	e := t.a.lookup(target)
	if e == nil {
		return nil, fmt.Errorf("%s %w %s", target, ErrNotInArchive, t.a.path)
	}
	if e.tooLarge {
		return nil, fmt.Errorf("%s: archived record: %w", target, ErrTooLarge)
	}
	block := e.block
	// Some tools record "HTTP/2 200": Go's parser wants a minor version.
	for _, p := range []string{"HTTP/2 ", "HTTP/3 "} {
		if bytes.HasPrefix(block, []byte(p)) {
			block = append([]byte(p[:6]+".0 "), block[len(p):]...)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(block)), req)
	if err != nil {
		return nil, fmt.Errorf("%s: archived response: %w", target, err)
	}
	// Read the body here, leniently: a Content-Length larger than what was
	// stored yields what was stored.
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%s: archived body: %w", target, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
