package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestGetBasic(t *testing.T) {
	env := newEnv(t)
	var gotUA, gotAccept, gotAE atomic.Value
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		gotUA.Store(r.UserAgent())
		gotAccept.Store(r.Header.Get("Accept"))
		gotAE.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		io.WriteString(w, "<html><body>Halo dunia</body></html>")
	}))
	c := env.client(Config{}, s)
	resp, err := c.Get(context.Background(), s.URL+"/page#frag")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.ContentType != "text/html" || resp.Charset != "utf-8" {
		t.Errorf("status %d type %q charset %q", resp.StatusCode, resp.ContentType, resp.Charset)
	}
	if string(resp.Body) != "<html><body>Halo dunia</body></html>" {
		t.Errorf("body %q", resp.Body)
	}
	if resp.URL != s.URL+"/page" {
		t.Errorf("URL %q", resp.URL)
	}
	if resp.Header.Get("ETag") != `"v1"` {
		t.Errorf("header %v", resp.Header)
	}
	if gotUA.Load() != DefaultUserAgent {
		t.Errorf("User-Agent %q", gotUA.Load())
	}
	if gotAccept.Load() != DefaultAccept || gotAE.Load() != "gzip, deflate, br" {
		t.Errorf("Accept %q Accept-Encoding %q", gotAccept.Load(), gotAE.Load())
	}
}

func TestGuardRefusesLoopbackByDefault(t *testing.T) {
	env := newEnv(t)
	var hits atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	c := env.client(Config{IgnoreRobots: true}) // no AllowAddrs
	_, err := c.Get(context.Background(), s.URL)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
	if hits.Load() != 0 {
		t.Fatal("server was reached")
	}
	// A name resolving to loopback is refused at dial time as well.
	env.dns.set("intranet.example.test", "127.0.0.1")
	port := s.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndexByte(port, ':')+1:]
	_, err = c.Get(context.Background(), "http://intranet.example.test:"+port+"/")
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
	if hits.Load() != 0 {
		t.Fatal("server was reached")
	}
}

func TestAllowAddrsByName(t *testing.T) {
	env := newEnv(t)
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "host="+r.Host)
	}))
	env.dns.set("fixture.example.test", "127.0.0.1")
	port := s.URL[strings.LastIndexByte(s.URL, ':')+1:]
	c := env.client(Config{IgnoreRobots: true}, s)
	resp, err := c.Get(context.Background(), "http://FIXTURE.example.test:"+port+"/")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "host=fixture.example.test:"+port {
		t.Fatalf("body %q", resp.Body)
	}
	// IDNA: the Unicode name is looked up and sent as punycode; userinfo
	// is dropped.
	env.dns.set("xn--bcher-kva.example.test", "127.0.0.1")
	resp, err = c.Get(context.Background(), "http://user:secret@BÜCHER.example.test:"+port+"/")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "host=xn--bcher-kva.example.test:"+port || resp.URL != "http://xn--bcher-kva.example.test:"+port+"/" {
		t.Fatalf("IDNA: body %q URL %q", resp.Body, resp.URL)
	}
}

func TestSchemesAndBadURLs(t *testing.T) {
	env := newEnv(t)
	c := env.client(Config{})
	for _, u := range []string{"file:///etc/passwd", "ftp://example.com/", "gopher://example.com/", "data:text/plain,hi",
		"javascript:alert(1)", "//example.com/", "/relative", "http://", "http://exa mple.com/", "mailto:a@b.c"} {
		_, err := c.Get(context.Background(), u)
		if !errors.Is(err, ErrInvalidURL) {
			t.Errorf("%q: err = %v, want ErrInvalidURL", u, err)
		}
	}
}

func redirectServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n >= 20 {
			io.WriteString(w, "end of chain")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/self", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/cookie", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("seen"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/"})
			http.Redirect(w, r, "/cookie", http.StatusFound)
			return
		}
		io.WriteString(w, "welcome back")
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "final") })
	mux.HandleFunc("/to-final", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "final?x=1")
		w.WriteHeader(http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	return serve(t, mux)
}

