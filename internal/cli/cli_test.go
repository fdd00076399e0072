package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

const seedLink = "https://news.google.com/__i/rss/rd/articles/CBMiemh0dHBzOi8vbmV3cy5za3kuY29tL3N0b3J5L2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc20gF-aHR0cHM6Ly9uZXdzLnNreS5jb20vc3RvcnkvYW1wL2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc2?oc=5"

func TestDecode(t *testing.T) {
	out := mustKabar(t, "decode", seedLink)
	if out != "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576\n" {
		t.Fatalf("decode = %q", out)
	}
	out = mustKabar(t, "decode", "--json", seedLink)
	var d map[string]string
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d["kind"] != "old" || d["amp_url"] != "https://news.sky.com/story/amp/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576" {
		t.Fatalf("decode --json = %v", d)
	}
	// A 2024+ opaque ID is a clear error, and the exit code says so.
	code, _, errs := kabar(t, "decode", "https://news.google.com/rss/articles/CBMiWkFVX3lxTE1LVFlqSHdNbnl0WVcxQVFwMWRTcDZzQzB4c3lZRXRvX1c0QnNiT0xQSVlQTlc0TXRHUnp1MzZGN2RfclJ0dWpkNE9OSGtPekp1b1FaWFlZZWp0QQ?oc=5")
	if code != 1 || !strings.Contains(errs, "2024+") || !strings.Contains(errs, "online resolution") {
		t.Fatalf("new form: exit %d, %q", code, errs)
	}
	if code, _, _ := kabar(t, "decode"); code != 2 {
		t.Fatalf("decode without arguments: exit %d, want 2", code)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"feeds"}, {"feeds", "add"}, {"feeds", "rm", "x"}, {"export", "--format", "pdf"}} {
		if code, _, _ := kabar(t, args...); code != 2 {
			t.Errorf("kabar %v: exit %d, want 2", args, code)
		}
	}
	db := filepath.Join(t.TempDir(), "k.db")
	if code, _, errs := kabar(t, "--db", db, "feeds", "add", "--no-check", "ftp://example.com/feed"); code != 1 || !strings.Contains(errs, "not an http(s) URL") {
		t.Errorf("bad feed URL: exit %d %q", code, errs)
	}
	if code, _, errs := kabar(t, "--db", "postgres://u:secret@127.0.0.1/x", "feeds", "list"); code != 1 || strings.Contains(errs, "secret") {
		t.Errorf("postgres: exit %d %q", code, errs)
	}
}

func TestFeedsAddListRemove(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	if out := mustKabar(t, "--db", db, "feeds", "add", "--no-check", "https://example.com/a.xml"); out != "1\thttps://example.com/a.xml\n" {
		t.Fatalf("add = %q", out)
	}
	mustKabar(t, "feeds", "add", "--db", db, "https://example.com/b.xml", "--no-check")
	if code, _, errs := kabar(t, "--db", db, "feeds", "add", "--no-check", "https://example.com/a.xml"); code != 1 || !strings.Contains(errs, "already exists") {
		t.Fatalf("duplicate add: exit %d %q", code, errs)
	}
	list := mustKabar(t, "--db", db, "feeds", "list")
	if !strings.Contains(list, "https://example.com/a.xml") || !strings.Contains(list, "https://example.com/b.xml") {
		t.Fatalf("list = %q", list)
	}
	mustKabar(t, "--db", db, "feeds", "rm", "1")
	list = mustKabar(t, "--db", db, "feeds", "list", "--json")
	if strings.Contains(list, "a.xml") || !strings.Contains(list, `"url":"https://example.com/b.xml"`) {
		t.Fatalf("list after rm = %q", list)
	}
	if code, _, errs := kabar(t, "--db", db, "feeds", "rm", "1"); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("rm twice: exit %d %q", code, errs)
	}
}

