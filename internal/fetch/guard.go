package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// The private-network guard. Every connection kabar opens goes through
// guard.dial: the host's addresses are resolved and refused as a whole when
// any of them is not a public unicast address (so a name that answers with a
// public and a loopback address fails closed), then the dial itself runs
// with a net.Dialer Control hook that checks the address actually connected
// to. The hook is the real guard: it sees every redirect hop, every DNS
// answer (including a rebinding one that differs from the first lookup) and
// every address Happy Eyeballs tries.

// blockedPrefixes are the special-purpose ranges (IANA IPv4 and IPv6
// special-purpose address registries, plus multicast and reserved space)
// that are never fetched unless Config.AllowAddrs lets them through.
var blockedPrefixes = mustPrefixes(
	// IPv4
	"0.0.0.0/8",       // "this network", unspecified
	"10.0.0.0/8",      // RFC 1918
	"100.64.0.0/10",   // shared address space (CGNAT), incl. 100.100.100.200
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata
	"172.16.0.0/12",   // RFC 1918
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // TEST-NET-1
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",  // RFC 1918
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // TEST-NET-2
	"203.0.113.0/24",  // TEST-NET-3
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, incl. 255.255.255.255 broadcast
	// IPv6 (everything outside 2000::/3 is refused separately)
	"2001::/23",     // IETF protocol assignments, incl. Teredo 2001::/32
	"2001:db8::/32", // documentation
	"2002::/16",     // 6to4 (deprecated; embeds IPv4)
	"3fff::/20",     // documentation
)

var (
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
)

func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// IsPublicAddr reports whether a is a public unicast address: the only kind
// the guard lets through by default. IPv4-mapped and NAT64 (64:ff9b::/96)
// IPv6 addresses are judged by the IPv4 address they embed.
func IsPublicAddr(a netip.Addr) bool {
	a = a.WithZone("")
	if !a.IsValid() {
		return false
	}
	if a.Is4In6() {
		a = a.Unmap()
	}
	if a.Is6() {
		if nat64WellKnown.Contains(a) {
			b := a.As16()
			return IsPublicAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		}
		if !globalUnicast6.Contains(a) {
			return false // ::, ::1, ::/96, 64:ff9b:1::/48, 100::/64, fc00::/7, fe80::/10, ff00::/8, ...
		}
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

type guard struct {
	allow     []netip.Prefix
	allowPort []netip.AddrPort
	resolver  *net.Resolver // nil: net.DefaultResolver
}

// check returns nil when a connection to addr:port may be made.
func (g *guard) check(a netip.Addr, port uint16) error {
	a = a.WithZone("")
	forms := []netip.Addr{a}
	if a.Is4In6() {
		forms = append(forms, a.Unmap())
	}
	for _, f := range forms {
		for _, ap := range g.allowPort {
			if ap.Port() == port && ap.Addr().WithZone("").Unmap() == f.Unmap() {
				return nil
			}
		}
		for _, p := range g.allow {
			if p.Contains(f) {
				return nil
			}
		}
	}
	if IsPublicAddr(a) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrBlockedAddress, netip.AddrPortFrom(a, port))
}

// control is the net.Dialer Control hook: it sees the address actually
// being connected to, after DNS resolution.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("%w: network %q", ErrBlockedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable dial address %q", ErrBlockedAddress, address)
	}
	return g.check(ap.Addr(), ap.Port())
}

// dialer returns the DialContext function of the live transport.
func (g *guard) dialer(res *net.Resolver, extra func(network, address string, c syscall.RawConn) error) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if res == nil {
		res = net.DefaultResolver
	}
	d := &net.Dialer{
		Resolver: res,
		Control: func(network, address string, c syscall.RawConn) error {
			if err := g.control(network, address, c); err != nil {
				return err
			}
			if extra != nil {
				return extra(network, address, c)
			}
			return nil
		},
	}
	// The proxy chosen for a request is trusted (proxy.go): dialed with the
	// test hook only.
	trusted := &net.Dialer{Resolver: res, Control: extra}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if px := proxyOf(ctx); px != nil && strings.EqualFold(addr, proxyAddr(px)) {
			return trusted.DialContext(ctx, network, addr)
		}
		host, portStr, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		port, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("%w: bad port %q", ErrBlockedAddress, portStr)
		}
		if a, err := netip.ParseAddr(host); err == nil {
			if err := g.check(a, uint16(port)); err != nil {
				return nil, err
			}
		} else {
			// Resolve first and fail closed if any answer is not allowed.
			addrs, err := res.LookupNetIP(ctx, "ip", host)
			if err != nil {
				return nil, err
			}
			for _, a := range addrs {
				if err := g.check(a, uint16(port)); err != nil {
					return nil, fmt.Errorf("%s resolves to a refused address: %w", host, err)
				}
			}
		}
		// The Control hook checks again whatever is actually dialed.
		return d.DialContext(ctx, network, addr)
	}
}