func TestRedirects(t *testing.T) {
	env := newEnv(t)
	s := redirectServer(t)
	c := env.client(Config{}, s)
	ctx := context.Background()

	resp, err := c.Get(ctx, s.URL+"/to-final")
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL != s.URL+"/final?x=1" || string(resp.Body) != "final" {
		t.Errorf("URL %q body %q", resp.URL, resp.Body)
	}

	// 10 redirects are followed, the 11th is not.
	resp, err = c.Get(ctx, s.URL+"/chain/10")
	if err != nil || string(resp.Body) != "end of chain" {
		t.Errorf("10 hops: %v", err)
	}
	_, err = c.Get(ctx, s.URL+"/chain/1")
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("20 hops: err = %v", err)
	}

	for _, p := range []string{"/loop/a", "/self"} {
		_, err = c.Get(ctx, s.URL+p)
		if !errors.Is(err, ErrTooManyRedirects) || !strings.Contains(err.Error(), "loop") {
			t.Errorf("%s: err = %v, want a redirect loop", p, err)
		}
	}

	// A cookie-check redirect to the same URL is not a loop.
	resp, err = c.Get(ctx, s.URL+"/cookie")
	if err != nil || string(resp.Body) != "welcome back" {
		t.Errorf("cookie redirect: %v", err)
	}

	_, err = c.Get(ctx, s.URL+"/to-file")
	if !errors.Is(err, ErrInvalidURL) {
		t.Errorf("redirect to file: err = %v", err)
	}

	small := env.client(Config{MaxRedirects: 2}, s)
	if _, err := small.Get(ctx, s.URL+"/chain/18"); err != nil {
		t.Errorf("2 hops with MaxRedirects 2: %v", err)
	}
	if _, err := small.Get(ctx, s.URL+"/chain/17"); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("3 hops with MaxRedirects 2: err = %v", err)
	}
	none := env.client(Config{MaxRedirects: -1}, s)
	if _, err := none.Get(ctx, s.URL+"/chain/19"); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("MaxRedirects -1: err = %v", err)
	}
}

func TestSizeCap(t *testing.T) {
	env := newEnv(t)
	const limit = 1000
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bytes.Repeat([]byte("a"), n))
	}))
	c := env.client(Config{IgnoreRobots: true, MaxBodyBytes: limit}, s)
	ctx := context.Background()
	if resp, err := c.Get(ctx, s.URL+"/?n=1000"); err != nil || len(resp.Body) != limit {
		t.Errorf("at the limit: %v", err)
	}
	for _, q := range []string{"?n=1001", "?n=1001&chunked=1", "?n=100000&chunked=1"} {
		if _, err := c.Get(ctx, s.URL+"/"+q); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", q, err)
		}
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestContentEncodings(t *testing.T) {
	env := newEnv(t)
	text := []byte(strings.Repeat("<p>berita hari ini</p>\n", 50))
	var zl, fl, br bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write(text)
	zw.Close()
	bw := brotli.NewWriter(&br)
	bw.Write(text)
	bw.Close()
	fw, _ := flate.NewWriter(&fl, flate.DefaultCompression)
	fw.Write(text)
	fw.Close()
	bodies := map[string][]byte{
		"gzip":    gzipBytes(t, text),
		"x-gzip":  gzipBytes(t, text),
		"deflate": zl.Bytes(),
		"rawdefl": fl.Bytes(),
		"plain":   text, // labelled gzip but sent plain
		"twice":   gzipBytes(t, gzipBytes(t, text)),
		"br":      br.Bytes(),
		"br-gzip": gzipBytes(t, br.Bytes()),
	}
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := strings.TrimPrefix(r.URL.Path, "/")
		switch k {
		case "rawdefl":
			w.Header().Set("Content-Encoding", "deflate")
		case "plain":
			w.Header().Set("Content-Encoding", "gzip")
		case "twice":
			w.Header().Set("Content-Encoding", "gzip, gzip")
		case "br-gzip":
			w.Header().Set("Content-Encoding", "br, gzip")
		case "zstd":
			w.Header().Set("Content-Encoding", "zstd")
			w.Write([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00})
			return
		case "bad-br":
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte{0x1b, 0x00})
			return
		default:
			w.Header().Set("Content-Encoding", k)
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(bodies[k])
	}))
	c := env.client(Config{IgnoreRobots: true}, s)
	for k := range bodies {
		resp, err := c.Get(context.Background(), s.URL+"/"+k)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		if !bytes.Equal(resp.Body, text) {
			t.Errorf("%s: body differs (%d bytes)", k, len(resp.Body))
		}
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding left in header", k)
		}
	}
	if _, err := c.Get(context.Background(), s.URL+"/zstd"); !errors.Is(err, ErrUnsupportedEncoding) {
		t.Errorf("zstd: err = %v", err)
	}
	if _, err := c.Get(context.Background(), s.URL+"/bad-br"); err == nil || !strings.Contains(err.Error(), "brotli") {
		t.Errorf("truncated brotli: err = %v", err)
	}
}

