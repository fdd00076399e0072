package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fastRetries keeps the retry tests quick.
func fastRetries(cfg Config) Config {
	cfg.IgnoreRobots = true
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay = 5 * time.Millisecond
	}
	if cfg.RetryMaxDelay == 0 {
		cfg.RetryMaxDelay = 20 * time.Millisecond
	}
	return cfg
}

// retryAfterSite answers 429 once with Retry-After 1 s (/short) or an HTTP
// date 1.5 s ahead (/date), then 200; /long always asks for two minutes.
func retryAfterSite(hits *atomic.Int64) http.Handler {
	var first sync.Map
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/short":
			if _, seen := first.LoadOrStore(r.URL.Path, true); !seen {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			io.WriteString(w, "ok")
		case "/date":
			if _, seen := first.LoadOrStore(r.URL.Path, true); !seen {
				w.Header().Set("Retry-After", time.Now().Add(1500*time.Millisecond).UTC().Format(http.TimeFormat))
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			io.WriteString(w, "ok")
		case "/long":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
}

// TestRetryAfter429: a 429 with a short Retry-After is waited out and
// retried; a long one ends the call at once, carries the wait, and pauses
// the host so the next call fails fast without a request.
func TestRetryAfter429(t *testing.T) {
	env := newEnv(t)
	var hits atomic.Int64
	s := serve(t, retryAfterSite(&hits))
	c := env.client(fastRetries(Config{MaxRetryAfter: 5 * time.Second}), s)
	ctx := context.Background()

	var resp *Response
	var err error
	d := elapsed(func() { resp, err = c.Get(ctx, s.URL+"/short") })
	if err != nil || string(resp.Body) != "ok" || hits.Load() != 2 {
		t.Fatalf("short Retry-After: %v after %d hits", err, hits.Load())
	}
	if d < time.Second || d > time.Second+hangBound {
		t.Errorf("short Retry-After: took %v, want the 1 s asked for", d)
	}
	hits.Store(0)
	d = elapsed(func() { resp, err = c.Get(ctx, s.URL+"/date") })
	if err != nil || hits.Load() != 2 {
		t.Fatalf("HTTP-date Retry-After: %v after %d hits", err, hits.Load())
	}
	if d < 500*time.Millisecond || d > hangBound {
		t.Errorf("HTTP-date Retry-After: took %v", d)
	}

	hits.Store(0)
	d = elapsed(func() { _, err = c.Get(ctx, s.URL+"/long") })
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 429 || se.RetryAfter != 120*time.Second {
		t.Fatalf("long Retry-After: err = %v", err)
	}
	if !IsTemporary(err) || RetryAfter(err) != 120*time.Second || hits.Load() != 1 || d > hangBound {
		t.Errorf("long Retry-After: temporary %v, RetryAfter %v, %d hits, %v", IsTemporary(err), RetryAfter(err), hits.Load(), d)
	}
	// The host asked for two minutes: the next call does not ask it.
	d = elapsed(func() { _, err = c.Get(ctx, s.URL+"/short") })
	if !errors.Is(err, ErrCircuitOpen) || hits.Load() != 1 || d > hangBound {
		t.Errorf("paused host: err = %v after %d hits in %v", err, hits.Load(), d)
	}
	if ra := RetryAfter(err); ra < 110*time.Second || ra > 120*time.Second {
		t.Errorf("paused host: RetryAfter %v", ra)
	}
	if !IsTemporary(err) {
		t.Error("paused host: not temporary")
	}
}

// TestRetryAfterPastDeadline: a wait that would outlast the caller's
// deadline is not started.
func TestRetryAfterPastDeadline(t *testing.T) {
	env := newEnv(t)
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "900")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	// Fifteen minutes is under MaxRetryAfter, so only the ten-minute
	// deadline can keep the call from waiting; hangBound is half of it.
	c := env.client(fastRetries(Config{MaxRetryAfter: time.Hour}), s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var err error
	d := elapsed(func() { _, err = c.Get(ctx, s.URL+"/") })
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 503 || d > hangBound {
		t.Errorf("err = %v after %v", err, d)
	}
}

// Test503Storm: a host answering 503 to everything opens its breaker after
// BreakerThreshold failures; from then on calls fail fast without a
// request, the whole storm takes bounded time, a probe after the cool-down
// reopens it, and once the host recovers the breaker closes.
func Test503Storm(t *testing.T) {
	env := newEnv(t)
	var hits atomic.Int64
	var healthy atomic.Bool
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if healthy.Load() {
			io.WriteString(w, "back")
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	const cooldown = 300 * time.Millisecond
	c := env.client(fastRetries(Config{MaxAttempts: 3, BreakerThreshold: 5, BreakerCooldown: cooldown}), s)
	ctx := context.Background()

	if !t.Run("storm", func(t *testing.T) {
		var errs []error
		d := elapsed(func() {
			for i := 0; i < 50; i++ {
				_, err := c.Get(ctx, fmt.Sprintf("%s/item/%d", s.URL, i))
				errs = append(errs, err)
			}
		})
		if n := hits.Load(); n != 5 {
			t.Errorf("storm: %d requests reached the host, want 5 (the threshold)", n)
		}
		if d > hangBound {
			t.Errorf("storm of 50 calls took %v", d)
		}
		var se *StatusError
		if !errors.As(errs[0], &se) || se.StatusCode != 503 || errors.Is(errs[0], ErrCircuitOpen) {
			t.Errorf("first call: %v", errs[0])
		}
		// The second call's third attempt meets the opened breaker; it says
		// both things.
		if !errors.Is(errs[1], ErrCircuitOpen) || !errors.As(errs[1], &se) {
			t.Errorf("second call: %v", errs[1])
		}
		if msg := errs[1].Error(); strings.Count(msg, s.URL) != 1 || !strings.Contains(msg, "(after: HTTP status 503") {
			t.Errorf("second call's message names the URL %d times: %q", strings.Count(msg, s.URL), msg)
		}
		for i, err := range errs[2:] {
			if !errors.Is(err, ErrCircuitOpen) || !IsTemporary(err) {
				t.Fatalf("call %d: %v", i+2, err)
			}
			if ra := RetryAfter(err); ra <= 0 || ra > cooldown {
				t.Fatalf("call %d: RetryAfter %v", i+2, ra)
			}
		}
		t.Logf("open breaker: %v", errs[len(errs)-1])
	}) {
		return
	}
	if !t.Run("failed probe", func(t *testing.T) {
		// Half-open: one probe goes, fails, and the breaker opens again.
		time.Sleep(cooldown + 50*time.Millisecond)
		hits.Store(0)
		var se *StatusError
		_, err := c.Do(ctx, Request{URL: s.URL + "/probe", MaxAttempts: 1})
		if !errors.As(err, &se) || se.StatusCode != 503 || hits.Load() != 1 {
			t.Fatalf("probe: %v after %d hits", err, hits.Load())
		}
		if _, err := c.Get(ctx, s.URL+"/after-probe"); !errors.Is(err, ErrCircuitOpen) || hits.Load() != 1 {
			t.Fatalf("after failed probe: %v after %d hits", err, hits.Load())
		}
	}) {
		return
	}
	if !t.Run("fail fast during a probe", func(t *testing.T) {
		// While the probe is out, other calls fail fast.
		time.Sleep(cooldown + 50*time.Millisecond)
		healthy.Store(true)
		hits.Store(0)
		slow, entered := make(chan struct{}), make(chan struct{}, 1)
		s2 := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				entered <- struct{}{}
				<-slow
			}
			io.WriteString(w, "ok")
		}))
		c2 := env.client(fastRetries(Config{BreakerThreshold: 1, BreakerCooldown: 50 * time.Millisecond, MaxAttempts: 1}), s2)
		// Open c2's breaker for s2's host as one failure would.
		ctxShort, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		c2.breaker.done("127.0.0.1", ticket{}, outcomeFailure)
		time.Sleep(60 * time.Millisecond)
		probeDone := make(chan error, 1)
		go func() {
			_, err := c2.Get(ctxShort, s2.URL+"/slow")
			probeDone <- err
		}()
		<-entered // the probe is now out, waiting on /slow
		if _, err := c2.Get(ctx, s2.URL+"/other"); !errors.Is(err, ErrCircuitOpen) || !strings.Contains(err.Error(), "probe") {
			t.Errorf("during the probe: %v", err)
		}
		close(slow)
		if err := <-probeDone; err != nil {
			t.Fatalf("probe: %v", err)
		}
		if _, err := c2.Get(ctx, s2.URL+"/other"); err != nil {
			t.Errorf("after a good probe: %v", err)
		}
	}) {
		return
	}
	if !t.Run("recovered", func(t *testing.T) {
		// Back on the storm host: the probe succeeds and the breaker closes.
		resp, err := c.Get(ctx, s.URL+"/recovered")
		if err != nil || string(resp.Body) != "back" {
			t.Fatalf("recovered host: %v", err)
		}
		for i := 0; i < 3; i++ {
			if _, err := c.Get(ctx, s.URL+"/again"); err != nil {
				t.Fatalf("closed breaker: %v", err)
			}
		}
	}) {
		return
	}
}

