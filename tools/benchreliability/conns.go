package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// serverLimit is the longest connection limit docs/operations.md lists for
// kabar's HTTP servers (a whole request, an idle keep-alive connection).
const serverLimit = 30 * time.Second

// serverBound is how long kabar serve says a slow or idle connection may
// live: the largest duration among the timeouts `kabar serve -h` lists,
// plus a margin; 30 s when it lists none.
func serverBound(c *config) (time.Duration, string) {
	if c.connBound > 0 {
		return c.connBound, "set by -conn-bound"
	}
	out, _ := exec.Command(c.bin, "serve", "-h").CombinedOutput()
	re := regexp.MustCompile(`(?m)^\s*-(\S*timeout\S*)[^\n]*\n([^\n]*)`)
	best, names := time.Duration(0), []string(nil)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		if strings.Contains(m[1], "fetch") || strings.Contains(m[1], "job") {
			continue
		}
		if d := regexp.MustCompile(`default "?([0-9][0-9a-z.]*)"?\)`).FindStringSubmatch(m[2]); d != nil {
			if v, err := time.ParseDuration(d[1]); err == nil {
				best = max(best, v)
				names = append(names, "--"+m[1]+" "+d[1])
			}
		}
	}
	if best == 0 {
		// The server's limits are fixed in the binary and listed in
		// docs/operations.md ("Server limits"): 30 s for a whole request
		// and for an idle connection. A bound equal to them would race
		// the server's own close.
		return serverLimit + 15*time.Second, fmt.Sprintf("docs/operations.md's server limits (%v) + 15s", serverLimit)
	}
	return best + 10*time.Second, "from " + strings.Join(names, ", ") + " + 10s"
}

// runConns opens drip-fed POST bodies and idle keep-alive connections
// against kabar serve and counts those still open past the bound.
func runConns(c *config) []*row {
	drip := &row{scenario: "slow-drip POST bodies", store: "SQLite"}
	idle := &row{scenario: "idle keep-alive connections", store: "SQLite"}
	startT := time.Now()
	defer func() { drip.took = time.Since(startT) / 2; idle.took = drip.took }()
	ctx := context.Background()
	dir := filepath.Join(c.tmp, "conns")
	mkdir(dir)
	db := filepath.Join(dir, "kabar.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		drip.fail("%v", err)
		return []*row{drip, idle}
	}
	posts, err := seed(ctx, st, 3)
	err = closeAfterWrite(st, err)
	if err != nil {
		drip.fail("seed: %v", err)
		return []*row{drip, idle}
	}
	p, base, err := serve(c, db, filepath.Join(dir, "serve.log"), nil)
	if err != nil {
		drip.fail("serve: %v", err)
		return []*row{drip, idle}
	}
	defer p.stop(10 * time.Second)
	bound, how := serverBound(c)
	drip.note("bound %s (%s)", bound, how)
	addr := strings.TrimPrefix(base, "http://")

	t0 := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	drips := openDrips(drip, addr, posts[0].Path(), c.conns, t0, stop, &wg)
	idles := openIdles(idle, addr, c.conns, t0)
	drip.tried, idle.tried = len(drips), len(idles)
	// While they hang on, the site must still answer others.
	time.Sleep(2 * time.Second)
	if res, err := (&http.Client{Timeout: 10 * time.Second}).Get(base + "/"); err != nil || res.StatusCode != 200 {
		drip.fail("the site did not answer a reader while the connections were open: %v %s", err, statusOf(res))
	} else {
		res.Body.Close()
	}
	deadline := time.After(bound - time.Since(t0))
	<-deadline
	open := func(cs []*heldConn) (n int, closedAt []time.Duration) {
		for _, cc := range cs {
			select {
			case <-cc.closed:
				closedAt = append(closedAt, cc.at)
			default:
				n++
			}
		}
		return
	}
	dOpen, dAt := open(drips)
	iOpen, iAt := open(idles)
	close(stop)
	for _, cc := range append(drips, idles...) {
		_ = cc.c.Close() // the suite's end of a connection it holds open on purpose
	}
	wg.Wait()
	if dOpen > 0 {
		drip.failed += dOpen - 1
		drip.fail("%d of %d drip-fed connections still open after %s", dOpen, len(drips), bound)
	}
	if iOpen > 0 {
		idle.failed += iOpen - 1
		idle.fail("%d of %d idle connections still open after %s", iOpen, len(idles), bound)
	}
	if len(dAt) > 0 {
		drip.note("closed by the server after %s (last)", maxDur(dAt).Round(100*time.Millisecond))
	}
	if len(iAt) > 0 {
		idle.note("closed by the server after %s (last)", maxDur(iAt).Round(100*time.Millisecond))
	}
	if bad, why := p.crashed(); bad {
		drip.fail("kabar serve crashed: %s", why)
	}
	drip.rss(p.peakRSS())
	idle.rss(p.peakRSS())
	return []*row{drip, idle}
}

func maxDur(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// heldConn is a connection the suite holds open, and when the server
// closed it.
type heldConn struct {
	c      net.Conn
	closed chan struct{}
	at     time.Duration
}

// watchConn reads r until the server closes the connection, and notes
// when, counted from t0.
func watchConn(nc net.Conn, r io.Reader, t0 time.Time) *heldConn {
	cc := &heldConn{c: nc, closed: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := r.Read(buf); err != nil {
				cc.at = time.Since(t0)
				close(cc.closed)
				return
			}
		}
	}()
	return cc
}

// openDrips opens n POSTs that promise a 100 000-byte body and send one
// byte a second until stop or the server closes them.
func openDrips(r *row, addr, path string, n int, t0 time.Time, stop chan struct{}, wg *sync.WaitGroup) []*heldConn {
	var out []*heldConn
	for i := 0; i < n; i++ {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			r.fail("dial: %v", err)
			continue
		}
		if _, err := fmt.Fprintf(nc, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n", path, addr); err != nil {
			r.fail("request head: %v", err)
			_ = nc.Close() // the failure above is the one counted
			continue
		}
		cc := watchConn(nc, nc, t0)
		out = append(out, cc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			drip(nc, cc, stop)
		}()
	}
	return out
}

// drip writes a byte a second until stop, the server closes the
// connection, or a write fails (the server stopped reading).
func drip(nc net.Conn, cc *heldConn, stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-cc.closed:
			return
		case <-t.C:
			if err := nc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
				return
			}
			if _, err := nc.Write([]byte("a")); err != nil {
				return
			}
		}
	}
}

// openIdles opens n keep-alive connections, each after one answered
// request, and leaves them idle.
func openIdles(r *row, addr string, n int, t0 time.Time) []*heldConn {
	var out []*heldConn
	for i := 0; i < n; i++ {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			r.fail("dial: %v", err)
			continue
		}
		br := bufio.NewReader(nc)
		if err := firstRequest(nc, br, addr); err != nil {
			r.fail("first request: %v", err)
			_ = nc.Close() // the failure above is the one counted
			continue
		}
		out = append(out, watchConn(nc, br, t0))
	}
	return out
}

// firstRequest sends GET /healthz on nc and reads its answer, leaving the
// connection open and idle.
func firstRequest(nc net.Conn, br *bufio.Reader, addr string) error {
	if _, err := fmt.Fprintf(nc, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr); err != nil {
		return err
	}
	if err := nc.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body) // read to its end so the connection is reused; only the status counts
	res.Body.Close()
	return nc.SetReadDeadline(time.Time{})
}