func TestGzipBomb(t *testing.T) {
	env := newEnv(t)
	// 64 MiB of zeros in about 64 KiB; the cap is 1 MiB.
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		zw.Write(zero)
	}
	zw.Close()
	bomb := buf.Bytes()
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/html")
		w.Write(bomb)
	}))
	c := env.client(Config{IgnoreRobots: true, MaxBodyBytes: 1 << 20}, s)
	var m0, m1 runtimeMem
	m0.read()
	_, err := c.Get(context.Background(), s.URL+"/bomb")
	m1.read()
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if grew := m1.total - m0.total; grew > 32<<20 {
		t.Errorf("allocated %d MiB decoding a bomb capped at 1 MiB", grew>>20)
	}
}

func TestTimeouts(t *testing.T) {
	env := newEnv(t)
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow-headers":
			select {
			case <-time.After(time.Minute):
			case <-r.Context().Done():
			}
		case "/slow-body":
			w.Write([]byte("start"))
			w.(http.Flusher).Flush()
			select {
			case <-time.After(time.Minute):
			case <-r.Context().Done():
			}
		}
	}))
	c := env.client(Config{IgnoreRobots: true, HeaderTimeout: 100 * time.Millisecond, Timeout: 300 * time.Millisecond,
		MaxAttempts: 1, BreakerThreshold: -1}, s)
	for _, p := range []string{"/slow-headers", "/slow-body"} {
		start := time.Now()
		_, err := c.Get(context.Background(), s.URL+p)
		if err == nil {
			t.Errorf("%s: no error", p)
		} else if !strings.Contains(err.Error(), "timeout") && !strings.Contains(err.Error(), "deadline") {
			t.Errorf("%s: err = %v, want a timeout", p, err)
		}
		if d := time.Since(start); d > hangBound {
			t.Errorf("%s took %v", p, d)
		}
	}
	// The caller's context still rules.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Get(ctx, s.URL+"/slow-headers"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ctx deadline: err = %v", err)
	}
}