// TestBreakerKeepsRobotsCache: an open breaker is not an answer about
// robots.txt: once it closes, robots.txt is fetched and obeyed.
func TestBreakerKeepsRobotsCache(t *testing.T) {
	env := newEnv(t)
	var down atomic.Bool
	down.Store(true)
	var robotsHits atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			if down.Load() {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
			return
		}
		io.WriteString(w, "page")
	}))
	c := env.client(Config{BreakerThreshold: 1, BreakerCooldown: 100 * time.Millisecond, MaxAttempts: 1}, s)
	ctx := context.Background()
	// robots.txt answers 502: disallowed for now, and the breaker opens.
	if _, err := c.Get(ctx, s.URL+"/page"); !errors.Is(err, ErrRobotsUnavailable) || !IsTemporary(err) {
		t.Fatalf("robots 502: %v", err)
	}
	// A new origin on the same host (another scheme/port would do; here
	// the cached verdict is simply dropped) meets the open breaker: the
	// error is not cached as a robots.txt verdict.
	c.robots.mu.Lock()
	c.robots.m = nil
	c.robots.mu.Unlock()
	_, err := c.Get(ctx, s.URL+"/page")
	if !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("open breaker: %v", err)
	}
	down.Store(false)
	time.Sleep(150 * time.Millisecond)
	if _, err := c.Get(ctx, s.URL+"/page"); err != nil {
		t.Fatalf("after cool-down: %v", err)
	}
	if _, err := c.Get(ctx, s.URL+"/private/x"); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("robots.txt not obeyed after the breaker: %v", err)
	}
	if n := robotsHits.Load(); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
}

