package fetch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// TestRecordThenReplay fetches a small site with Record set, then replays
// the archive with the server gone and no address allowed: every answer
// must come back the same, and nothing may be sent.
func TestRecordThenReplay(t *testing.T) {
	env := newEnv(t)
	page1251 := encode(t, charmap.Windows1251, `<html><head><meta charset="windows-1251"></head><body>`+ru+`</body></html>`)
	feed := []byte(`<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Kabar</title></channel></rss>`)
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
		case "/ru":
			w.Header().Set("Content-Type", "text/html")
			w.Write(page1251)
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBytes(t, feed))
		case "/chunked":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			for i := 0; i < 3; i++ {
				fmt.Fprintf(w, "part %d\n", i)
				w.(http.Flusher).Flush()
			}
		case "/moved":
			http.Redirect(w, r, "/ru", http.StatusMovedPermanently)
		case "/private/x":
			io.WriteString(w, "secret")
		default:
			http.NotFound(w, r)
		}
	}))
	dir := t.TempDir()
	arc := filepath.Join(dir, "crawl.warc.gz")
	rec := env.client(Config{Record: arc}, s)
	ctx := context.Background()
	paths := []string{"/ru", "/feed.xml", "/chunked", "/moved"}
	live := map[string]*Response{}
	for _, p := range paths {
		resp, err := rec.Get(ctx, s.URL+p)
		if err != nil {
			t.Fatalf("live %s: %v", p, err)
		}
		live[p] = resp
	}
	if _, err := rec.Get(ctx, s.URL+"/missing"); err == nil {
		t.Fatal("404 fetched")
	}
	if _, err := rec.Get(ctx, s.URL+"/private/x"); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("private: %v", err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close()

	rep := env.client(Config{Replay: arc}) // no address allowed: nothing may be dialed
	t.Run("same answers", func(t *testing.T) { checkReplaySame(t, rep, s.URL, paths, live) })
	t.Run("misses and rules", func(t *testing.T) { checkReplayMisses(t, rep, s.URL, live) })
	t.Run("append", func(t *testing.T) {
		// Recording again appends to the same archive.
		s2 := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "second run") }))
		rec2 := env.client(Config{Record: arc, IgnoreRobots: true}, s2)
		if _, err := rec2.Get(ctx, s2.URL+"/two"); err != nil {
			t.Fatal(err)
		}
		if err := rec2.Close(); err != nil {
			t.Fatal(err)
		}
		rep2 := env.client(Config{Replay: arc})
		for _, u := range []string{s.URL + "/ru", s2.URL + "/two"} {
			if _, err := rep2.Get(ctx, u); err != nil {
				t.Errorf("after append, %s: %v", u, err)
			}
		}
	})
}

// checkReplaySame: every recorded answer comes back from the archive as it
// was received live.
func checkReplaySame(t *testing.T, rep *Client, base string, paths []string, live map[string]*Response) {
	ctx := context.Background()
	for _, p := range paths {
		resp, err := rep.Get(ctx, base+p)
		if err != nil {
			t.Errorf("replay %s: %v", p, err)
			continue
		}
		want := live[p]
		if !bytes.Equal(resp.Body, want.Body) || resp.URL != want.URL || resp.Charset != want.Charset ||
			resp.ContentType != want.ContentType || resp.StatusCode != want.StatusCode {
			t.Errorf("replay %s: got (%s %s %s %d %q), live (%s %s %s %d %q)", p,
				resp.URL, resp.Charset, resp.ContentType, resp.StatusCode, truncate(resp.Body),
				want.URL, want.Charset, want.ContentType, want.StatusCode, truncate(want.Body))
		}
	}
	if !bytes.Contains(live["/ru"].Body, []byte(ru)) || string(live["/chunked"].Body) != "part 0\npart 1\npart 2\n" {
		t.Errorf("live bodies wrong: %q %q", truncate(live["/ru"].Body), live["/chunked"].Body)
	}
}

