package fetch

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

type ssrfRow struct {
	ID         string              `json:"id"`
	Category   string              `json:"category"`
	Kind       string              `json:"kind"`
	URL        string              `json:"url"`
	Location   string              `json:"location"`
	Note       string              `json:"note"`
	StubDNS    map[string][]string `json:"stub_dns"`
	StubDNSSeq [][]string          `json:"stub_dns_sequence"`
	Expected   string              `json:"expected"`
	DialInTest string              `json:"dial_in_test"`
	EntryPoint string              `json:"entry_point"`
}

func loadSSRFRows(t *testing.T) []ssrfRow {
	t.Helper()
	f, err := os.Open("testdata/ssrf_targets.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []ssrfRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r ssrfRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad row: %v", err)
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatal("no SSRF rows")
	}
	return rows
}

// ssrfFixture is the allowed loopback fixture server of the redirect rows.
func ssrfFixture(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", r.URL.Query().Get("to"))
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", http.StatusFound) })
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n >= 20 {
			io.WriteString(w, "end")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fixture") })
	return serve(t, mux)
}

// TestSSRFTargets fetches every row of the shared SSRF table, with and
// without robots.txt checks, and requires a refused fetch, no connection to
// the canary and no dial to a non-loopback address.
func TestSSRFTargets(t *testing.T) {
	env := newEnv(t)
	fix := ssrfFixture(t)
	fixAP := netip.MustParseAddrPort(fix.Listener.Addr().String())
	rows := append(loadSSRFRows(t), extraSSRFRows...)
	// Names some rows only mention (a redirect's Location) resolve as the
	// rows that list them say.
	shared := map[string][]string{}
	for _, r := range rows {
		for host, addrs := range r.StubDNS {
			shared[host] = addrs
		}
	}
	for _, row := range rows {
		if row.Expected != "" && row.Expected != "blocked" {
			t.Fatalf("%s: unexpected expectation %q", row.ID, row.Expected)
		}
		target := strings.ReplaceAll(row.URL, "{CANARY_PORT}", strconv.Itoa(env.canary.port))
		target = strings.ReplaceAll(target, "{FIXTURE}", fix.URL)
		for _, ignoreRobots := range []bool{false, true} {
			name := fmt.Sprintf("%s/robots=%v", row.ID, !ignoreRobots)
			t.Run(name, func(t *testing.T) {
				// A fresh stub per run, so DNS sequences start over.
				env.dns = newStubDNS()
				for host, addrs := range shared {
					env.dns.set(host, addrs...)
				}
				for host, addrs := range row.StubDNS {
					env.dns.set(host, addrs...)
				}
				if len(row.StubDNSSeq) > 0 {
					u, err := url.Parse(target)
					if err != nil {
						t.Fatal(err)
					}
					env.dns.setSequence(u.Hostname(), row.StubDNSSeq)
				}
				c := env.client(Config{
					IgnoreRobots:   ignoreRobots,
					AllowAddrPorts: []netip.AddrPort{fixAP},
					Timeout:        5 * time.Second,
				})
				canaryBefore := env.canary.accepted.Load()
				dialsBefore := len(env.guard.recorded())
				resp, err := c.Get(context.Background(), target)
				if err == nil {
					t.Fatalf("%s (%s, %s): fetched %q; want it refused", target, row.Category, row.Note, resp.URL)
				}
				if n := env.canary.accepted.Load() - canaryBefore; n != 0 {
					t.Errorf("%s: canary accepted %d connections", target, n)
				}
				if d := env.guard.recorded()[dialsBefore:]; len(d) != 0 {
					t.Errorf("%s: dials to non-loopback addresses reached the test guard: %v", target, d)
				}
				switch {
				case row.Category == "redirect-loop" || row.Category == "redirect-chain":
					if !errors.Is(err, ErrTooManyRedirects) {
						t.Errorf("%s: err = %v, want ErrTooManyRedirects", target, err)
					}
				case isDNSNotFound(err):
					// No stub answer for this name: nothing could be dialed,
					// which meets the table's rule, but the guard was not
					// exercised.
					t.Logf("%s: refused by DNS only: %v", target, err)
				case !errors.Is(err, ErrBlockedAddress) && !errors.Is(err, ErrInvalidURL):
					// Refused for another reason (e.g. a DNS failure): the
					// guard itself was not shown to work.
					t.Errorf("%s: err = %v, want ErrBlockedAddress or ErrInvalidURL", target, err)
				}
			})
		}
	}
}

// extraSSRFRows add cases the shared table leaves implicit.
var extraSSRFRows = []ssrfRow{
	{ID: "kabar-mixed-answers", Category: "dns-name-to-internal", Kind: "dns",
		URL: "http://mixed.example.test:{CANARY_PORT}/", Note: "public and loopback answers: fail closed, dial nothing",
		StubDNS: map[string][]string{"mixed.example.test": {"93.184.216.34", "127.0.0.1"}}},
	{ID: "kabar-aaaa-metadata", Category: "dns-name-to-internal", Kind: "dns",
		URL: "http://imds6.example.test/latest/meta-data/", Note: "AAAA-only name to AWS IMDS IPv6",
		StubDNS: map[string][]string{"imds6.example.test": {"fd00:ec2::254"}}},
	{ID: "kabar-metadata-name", Category: "link-local-metadata", Kind: "dns",
		URL: "http://metadata.google.internal/computeMetadata/v1/", Note: "metadata name",
		StubDNS: map[string][]string{"metadata.google.internal": {"169.254.169.254"}}},
	{ID: "kabar-fullwidth-digits", Category: "loopback-ipv4", Kind: "url",
		URL: "http://１２７.０.０.１:{CANARY_PORT}/", Note: "IDNA maps fullwidth digits to 127.0.0.1"},
	{ID: "kabar-mapped-dotted", Category: "loopback-ipv6", Kind: "url",
		URL: "http://[::ffff:127.0.0.1]:{CANARY_PORT}/", Note: "IPv4-mapped loopback"},
	{ID: "kabar-redirect-mapped", Category: "redirect-to-internal", Kind: "redirect",
		URL: "{FIXTURE}/redirect?to=http://[::ffff:7f00:1]:{CANARY_PORT}/", Note: "redirect to mapped loopback"},
	{ID: "kabar-redirect-rebind", Category: "redirect-to-internal", Kind: "redirect",
		URL: "{FIXTURE}/redirect?to=http://localhost:{CANARY_PORT}/", Note: "redirect to localhost"},
	{ID: "kabar-fixture-other-port", Category: "loopback-ipv4", Kind: "url",
		URL: "http://127.0.0.1:{CANARY_PORT}/x", Note: "the fixture's address on another port"},
	{ID: "kabar-nat64-private", Category: "private-or-reserved", Kind: "url",
		URL: "http://[64:ff9b::a9fe:a9fe]/", Note: "NAT64 embedding 169.254.169.254"},
	{ID: "kabar-cgnat", Category: "private-or-reserved", Kind: "url",
		URL: "http://100.100.100.200/latest/meta-data/", Note: "Alibaba metadata in CGNAT space"},
}

// TestSSRFFixtureReachable makes sure the SSRF test is not passing only
// because nothing can be fetched: the fixture itself is reachable.
func TestSSRFFixtureReachable(t *testing.T) {
	env := newEnv(t)
	fix := ssrfFixture(t)
	c := env.client(Config{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(fix.Listener.Addr().String())}})
	resp, err := c.Get(context.Background(), fix.URL+"/redirect?to=/ok")
	if err != nil || string(resp.Body) != "fixture" {
		t.Fatalf("fixture: %v", err)
	}
	// The public first answer of a rebinding name is judged allowed by the
	// pre-check; the dial-time lookup is what the Control hook refuses.
	env.dns.setSequence("rebind2.example.test", [][]string{{"93.184.216.34"}, {"127.0.0.1"}})
	_, err = c.Get(context.Background(), "http://rebind2.example.test:"+strconv.Itoa(env.canary.port)+"/")
	if !errors.Is(err, ErrBlockedAddress) || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("rebinding: err = %v", err)
	}
}

func isDNSNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// CheckURL refuses, before any fetch, every target of the kit that is
// blocked by its URL alone, lets the allowed ranges through, and never
// resolves a name.
func TestCheckURLWithoutFetching(t *testing.T) {
	c, err := New(Config{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		t.Errorf("CheckURL resolved a name (dial %s %s)", network, address)
		return nil, errors.New("no DNS in this test")
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	refused := 0
	for _, r := range loadSSRFRows(t) {
		if r.Kind != "url" || r.Expected != "blocked" || len(r.StubDNS) > 0 || len(r.StubDNSSeq) > 0 {
			continue
		}
		u := strings.ReplaceAll(r.URL, "{CANARY_PORT}", "8080")
		host := u
		if pu, err := url.Parse(u); err == nil {
			host = pu.Hostname()
		}
		if _, err := netip.ParseAddr(host); err != nil && !strings.Contains(host, "localhost") && !isNumericLabel(host[strings.LastIndexByte(host, '.')+1:]) {
			continue // a name: only the dial-time guard can judge it
		}
		if err := c.CheckURL(u); err == nil {
			t.Errorf("%s: CheckURL(%q) accepted a blocked address", r.ID, u)
		} else {
			refused++
		}
	}
	if refused < 20 {
		t.Fatalf("only %d literal targets checked", refused)
	}
	for _, ok := range []string{"https://news.example.com/feed", "http://93.184.216.34/rss", "https://[2606:4700::1111]/"} {
		if err := c.CheckURL(ok); err != nil {
			t.Errorf("CheckURL(%q): %v", ok, err)
		}
	}
	allowed, err := New(Config{AllowAddrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	defer allowed.Close()
	if err := allowed.CheckURL("http://10.1.2.3/feed"); err != nil {
		t.Errorf("allowed range refused: %v", err)
	}
	if err := allowed.CheckURL("http://127.0.0.1/feed"); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("loopback outside the allowed range: %v", err)
	}
}
