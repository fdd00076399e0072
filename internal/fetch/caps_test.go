package fetch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Misbehaving servers on 127.0.0.1, one per cap. Each test asserts the
// outcome and the time or memory it took to get there.

// rawServer accepts connections on 127.0.0.1 and hands each to handle (in
// its own goroutine; handle must return once the peer is gone). It returns
// the base URL and the address to let through the guard.
func rawServer(t *testing.T, handle func(net.Conn)) (string, netip.AddrPort) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	ap := netip.MustParseAddrPort(ln.Addr().String())
	return "http://" + ap.String(), ap
}

// readRequestHead reads a request's head so the client is done writing.
func readRequestHead(c net.Conn) (*http.Request, error) {
	return http.ReadRequest(bufio.NewReader(c))
}

// elapsed runs f and returns how long it took.
// hangBound is every upper time bound in these tests. It only catches a
// call that never ends: which mechanism cut a call is proven by its error
// (ErrTooSlow, ErrTooLarge, a header timeout…), the requests counted and
// the memory allocated, never by the clock, which a loaded machine can
// stretch without limit. Where another mechanism could also end the call
// (the request timeout), the test sets it far beyond hangBound.
const hangBound = 5 * time.Minute

func elapsed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func heapGrowth(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestSlowDrip: a body trickling one byte a second is cut by the slow-drip
// rule after one window, long before the request timeout.
func TestSlowDrip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits out a real slow-drip window")
	}
	env := newEnv(t)
	var hits atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", "100000")
		for i := 0; i < 600; i++ { // ten minutes at most
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(time.Second):
			case <-r.Context().Done():
				return
			}
		}
	}))
	const window = 400 * time.Millisecond
	c := env.client(Config{IgnoreRobots: true, MinBytesPerSecond: 100, SlowWindow: window,
		Timeout: 10 * time.Minute, MaxAttempts: 1}, s)
	var err error
	d := elapsed(func() { _, err = c.Get(context.Background(), s.URL+"/drip") })
	if !errors.Is(err, ErrTooSlow) || !IsTemporary(err) {
		t.Fatalf("err = %v, want ErrTooSlow (temporary)", err)
	}
	t.Logf("slow drip: cut after %v: %v", d, err)
	if d < window || d > window+hangBound {
		t.Errorf("cut after %v, want about one window (%v)", d, window)
	}

	// With retries, each attempt is cut the same way: the whole call stays
	// bounded by attempts × window plus backoff.
	hits.Store(0)
	c3 := env.client(Config{IgnoreRobots: true, MinBytesPerSecond: 100, SlowWindow: window,
		Timeout: 10 * time.Minute, MaxAttempts: 3, RetryBaseDelay: 10 * time.Millisecond}, s)
	d = elapsed(func() { _, err = c3.Get(context.Background(), s.URL+"/drip") })
	if !errors.Is(err, ErrTooSlow) || hits.Load() != 3 {
		t.Fatalf("3 attempts: err = %v after %d hits", err, hits.Load())
	}
	if d > 3*window+hangBound {
		t.Errorf("3 attempts took %v", d)
	}

	// A body that keeps up with the rate is not cut, however long it takes.
	steady := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 8; i++ {
			w.Write(bytes.Repeat([]byte("y"), 100))
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	}))
	c2 := env.client(Config{IgnoreRobots: true, MinBytesPerSecond: 500, SlowWindow: 300 * time.Millisecond}, steady)
	resp, err := c2.Get(context.Background(), steady.URL+"/")
	if err != nil || len(resp.Body) != 800 {
		t.Fatalf("steady body: %v", err)
	}
}

