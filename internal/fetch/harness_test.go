package fetch

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Network safety for every test here (shared/fixtures/hostile/README.md):
// names resolve only through stubDNS (no DNS query leaves the process),
// dialGuard refuses and records any dial to a non-loopback address beneath
// kabar's own guard, and a canary listener counts connections that kabar
// should never have made.

// stubDNS answers DNS queries from a table, in process (the resolver's Dial
// returns one end of a net.Pipe). Unknown names get NXDOMAIN.
type stubDNS struct {
	mu     sync.Mutex
	static map[string][]netip.Addr
	seq    map[string][][]netip.Addr // per lookup: the n-th A (AAAA) query gets seq[n]
	counts map[string]int
	names  []string // every name asked, for debugging
}

func newStubDNS() *stubDNS {
	return &stubDNS{static: map[string][]netip.Addr{}, seq: map[string][][]netip.Addr{}, counts: map[string]int{}}
}

func (s *stubDNS) set(name string, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var as []netip.Addr
	for _, a := range addrs {
		as = append(as, netip.MustParseAddr(a))
	}
	s.static[strings.ToLower(strings.TrimSuffix(name, "."))] = as
}

func (s *stubDNS) setSequence(name string, answers [][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var seq [][]netip.Addr
	for _, ans := range answers {
		var as []netip.Addr
		for _, a := range ans {
			as = append(as, netip.MustParseAddr(a))
		}
		seq = append(seq, as)
	}
	s.seq[strings.ToLower(strings.TrimSuffix(name, "."))] = seq
}

func (s *stubDNS) resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo:     true,
		StrictErrors: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			client, server := net.Pipe()
			go s.serve(server)
			return client, nil
		},
	}
}

// serve speaks DNS over a stream (2-byte length prefix): net.Pipe is not a
// PacketConn, so Go's resolver uses TCP framing.
func (s *stubDNS) serve(c net.Conn) {
	defer c.Close()
	for {
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		resp, err := s.answer(msg)
		if err != nil {
			return
		}
		out := make([]byte, 2+len(resp))
		binary.BigEndian.PutUint16(out, uint16(len(resp)))
		copy(out[2:], resp)
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

func (s *stubDNS) answer(msg []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(strings.TrimSuffix(q.Name.String(), "."))
	s.mu.Lock()
	s.names = append(s.names, name)
	addrs, known := s.static[name]
	if seq, ok := s.seq[name]; ok {
		known = true
		k := fmt.Sprintf("%s/%d", name, q.Type)
		n := s.counts[k]
		s.counts[k]++
		if n >= len(seq) {
			n = len(seq) - 1
		}
		addrs = seq[n]
	}
	s.mu.Unlock()

	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	rr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 1}
	for _, a := range addrs {
		switch {
		case q.Type == dnsmessage.TypeA && a.Is4():
			if err := b.AResource(rr, dnsmessage.AResource{A: a.As4()}); err != nil {
				return nil, err
			}
		case q.Type == dnsmessage.TypeAAAA && a.Is6():
			if err := b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: a.As16()}); err != nil {
				return nil, err
			}
		}
	}
	return b.Finish()
}

// dialGuard sits beneath kabar's guard (Config.DialControl): it lets
// loopback through and refuses and records everything else, so a kabar bug
// shows up as a recorded attempt, never as a packet.
type dialGuard struct {
	mu       sync.Mutex
	attempts []string
}

func (g *dialGuard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err == nil && ap.Addr().Unmap().IsLoopback() {
		return nil
	}
	g.mu.Lock()
	g.attempts = append(g.attempts, network+" "+address)
	g.mu.Unlock()
	return fmt.Errorf("test guard: refused dial to %s", address)
}

func (g *dialGuard) recorded() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.attempts...)
}

// canary listens on 127.0.0.1 and, when possible, [::1] on one port and
// counts the connections it accepts.
type canary struct {
	port     int
	accepted atomic.Int64
	lns      []net.Listener
}

func newCanary(t *testing.T) *canary {
	t.Helper()
	c := &canary{}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	c.lns = append(c.lns, ln)
	if ln6, err := net.Listen("tcp6", fmt.Sprintf("[::1]:%d", c.port)); err == nil {
		c.lns = append(c.lns, ln6)
	}
	for _, l := range c.lns {
		go func(l net.Listener) {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				c.accepted.Add(1)
				conn.Close()
			}
		}(l)
	}
	t.Cleanup(func() {
		for _, l := range c.lns {
			l.Close()
		}
	})
	return c
}

// testEnv bundles the safety harness. Every test client is built through
// env.client, which installs the stub resolver and the guard dialer.
type testEnv struct {
	t      *testing.T
	dns    *stubDNS
	guard  *dialGuard
	canary *canary
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	e := &testEnv{t: t, dns: newStubDNS(), guard: &dialGuard{}, canary: newCanary(t)}
	t.Cleanup(func() {
		if a := e.guard.recorded(); len(a) > 0 {
			t.Errorf("test guard recorded dials to non-loopback addresses: %v", a)
		}
		if n := e.canary.accepted.Load(); n > 0 {
			t.Errorf("canary accepted %d connections", n)
		}
	})
	return e
}

// client returns a Client whose guard allows exactly the given servers'
// addresses (127.0.0.1/32 for an httptest server).
func (e *testEnv) client(cfg Config, servers ...*httptest.Server) *Client {
	e.t.Helper()
	cfg.Resolver = e.dns.resolver()
	cfg.DialControl = e.guard.control
	for _, s := range servers {
		ap := netip.MustParseAddrPort(s.Listener.Addr().String())
		cfg.AllowAddrs = append(cfg.AllowAddrs, netip.PrefixFrom(ap.Addr(), ap.Addr().BitLen()))
	}
	c, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// serve starts an httptest server on 127.0.0.1 with handler h.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// TestHarnessStubDNS checks the harness itself: the stub resolver answers
// from its table and refuses unknown names.
func TestHarnessStubDNS(t *testing.T) {
	d := newStubDNS()
	d.set("pub.example.test", "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
	r := d.resolver()
	ctx := context.Background()
	addrs, err := r.LookupNetIP(ctx, "ip", "pub.example.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) != 2 {
		t.Fatalf("got %v", addrs)
	}
	if _, err := r.LookupNetIP(ctx, "ip", "unknown.example.test"); err == nil {
		t.Fatal("unknown name resolved")
	}
	d.setSequence("seq.example.test", [][]string{{"93.184.216.34"}, {"127.0.0.1"}})
	a1, _ := r.LookupNetIP(ctx, "ip4", "seq.example.test")
	a2, _ := r.LookupNetIP(ctx, "ip4", "seq.example.test")
	if len(a1) != 1 || len(a2) != 1 || a1[0].String() != "93.184.216.34" || a2[0].String() != "127.0.0.1" {
		t.Fatalf("sequence: %v then %v", a1, a2)
	}
}
