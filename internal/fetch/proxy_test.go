package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// testProxy is a small forward proxy on 127.0.0.1. It never resolves or
// dials anything but the loopback addresses its table names: a target
// "host:port" is sent to routes[host:port], anything else gets a 502.
type testProxy struct {
	*httptest.Server
	mu     sync.Mutex
	routes map[string]string
	seen   []string // "GET http://..." or "CONNECT host:port"
}

func newTestProxy(t *testing.T) *testProxy {
	p := &testProxy{routes: map[string]string{}}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			p.mu.Lock()
			to, ok := p.routes[addr]
			p.mu.Unlock()
			if !ok {
				return nil, fmt.Errorf("test proxy: no route to %s", addr)
			}
			if ap := netip.MustParseAddrPort(to); !ap.Addr().IsLoopback() {
				return nil, fmt.Errorf("test proxy: refusing non-loopback %s", to)
			}
			return (&net.Dialer{}).DialContext(ctx, "tcp", to)
		},
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		if r.Method == http.MethodConnect {
			p.seen = append(p.seen, "CONNECT "+r.Host)
		} else {
			p.seen = append(p.seen, r.Method+" "+r.URL.String())
		}
		p.mu.Unlock()
		if r.Method == http.MethodConnect {
			http.Error(w, "no tunnels here", http.StatusForbidden)
			return
		}
		if r.URL.Host == "" {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := tr.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.Header().Set("Via", "1.1 testproxy")
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(func() {
		p.Close()
		tr.CloseIdleConnections()
	})
	return p
}

func (p *testProxy) route(hostport, to string) {
	p.mu.Lock()
	p.routes[hostport] = to
	p.mu.Unlock()
}

func (p *testProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func (p *testProxy) reset() {
	p.mu.Lock()
	p.seen = nil
	p.mu.Unlock()
}

func TestPerRequestProxy(t *testing.T) {
	env := newEnv(t)
	site := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
		case "/to-inside":
			http.Redirect(w, r, "http://inside.example.test/", http.StatusFound)
		default:
			io.WriteString(w, "via proxy: "+r.Host+r.URL.Path)
		}
	}))
	sitePort := site.URL[strings.LastIndexByte(site.URL, ':')+1:]
	px := newTestProxy(t)
	px.route("news.example.test:"+sitePort, site.Listener.Addr().String())

	env.dns.set("news.example.test", "93.184.216.34") // public: kabar's check passes
	env.dns.set("inside.example.test", "10.0.0.7")
	env.dns.set("mixed.example.test", "93.184.216.34", "127.0.0.1")
	env.dns.set("secure.example.test", "93.184.216.34")
	// No AllowAddrs at all: the proxy on 127.0.0.1 is trusted as a proxy,
	// the fixture is reached by the proxy only.
	c := env.client(Config{MaxAttempts: 1})
	ctx := context.Background()
	news := "http://news.example.test:" + sitePort

	resp, err := c.Do(ctx, Request{URL: news + "/story", Proxy: px.URL})
	if err != nil || string(resp.Body) != "via proxy: news.example.test:"+sitePort+"/story" || resp.Header.Get("Via") == "" {
		t.Fatalf("through the proxy: %v", err)
	}
	// robots.txt went through the proxy too, and is obeyed.
	if got := px.requests(); len(got) != 2 || !strings.HasSuffix(got[0], "/robots.txt") {
		t.Errorf("proxy saw %q", got)
	}
	if _, err := c.Do(ctx, Request{URL: news + "/private/x", Proxy: px.URL}); !errors.Is(err, ErrDisallowed) {
		t.Errorf("robots through the proxy: %v", err)
	}

	// Targets the guard refuses are never handed to the proxy.
	px.reset()
	for _, target := range []string{
		"http://inside.example.test/",  // name to a private address
		"http://mixed.example.test/",   // one answer private: fail closed
		"http://unknown.example.test/", // cannot be resolved by kabar
		"http://127.0.0.1:" + strconv.Itoa(env.canary.port) + "/",
		"http://[::1]:" + strconv.Itoa(env.canary.port) + "/",
		"http://localhost:" + strconv.Itoa(env.canary.port) + "/",
		"https://inside.example.test/",
	} {
		_, err := c.Do(ctx, Request{URL: target, Proxy: px.URL, SkipRobots: true})
		if err == nil {
			t.Errorf("%s through the proxy: fetched", target)
			continue
		}
		if !errors.Is(err, ErrBlockedAddress) && !errors.Is(err, ErrInvalidURL) && !isDNSNotFound(err) {
			t.Errorf("%s through the proxy: err = %v", target, err)
		}
	}
	// A redirect into the private network stops at that hop.
	px.route("news.example.test:"+sitePort, site.Listener.Addr().String())
	if _, err := c.Do(ctx, Request{URL: news + "/to-inside", Proxy: px.URL, SkipRobots: true}); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("redirect to inside: %v", err)
	}
	if got := px.requests(); len(got) != 1 || !strings.HasSuffix(got[0], "/to-inside") {
		t.Errorf("proxy saw %q, want only the first hop", got)
	}

	// HTTPS goes through a CONNECT tunnel for the checked name.
	px.reset()
	_, err = c.Do(ctx, Request{URL: "https://secure.example.test/a", Proxy: px.URL, SkipRobots: true})
	if err == nil {
		t.Fatal("https through a proxy that refuses tunnels: no error")
	}
	if got := px.requests(); len(got) != 1 || got[0] != "CONNECT secure.example.test:443" {
		t.Errorf("proxy saw %q", got)
	}

	// The proxy's address is trusted only as the proxy: as a target it is
	// refused like any loopback address.
	proxyAP := px.Listener.Addr().String()
	env.dns.set("proxy.example.test", "127.0.0.1")
	for _, target := range []string{"http://" + proxyAP + "/", "http://proxy.example.test:" + proxyAP[strings.LastIndexByte(proxyAP, ':')+1:] + "/"} {
		if _, err := c.Do(ctx, Request{URL: target, SkipRobots: true}); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("proxy address as a direct target %s: %v", target, err)
		}
	}

	// Bad proxy settings fail cleanly and are not retried.
	for _, bad := range []string{"ftp://proxy.example.test", "http://", "::bad"} {
		_, err := c.Do(ctx, Request{URL: news + "/story", Proxy: bad})
		if !errors.Is(err, ErrProxy) || IsTemporary(err) {
			t.Errorf("proxy %q: %v", bad, err)
		}
	}
}

