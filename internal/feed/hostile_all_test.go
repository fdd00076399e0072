package feed

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
)

// TestAllHostileFeeds runs every feed of the shared hostile kit (copied to
// testdata/hostile: the feedparser corpus under feedparser/, the XML attacks
// at the top) through Parse, twice: as the bytes on disk, and as served by a
// loopback server with the manifest's HTTP headers and fetched by kabar's
// fetcher, the way the pipeline gets them. Each must parse or fail cleanly
// (ErrNotFeed, ErrTooLarge, or a fetch cap), within 2 s and 64 MiB, with
// valid text, http(s) links and unique GUIDs, and without any connection
// to the canary.
//
// KABAR_HOSTILE_FEEDS=/path/to/fixtures/hostile/feeds runs a kit's own
// folder (its manifest.jsonl and xml-attacks/manifest.jsonl) as well.
func TestAllHostileFeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dirs := []string{"testdata/hostile/feedparser", "testdata/hostile"}
	if d := os.Getenv("KABAR_HOSTILE_FEEDS"); d != "" {
		dirs = append(dirs, d, filepath.Join(d, "xml-attacks"))
	}
	h := newHostileHarness(t)
	total := 0
	for _, dir := range dirs {
		rows := readManifest(t, dir)
		total += len(rows)
		for _, row := range rows {
			t.Run(filepath.Join(filepath.Base(dir), row.File), func(t *testing.T) {
				body := loadRow(t, dir, row)
				body = bytes.ReplaceAll(body, []byte("{CANARY_PORT}"), []byte(fmt.Sprint(h.canaryPort)))

				// The bytes as stored. A gzip file is not a feed until
				// decoded; that is the fetcher's business (below).
				p, err := parseBounded(t, body)
				checkClean(t, p, err)
				if row.ExpectWellformedXML != nil && *row.ExpectWellformedXML && err != nil {
					t.Errorf("well-formed feed rejected: %v", err)
				}

				// The bytes as fetched.
				resp, err := h.fetch(t, row, body)
				if err != nil {
					if row.Threat == "gzip" && errors.Is(err, fetch.ErrTooLarge) {
						return // the bomb stops at the body cap
					}
					t.Fatalf("fetch: %v", err)
				}
				if row.Threat == "gzip" {
					t.Fatalf("gzip bomb fetched whole: %d bytes", len(resp.Body))
				}
				p2, err2 := parseBounded(t, resp.Body)
				checkClean(t, p2, err2)
				if (err == nil) != (err2 == nil) && row.Threat == "" {
					t.Logf("stored bytes: %v; fetched bytes: %v", err, err2)
				}
			})
		}
	}
	if total < 64 {
		t.Errorf("ran %d feeds, want the whole shared kit (52 + 12)", total)
	}
	h.check(t)
}

type manifestRow struct {
	File                string      `json:"file"`
	SHA256              string      `json:"sha256"`
	Bytes               int         `json:"bytes"`
	Threat              string      `json:"threat"`
	Expected            string      `json:"expected"`
	HTTPHeaders         [][2]string `json:"http_headers"`
	ExpectWellformedXML *bool       `json:"expect_wellformed_xml"`
}

func readManifest(t *testing.T, dir string) []manifestRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r manifestRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: bad row: %v", dir, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: empty manifest", dir)
	}
	return rows
}

// loadRow reads a row's file. The one large file not kept in testdata (the
// 100 000-deep nesting) is generated, and checked against the manifest's
// hash so it is the very same document.
func loadRow(t *testing.T, dir string, row manifestRow) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(row.File)))
	if errors.Is(err, os.ErrNotExist) && row.File == "rss_deep_nesting_100k.xml" {
		b = deepNesting(100_000)
	} else if err != nil {
		t.Fatal(err)
	}
	if row.SHA256 != "" {
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != row.SHA256 {
			t.Fatalf("sha256 %s, manifest says %s", got, row.SHA256)
		}
	}
	return b
}

