package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/gnews/gnewstest"
)

// New-form IDs from the fixtures (internal/gnews/testdata/new_ids.tsv).
const (
	newID1 = "CBMiWkFVX3lxTE1LVFlqSHdNbnl0WVcxQVFwMWRTcDZzQzB4c3lZRXRvX1c0QnNiT0xQSVlQTlc0TXRHUnp1MzZGN2RfclJ0dWpkNE9OSGtPekp1b1FaWFlZZWp0QQ"
	newID2 = "CBMiYEFVX3lxTFBMcVB3NWlUaTRPSHFqUTBmR3AxdlU5dW5jT0YyTTJVOWhhYTU2bkZUOXZuSlN1cVZPWlZqUFVxLUp4dEJFVGxEdmQ0X2dydkhOQWVUMlRjQnhrNjc5NUphdNIBeEFVX3lxTFA1R3lLQ1dOOFhMdTJiN2FqVy1nbWRHTDZyTUpuRGpVRlRWT1J4YzMyc1l4aUVnZVM4T1hlZEp0d1hELXZENDd5eS1xMWswajlaLVR4N1pUaUc5UC0tR3BZZC1Cc0VtVnRRZXl0V0k0RERsYlI4M0pwdQ"
)

// online is the decode command line against the fake, through kabar's
// fetcher (loopback let through by --allow-addr), without pacing.
func online(srv *gnewstest.Server, args ...string) []string {
	return append([]string{"decode", "--online", "--gnews-base", srv.URL, "--allow-addr", "127.0.0.1/32", "--host-delay", "0s", "--gnews-interval", "0s"}, args...)
}

func TestDecodeOnline(t *testing.T) {
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: gnewstest.SuccessID, Reply: gnewstest.ReplyRaw, RawReply: gnewstest.SuccessWithAMPReply})
	link := "https://news.google.com/rss/articles/" + gnewstest.SuccessID + "?oc=5"
	if out := mustKabar(t, online(srv, link)...); out != gnewstest.SuccessURL+"\n" {
		t.Fatalf("decode --online = %q", out)
	}
	out := mustKabar(t, online(srv, "--json", link)...)
	var d map[string]any
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if d["kind"] != "new" || d["url"] != gnewstest.SuccessURL || d["amp_url"] != gnewstest.SuccessAMPURL || d["id"] != gnewstest.SuccessID || d["input"] != link {
		t.Fatalf("--json = %v", d)
	}
	// The requests went through kabar's fetcher: its User-Agent, no robots.txt.
	for _, r := range srv.Requests() {
		if !strings.HasPrefix(r.Header.Get("User-Agent"), "kabar/") {
			t.Errorf("%s %s: User-Agent %q", r.Method, r.Path, r.Header.Get("User-Agent"))
		}
		if r.Path == "/robots.txt" {
			t.Errorf("robots.txt fetched for an API call")
		}
	}
}

// TestDecodeOnlineBatch: old-form links are decoded offline, the new-form
// ones resolved together in one POST, output in input order.
func TestDecodeOnlineBatch(t *testing.T) {
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: newID1, URL: "https://example.com/one?a=1&b=2"})
	srv.Add(gnewstest.Article{ID: newID2, URL: "https://example.com/two", AMPURL: "https://example.com/amp/two"})
	out := mustKabar(t, online(srv, "--json", newID1, seedLink, "https://news.google.com/read/"+newID2+"?hl=en-US&gl=US&ceid=US%3Aen")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	want := []struct{ kind, url, amp string }{
		{"new", "https://example.com/one?a=1&b=2", ""},
		{"old", "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576", "https://news.sky.com/story/amp/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576"},
		{"new", "https://example.com/two", "https://example.com/amp/two"},
	}
	for i, l := range lines {
		var d map[string]string
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatal(err)
		}
		if d["kind"] != want[i].kind || d["url"] != want[i].url || d["amp_url"] != want[i].amp {
			t.Errorf("line %d: %v", i, d)
		}
	}
	if pages, posts := srv.Count(); pages != 2 || posts != 1 {
		t.Errorf("%d pages, %d POSTs; want 2 and 1", pages, posts)
	}
}

