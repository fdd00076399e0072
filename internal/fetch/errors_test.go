package fetch

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestErrorMessages: what a user reads (an item's error, a log line) names
// the fetched URL exactly once, after "fetch ", whatever failed and at
// whichever hop.
func TestErrorMessages(t *testing.T) {
	env := newEnv(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "User-agent: *\nDisallow: /private\n")
	})
	mux.HandleFunc("/to-missing", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/missing", http.StatusFound)
	})
	mux.HandleFunc("/to-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/private/x", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4096")
		w.Write(make([]byte, 4096))
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/", http.NotFound)
	s := serve(t, mux)

	down := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable) // robots.txt too
	}))

	c := env.client(Config{MaxBodyBytes: 1024, MaxAttempts: 1}, s, down)
	for _, tc := range []struct {
		name, url, want string
		// others: the message names another URL in place of url (a status
		// error names the page that answered).
		others bool
	}{
		{"not found", s.URL + "/missing", "fetch " + s.URL + "/missing: HTTP status 404 Not Found", false},
		{"redirect to not found", s.URL + "/to-missing", "fetch " + s.URL + "/missing: HTTP status 404 Not Found", true},
		{"disallowed", s.URL + "/private/a", "fetch " + s.URL + "/private/a: disallowed by robots.txt", false},
		{"redirect to disallowed", s.URL + "/to-private", "fetch " + s.URL + "/to-private: redirected to " + s.URL + "/private/x: disallowed by robots.txt", false},
		{"redirect loop", s.URL + "/loop", "fetch " + s.URL + "/loop: redirect loop: too many redirects", false},
		{"too large", s.URL + "/big", "fetch " + s.URL + "/big: response body too large (Content-Length 4096, limit 1024)", false},
		{"server error", s.URL + "/down", "fetch " + s.URL + "/down: HTTP status 503 Service Unavailable", false},
		{"robots.txt unavailable", down.URL + "/a", "fetch " + down.URL + "/a: disallowed by robots.txt: robots.txt unavailable: HTTP status 503", false},
		{"bad scheme", "ftp://example.com/a", "fetch ftp://example.com/a: invalid or unsupported URL", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), tc.url)
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tc.want) {
				t.Errorf("error\n %q\nwant it to start with\n %q", msg, tc.want)
			}
			want := 1
			if tc.others {
				want = 0
			}
			if n := strings.Count(err.Error(), tc.url); n != want {
				t.Errorf("%q names %s %d times, want %d", err, tc.url, n, want)
			}
			if n := strings.Count(err.Error(), "fetch "); n != 1 {
				t.Errorf("%q says \"fetch \" %d times", err, n)
			}
		})
	}
}