// TestNeverEndingHeaders: headers that trickle forever hit the header
// timeout; headers that pour forever hit the header size cap.
func TestNeverEndingHeaders(t *testing.T) {
	env := newEnv(t)
	trickle, trickleAP := rawServer(t, func(c net.Conn) {
		if _, err := readRequestHead(c); err != nil {
			return
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\n"); err != nil {
			return
		}
		for i := 0; ; i++ {
			if _, err := fmt.Fprintf(c, "X-Drip-%d: a\r\n", i); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	flood, floodAP := rawServer(t, func(c net.Conn) {
		if _, err := readRequestHead(c); err != nil {
			return
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\n"); err != nil {
			return
		}
		line := []byte("X-Flood: " + strings.Repeat("a", 1000) + "\r\n")
		for {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	})
	const headerTimeout = 300 * time.Millisecond
	c := env.client(Config{IgnoreRobots: true, HeaderTimeout: headerTimeout, Timeout: 10 * time.Minute,
		MaxHeaderBytes: 64 << 10, MaxAttempts: 1, AllowAddrPorts: []netip.AddrPort{trickleAP, floodAP}})

	var err error
	d := elapsed(func() { _, err = c.Get(context.Background(), trickle+"/") })
	if err == nil || !strings.Contains(err.Error(), "timeout awaiting response headers") || !IsTemporary(err) {
		t.Errorf("trickling headers: err = %v", err)
	}
	if d < headerTimeout || d > headerTimeout+hangBound {
		t.Errorf("trickling headers cut after %v, want about %v", d, headerTimeout)
	}

	grew := heapGrowth(func() {
		d = elapsed(func() { _, err = c.Get(context.Background(), flood+"/") })
	})
	if !errors.Is(err, ErrHeaderTooLarge) || IsTemporary(err) {
		t.Errorf("pouring headers: err = %v, want ErrHeaderTooLarge", err)
	}
	if d > hangBound {
		t.Errorf("pouring headers cut after %v", d)
	}
	t.Logf("pouring headers: cut after %v, %d KiB allocated", d, grew>>10)
	if grew > 16<<20 {
		t.Errorf("pouring headers allocated %d MiB against a 64 KiB cap", grew>>20)
	}
}

// TestInfiniteChunkedBody: a chunked body that never ends stops at the cap,
// fast and within memory.
func TestInfiniteChunkedBody(t *testing.T) {
	env := newEnv(t)
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := bytes.Repeat([]byte("<p>forever</p>"), 2048)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush() // no Content-Length: chunked
		}
	}))
	const limit = 2 << 20
	c := env.client(Config{IgnoreRobots: true, MaxBodyBytes: limit}, s)
	var err error
	var d time.Duration
	grew := heapGrowth(func() {
		d = elapsed(func() { _, err = c.Get(context.Background(), s.URL+"/forever") })
	})
	if !errors.Is(err, ErrTooLarge) || IsTemporary(err) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if d > hangBound {
		t.Errorf("took %v", d)
	}
	t.Logf("endless body: cut after %v, %d KiB allocated", d, grew>>10)
	if grew > 8*limit {
		t.Errorf("allocated %d MiB for a %d MiB cap", grew>>20, limit>>20)
	}
}

// TestBrotliBomb: a small brotli body that inflates to 128 MiB stops at the
// cap without the memory to match.
func TestBrotliBomb(t *testing.T) {
	env := newEnv(t)
	var buf bytes.Buffer
	bw := brotli.NewWriterLevel(&buf, brotli.BestSpeed)
	zero := make([]byte, 1<<20)
	for i := 0; i < 128; i++ {
		bw.Write(zero)
	}
	bw.Close()
	bomb := buf.Bytes()
	t.Logf("brotli bomb: %d bytes for 128 MiB", len(bomb))
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		w.Header().Set("Content-Type", "text/html")
		w.Write(bomb)
	}))
	const limit = 1 << 20
	c := env.client(Config{IgnoreRobots: true, MaxBodyBytes: limit}, s)
	var err error
	var d time.Duration
	grew := heapGrowth(func() {
		d = elapsed(func() { _, err = c.Get(context.Background(), s.URL+"/bomb") })
	})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	t.Logf("brotli bomb: cut after %v, %d KiB allocated", d, grew>>10)
	// The cap's buffers plus brotli's window (16 MiB at most).
	if grew > 32<<20 {
		t.Errorf("allocated %d MiB decoding a 128 MiB bomb capped at 1 MiB", grew>>20)
	}
	if d > hangBound {
		t.Errorf("took %v", d)
	}
}

// TestGzipBombBound adds the time bound to TestGzipBomb, at the default
// 10 MiB cap and with a 1 GiB stream (gzip's best ratio is about 1000:1,
// so the body is made of repeated members of one 64 MiB stream).
func TestGzipBombBound(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: inflates bombs to measure the memory bound")
	}
	env := newEnv(t)
	member := gzipBytes(t, make([]byte, 64<<20))
	bomb := bytes.Repeat(member, 16) // 1 GiB decoded, about 1 MiB sent
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bomb)
	}))
	c := env.client(Config{IgnoreRobots: true}, s)
	var err error
	var d time.Duration
	grew := heapGrowth(func() {
		d = elapsed(func() { _, err = c.Get(context.Background(), s.URL+"/feed") })
	})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	t.Logf("gzip bomb: cut after %v, %d KiB allocated", d, grew>>10)
	if grew > 64<<20 {
		t.Errorf("allocated %d MiB for a 1 GiB bomb capped at 10 MiB", grew>>20)
	}
	if d > hangBound {
		t.Errorf("took %v", d)
	}
}