// TestRetryNetworkErrors: connections cut mid-answer are retried; 4xx are
// not; POST is retried only when the server cannot have acted on it.
func TestRetryNetworkErrors(t *testing.T) {
	env := newEnv(t)
	var hits atomic.Int64
	var cut atomic.Int64
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/flaky":
			if cut.Add(1) <= 2 {
				// Cut mid-body (a connection closed before any answer
				// would be retried by net/http itself on a reused
				// connection).
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
					conn.Close()
				}
				return
			}
			io.WriteString(w, "third time lucky")
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/missing":
			http.NotFound(w, r)
		case "/error":
			w.WriteHeader(http.StatusInternalServerError)
		case "/busy":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/not-implemented":
			w.WriteHeader(http.StatusNotImplemented)
		}
	}))
	c := env.client(fastRetries(Config{BreakerThreshold: -1}), s)
	ctx := context.Background()

	resp, err := c.Get(ctx, s.URL+"/flaky")
	if err != nil || string(resp.Body) != "third time lucky" || hits.Load() != 3 {
		t.Fatalf("flaky: %v after %d hits", err, hits.Load())
	}
	hits.Store(0)
	cut.Store(0)
	_, err = c.Do(ctx, Request{URL: s.URL + "/flaky", MaxAttempts: 2})
	if err == nil || !IsTemporary(err) || hits.Load() != 2 {
		t.Fatalf("flaky, 2 attempts: %v after %d hits", err, hits.Load())
	}
	t.Logf("cut connection: %v", err)

	for path, want := range map[string]struct {
		hits      int64
		temporary bool
	}{
		"/gone": {1, false}, "/missing": {1, false}, "/not-implemented": {1, false},
		"/error": {3, true}, "/busy": {3, true},
	} {
		hits.Store(0)
		_, err := c.Get(ctx, s.URL+path)
		var se *StatusError
		if !errors.As(err, &se) || hits.Load() != want.hits || IsTemporary(err) != want.temporary {
			t.Errorf("%s: %v after %d hits (temporary %v)", path, err, hits.Load(), IsTemporary(err))
		}
	}
	// 410 is told apart for the pipeline (feeds that answer it are disabled).
	_, err = c.Get(ctx, s.URL+"/gone")
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusGone {
		t.Errorf("410: %v", err)
	}

	for path, want := range map[string]int64{"/error": 1, "/busy": 3} {
		hits.Store(0)
		c.Do(ctx, Request{URL: s.URL + path, Method: http.MethodPost, Body: []byte("q=1")})
		if hits.Load() != want {
			t.Errorf("POST %s: %d hits, want %d", path, hits.Load(), want)
		}
	}
}

