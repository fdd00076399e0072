package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

var errGone = errors.New("database gone away")

// goneStore fails the reads of the home page, of posts and of the feed
// list, as a database that went away does; the rest works.
type goneStore struct{ Store }

func (goneStore) CountFrontPosts(context.Context) (int, error) { return 0, errGone }
func (goneStore) Feeds(context.Context) ([]model.Feed, error)  { return nil, errGone }
func (goneStore) Post(context.Context, int64) (*model.Post, error) {
	return nil, errGone
}
func (goneStore) PostByPath(context.Context, int, int, string) (*model.Post, error) {
	return nil, errGone
}

// lockedBuffer lets the server log while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// loggedServer is a site without the page cache on a new SQLite database,
// wrapped by wrap, whose log the test reads.
func loggedServer(t *testing.T, wrap func(Store) Store) (*Server, *lockedBuffer) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kabar.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	logs := &lockedBuffer{}
	srv, err := New(wrap(st), Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), PageCacheBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, logs
}

// A handler's error is answered in one place: a 500 page for a page, a
// JSON error under /api/, the cause logged once with the request and never
// shown to the reader.
func TestHandlerErrorsAreAnsweredByKindAndLoggedOnce(t *testing.T) {
	srv, logs := loggedServer(t, func(st Store) Store { return goneStore{st} })
	for _, c := range []struct{ path, ctype string }{
		{"/", "text/html"},
		{"/2024/01/a-post.html", "text/html"},
		{"/api/feeds", "application/json"},
		{"/api/posts/1", "application/json"},
	} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != http.StatusInternalServerError || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.ctype) {
			t.Errorf("%s: %d %q, want 500 %s", c.path, rec.Code, rec.Header().Get("Content-Type"), c.ctype)
		}
		if strings.Contains(rec.Body.String(), errGone.Error()) {
			t.Errorf("%s: the reader is shown the cause: %s", c.path, rec.Body)
		}
		if c.ctype == "application/json" && !strings.Contains(rec.Body.String(), `"code":"internal"`) {
			t.Errorf("%s: body %s, want the API's internal error", c.path, rec.Body)
		}
		var logged []string
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "path="+c.path+" ") && strings.Contains(line, "web: request failed") {
				logged = append(logged, line)
			}
		}
		if len(logged) != 1 || !strings.Contains(logged[0], errGone.Error()) {
			t.Errorf("%s: logged %q, want the cause once", c.path, logged)
		}
	}
}

// A reader who left is no server failure: the handler's error (the
// cancelled context) is not logged as one.
func TestReaderWhoLeftIsNoFailure(t *testing.T) {
	srv, logs := loggedServer(t, func(st Store) Store { return st })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/search?q=harbour", nil).WithContext(ctx))
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
	if strings.Contains(logs.String(), "request failed") {
		t.Errorf("a reader who left was logged as a failure:\n%s", logs.String())
	}
}