// TestRunOnceLive runs against real HTTP servers on loopback: one good
// article, one page that is gone and one that is not an article. The bad
// items are recorded with their errors, the run still exits 0, and a second
// run retries them without duplicating the good one.
func TestRunOnceLive(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	feed := fmt.Sprintf(`<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback news</title>
<item><title>Good story</title><link>%[1]s/good</link><guid>g1</guid><pubDate>Wed, 01 May 2024 08:00:00 GMT</pubDate></item>
<item><title>Gone story</title><link>%[1]s/gone</link><guid>g2</guid><pubDate>Wed, 01 May 2024 07:00:00 GMT</pubDate></item>
<item><title>Empty story</title><link>%[1]s/empty</link><guid>g3</guid><pubDate>Wed, 01 May 2024 06:00:00 GMT</pubDate></item>
</channel></rss>`, srv.URL)
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, feed)
	})
	mux.HandleFunc("GET /good", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Good story</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Good story</h1>
<p>The first paragraph of the good story tells the reader what happened, where and when it happened.</p>
<p>The second paragraph adds the details that matter, with a quote from someone who was there at the time.</p>
<p>The third paragraph closes the story with what comes next, and when the next report is expected.</p>
</article><footer>© Loopback News</footer></body></html>`)
	})
	mux.HandleFunc("GET /empty", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><nav><a href="/">Home</a></nav></body></html>`)
	})
	db := filepath.Join(t.TempDir(), "k.db")
	mustKabar(t, "--db", db, "feeds", "add", srv.URL+"/feed.xml")
	run := []string{"--db", db, "run", "--once", "--allow-addr", "127.0.0.1/32", "--host-delay", "0s"}
	// Failed items make the exit code 1, the summary still on stdout and
	// what failed on stderr.
	code, out, errOut := kabar(t, run...)
	if code != 1 || out != "feeds polled 1, items seen 3, posts new 1, failures 2\n" || !strings.Contains(errOut, "2 items failed") {
		t.Fatalf("exit %d, summary = %q, stderr = %q", code, out, errOut)
	}
	list := mustKabar(t, "--db", db, "feeds", "list")
	if !strings.Contains(list, "Loopback news") || !strings.Contains(list, "1/0/0/2") {
		t.Fatalf("feeds list = %q", list)
	}
	code, out, _ = kabar(t, run...)
	if code != 1 || out != "feeds polled 1, items seen 3, posts new 0, failures 2\n" {
		t.Fatalf("second run: exit %d, summary = %q", code, out)
	}
	export := mustKabar(t, "--db", db, "export", "--format", "json")
	if n := strings.Count(export, "\n"); n != 1 {
		t.Fatalf("export has %d posts, want 1:\n%s", n, export)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(export), &p); err != nil {
		t.Fatal(err)
	}
	if p["title"] != "Good story" || p["article_id"] != "g1" || p["published"] != "2024-05-01T08:00:00Z" {
		t.Fatalf("post = %v", p)
	}
}

// Without --allow-addr the fetcher refuses loopback: a feed on a private
// address fails and is recorded, and the exit code says that something
// failed.
func TestRunOnceRefusesPrivateAddressesByDefault(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "k.db")
	mustKabar(t, "--db", db, "feeds", "add", srv.URL+"/feed.xml")
	code, out, errOut := kabar(t, "--db", db, "run", "--once")
	if code != 1 || out != "feeds polled 1, items seen 0, posts new 0, failures 1\n" || hits != 0 ||
		!strings.Contains(errOut, "1 feed polls failed") {
		t.Fatalf("exit %d, summary = %q, stderr = %q, server hits = %d", code, out, errOut, hits)
	}
	if list := mustKabar(t, "--db", db, "feeds", "list", "--json"); !strings.Contains(list, `"error_count":1`) {
		t.Fatalf("feed error not recorded: %s", list)
	}
}

func TestFeedsAddWithProxy(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	mustKabar(t, "--db", db, "feeds", "add", "--no-check", "--proxy", "http://127.0.0.1:3128", "https://example.com/a.xml")
	if list := mustKabar(t, "--db", db, "feeds", "list", "--json"); !strings.Contains(list, `"proxy":"http://127.0.0.1:3128"`) {
		t.Fatalf("proxy not kept: %s", list)
	}
	if code, _, errs := kabar(t, "--db", db, "feeds", "add", "--no-check", "--proxy", "ftp://x", "https://example.com/b.xml"); code != 2 || !strings.Contains(errs, "--proxy") {
		t.Fatalf("bad proxy: exit %d %q", code, errs)
	}
}