// TestRedirectLoopBound: loops and endless chains end fast, after at most
// MaxRedirects+1 requests, and are not retried.
func TestRedirectLoopBound(t *testing.T) {
	env := newEnv(t)
	var hits atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
		case r.URL.Path == "/b":
			http.Redirect(w, r, "/a", http.StatusMovedPermanently)
		default: // /n/1 -> /n/2 -> ... forever
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/n/"))
			http.Redirect(w, r, fmt.Sprintf("/n/%d", n+1), http.StatusTemporaryRedirect)
		}
	}))
	c := env.client(Config{IgnoreRobots: true}, s)
	for _, p := range []string{"/a", "/n/1"} {
		hits.Store(0)
		var err error
		d := elapsed(func() { _, err = c.Get(context.Background(), s.URL+p) })
		if !errors.Is(err, ErrTooManyRedirects) || IsTemporary(err) {
			t.Errorf("%s: err = %v", p, err)
		}
		if n := hits.Load(); n > DefaultMaxRedirects+1 {
			t.Errorf("%s: %d requests", p, n)
		}
		if d > hangBound {
			t.Errorf("%s: took %v", p, d)
		}
	}
}

// TestRedirectToPrivate: a public-looking start that redirects into the
// private network is refused at once, nothing is dialed, nothing retried.
func TestRedirectToPrivate(t *testing.T) {
	env := newEnv(t)
	var hits atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Location", r.URL.Query().Get("to"))
		w.WriteHeader(http.StatusFound)
	}))
	env.dns.set("metadata.example.test", "169.254.169.254")
	env.dns.set("inside.example.test", "10.1.2.3", "93.184.216.34")
	env.dns.set("home.example.test", "127.0.0.1")
	cport := strconv.Itoa(env.canary.port)
	c := env.client(Config{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(s.Listener.Addr().String())}})
	for _, to := range []string{
		"http://10.0.0.1/", "http://127.0.0.1:" + cport + "/", "http://[::1]:" + cport + "/",
		"http://metadata.example.test/latest/meta-data/", "http://inside.example.test/",
		"http://home.example.test:" + cport + "/", "http://0x7f000001:" + cport + "/",
	} {
		hits.Store(0)
		var err error
		d := elapsed(func() { _, err = c.Do(context.Background(), Request{URL: s.URL + "/r?to=" + to, SkipRobots: true}) })
		if !errors.Is(err, ErrBlockedAddress) && !errors.Is(err, ErrInvalidURL) {
			t.Errorf("to %s: err = %v", to, err)
		}
		if IsTemporary(err) || hits.Load() != 1 {
			t.Errorf("to %s: temporary %v after %d hits; want a permanent refusal, no retry", to, IsTemporary(err), hits.Load())
		}
		if d > hangBound {
			t.Errorf("to %s: took %v", to, d)
		}
	}
}

// TestWrongCharset: pages whose HTTP header lies about their charset are
// still decoded right, and quickly.
func TestWrongCharset(t *testing.T) {
	env := newEnv(t)
	utf8Page := []byte(`<html><head><meta charset="utf-8"><title>` + fr + `</title></head><body>` + ru + `</body></html>`)
	pages := map[string]struct {
		ct   string
		body []byte
	}{
		// Server default latin-1 over a UTF-8 page (with and without meta).
		"/latin1-says-header": {"text/html; charset=ISO-8859-1", utf8Page},
		"/1252-no-meta":       {"text/html; charset=windows-1252", []byte(`<p>` + fr + ` ` + ja + `</p>`)},
		// Header says UTF-8, the page is windows-1251 and says so itself.
		"/utf8-over-1251": {"text/html; charset=utf-8",
			encode(t, charmap.Windows1251, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body>`+ru+`</body></html>`)},
		// Header says GBK, the feed is UTF-8 and declares it.
		"/gbk-over-utf8-feed": {"application/rss+xml; charset=gbk", []byte(`<?xml version="1.0" encoding="utf-8"?><rss><channel><title>` + zh + `</title></channel></rss>`)},
		// Meta says latin-1, no header charset, the page is UTF-8.
		"/meta-lies": {"text/html", []byte(`<meta charset="iso-8859-1"><p>` + fr + `</p>`)},
		// Honest legacy pages are left alone.
		"/honest-gbk": {"text/html; charset=gbk", encode(t, simplifiedchinese.GBK, `<p>`+zh+`</p>`)},
	}
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p.ct)
		w.Write(p.body)
	}))
	c := env.client(Config{IgnoreRobots: true}, s)
	for path, want := range map[string][]string{
		"/latin1-says-header": {"utf-8", fr, ru},
		"/1252-no-meta":       {"utf-8", fr, ja},
		"/utf8-over-1251":     {"windows-1251", ru},
		"/gbk-over-utf8-feed": {"utf-8", zh},
		"/meta-lies":          {"utf-8", fr},
		"/honest-gbk":         {"gbk", zh},
	} {
		var resp *Response
		var err error
		d := elapsed(func() { resp, err = c.Get(context.Background(), s.URL+path) })
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if resp.Charset != want[0] {
			t.Errorf("%s: charset %q, want %q", path, resp.Charset, want[0])
		}
		for _, text := range want[1:] {
			if !bytes.Contains(resp.Body, []byte(text)) {
				t.Errorf("%s: %q not in %q", path, text, truncate(resp.Body))
			}
		}
		if d > hangBound {
			t.Errorf("%s: took %v", path, d)
		}
	}
}
