package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// `kabar serve` wires the pipeline into the site: the owner's API call
// fetches the post's page again and the post takes the page's text of now.
func TestServeReextractsAPost(t *testing.T) {
	skipIfShort(t, "runs kabar serve end to end")
	var fixed atomic.Bool
	publisher := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if !fixed.Load() {
			fmt.Fprint(w, `<html><body><article><p>Please accept our cookies before you read on, thank you very much.</p></article></body></html>`)
			return
		}
		fmt.Fprint(w, `<html><head><title>Harbour bridge reopens</title></head><body><article><h1>Harbour bridge reopens</h1>
			<p>The harbour bridge reopened on Monday after six months of repairs that closed the main road to the port.</p>
			<p>Engineers replaced the rusted cables and strengthened the deck so that lorries can cross again.</p>
			<p>The council said the work came in under budget, and the ferries will return to their usual timetable.</p>
			</article></body></html>`)
	}))
	defer publisher.Close()

	db := filepath.Join(t.TempDir(), "k.db")
	if code, out, errs := kabarStdin(t, "correct horse battery\n", "--db", db, "admin", "create", "owner"); code != 0 {
		t.Fatalf("admin create: %d %q %q", code, out, errs)
	}
	code, token, errs := kabarStdin(t, "", "--db", db, "admin", "token", "owner")
	if code != 0 {
		t.Fatalf("admin token: %d %q", code, errs)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	post := &model.Post{Title: "Harbour bridge reopens", SourceURL: publisher.URL + "/news/bridge",
		Paragraphs: []string{"Please accept our cookies before you read on, thank you very much."},
		Published:  time.Date(2026, 11, 2, 7, 30, 0, 0, time.UTC)}
	if _, err := st.SavePost(context.Background(), post); err != nil {
		t.Fatal(err)
	}
	st.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	// The site and the pipeline log from their own goroutines.
	stderr := &lockedBuffer{}
	go func() {
		served <- Main(ctx, []string{"--db", db, "serve", "--addr", addr, "--allow-addr", "127.0.0.0/8"},
			&Env{Stdout: &bytes.Buffer{}, Stderr: stderr, Getenv: func(string) string { return "" }})
	}()
	defer func() {
		cancel()
		<-served
	}()
	reextract := func() (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://%s/api/posts/%d/reextract", addr, post.ID), nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		var res *http.Response
		for deadline := time.Now().Add(10 * time.Second); ; {
			if res, err = http.DefaultClient.Do(req); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond) // serve is still starting
		}
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	fixed.Store(true)
	if code, body := reextract(); code != http.StatusOK {
		t.Fatalf("re-extract: %d %v (serve: %s)", code, body, stderr.String())
	}
	st, err = sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Post(context.Background(), post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(got.Paragraphs, " "); strings.Contains(text, "cookies") || !strings.Contains(text, "rusted cables") {
		t.Fatalf("post text after re-extraction: %q", text)
	}
	// The publisher's page gone: the API says so and the post keeps its text.
	publisher.Close()
	if code, body := reextract(); code != http.StatusBadGateway || body["error"] == nil {
		t.Fatalf("re-extract of a gone page: %d %v", code, body)
	}
}

// lockedBuffer is a bytes.Buffer that several goroutines may write.
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