func TestProxyFromEnvironment(t *testing.T) {
	env := newEnv(t)
	site := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "host "+r.Host)
	}))
	sitePort := site.URL[strings.LastIndexByte(site.URL, ':')+1:]
	px := newTestProxy(t)
	px.route("news.example.test:"+sitePort, site.Listener.Addr().String())
	env.dns.set("news.example.test", "93.184.216.34")
	env.dns.set("direct.example.test", "127.0.0.1")
	env.dns.set("direct2.example.test", "127.0.0.1")
	t.Setenv("HTTP_PROXY", px.URL)
	t.Setenv("http_proxy", px.URL)
	t.Setenv("NO_PROXY", "direct.example.test")
	t.Setenv("no_proxy", "direct.example.test")
	ctx := context.Background()

	c := env.client(Config{ProxyFromEnvironment: true, IgnoreRobots: true, MaxAttempts: 1}, site)
	if resp, err := c.Get(ctx, "http://news.example.test:"+sitePort+"/"); err != nil || string(resp.Body) != "host news.example.test:"+sitePort {
		t.Fatalf("HTTP_PROXY: %v", err)
	}
	if n := len(px.requests()); n != 1 {
		t.Errorf("proxy saw %d requests, want 1", n)
	}
	// NO_PROXY: straight to the fixture (allowed by the test's allow-list).
	if _, err := c.Get(ctx, "http://direct.example.test:"+sitePort+"/"); err != nil {
		t.Fatalf("NO_PROXY: %v", err)
	}
	// Request.Proxy "direct" overrides the environment.
	if _, err := c.Do(ctx, Request{URL: "http://direct2.example.test:" + sitePort + "/", Proxy: "direct"}); err != nil {
		t.Fatalf("direct: %v", err)
	}
	if n := len(px.requests()); n != 1 {
		t.Errorf("proxy saw %d requests, want still 1", n)
	}

	// Without the opt-in, the environment is not read.
	c2 := env.client(Config{IgnoreRobots: true, MaxAttempts: 1}, site)
	if _, err := c2.Get(ctx, "http://direct2.example.test:"+sitePort+"/"); err != nil {
		t.Fatalf("no opt-in: %v", err)
	}
	if n := len(px.requests()); n != 1 {
		t.Errorf("proxy used without ProxyFromEnvironment")
	}
}
