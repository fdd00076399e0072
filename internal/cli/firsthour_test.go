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

// loopFeed is a one-item RSS feed whose item is a page on the same server.
func loopFeed(base string) string {
	return fmt.Sprintf(`<?xml version="1.0"?><rss version="2.0"><channel><title>Loop news</title>
<item><title>Story</title><link>%s/story</link><guid>s1</guid></item></channel></rss>`, base)
}

// feedSite serves a feed, a web page linking two feeds, a web page
// linking none, a JSON document that is no feed, and 404 for the rest.
func feedSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, loopFeed(srv.URL))
	})
	mux.HandleFunc("GET /blog/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" title="All posts" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="comments.atom">
<link rel="stylesheet" href="/s.css"></head><body><p>Hello</p>
<link rel="alternate" type="application/rss+xml" href="/not-in-head.xml"></body></html>`)
	})
	mux.HandleFunc("GET /plain.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>No feeds</title></head><body>hi</body></html>`)
	})
	mux.HandleFunc("GET /data.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"not":"a feed"}`)
	})
	return srv
}

func TestFeedsAddChecksTheFeed(t *testing.T) {
	srv := feedSite(t)
	db := filepath.Join(t.TempDir(), "k.db")
	allow := []string{"--db", db, "feeds", "add", "--allow-addr", "127.0.0.1"}

	code, out, errs := kabar(t, append(allow, srv.URL+"/feed.xml")...)
	if code != 0 || out != "1\t"+srv.URL+"/feed.xml\n" || !strings.Contains(errs, `"Loop news", 1 items`) {
		t.Fatalf("good feed: exit %d %q %q", code, out, errs)
	}
	code, out, errs = kabar(t, append(allow, srv.URL+"/missing.xml")...)
	if code != 1 || out != "" || !strings.Contains(errs, "answered 404 Not Found") || !strings.Contains(errs, "--no-check") {
		t.Errorf("404: exit %d %q %q", code, out, errs)
	}
	code, _, errs = kabar(t, append(allow, srv.URL+"/blog/")...)
	if code != 1 || !strings.Contains(errs, "is a web page, not a feed") ||
		!strings.Contains(errs, "kabar feeds add "+srv.URL+"/feed.xml    # All posts") ||
		!strings.Contains(errs, "kabar feeds add "+srv.URL+"/blog/comments.atom") ||
		strings.Contains(errs, "not-in-head") {
		t.Errorf("HTML page: exit %d %q", code, errs)
	}
	code, _, errs = kabar(t, append(allow, srv.URL+"/plain.html")...)
	if code != 1 || !strings.Contains(errs, "links no feed") {
		t.Errorf("plain page: exit %d %q", code, errs)
	}
	code, _, errs = kabar(t, append(allow, srv.URL+"/data.json")...)
	if code != 1 || !strings.Contains(errs, "is not a feed kabar can read") {
		t.Errorf("JSON: exit %d %q", code, errs)
	}
	// --no-check adds without asking.
	if out := mustKabar(t, append(allow, "--no-check", srv.URL+"/missing.xml")...); out != "2\t"+srv.URL+"/missing.xml\n" {
		t.Errorf("--no-check: %q", out)
	}
	// Nothing refused was added.
	if list := mustKabar(t, "--db", db, "feeds", "list", "--json"); strings.Count(list, "\n") != 2 {
		t.Errorf("feeds after refusals:\n%s", list)
	}
}

