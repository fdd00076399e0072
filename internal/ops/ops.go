// Package ops is what running kabar in production needs beside the site:
// health and readiness probes, Prometheus metrics and the HTTP latency
// middleware. The metrics are package variables on one registry, so that
// every stage records into them without passing a handle around; a process
// exposes them at /metrics.
package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds kabar's metrics and the Go runtime's and process's.
var Registry = prometheus.NewRegistry()

var (
	// FeedsPolled counts feed polls by result: changed, not_modified, error.
	FeedsPolled = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kabar_feeds_polled_total",
		Help: "Feed polls by result (changed, not_modified, error).",
	}, []string{"result"})
	// FetchResults counts outbound fetches (feeds and pages) by class; see
	// FetchClasses.
	FetchResults = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kabar_fetch_results_total",
		Help: "Outbound fetches by result class (ok, not_modified, http_4xx, http_5xx, rate_limited, robots, blocked, timeout, too_large, network, other).",
	}, []string{"class"})
	// ExtractSeconds is the time extraction of one page takes.
	ExtractSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kabar_extract_seconds",
		Help:    "Time to extract the article from one page.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms … 4 s
	})
	// ItemsProcessed counts items by outcome: post_new, post_reused (the
	// article was stored already), failed (will be retried), permanent.
	ItemsProcessed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kabar_items_processed_total",
		Help: "Items processed by outcome (post_new, post_reused, failed, permanent).",
	}, []string{"result"})
	// Resolutions counts how items' publisher URLs were found: method is
	// decode (offline Google News ID), legacy (news/url?url=), link (a plain
	// feed link), online (Google's batchexecute); result ok or error.
	Resolutions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kabar_resolutions_total",
		Help: "Publisher URL resolutions by method (decode, legacy, link, online) and result (ok, error).",
	}, []string{"method", "result"})
	// PaceWaitSeconds is how long requests waited for their host's turn.
	PaceWaitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kabar_pace_wait_seconds",
		Help:    "Time requests waited for the shared per-host pace.",
		Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
	})
	// HTTPDuration is the site's (and the probes') request latency.
	HTTPDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kabar_http_request_duration_seconds",
		Help:    "Latency of HTTP requests served, by route class, method and status code.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method", "code"})
)

// FetchClasses are the values of FetchResults' class label.
var FetchClasses = []string{"ok", "not_modified", "http_4xx", "http_5xx", "rate_limited",
	"robots", "blocked", "timeout", "too_large", "network", "other"}

func init() {
	Registry.MustRegister(FeedsPolled, FetchResults, ExtractSeconds, ItemsProcessed,
		Resolutions, PaceWaitSeconds, HTTPDuration, queueDepth,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range FetchClasses {
		FetchResults.WithLabelValues(c)
	}
	for _, r := range []string{"changed", "not_modified", "error"} {
		FeedsPolled.WithLabelValues(r)
	}
	for _, r := range []string{"post_new", "post_reused", "failed", "permanent"} {
		ItemsProcessed.WithLabelValues(r)
	}
}

// QueueDepthFunc reports the job queue's jobs by state.
type QueueDepthFunc func(ctx context.Context) (map[string]int, error)

// SetQueueDepth makes /metrics report kabar_queue_jobs{state} from fn, read
// at each scrape (the queue lives in the database, so any process sees all
// of it).
func SetQueueDepth(fn QueueDepthFunc) {
	queueDepth.mu.Lock()
	queueDepth.fn = fn
	queueDepth.mu.Unlock()
}

type depthCollector struct {
	mu   sync.Mutex
	fn   QueueDepthFunc
	desc *prometheus.Desc
}

var queueDepth = &depthCollector{desc: prometheus.NewDesc("kabar_queue_jobs",
	"Jobs in the queue by state (available, running, retryable, scheduled, completed…).", []string{"state"}, nil)}

func (c *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *depthCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	fn := c.fn
	c.mu.Unlock()
	if fn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := fn(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, st := range []string{"available", "running", "retryable", "scheduled"} {
		if _, ok := counts[st]; !ok {
			counts[st] = 0
		}
	}
	for st, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), st)
	}
}

// ReadyFunc checks what the process needs to serve (the database).
type ReadyFunc func(ctx context.Context) error

// Handler serves the probes and the metrics:
//
//	/healthz  200 while the process runs (liveness)
//	/readyz   200 when ready answers within 3 s, else 503 with the error
//	/metrics  Prometheus text format
func Handler(ready ReadyFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if ready != nil {
			if err := ready(ctx); err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(Registry, promhttp.HandlerOpts{}))
	return secure(mux)
}

// secure sets the headers every kabar response carries. The probes serve
// no page: nothing may load, run or frame, nothing may be sniffed into
// HTML, and no cache may keep an answer that is only true now.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // a client gone mid-answer: no one to tell
}

// IsOpsPath reports whether a path is one of Handler's.
func IsOpsPath(p string) bool {
	return p == "/healthz" || p == "/readyz" || p == "/metrics"
}

// Mount puts the probes and metrics in front of site: their three paths go
// to Handler(ready), every other request to site, and all of them through
// Middleware. site may be nil (a worker process serves only these).
func Mount(site http.Handler, ready ReadyFunc) http.Handler {
	probes := Handler(ready)
	return Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsOpsPath(r.URL.Path) || site == nil {
			probes.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	}))
}

// Middleware records each request's latency in HTTPDuration.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		HTTPDuration.WithLabelValues(Route(r.URL.Path), methodLabel(r.Method), strconv.Itoa(sw.code)).
			Observe(time.Since(start).Seconds())
	})
}

// Route classes a path for the latency metric's route label, so that the
// label has a few values however many posts there are: home, post (a
// /YYYY/MM/… page), api, feed, search, static, admin, ops, other.
func Route(p string) string {
	if p == "/" {
		return "home"
	}
	if IsOpsPath(p) {
		return "ops"
	}
	first := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0]
	if len(first) == 4 && strings.Trim(first, "0123456789") == "" {
		return "post"
	}
	switch first {
	case "api", "static", "search", "admin":
		return first
	case "feeds", "feed", "atom.xml", "rss.xml", "feed.json":
		return "feed"
	}
	return "other"
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions:
		return m
	}
	return "other"
}

type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
