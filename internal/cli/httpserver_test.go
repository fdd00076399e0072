package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The limits in these tests are small so that the server acts quickly; the
// assertions only say that it acts (the connection is closed, the deadline
// is there), with bounds far beyond the limits so that a loaded machine
// cannot fail them.
var testLimits = serverLimits{
	ReadHeader:     200 * time.Millisecond,
	Read:           200 * time.Millisecond,
	Idle:           200 * time.Millisecond,
	Request:        300 * time.Millisecond,
	LongRequest:    time.Minute,
	WriteGrace:     100 * time.Millisecond,
	MaxHeaderBytes: 1 << 10,
}

// patience bounds every wait for the server: a closed connection must show
// up well within it.
const patience = 10 * time.Second

type deadlineSeen struct {
	remaining time.Duration // from the handler's start to its deadline
	err       error         // the context's error when the handler ended
}

func startLimited(t *testing.T, lim serverLimits) (addr string, seen chan deadlineSeen) {
	t.Helper()
	seen = make(chan deadlineSeen, 10)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		io.WriteString(w, "ok")
	})
	// wait blocks until its context ends, as a handler stuck on a slow
	// query would.
	wait := func(w http.ResponseWriter, r *http.Request) {
		dl, _ := r.Context().Deadline()
		rem := time.Until(dl)
		<-r.Context().Done()
		seen <- deadlineSeen{rem, r.Context().Err()}
		http.Error(w, "timeout", http.StatusServiceUnavailable)
	}
	mux.HandleFunc("GET /wait", wait)
	// sleep works past the write deadline of an ordinary request, then
	// answers.
	sleep := func(w http.ResponseWriter, r *http.Request) {
		dl, _ := r.Context().Deadline()
		seen <- deadlineSeen{remaining: time.Until(dl)}
		time.Sleep(4 * (lim.Request + lim.WriteGrace))
		io.WriteString(w, "done")
	}
	mux.HandleFunc("GET /sleep", sleep)
	mux.HandleFunc("POST /api/posts/1/reextract", sleep)
	srv := newHTTPServer(mux, lim)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), seen
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed reads until the server closes the connection and fails the
// test when it has not within patience.
func waitClosed(t *testing.T, c net.Conn, r io.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(patience))
	if r == nil {
		r = c
	}
	_, err := io.Copy(io.Discard, r)
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", patience)
	}
	// nil (EOF) or a reset: either way the server let go.
}

// drip writes one byte at a time until the server stops reading or stop is
// closed; bounded, so it ends by itself.
func drip(c net.Conn, stop <-chan struct{}, piece string) {
	for range int(patience / (20 * time.Millisecond)) {
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
		if _, err := io.WriteString(c, piece); err != nil {
			return
		}
	}
}

func TestServerClosesDripFedBody(t *testing.T) {
	addr, _ := startLimited(t, testLimits)
	c := dial(t, addr)
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: kabar\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go drip(c, stop, "a")
	waitClosed(t, c, nil)
}

func TestServerClosesDripFedHeaders(t *testing.T) {
	addr, _ := startLimited(t, testLimits)
	c := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: kabar\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go drip(c, stop, "X-Slow: a\r\n")
	waitClosed(t, c, nil)
}

func TestServerClosesIdleKeepAlive(t *testing.T) {
	addr, _ := startLimited(t, testLimits)
	c := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: kabar\r\n\r\n")
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(patience))
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || string(body) != "ok" || res.Close {
		t.Fatalf("first request: %d %q close=%v", res.StatusCode, body, res.Close)
	}
	// Kept alive, then silent: the server closes it.
	waitClosed(t, c, br)
}

func TestServerRefusesHugeHeaders(t *testing.T) {
	addr, _ := startLimited(t, testLimits)
	c := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: kabar\r\nCookie: %s\r\n\r\n", strings.Repeat("a", 16<<10))
	c.SetReadDeadline(time.Now().Add(patience))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", res.StatusCode)
	}
}

// A handler's context ends at the request limit; the re-extraction routes
// get the long one, and their response may be written after the ordinary
// write deadline.
func TestRequestDeadlines(t *testing.T) {
	skipIfShort(t, "waits out the server's real deadlines")
	addr, seen := startLimited(t, testLimits)
	client := &http.Client{Timeout: patience}

	res, err := client.Get("http://" + addr + "/wait")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	got := <-seen
	if !errors.Is(got.err, context.DeadlineExceeded) || got.remaining > testLimits.Request {
		t.Fatalf("ordinary request: context %v, %v to its deadline; want the %v limit", got.err, got.remaining, testLimits.Request)
	}
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d", res.StatusCode)
	}

	// An ordinary handler that writes after the write deadline reaches
	// nobody: the connection is cut.
	if res, err := client.Get("http://" + addr + "/sleep"); err == nil {
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err == nil && string(body) == "done" {
			t.Error("a response written after the write deadline arrived")
		}
	}
	<-seen

	res, err = client.Post("http://"+addr+"/api/posts/1/reextract", "application/json", nil)
	if err != nil {
		t.Fatalf("long route: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	got = <-seen
	if res.StatusCode != http.StatusOK || string(body) != "done" {
		t.Errorf("long route: %d %q", res.StatusCode, body)
	}
	if got.remaining <= testLimits.Request {
		t.Errorf("long route: %v to its deadline, want the long limit", got.remaining)
	}
}

func TestDefaultServerLimits(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), defaultServerLimits)
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		if d <= 0 || d > time.Minute {
			t.Errorf("%s = %v: want a limit, under a minute", name, d)
		}
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes >= http.DefaultMaxHeaderBytes {
		t.Errorf("MaxHeaderBytes %d", srv.MaxHeaderBytes)
	}
}