// A feed on a private address is added (the run may be given
// --allow-addr) with a warning that says how to allow it; the run's
// failure then says the same, in the log and in feeds list.
func TestBlockedAddressNamesAllowAddr(t *testing.T) {
	srv := feedSite(t)
	db := filepath.Join(t.TempDir(), "k.db")
	code, out, errs := kabar(t, "--db", db, "feeds", "add", srv.URL+"/feed.xml")
	if code != 0 || out != "1\t"+srv.URL+"/feed.xml\n" || !strings.Contains(errs, "warning") ||
		!strings.Contains(errs, "--allow-addr 127.0.0.1") || !strings.Contains(errs, "KABAR_ALLOW_ADDR=127.0.0.1") {
		t.Fatalf("feeds add: exit %d %q %q", code, out, errs)
	}
	code, out, errs = kabar(t, "--db", db, "run", "--once")
	if code == 0 && !strings.Contains(out, "failures 1") {
		t.Fatalf("run: exit %d %q", code, out)
	}
	if !strings.Contains(errs, "blocked address") || !strings.Contains(errs, "--allow-addr 127.0.0.1") {
		t.Errorf("run log: %q", errs)
	}
	list := mustKabar(t, "--db", db, "feeds", "list", "--json")
	var row map[string]any
	if err := json.Unmarshal([]byte(list), &row); err != nil {
		t.Fatal(err)
	}
	if e, _ := row["last_error"].(string); !strings.Contains(e, "--allow-addr") {
		t.Errorf("feeds list last_error = %q", e)
	}
}

func TestMissingDatabaseFolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "no", "such", "k.db")
	code, _, errs := kabar(t, "--db", db, "feeds", "list")
	if code != 1 || !strings.Contains(errs, "the folder "+filepath.Dir(db)+" does not exist") || !strings.Contains(errs, "mkdir -p") {
		t.Fatalf("exit %d %q", code, errs)
	}
}