// TestRetryConnectionRefused: a dial that fails is retried (POST too) and
// then reported as temporary.
func TestRetryConnectionRefused(t *testing.T) {
	env := newEnv(t)
	dead := serve(t, http.NotFoundHandler())
	dead.Close()
	c := env.client(fastRetries(Config{BreakerThreshold: -1}), dead)
	var err error
	d := elapsed(func() {
		_, err = c.Do(context.Background(), Request{URL: dead.URL + "/", Method: http.MethodPost})
	})
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || !IsTemporary(err) {
		t.Fatalf("err = %v", err)
	}
	if d > hangBound {
		t.Errorf("took %v", d)
	}
}

func TestBackoffFullJitter(t *testing.T) {
	c := &Client{cfg: Config{RetryBaseDelay: 100 * time.Millisecond, RetryMaxDelay: time.Second}}
	for n, ceil := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 40: time.Second} {
		var lo, hi time.Duration = time.Hour, 0
		for i := 0; i < 2000; i++ {
			d := c.backoff(n)
			if d < 0 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", n, d, ceil)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo > ceil/10 || hi < ceil*9/10 {
			t.Errorf("backoff(%d): range [%v, %v] does not spread over [0, %v]", n, lo, hi, ceil)
		}
	}
}

func TestIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&StatusError{StatusCode: 503}, true},
		{&StatusError{StatusCode: 500}, true},
		{&StatusError{StatusCode: 429}, true},
		{&StatusError{StatusCode: 408}, true},
		{&StatusError{StatusCode: 501}, false},
		{&StatusError{StatusCode: 404}, false},
		{&StatusError{StatusCode: 410}, false},
		{&StatusError{StatusCode: 403}, false},
		{fmt.Errorf("x: %w", ErrBlockedAddress), false},
		{fmt.Errorf("x: %w", ErrDisallowed), false},
		{fmt.Errorf("x: %w: %w", ErrDisallowed, ErrRobotsUnavailable), true},
		{fmt.Errorf("x: %w", ErrTooLarge), false},
		{fmt.Errorf("x: %w", ErrHeaderTooLarge), false},
		{fmt.Errorf("x: %w", ErrTooManyRedirects), false},
		{fmt.Errorf("x: %w", ErrInvalidURL), false},
		{fmt.Errorf("x: %w", ErrTooSlow), true},
		{&circuitError{host: "h", until: time.Now().Add(time.Minute)}, true},
		{context.Canceled, false},
		{context.DeadlineExceeded, true},
		{&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, false},
		{&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{&url.Error{Op: "Get", URL: "x", Err: &net.OpError{Op: "read", Err: errors.New("reset")}}, true},
		{errors.New("something else"), false},
	} {
		if got := IsTemporary(tc.err); got != tc.want {
			t.Errorf("IsTemporary(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if RetryAfter(&StatusError{StatusCode: 429, RetryAfter: 7 * time.Second}) != 7*time.Second ||
		RetryAfter(errors.New("x")) != 0 {
		t.Error("RetryAfter")
	}
}