// checkReplayMisses: a recorded 404 and robots.txt hold in replay, an
// unrecorded URL is ErrNotInArchive, and lookups are normalised.
func checkReplayMisses(t *testing.T, rep *Client, base string, live map[string]*Response) {
	ctx := context.Background()
	var se *StatusError
	if _, err := rep.Get(ctx, base+"/missing"); !errors.As(err, &se) || se.StatusCode != 404 {
		t.Errorf("replay 404: %v", err)
	}
	// robots.txt was recorded: the disallow holds in replay too.
	if _, err := rep.Get(ctx, base+"/private/x"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("replay private: %v", err)
	}
	_, err := rep.Get(ctx, base+"/never-fetched")
	if !errors.Is(err, ErrNotInArchive) || !strings.Contains(err.Error(), "not in archive") {
		t.Errorf("not in archive: err = %v", err)
	}
	// Normalised lookup: scheme and host case, fragment.
	if resp, err := rep.Get(ctx, "HTTP://"+strings.TrimPrefix(base, "http://")+"/ru#top"); err != nil || !bytes.Equal(resp.Body, live["/ru"].Body) {
		t.Errorf("normalised lookup: %v", err)
	}

}

// warcioRecord builds one record the way Python's warcio writes them:
// WARC/1.0, CRLF line ends, its own gzip member.
func warcioRecord(t *testing.T, typ, uri string, fields [][2]string, block []byte, gz bool) []byte {
	var b bytes.Buffer
	b.WriteString("WARC/1.0\r\n")
	fmt.Fprintf(&b, "WARC-Type: %s\r\n", typ)
	fmt.Fprintf(&b, "WARC-Record-ID: %s\r\n", newRecordID())
	if uri != "" {
		fmt.Fprintf(&b, "WARC-Target-URI: %s\r\n", uri)
	}
	b.WriteString("WARC-Date: 2024-05-01T10:00:00Z\r\n")
	for _, f := range fields {
		fmt.Fprintf(&b, "%s: %s\r\n", f[0], f[1])
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(block))
	b.Write(block)
	b.WriteString("\r\n\r\n")
	if !gz {
		return b.Bytes()
	}
	return gzipBytes(t, b.Bytes())
}