// The command-line mistakes of the first hour: each is a wrong command line
// (exit 2) with a message that names the problem.
func TestCommandLineMistakes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--onc"}, "flag provided but not defined: -onc"},
		{[]string{"feeds", "add", "--bogus", "https://example.com/f"}, "flag provided but not defined: -bogus"},
		{[]string{"run", "--once", "--host-delay", "fast"}, `invalid value "fast" for flag -host-delay`},
		{[]string{"serve", "--lang", "fr"}, `invalid value "fr" for flag -lang: want en or id`},
		{[]string{"--log", "x", "feeds", "list"}, `invalid value "x" for flag -log: want text or json`},
		{[]string{"feeds", "list", "--log", "x"}, `invalid value "x" for flag -log`},
		{[]string{"run", "--once", "--workers", "0"}, `invalid value "0" for flag -workers`},
		{[]string{"run", "--once", "--ignore-robots=maybe"}, `want true or false`},
		{[]string{"run", "--once", "--allow-addr", "10.0.0.0/99"}, `neither an address nor a CIDR range`},
		{[]string{"run", "--once", "--tz", "Mars/Olympus"}, `want a time zone name`},
		{[]string{"run", "--once", "--retention", "forever"}, `want a number of days`},
	} {
		code, out, errs := kabar(t, append([]string{"--db", db}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("kabar %v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errs, c.want)
		}
	}
	// A wrong value in the environment is found the same way, and named.
	code, _, errs := kabarEnv(t, map[string]string{"KABAR_HOST_DELAY": "fast"}, "--db", db, "run", "--once")
	if code != 2 || !strings.Contains(errs, `KABAR_HOST_DELAY="fast"`) {
		t.Errorf("bad environment: exit %d %q", code, errs)
	}
}

// Yes/no options stand alone, global options go after the command too, and
// help lists every option with its environment variable and default.
func TestFlagForms(t *testing.T) {
	srv := feedSite(t)
	db := filepath.Join(t.TempDir(), "k.db")
	// Both forms of a yes/no option, --log after the command, flags after
	// the positional argument.
	mustKabar(t, "feeds", "add", srv.URL+"/feed.xml", "--db", db, "--no-check", "--log", "json")
	code, out, errs := kabar(t, "run", "--once", "--ignore-robots", "--proxy-from-env=false", "--db", db, "--log", "json",
		"--gnews-online=false", "--allow-addr", "127.0.0.1", "--host-delay", "0s")
	if code == 2 || !strings.Contains(out, "feeds polled 1") {
		t.Fatalf("run: exit %d %q %q", code, out, errs)
	}
	for _, line := range strings.Split(strings.TrimSpace(errs), "\n") {
		// The last line may be the command's own exit message (an item of
		// the test feed fails), which is not a log line.
		if line != "" && !strings.HasPrefix(line, "{") && !strings.HasPrefix(line, "kabar run: ") {
			t.Errorf("--log json after the command: %q is not JSON", line)
		}
	}
	code, out, errs = kabar(t, "run", "-h")
	if code != 0 || errs != "" {
		t.Fatalf("run -h: exit %d %q", code, errs)
	}
	for _, want := range []string{"--ignore-robots\n", "--once\n", "--log text|json", "env KABAR_LOG, default text",
		"--host-delay DURATION", "env KABAR_HOST_DELAY, default 1s", "--site-title TEXT", "--trust-proxy\n", "env KABAR_TRUST_PROXY, default false"} {
		if !strings.Contains(out, want) {
			t.Errorf("run -h lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "gnews-base") {
		t.Error("run -h shows the hidden --gnews-base")
	}
	code, out, _ = kabar(t, "-h")
	if code != 0 || !strings.Contains(out, "--log text|json") || !strings.Contains(out, "env KABAR_DB, default kabar.db") {
		t.Errorf("kabar -h: exit %d\n%s", code, out)
	}
}

func kabarEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	code := Main(t.Context(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// Why an item failed is shown by feeds list and items --failed, not only in
// the log.
func TestFailedItemsAreListed(t *testing.T) {
	skipIfShort(t, "runs kabar end to end")
	srv := feedSite(t) // the feed's one story answers 404
	db := filepath.Join(t.TempDir(), "k.db")
	mustKabar(t, "--db", db, "feeds", "add", "--no-check", srv.URL+"/feed.xml")
	code, out, errs := kabar(t, "--db", db, "run", "--once", "--allow-addr", "127.0.0.1", "--host-delay", "0s")
	if code == 2 || !strings.Contains(out, "failures 1") {
		t.Fatalf("run: exit %d %q %q", code, out, errs)
	}
	list := mustKabar(t, "--db", db, "feeds", "list")
	if !strings.Contains(list, "item 1: ") || !strings.Contains(list, "404") {
		t.Errorf("feeds list shows no item error:\n%s", list)
	}
	var row struct {
		Failed []struct {
			ID    int64  `json:"id"`
			Link  string `json:"link"`
			Error string `json:"error"`
		} `json:"failed_items"`
	}
	if err := json.Unmarshal([]byte(mustKabar(t, "--db", db, "feeds", "list", "--json")), &row); err != nil {
		t.Fatal(err)
	}
	if len(row.Failed) != 1 || row.Failed[0].Link != srv.URL+"/story" || !strings.Contains(row.Failed[0].Error, "404") {
		t.Errorf("failed_items = %+v", row.Failed)
	}
	// The error names the page once: "fetch URL: HTTP status 404 Not
	// Found", not "fetch URL: fetch URL: …".
	if len(row.Failed) == 1 && strings.Count(row.Failed[0].Error, srv.URL+"/story") != 1 {
		t.Errorf("item error names its URL %d times: %q", strings.Count(row.Failed[0].Error, srv.URL+"/story"), row.Failed[0].Error)
	}
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, "item 1: ") && strings.Count(line, srv.URL+"/story") != 1 {
			t.Errorf("feeds list names the item's URL %d times: %q", strings.Count(line, srv.URL+"/story"), line)
		}
	}
	items := mustKabar(t, "--db", db, "items", "--failed", "--feed", "1")
	if lines := strings.Split(strings.TrimSpace(items), "\n"); len(lines) != 2 ||
		!strings.Contains(lines[1], srv.URL+"/story") || !strings.Contains(lines[1], "404") || !strings.Contains(lines[1], "failed") {
		t.Errorf("items --failed:\n%s", items)
	}
	if j := mustKabar(t, "--db", db, "items", "--failed", "--json"); !strings.Contains(j, `"status":"failed"`) {
		t.Errorf("items --failed --json: %s", j)
	}
	if code, _, errs := kabar(t, "--db", db, "items", "--failed", "--feed", "9"); code != 1 || !strings.Contains(errs, "feed 9") {
		t.Errorf("unknown feed: exit %d %q", code, errs)
	}
	if code, _, _ := kabar(t, "--db", db, "items", "--feed", "x"); code != 2 {
		t.Errorf("bad feed ID: exit %d", code)
	}
}