// checkURL validates a URL before anything is sent: http or https only, a
// host that is a plausible DNS name or a canonical IP literal, and IP
// literals checked against the guard (g may be nil in replay mode). It
// returns the URL to fetch, with an IDNA host converted to ASCII and the
// fragment and any userinfo dropped.
func checkURL(u *url.URL, g *guard) (*url.URL, error) {
	v := *u
	u = &v
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q not allowed", ErrInvalidURL, u.Scheme)
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("%w: opaque URL", ErrInvalidURL)
	}
	u.Fragment, u.RawFragment = "", ""
	u.User = nil // credentials in URLs are never sent, recorded or returned
	host := u.Hostname()
	port := u.Port()
	if host == "" {
		return nil, fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	portNum, err := urlPort(u.Scheme, port)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() {
			return nil, fmt.Errorf("%w: bad IPv6 literal %q", ErrInvalidURL, host)
		}
		if err := g.checkIf(a, portNum); err != nil {
			return nil, err
		}
		return u, nil
	}
	if host, err = asciiHost(host); err != nil {
		return nil, err
	}
	if err := checkHost(host, portNum, g); err != nil {
		return nil, err
	}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else {
		u.Host = host
	}
	return u, nil
}

// urlPort is the port a URL connects to: its own (1-65535), or the
// scheme's.
func urlPort(scheme, port string) (uint16, error) {
	if port == "" {
		if scheme == "https" {
			return 443, nil
		}
		return 80, nil
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%w: bad port %q", ErrInvalidURL, port)
	}
	return uint16(n), nil
}

// asciiHost is host with an IDNA name in its ASCII form, lower case.
func asciiHost(host string) (string, error) {
	if !isASCII(host) {
		if !utf8.ValidString(host) {
			return "", fmt.Errorf("%w: host is not UTF-8", ErrInvalidURL)
		}
		a, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return "", fmt.Errorf("%w: host %q: %v", ErrInvalidURL, host, err)
		}
		host = a
	}
	return strings.ToLower(host), nil
}

// checkHost checks an address literal against the guard, and a name
// against the name rules (and, for localhost names, the guard as
// loopback).
func checkHost(host string, port uint16, g *guard) error {
	if a, err := netip.ParseAddr(host); err == nil {
		return g.checkIf(a, port)
	}
	if err := checkHostname(host); err != nil {
		return err
	}
	if isLocalhostName(host) {
		// RFC 6761: these names are loopback whatever DNS says.
		if err := g.checkIf(netip.MustParseAddr("127.0.0.1"), port); err != nil {
			return fmt.Errorf("%w (%s)", err, host)
		}
	}
	return nil
}

// checkIf is check, for a guard that may be nil (replay mode: nothing is
// dialled, so everything passes).
func (g *guard) checkIf(a netip.Addr, port uint16) error {
	if g == nil {
		return nil
	}
	return g.check(a, port)
}

// checkHostname refuses host names that some resolvers read as IPv4
// addresses (a numeric last label: "2130706433", "0x7f.1",
// "0177.0.0.1", "127.0.0.1.") and names with characters DNS never carries.
func checkHostname(host string) error {
	name := strings.TrimSuffix(host, ".")
	if name == "" {
		return fmt.Errorf("%w: empty host", ErrInvalidURL)
	}
	labels := strings.Split(name, ".")
	last := labels[len(labels)-1]
	if isNumericLabel(last) {
		return fmt.Errorf("%w: %q is a non-canonical IP address form", ErrBlockedAddress, host)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("%w: bad host %q", ErrInvalidURL, host)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("%w: bad host %q", ErrInvalidURL, host)
			}
		}
	}
	return nil
}

// isNumericLabel is the WHATWG URL "ends in a number" test for one label.
func isNumericLabel(l string) bool {
	if l == "" {
		return false
	}
	if strings.HasPrefix(l, "0x") || strings.HasPrefix(l, "0X") {
		for i := 2; i < len(l); i++ {
			if !isHex(l[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(l); i++ {
		if l[i] < '0' || l[i] > '9' {
			return false
		}
	}
	return true
}

func isLocalhostName(host string) bool {
	h := strings.TrimSuffix(host, ".")
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