func deepNesting(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<rss version="2.0"><channel><title>t</title><link>http://example.test/</link><description>d</description><item><title>n</title><guid>x</guid>`)
	b.WriteString(strings.Repeat("<x>", depth))
	b.WriteString(strings.Repeat("</x>", depth))
	b.WriteString("</item></channel></rss>\n")
	return b.Bytes()
}

// checkClean: a parse either failed with a typed error or produced clean
// items.
func checkClean(t *testing.T, p *Parsed, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("untyped error: %v", err)
		}
		if p != nil {
			t.Errorf("error %v with a result", err)
		}
		return
	}
	checkText(t, p)
	guids := map[string]bool{}
	for _, it := range p.Items {
		if it.GUID == "" || guids[it.GUID] {
			t.Errorf("empty or duplicate GUID %q", it.GUID)
		}
		guids[it.GUID] = true
		for _, l := range []string{it.Link, it.PublisherURL, it.SourceURL} {
			if l != "" && !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
				t.Errorf("non-http link %q", l)
			}
		}
	}
	if p.Link != "" && !strings.HasPrefix(p.Link, "http://") && !strings.HasPrefix(p.Link, "https://") {
		t.Errorf("non-http feed link %q", p.Link)
	}
}

// hostileHarness follows the kit's network rules: a canary on loopback
// that must see no connection, a fetcher whose resolver answers nothing
// (no DNS query leaves the process) and whose dials to anything but
// loopback are refused and recorded beneath kabar's own guard, and one
// fixture server let through the guard by its exact address and port.
type hostileHarness struct {
	canaryPort int
	canaryHits atomic.Int64
	mu         sync.Mutex
	dials      []string
	serve      atomic.Pointer[servedFeed]
	server     *httptest.Server
	client     *fetch.Client
}

type servedFeed struct {
	body    []byte
	headers [][2]string
}

func newHostileHarness(t *testing.T) *hostileHarness {
	h := &hostileHarness{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	h.canaryPort = ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.canaryHits.Add(1)
			c.Close()
		}
	}()
	h.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := h.serve.Load()
		if f == nil || r.URL.Path != "/feed" {
			http.NotFound(w, r)
			return
		}
		ctSet := false
		for _, kv := range f.headers {
			w.Header().Add(kv[0], kv[1])
			ctSet = ctSet || strings.EqualFold(kv[0], "Content-Type")
		}
		if !ctSet {
			w.Header()["Content-Type"] = nil // let the fetcher sniff
		}
		w.Write(f.body)
	}))
	t.Cleanup(h.server.Close)
	noDNS := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		return nil, errors.New("no DNS in this test")
	}}
	c, err := fetch.New(fetch.Config{
		IgnoreRobots:   true,
		MaxAttempts:    1,
		Timeout:        10 * time.Second,
		Resolver:       noDNS,
		AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(h.server.Listener.Addr().String())},
		DialControl: func(network, address string, _ syscall.RawConn) error {
			if ap, err := netip.ParseAddrPort(address); err == nil && ap.Addr().Unmap().IsLoopback() {
				return nil
			}
			h.mu.Lock()
			h.dials = append(h.dials, address)
			h.mu.Unlock()
			return fmt.Errorf("test guard: refused dial to %s", address)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	h.client = c
	return h
}

// fetch serves body with the row's headers and fetches it, within the
// kit's time and memory bounds.
func (h *hostileHarness) fetch(t *testing.T, row manifestRow, body []byte) (*fetch.Response, error) {
	t.Helper()
	h.serve.Store(&servedFeed{body: body, headers: row.HTTPHeaders})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	resp, err := h.client.Get(context.Background(), h.server.URL+"/feed")
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if elapsed > targetDuration {
		t.Logf("fetch took %v (target %v; not asserted)", elapsed, targetDuration)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
		t.Errorf("fetch allocated %d MiB (limit %d MiB)", alloc>>20, maxAlloc>>20)
	}
	return resp, err
}

func (h *hostileHarness) check(t *testing.T) {
	time.Sleep(50 * time.Millisecond) // let a stray dial land
	if n := h.canaryHits.Load(); n != 0 {
		t.Errorf("canary received %d connections", n)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.dials) != 0 {
		t.Errorf("dials to non-loopback addresses: %v", h.dials)
	}
}