func TestDecodeOnlineFailures(t *testing.T) {
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: newID1, Reply: gnewstest.ReplyNoURL})
	srv.Add(gnewstest.Article{ID: newID2, Reply: gnewstest.ReplyRaw, RawReply: gnewstest.ErrorReply})
	code, out, errs := kabar(t, online(srv, "--json", newID1, newID2, "CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB")...)
	if code != 1 || !strings.Contains(errs, "3 of 3 could not be decoded") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%q", out)
	}
	var a, b, c map[string]any
	for i, p := range []*map[string]any{&a, &b, &c} {
		if err := json.Unmarshal([]byte(lines[i]), p); err != nil {
			t.Fatal(err)
		}
	}
	if a["kind"] != "new" || a["retry"] != false || !strings.Contains(a["error"].(string), "no publisher URL") {
		t.Errorf("no URL: %v", a)
	}
	if b["kind"] != "new" || b["retry"] != true || !strings.Contains(b["error"].(string), "[3]") {
		t.Errorf("error reply: %v", b)
	}
	if c["kind"] != "topic" || c["retry"] != false {
		t.Errorf("topic: %v", c)
	}
}

func TestDecodeOnline429(t *testing.T) {
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: newID1, URL: "https://example.com/x"})
	srv.RateLimit(true, "600")
	start := time.Now()
	code, out, errs := kabar(t, online(srv, "--json", newID1)...)
	if code != 1 || !strings.Contains(errs, "rate-limiting") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	ra, _ := time.Parse(time.RFC3339, d["retry_after"].(string))
	if d["retry"] != true || ra.Before(start.Add(590*time.Second)) || ra.After(start.Add(610*time.Second)) {
		t.Errorf("429: %v", d)
	}
	if pages, posts := srv.Count(); pages != 1 || posts != 0 {
		t.Errorf("%d pages, %d POSTs after a 429", pages, posts)
	}
}

// TestDecodeOfflineNewForm: without --online nothing is sent and the
// message says how to resolve it.
func TestDecodeOfflineNewForm(t *testing.T) {
	srv := gnewstest.New(t)
	code, out, errs := kabar(t, "decode", "--json", "--gnews-base", srv.URL, newID1)
	if code != 1 || !strings.Contains(errs, "--online") || len(srv.Requests()) != 0 {
		t.Fatalf("exit %d, stderr %q, %d requests", code, errs, len(srv.Requests()))
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(out), &d); err != nil || d["kind"] != "new" || d["retry"] != true || d["id"] != newID1 {
		t.Fatalf("%q %v", out, err)
	}
}

// TestDecodeOnlineRefusesLoopbackByDefault: the fetcher's guard stays on;
// without --allow-addr the fake is not reached.
func TestDecodeOnlineRefusesLoopbackByDefault(t *testing.T) {
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: newID1, URL: "https://example.com/x"})
	code, _, errs := kabar(t, "decode", "--online", "--gnews-base", srv.URL, "--gnews-interval", "0s", newID1)
	if code != 1 || !strings.Contains(errs, "blocked address") || len(srv.Requests()) != 0 {
		t.Fatalf("exit %d, %q, %d requests", code, errs, len(srv.Requests()))
	}
}

func TestDecodeOnlineOptions(t *testing.T) {
	// --gnews-base is hidden from the usage text but works from the environment.
	_, help, _ := kabar(t, "decode", "-h")
	if strings.Contains(help, "gnews-base") || !strings.Contains(help, "--online") || !strings.Contains(help, "gnews-interval") {
		t.Errorf("usage:\n%s", help)
	}
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: newID1, URL: "https://example.com/env"})
	env := map[string]string{"KABAR_GNEWS_BASE": srv.URL, "KABAR_ALLOW_ADDR": "127.0.0.1/32", "KABAR_HOST_DELAY": "0s", "KABAR_GNEWS_INTERVAL": "0s", "KABAR_GNEWS_HL": "id"}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"decode", "--online", newID1}, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	if code != 0 || out.String() != "https://example.com/env\n" {
		t.Fatalf("exit %d %q %q", code, out.String(), errb.String())
	}
	calls := srv.Requests()[1].Calls
	if len(calls) != 1 || calls[0].HL != "id" || calls[0].GL != "ID" || calls[0].CEID != "ID:id" {
		t.Errorf("edition not passed: %+v", calls)
	}
	for _, bad := range [][]string{
		{"decode", "--online", "--gnews-base", "ftp://x", newID1},
		{"decode", "--online", "--hl", "english", newID1},
	} {
		if code, _, _ := kabar(t, bad...); code != 1 {
			t.Errorf("%v: exit %d", bad, code)
		}
	}
	// A value that is no duration is a wrong command line, found while parsing.
	if code, _, errs := kabar(t, "decode", "--online", "--gnews-interval", "soon", newID1); code != 2 || !strings.Contains(errs, `invalid value "soon"`) {
		t.Errorf("--gnews-interval soon: exit %d %q", code, errs)
	}
	if r := srv.Requests(); r[0].Method != http.MethodGet {
		t.Errorf("%+v", r[0])
	}
}
