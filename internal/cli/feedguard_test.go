package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `kabar serve` hands its fetcher's guard to the site: a feed on loopback
// is refused when added through the API, unless --allow-addr lets the
// fetcher reach it; and its probes carry the security headers.
func TestServeRefusesFeedsTheFetcherWouldRefuse(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	if code, out, errs := kabarStdin(t, "correct horse battery\n", "--db", db, "admin", "create", "owner"); code != 0 {
		t.Fatalf("admin create: %d %q %q", code, out, errs)
	}
	code, token, errs := kabarStdin(t, "", "--db", db, "admin", "token", "owner")
	if code != 0 {
		t.Fatalf("admin token: %d %q", code, errs)
	}
	for _, c := range []struct {
		allow  []string
		status int
	}{
		{nil, http.StatusBadRequest},
		{[]string{"--allow-addr", "127.0.0.0/8"}, http.StatusCreated},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan int, 1)
		stderr := &lockedBuffer{}
		go func() {
			served <- Main(ctx, append([]string{"--db", db, "serve", "--addr", addr}, c.allow...),
				&Env{Stdout: &bytes.Buffer{}, Stderr: stderr, Getenv: func(string) string { return "" }})
		}()
		var res *http.Response
		for deadline := time.Now().Add(10 * time.Second); ; {
			if res, err = http.Get("http://" + addr + "/healthz"); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond) // serve is still starting
		}
		if err != nil {
			cancel()
			t.Fatalf("serve did not start: %v (%s)", err, stderr.String())
		}
		res.Body.Close()
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("/healthz headers %v", res.Header)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/feeds", strings.NewReader(`{"url": "http://127.0.0.1:9/feed.xml"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("allow %v: POST /api/feeds answered %d %v, want %d", c.allow, res.StatusCode, body, c.status)
		}
		if c.status == http.StatusBadRequest && !strings.Contains(fmt.Sprint(body), "refused_address") {
			t.Errorf("refusal %v: want code refused_address", body)
		}
		cancel()
		<-served
	}
}