func httpBlock(statusLine string, headers []string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(statusLine + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

func chunk(parts ...string) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(p), p)
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

// foreignArchive is a hand-made archive in the style of other tools:
// warcinfo, request/response pairs, metadata and resource records,
// WARC-Target-URI in angle brackets, a chunked body, a gzip-encoded body,
// a redirect, an "HTTP/2" status line.
func foreignArchive(t *testing.T, gz bool) []byte {
	page := []byte("<html><body><p>Jakarta, berita dari arsip</p></body></html>")
	var out bytes.Buffer
	add := func(b []byte) { out.Write(b) }
	add(warcioRecord(t, "warcinfo", "", [][2]string{{"Content-Type", "application/warc-fields"}}, []byte("software: warcio.py/1.7.4\r\nformat: WARC File Format 1.0\r\n"), gz))
	req := []byte("GET /news/1 HTTP/1.1\r\nHost: news.example.com\r\n\r\n")
	add(warcioRecord(t, "request", "http://news.example.com/news/1", [][2]string{{"Content-Type", "application/http; msgtype=request"}}, req, gz))
	add(warcioRecord(t, "response", "<http://news.example.com/news/1>", [][2]string{{"Content-Type", "application/http; msgtype=response"}},
		httpBlock("HTTP/1.1 200 OK", []string{"Content-Type: text/html; charset=utf-8", "Transfer-Encoding: chunked"}, chunk(string(page[:20]), string(page[20:]))), gz))
	add(warcioRecord(t, "metadata", "http://news.example.com/news/1", [][2]string{{"Content-Type", "application/warc-fields"}}, []byte("via: http://news.example.com/\r\n"), gz))
	zpage := gzipBytes(t, page)
	add(warcioRecord(t, "response", "https://news.example.com/gz", [][2]string{{"Content-Type", "application/http;msgtype=response"}},
		httpBlock("HTTP/1.1 200 OK", []string{"Content-Type: text/html", "Content-Encoding: gzip", fmt.Sprintf("Content-Length: %d", len(zpage))}, zpage), gz))
	add(warcioRecord(t, "response", "http://news.example.com/old", [][2]string{{"Content-Type", "application/http;msgtype=response"}},
		httpBlock("HTTP/1.1 301 Moved Permanently", []string{"Location: /news/1", "Content-Length: 0"}, nil), gz))
	add(warcioRecord(t, "response", "https://news.example.com/h2", [][2]string{{"Content-Type", "application/http;msgtype=response"}},
		httpBlock("HTTP/2 200", []string{"content-type: text/plain"}, []byte("over h2")), gz))
	// wget writes its log as a resource record at the end.
	add(warcioRecord(t, "resource", "urn:X-wget:log", [][2]string{{"Content-Type", "text/plain"}}, []byte("wget log\n"), gz))
	return out.Bytes()
}

func TestReplayForeignArchives(t *testing.T) {
	env := newEnv(t)
	dir := t.TempDir()
	wholeGz := gzipBytes(t, foreignArchive(t, false))
	for name, data := range map[string][]byte{
		"per-record.warc.gz": foreignArchive(t, true),
		"whole-file.warc.gz": wholeGz,
		"plain.warc":         foreignArchive(t, false),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			c := env.client(Config{Replay: path})
			ctx := context.Background()
			resp, err := c.Get(ctx, "http://news.example.com/news/1")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(resp.Body), "berita dari arsip") || resp.Charset != "utf-8" {
				t.Errorf("chunked: %q", resp.Body)
			}
			resp, err = c.Get(ctx, "https://NEWS.example.com:443/gz")
			if err != nil || !strings.Contains(string(resp.Body), "berita dari arsip") {
				t.Errorf("gzip body: %v %+v", err, resp)
			}
			resp, err = c.Get(ctx, "http://news.example.com/old")
			if err != nil || resp.URL != "http://news.example.com/news/1" {
				t.Errorf("redirect in archive: %v %+v", err, resp)
			}
			resp, err = c.Get(ctx, "https://news.example.com/h2")
			if err != nil || string(resp.Body) != "over h2" {
				t.Errorf("HTTP/2 status line: %v", err)
			}
			// The request and metadata records are not answers.
			if _, err := c.Get(ctx, "urn:X-wget:log"); err == nil {
				t.Error("resource record answered")
			}
			_, err = c.Get(ctx, "http://news.example.com/nope")
			if !errors.Is(err, ErrNotInArchive) || !strings.Contains(err.Error(), "not in archive") {
				t.Errorf("missing: %v", err)
			}
		})
	}
}

func TestArchiveWriterAndTruncatedTail(t *testing.T) {
	env := newEnv(t)
	path := filepath.Join(t.TempDir(), "made.warc.gz")
	w, err := CreateArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"text/html; charset=windows-1251"}, "Transfer-Encoding": {"chunked"}}
	if err := w.WriteResponse("http://example.com/a", 200, h, encode(t, charmap.Windows1251, "<p>"+ru+"</p>")); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteResponse("http://example.com/b", 200, http.Header{"Content-Type": {"text/plain"}}, []byte("bee")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	// Every record is its own gzip member, with the fields replay needs.
	br := bufio.NewReader(bytes.NewReader(data)) // a ByteReader: gzip stops at each member's end
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for {
		zr.Multistream(false)
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, string(b))
		if err := zr.Reset(br); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if len(members) != 3 || !strings.Contains(members[0], "WARC-Type: warcinfo") ||
		!strings.Contains(members[1], "WARC-Type: response") || !strings.Contains(members[1], "WARC-Target-URI: http://example.com/a\r\n") ||
		!strings.Contains(members[1], "Content-Type: application/http;msgtype=response") || !strings.Contains(members[1], "WARC-Record-ID: <urn:uuid:") ||
		!strings.Contains(members[1], "WARC-Date: ") || strings.Contains(members[1], "Transfer-Encoding") {
		t.Fatalf("records: %q", members)
	}

	c := env.client(Config{Replay: path})
	resp, err := c.Get(context.Background(), "http://EXAMPLE.com:80/a#x")
	if err != nil || !strings.Contains(string(resp.Body), ru) || resp.Charset != "windows-1251" {
		t.Fatalf("replay: %v %+v", err, resp)
	}

	// An archive cut inside its last record still replays the others.
	cut := filepath.Join(t.TempDir(), "cut.warc.gz")
	os.WriteFile(cut, data[:len(data)-20], 0o644)
	c = env.client(Config{Replay: cut})
	if _, err := c.Get(context.Background(), "http://example.com/a"); err != nil {
		t.Fatalf("truncated archive: %v", err)
	}
	// Garbage is an error at New.
	bad := filepath.Join(t.TempDir(), "bad.warc")
	os.WriteFile(bad, []byte("this is not a warc file\n"), 0o644)
	if _, err := New(Config{Replay: bad}); err == nil {
		t.Fatal("garbage archive accepted")
	}
	if _, err := New(Config{Replay: filepath.Join(t.TempDir(), "absent.warc.gz")}); err == nil {
		t.Fatal("missing archive accepted")
	}
}