func TestConditionalAndStatus(t *testing.T) {
	env := newEnv(t)
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			if r.Header.Get("If-None-Match") == `"abc"` || r.Header.Get("If-Modified-Since") == "Mon, 02 Jan 2006 15:04:05 GMT" {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"abc"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, `<?xml version="1.0"?><rss/>`)
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	c := env.client(Config{IgnoreRobots: true}, s)
	ctx := context.Background()
	resp, err := c.Do(ctx, Request{URL: s.URL + "/feed"})
	if err != nil || resp.NotModified || resp.Header.Get("ETag") != `"abc"` {
		t.Fatalf("first: %v %+v", err, resp)
	}
	for _, r := range []Request{{URL: s.URL + "/feed", ETag: `"abc"`}, {URL: s.URL + "/feed", LastModified: "Mon, 02 Jan 2006 15:04:05 GMT"}} {
		resp, err = c.Do(ctx, r)
		if err != nil || !resp.NotModified || resp.StatusCode != 304 || len(resp.Body) != 0 {
			t.Errorf("conditional %+v: %v %+v", r, err, resp)
		}
	}
	_, err = c.Get(ctx, s.URL+"/missing")
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: err = %v", err)
	}
	_, err = c.Get(ctx, s.URL+"/busy")
	if !errors.As(err, &se) || se.StatusCode != 503 || se.RetryAfter != 120*time.Second {
		t.Errorf("503: err = %v", err)
	}
}

func TestRobotsFetching(t *testing.T) {
	env := newEnv(t)
	var robotsHits, pageHits atomic.Int64
	robots := "User-agent: *\nDisallow: /\n\nUser-agent: kabar\nDisallow: /private\nAllow: /\n"
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			io.WriteString(w, robots)
			return
		}
		pageHits.Add(1)
		if r.URL.Path == "/go-private" {
			http.Redirect(w, r, "/private/x", http.StatusFound)
			return
		}
		io.WriteString(w, "ok")
	}))
	c := env.client(Config{}, s)
	ctx := context.Background()
	if _, err := c.Get(ctx, s.URL+"/public"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, s.URL+"/private/a"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("private: err = %v", err)
	}
	if _, err := c.Get(ctx, s.URL+"/go-private"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("redirect into private: err = %v", err)
	}
	if n := robotsHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1 (cached)", n)
	}
	if n := pageHits.Load(); n != 2 {
		t.Errorf("pages fetched %d times, want 2", n)
	}
	ign := env.client(Config{IgnoreRobots: true}, s)
	if _, err := ign.Get(ctx, s.URL+"/private/a"); err != nil {
		t.Errorf("IgnoreRobots: %v", err)
	}
}

func TestRobotsStatuses(t *testing.T) {
	env := newEnv(t)
	var status atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			switch st := int(status.Load()); st {
			case 200:
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(gzipBytes(t, []byte("User-agent: *\nDisallow: /\n")))
			case 301:
				http.Redirect(w, r, "/robots-moved.txt", http.StatusMovedPermanently)
			default:
				w.WriteHeader(st)
			}
			return
		}
		if r.URL.Path == "/robots-moved.txt" {
			io.WriteString(w, "User-agent: kabar\nDisallow: /\n")
			return
		}
		io.WriteString(w, "page")
	}))
	for _, tc := range []struct {
		status  int
		allowed bool
	}{{200, false}, {301, false}, {404, true}, {401, true}, {403, true}, {410, true}, {429, false}, {500, false}, {503, false}} {
		status.Store(int64(tc.status))
		c := env.client(Config{}, s) // fresh cache
		_, err := c.Get(context.Background(), s.URL+"/page")
		if tc.allowed && err != nil {
			t.Errorf("robots %d: err = %v, want allowed", tc.status, err)
		}
		if !tc.allowed && !errors.Is(err, ErrDisallowed) {
			t.Errorf("robots %d: err = %v, want ErrDisallowed", tc.status, err)
		}
	}
	// Unreachable robots.txt (connection refused): disallowed for now.
	dead := serve(t, http.NotFoundHandler())
	dead.Close()
	c := env.client(Config{}, dead)
	_, err := c.Get(context.Background(), dead.URL+"/page")
	var oe *net.OpError
	if !errors.Is(err, ErrDisallowed) || !errors.Is(err, ErrRobotsUnavailable) || !errors.As(err, &oe) {
		t.Errorf("unreachable robots: err = %v", err)
	}
	t.Logf("unreachable robots.txt: %v", err)
}

