package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/idna"
)

// Proxies.
//
// A request goes through a proxy when Request.Proxy names one, or when
// Config.ProxyFromEnvironment is set and HTTP_PROXY / HTTPS_PROXY (minus
// NO_PROXY) give one for the URL; Request.Proxy "direct" forces no proxy.
// The choice is made on every hop, so a redirect to another host or scheme
// is judged again.
//
// With a proxy, the connection kabar opens goes to the proxy, and the proxy
// opens the one to the target: the dial-time guard cannot see the address
// the target's name resolves to. So:
//
//   - the proxy's own address is operator configuration and trusted: it is
//     dialed without the private-network check (a proxy on 127.0.0.1 or on
//     the intranet is the usual case). Only that exact host:port, and only
//     for requests routed through that proxy, is let through; the same
//     address asked for as a target stays refused.
//   - before a request is handed to the proxy, the target's host name is
//     resolved by kabar (Config.Resolver) and every answer must pass the
//     guard, as for a direct fetch; an IP-literal target is checked as is.
//     A name kabar cannot resolve is refused, even if the proxy could.
//
// The trade-off: the proxy resolves the name again, on its own, and may get
// another answer (DNS rebinding between the two lookups, or split-horizon
// DNS on the proxy's side). kabar cannot see or stop that; a proxy that
// must never reach internal addresses has to refuse them itself (Squid's
// "http_access deny to_localnet", for instance).

type proxyKey struct{}

func withProxy(ctx context.Context, px *url.URL) context.Context {
	return context.WithValue(ctx, proxyKey{}, px)
}

func proxyOf(ctx context.Context) *url.URL {
	px, _ := ctx.Value(proxyKey{}).(*url.URL)
	return px
}

// proxyFromContext is the live transport's Proxy function: hop has chosen
// (and checked) the proxy and put it in the request's context.
func proxyFromContext(req *http.Request) (*url.URL, error) {
	return proxyOf(req.Context()), nil
}

// environmentProxy reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY now.
func environmentProxy() func(*url.URL) (*url.URL, error) {
	return httpproxy.FromEnvironment().ProxyFunc()
}

// ParseProxy checks a proxy setting: an http, https, socks5 or socks5h URL
// with a host, or "direct". It returns nil for "direct".
func ParseProxy(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "direct") {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProxy, err)
	}
	return u, checkProxyURL(u)
}

func checkProxyURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "socks5", "socks5h":
	default:
		return fmt.Errorf("%w: %s: scheme %q (want http, https, socks5 or socks5h)", ErrProxy, u.Redacted(), u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: %s: no host", ErrProxy, u.Redacted())
	}
	return nil
}

// proxyFor returns the proxy for a hop to u (nil: direct) after checking
// the target's addresses with the guard.
func (c *Client) proxyFor(ctx context.Context, reqProxy string, u *url.URL) (*url.URL, error) {
	var px *url.URL
	var err error
	if strings.TrimSpace(reqProxy) != "" {
		px, err = ParseProxy(reqProxy)
	} else if c.envProxy != nil {
		px, err = c.envProxy(u)
		if err != nil {
			err = fmt.Errorf("%w: from the environment: %v", ErrProxy, err)
		} else if px != nil {
			err = checkProxyURL(px)
		}
	}
	if err != nil || px == nil {
		return nil, err
	}
	if err := c.guard.checkTarget(ctx, u); err != nil {
		return nil, err
	}
	return px, nil
}

// checkTarget resolves u's host and requires every answer to pass the
// guard: what the dial-time check would have done, for a request that a
// proxy will dial.
func (g *guard) checkTarget(ctx context.Context, u *url.URL) error {
	host := u.Hostname()
	port := defaultPort(u)
	if a, err := netip.ParseAddr(host); err == nil {
		return g.check(a, port)
	}
	if isLocalhostName(host) {
		return g.check(netip.MustParseAddr("127.0.0.1"), port)
	}
	res := g.resolver
	if res == nil {
		res = net.DefaultResolver
	}
	addrs, err := res.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("resolving %s to check it before handing it to the proxy: %w", host, err)
	}
	for _, a := range addrs {
		if err := g.check(a, port); err != nil {
			return fmt.Errorf("%s resolves to a refused address: %w", host, err)
		}
	}
	return nil
}

func defaultPort(u *url.URL) uint16 {
	if p := u.Port(); p != "" {
		var n uint16
		if _, err := fmt.Sscanf(p, "%d", &n); err == nil {
			return n
		}
	}
	if strings.EqualFold(u.Scheme, "https") {
		return 443
	}
	return 80
}

// proxyAddr is the host:port net/http dials for proxy px (its
// canonicalAddr).
func proxyAddr(px *url.URL) string {
	host := px.Hostname()
	if a, err := idna.Lookup.ToASCII(host); err == nil {
		host = a
	}
	port := px.Port()
	if port == "" {
		switch strings.ToLower(px.Scheme) {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(host, port)
}
