package cli

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// serverLimits are the time and size limits of every HTTP server kabar
// runs (the site of run and serve, the probes of work --ops-addr);
// docs/operations.md, "Server limits", explains each one. Without them a
// client that sends its body a byte at a time, or opens connections and
// stays silent, holds a descriptor and a goroutine for as long as it likes.
type serverLimits struct {
	ReadHeader time.Duration // request line and headers
	Read       time.Duration // the whole request, body included
	Idle       time.Duration // a kept-alive connection waiting for its next request
	// Request is how long a handler may work (its context's deadline);
	// LongRequest the same for the routes that do slow work on purpose.
	Request, LongRequest time.Duration
	// WriteGrace is how long after its deadline a response may still be
	// written to a slow reader before the connection is cut.
	WriteGrace     time.Duration
	MaxHeaderBytes int
}

var defaultServerLimits = serverLimits{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Idle:       30 * time.Second,
	Request:    30 * time.Second,
	// Re-extraction fetches the publisher's page: up to three attempts of
	// 30 s each, plus the host's pace and the extraction.
	LongRequest:    5 * time.Minute,
	WriteGrace:     15 * time.Second,
	MaxHeaderBytes: 64 << 10,
}

// newHTTPServer is the one place kabar's HTTP servers are configured.
func newHTTPServer(h http.Handler, lim serverLimits) *http.Server {
	return &http.Server{
		Handler:           withDeadlines(h, lim),
		ReadHeaderTimeout: lim.ReadHeader,
		ReadTimeout:       lim.Read,
		// Counted from the end of the headers; long routes move it.
		WriteTimeout:   lim.Request + lim.WriteGrace,
		IdleTimeout:    lim.Idle,
		MaxHeaderBytes: lim.MaxHeaderBytes,
	}
}

// longRoute reports whether a request is one that does slow work on
// purpose: the owner's "extract again" (admin form and API), which fetches
// a page.
func longRoute(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/reextract")
}

// withDeadlines gives every request a context deadline, per route, so that
// database queries and fetches stop when the answer is no longer awaited.
// http.TimeoutHandler is not used: it buffers the whole response and hides
// Flush, and its one limit would fit either the pages or re-extraction.
func withDeadlines(next http.Handler, lim serverLimits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := lim.Request
		if longRoute(r) {
			d = lim.LongRequest
			// The server set the write deadline for an ordinary request
			// when it read the headers.
			// A writer without deadlines (a test's recorder) keeps the
			// server's.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + lim.WriteGrace))
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
