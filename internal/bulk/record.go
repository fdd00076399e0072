package bulk

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/pipeline"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/story"
)

// Why a record is not a post. Every record read is either a post (new or
// stored before) or skipped for one of these.
const (
	SkipNotResponse = "not a response record" // warcinfo, request, metadata…
	SkipRevisit     = "revisit"
	SkipNotHTTP     = "not an HTTP response"
	SkipStatus      = "HTTP status not 200"
	SkipNotHTML     = "not HTML"
	SkipTooLarge    = "record too large"
	SkipBadRecord   = "unreadable HTTP response"
	SkipNoURL       = "no http(s) target URI"
	SkipNoArticle   = "no article"
	SkipTooLittle   = "too little text"
	SkipIndexPage   = "index page"
	SkipFiltered    = "filtered out"
	SkipOtherShard  = "other shard"
)

// page is what a worker makes of one record: a post or a reason.
type page struct {
	post   *model.Post
	search *[3]string
	// prepared is what story assignment needs of the post alone, when
	// the assigner prepares (StoryPreparer).
	prepared *story.Prepared
	reason   string
}

// wanted tells from a record's header whether its block is worth reading
// and, when not, why.
func (im *Importer) wanted(h textproto.MIMEHeader) string {
	switch strings.ToLower(strings.TrimSpace(h.Get("WARC-Type"))) {
	case "response":
	case "revisit":
		return SkipRevisit
	default:
		return SkipNotResponse
	}
	if ct := strings.ToLower(h.Get("Content-Type")); ct != "" && !strings.HasPrefix(ct, "application/http") {
		return SkipNotHTTP
	}
	target := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(h.Get("WARC-Target-URI")), "<"), ">")
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return SkipNoURL
	}
	if !im.opt.Shard.has(target) {
		return SkipOtherShard
	}
	if !im.opt.Filter.matchURL(u) {
		return SkipFiltered
	}
	return ""
}

// makePage turns a response record into a post, as the pipeline turns a
// fetched page into one. stems is the worker's own: the search fields are
// stemmed here, in parallel, not by the store's single writer.
func (im *Importer) makePage(rec *Record, stems *search.FieldCache) page {
	target := rec.Target()
	block := rec.Block
	// Some tools record "HTTP/2 200": Go's parser wants a minor version.
	for _, p := range []string{"HTTP/2 ", "HTTP/3 "} {
		if bytes.HasPrefix(block, []byte(p)) {
			block = append([]byte(p[:6]+".0 "), block[len(p):]...)
		}
	}
	blockReader := bytes.NewReader(block)
	headReader := bufio.NewReader(blockReader)
	resp, err := http.ReadResponse(headReader, nil)
	if err != nil {
		return page{reason: SkipBadRecord}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return page{reason: SkipStatus}
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); ct != "" && (err != nil || (mt != "text/html" && mt != "application/xhtml+xml")) {
		resp.Body.Close()
		return page{reason: SkipNotHTML}
	}
	body, ok := responseBody(resp, block, len(block)-blockReader.Len()-headReader.Buffered())
	if !ok {
		return page{reason: SkipBadRecord}
	}
	body, err = decodeBody(body, resp.Header.Get("Content-Encoding"), im.opt.MaxBlock)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return page{reason: SkipTooLarge}
		}
		return page{reason: SkipBadRecord}
	}
	body = fetch.ToUTF8(body, ct)
	art, err := extract.Extract(body, target)
	if err != nil || art == nil {
		return page{reason: SkipNoArticle}
	}
	if !im.opt.Filter.matchLanguage(art.Language) {
		return page{reason: SkipFiltered}
	}
	if isIndexPath(target) {
		return page{reason: SkipIndexPage}
	}
	chars := 0
	for _, p := range art.Paragraphs {
		chars += len(p)
	}
	if chars < im.opt.MinChars {
		return page{reason: SkipTooLittle}
	}
	published, _ := time.Parse(time.RFC3339, strings.TrimSpace(rec.Header.Get("WARC-Date")))
	post := pipeline.PostFromPage(art, target, published, im.opt.Now())
	post.Limit() // as the store will: the search fields are of the stored text
	fields := new([3]string)
	fields[0], fields[1], fields[2] = stems.Fields(post.Title, post.Publisher, post.Author, strings.Join(post.Paragraphs, "\n"), post.Language)
	pg := page{post: post, search: fields}
	if im.preparer != nil {
		pg.prepared = im.preparer.Prepare(post)
	}
	return pg
}

// responseBody is the body of resp, read from block whose first
// headerEnd bytes were its status line and header. Leniently, as replay
// does: a Content-Length larger than what was stored yields what was
// stored. A body sent whole (not chunked) is a slice of the block, not a
// copy: a copy a page is the larger part of what reading a body costs.
func responseBody(resp *http.Response, block []byte, headerEnd int) (body []byte, ok bool) {
	defer resp.Body.Close()
	if len(resp.TransferEncoding) == 0 && headerEnd >= 0 && headerEnd <= len(block) {
		body = block[headerEnd:]
		if resp.ContentLength >= 0 && resp.ContentLength < int64(len(body)) {
			body = body[:resp.ContentLength]
		}
		return body, true
	}
	// The body is no longer than the block: one allocation, where
	// io.ReadAll grows and copies.
	buf := bytes.NewBuffer(make([]byte, 0, len(block)+bytes.MinRead))
	_, err := buf.ReadFrom(resp.Body)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, false
	}
	return buf.Bytes(), true
}

// isIndexPath tells a site's home page by its address. Section fronts
// and other lists have addresses like articles': the extractor finds no
// article body in them, or too little text.
func isIndexPath(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	p := strings.Trim(u.Path, "/")
	// "/?p=123" is a WordPress article.
	return u.RawQuery == "" && (p == "" || p == "index.html" || p == "index.php")
}

var errTooLarge = errors.New("decoded body too large")

// decodeBody undoes a Content-Encoding, bounded by limit (a gzip bomb in
// an archive is no better than one on the wire).
func decodeBody(body []byte, encoding string, limit int64) ([]byte, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity", "none":
		return body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		// "deflate" is zlib by the standard, raw deflate by some servers.
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(body))
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		return nil, fmt.Errorf("unknown Content-Encoding %q", encoding)
	}
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, errTooLarge
	}
	return out, nil
}