func TestPacing(t *testing.T) {
	env := newEnv(t)
	var mu sync.Mutex
	var starts []time.Time
	var cur, peak atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		io.WriteString(w, "x")
	}))
	const delay = 80 * time.Millisecond
	c := env.client(Config{IgnoreRobots: true, HostDelay: delay}, s)
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(context.Background(), s.URL+"/"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if peak.Load() != 1 {
		t.Errorf("%d concurrent requests to one host, want 1", peak.Load())
	}
	if len(starts) != 5 {
		t.Fatalf("%d requests", len(starts))
	}
	// Starts are reserved delay apart; a request that leaves late (timer or
	// scheduling noise on a loaded machine) shortens the gap after it, so
	// the span of all starts is what is checked strictly.
	var gaps []time.Duration
	for i := 1; i < len(starts); i++ {
		gaps = append(gaps, starts[i].Sub(starts[i-1]))
	}
	t.Logf("gaps %v", gaps)
	if span := starts[len(starts)-1].Sub(starts[0]); span < 4*delay-20*time.Millisecond {
		t.Errorf("span of 5 starts %v, want >= %v", span, 4*delay)
	}

	// Without a delay, requests to one host still go one at a time.
	peak.Store(0)
	c0 := env.client(Config{IgnoreRobots: true}, s)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c0.Get(context.Background(), s.URL+"/")
		}()
	}
	wg.Wait()
	if peak.Load() != 1 {
		t.Errorf("no delay: %d concurrent requests, want 1", peak.Load())
	}
}

type recordingPacer struct {
	mu    sync.Mutex
	hosts []string
}

func (p *recordingPacer) Wait(ctx context.Context, host string) error {
	p.mu.Lock()
	p.hosts = append(p.hosts, host)
	p.mu.Unlock()
	return nil
}

func TestCustomPacer(t *testing.T) {
	env := newEnv(t)
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") }))
	p := &recordingPacer{}
	c := env.client(Config{Pacer: p}, s)
	if _, err := c.Get(context.Background(), s.URL+"/a"); err != nil {
		t.Fatal(err)
	}
	// robots.txt and the page each waited for the host.
	if len(p.hosts) != 2 || p.hosts[0] != "127.0.0.1" {
		t.Errorf("pacer calls %v", p.hosts)
	}
}

func TestIsPublicAddr(t *testing.T) {
	for _, tc := range []struct {
		a    string
		want bool
	}{
		{"93.184.216.34", true}, {"8.8.8.8", true}, {"2606:2800:220:1:248:1893:25c8:1946", true},
		{"64:ff9b::5db8:d822", true}, // NAT64 of a public address
		{"::ffff:93.184.216.34", true},
		{"127.0.0.1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"100.64.0.1", false}, {"100.100.100.200", false}, {"169.254.169.254", false}, {"0.0.0.0", false},
		{"224.0.0.1", false}, {"255.255.255.255", false}, {"240.0.0.1", false}, {"198.18.0.1", false},
		{"192.0.2.1", false}, {"198.51.100.1", false}, {"203.0.113.1", false}, {"192.0.0.8", false},
		{"::", false}, {"::1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false},
		{"64:ff9b::7f00:1", false}, {"64:ff9b::a00:1", false}, {"64:ff9b:1::1", false},
		{"fc00::1", false}, {"fd00:ec2::254", false}, {"fe80::1", false}, {"fe80::1%eth0", false},
		{"ff02::1", false}, {"2001:db8::1", false}, {"2001:0:4136:e378:8000:63bf:80ff:fffe", false},
		{"2002:7f00:1::1", false}, {"100::1", false}, {"::127.0.0.1", false}, {"fec0::1", false},
	} {
		if got := IsPublicAddr(netip.MustParseAddr(tc.a)); got != tc.want {
			t.Errorf("IsPublicAddr(%s) = %v, want %v", tc.a, got, tc.want)
		}
	}
}

type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.total = ms.TotalAlloc
}
