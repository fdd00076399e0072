package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestProbesAndMetrics(t *testing.T) {
	var dbErr error
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "site")
	})
	h := Mount(site, func(ctx context.Context) error { return dbErr })
	SetQueueDepth(func(ctx context.Context) (map[string]int, error) {
		return map[string]int{"available": 7, "completed": 3}, nil
	})
	defer SetQueueDepth(nil)

	if code, body := get(t, h, "/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("healthz: %d %s", code, body)
	}
	if code, _ := get(t, h, "/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	dbErr = errors.New("database down")
	if code, body := get(t, h, "/readyz"); code != 503 || !strings.Contains(body, "database down") {
		t.Fatalf("readyz with the database down: %d %s", code, body)
	}
	if code, body := get(t, h, "/2024/05/a-post.html"); code != 200 || body != "site" {
		t.Fatalf("site: %d %s", code, body)
	}
	get(t, h, "/missing")
	FeedsPolled.WithLabelValues("changed").Inc()
	FetchResults.WithLabelValues("http_5xx").Inc()
	ExtractSeconds.Observe(0.002)
	Resolutions.WithLabelValues("decode", "ok").Inc()

	code, body := get(t, h, "/metrics")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`kabar_feeds_polled_total{result="changed"} 1`,
		`kabar_fetch_results_total{class="http_5xx"} 1`,
		`kabar_fetch_results_total{class="robots"} 0`,
		`kabar_extract_seconds_count 1`,
		`kabar_queue_jobs{state="available"} 7`,
		`kabar_queue_jobs{state="running"} 0`,
		`kabar_resolutions_total{method="decode",result="ok"} 1`,
		`kabar_http_request_duration_seconds_count{code="200",method="GET",route="post"} 1`,
		`kabar_http_request_duration_seconds_count{code="404",method="GET",route="other"} 1`,
		`kabar_http_request_duration_seconds_count{code="503",method="GET",route="ops"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestRoute(t *testing.T) {
	for path, want := range map[string]string{
		"/": "home", "/2021/11/x.html": "post", "/api/posts": "api", "/static/style.css": "static",
		"/metrics": "ops", "/search": "search", "/wp-login.php": "other", "/12345/x": "other",
	} {
		if got := Route(path); got != want {
			t.Errorf("Route(%s) = %s, want %s", path, got, want)
		}
	}
}

func TestWorkerWithoutSite(t *testing.T) {
	h := Mount(nil, nil)
	if code, _ := get(t, h, "/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	if code, _ := get(t, h, "/"); code != 404 {
		t.Fatalf("no site: %d", code)
	}
}

// The probes and the metrics carry the site's protective headers, whether
// mounted in front of a site or served alone by a worker.
func TestProbesSecurityHeaders(t *testing.T) {
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "site") })
	for _, h := range []http.Handler{Mount(site, nil), Mount(nil, nil), Handler(nil)} {
		for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", path, rec.Code)
			}
			hd := rec.Result().Header
			if csp := hd.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: CSP %q", path, csp)
			}
			if hd.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: no nosniff", path)
			}
			if hd.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q", path, hd.Get("Cache-Control"))
			}
		}
	}
}