// TestReplayWgetArchive replays testdata/wget.warc.gz, made by GNU Wget
// 1.21.3 (--warc-file --compression=gzip) against a local server: WARC/1.0,
// per-record gzip, request/metadata/resource records, Target-URIs in angle
// brackets, a chunked body and a gzip-encoded body kept as received.
func TestReplayWgetArchive(t *testing.T) {
	env := newEnv(t)
	c := env.client(Config{Replay: "testdata/wget.warc.gz"})
	ctx := context.Background()
	const base = "http://127.0.0.1:18080"
	resp, err := c.Get(ctx, base+"/ru.html")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Charset != "windows-1251" || !strings.Contains(string(resp.Body), "Москва — столица России") {
		t.Errorf("ru.html: %s %q", resp.Charset, truncate(resp.Body))
	}
	resp, err = c.Get(ctx, base+"/feed.xml")
	if err != nil || !strings.Contains(string(resp.Body), "<title>Berita satu</title>") || resp.ContentType != "application/rss+xml" {
		t.Errorf("feed.xml (gzip): %v %+v", err, resp)
	}
	resp, err = c.Get(ctx, base+"/chunked.txt")
	if err != nil || string(resp.Body) != "bagian 0\nbagian 1\nbagian 2\n" {
		t.Errorf("chunked.txt: %v %+v", err, resp)
	}
	resp, err = c.Get(ctx, base+"/old")
	if err != nil || resp.URL != base+"/ru.html" {
		t.Errorf("redirect: %v %+v", err, resp)
	}
	// robots.txt is in the archive and disallows /private/.
	if _, err := c.Get(ctx, base+"/private/x"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("private: err = %v", err)
	}
	if _, err := c.Get(ctx, base+"/absent"); !errors.Is(err, ErrNotInArchive) {
		t.Errorf("absent: err = %v", err)
	}
}

// TestReplayWarcioArchive replays testdata/warcio.warc.gz, written by
// webrecorder's warcio (the JavaScript port, 2.4.11) with gzip per record:
// WARC/1.0, sha256 digests, a warcinfo, a request and a metadata record
// sharing the response's URI, a gzip-encoded JSON body, a redirect. It has
// no robots.txt, which replay treats as allow-all.
func TestReplayWarcioArchive(t *testing.T) {
	env := newEnv(t)
	c := env.client(Config{Replay: "testdata/warcio.warc.gz"})
	ctx := context.Background()
	resp, err := c.Get(ctx, "https://news.example.com/berita/1")
	if err != nil || !strings.Contains(string(resp.Body), "Gempa di Jakarta") || resp.ContentType != "text/html" {
		t.Fatalf("page: %v %+v", err, resp)
	}
	resp, err = c.Get(ctx, "https://news.example.com/api.json")
	if err != nil || string(resp.Body) != `{"judul":"Harga beras naik"}` || resp.ContentType != "application/json" {
		t.Errorf("json: %v %+v", err, resp)
	}
	resp, err = c.Get(ctx, "https://news.example.com/lama")
	if err != nil || resp.URL != "https://news.example.com/berita/1" {
		t.Errorf("redirect: %v %+v", err, resp)
	}
}
