package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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
	os.MkdirAll(dir, 0o755)
	db := filepath.Join(dir, "kabar.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		drip.fail("%v", err)
		return []*row{drip, idle}
	}
	posts, err := seed(ctx, st, 3)
	st.Close()
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

	type conn struct {
		c      net.Conn
		closed chan struct{}
		at     time.Duration
	}
	t0 := time.Now()
	watch := func(nc net.Conn, r io.Reader) *conn {
		cc := &conn{c: nc, closed: make(chan struct{})}
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
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var drips, idles []*conn
	for i := 0; i < c.conns; i++ {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			drip.fail("dial: %v", err)
			continue
		}
		fmt.Fprintf(nc, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n", posts[0].Path(), addr)
		cc := watch(nc, nc)
		drips = append(drips, cc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-cc.closed:
					return
				case <-t.C:
					nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
					if _, err := nc.Write([]byte("a")); err != nil {
						return
					}
				}
			}
		}()
	}
	for i := 0; i < c.conns; i++ {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			idle.fail("dial: %v", err)
			continue
		}
		fmt.Fprintf(nc, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		br := bufio.NewReader(nc)
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			idle.fail("first request: %v", err)
			nc.Close()
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		nc.SetReadDeadline(time.Time{})
		idles = append(idles, watch(nc, br))
	}
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
	open := func(cs []*conn) (n int, closedAt []time.Duration) {
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
		cc.c.Close()
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
