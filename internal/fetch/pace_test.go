package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestRobotsCrawlDelay(t *testing.T) {
	for _, c := range []struct {
		name, robots string
		want         time.Duration
	}{
		{"global", "user-agent: *\ncrawl-delay: 2\ndisallow: /p\n", 2 * time.Second},
		{"fraction", "user-agent: *\nCrawl-Delay: 0.5\n", 500 * time.Millisecond},
		{"ours beats global", "user-agent: *\ncrawl-delay: 10\ndisallow: /x\n\nuser-agent: kabar\ncrawl-delay: 3\n", 3 * time.Second},
		// Without a rule in between, the user-agent lines make one group
		// (Google's reading, which the matcher follows): the longest counts.
		{"one group without rules between", "user-agent: *\ncrawl-delay: 10\n\nuser-agent: kabar\ncrawl-delay: 3\n", 10 * time.Second},
		{"another agent's does not count", "user-agent: otherbot\ncrawl-delay: 10\n", 0},
		{"none", "user-agent: *\ndisallow: /p\n", 0},
		{"unreadable", "user-agent: *\ncrawl-delay: soon\n", 0},
		{"negative", "user-agent: *\ncrawl-delay: -5\n", 0},
		{"infinite", "user-agent: *\ncrawl-delay: 1e400\n", 0},
		{"huge is bounded", "user-agent: *\ncrawl-delay: 1e12\n", 24 * time.Hour},
		{"before any group", "crawl-delay: 5\nuser-agent: *\ndisallow: /p\n", 0},
		{"shared by a multi-agent group", "user-agent: kabar\ncrawl-delay: 4\nuser-agent: other\ndisallow: /\n", 4 * time.Second},
	} {
		if got := parseRobots([]byte(c.robots)).CrawlDelay(RobotsAgent); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Crawl-delay is not a rule: the group above still disallows for kabar.
	if parseRobots([]byte("user-agent: kabar\ncrawl-delay: 4\nuser-agent: other\ndisallow: /\n")).Allowed("kabar", "http://x/a") {
		t.Error("crawl-delay split the group")
	}
}

// crawlServer serves a robots.txt with the given Crawl-delay and records
// the start of every page request.
type crawlServer struct {
	mu     sync.Mutex
	starts []time.Time
}

func (cs *crawlServer) handler(delay string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprintf(w, "User-agent: *\nCrawl-delay: %s\nDisallow: /private\n", delay)
			return
		}
		cs.mu.Lock()
		cs.starts = append(cs.starts, time.Now())
		cs.mu.Unlock()
		io.WriteString(w, "page")
	})
}

func (cs *crawlServer) gaps() []time.Duration {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var g []time.Duration
	for i := 1; i < len(cs.starts); i++ {
		g = append(g, cs.starts[i].Sub(cs.starts[i-1]))
	}
	cs.starts = nil
	return g
}

// TestCrawlDelayHonoured: a Crawl-delay longer than HostDelay spaces the
// requests, up to MaxCrawlDelay; with a plain Pacer the Client adds the gap
// itself.
func TestCrawlDelayHonoured(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits out real Crawl-delays")
	}
	env := newEnv(t)
	cs := &crawlServer{}
	s := serve(t, cs.handler("0.2"))
	fetch4 := func(c *Client) {
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Get(context.Background(), fmt.Sprintf("%s/p/%d", s.URL, i)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	// The pacer spaces the starts it reserves; on a loaded machine one
	// request may leave late and the next right behind it, so the test
	// checks the span of the four starts: at least three gaps, with a fifth
	// off for timer and scheduling noise. Only lower bounds are checked
	// here, which a slow machine cannot break; that a capped or ignored
	// Crawl-delay asks for no longer wait is TestCrawlDelayCappedOrIgnored's.
	const slack = 15 * time.Millisecond
	for _, tc := range []struct {
		name    string
		cfg     Config
		minSpan time.Duration
	}{
		{"Crawl-delay 0.2 s", Config{}, 600 * time.Millisecond},
		{"capped at 50 ms", Config{MaxCrawlDelay: 50 * time.Millisecond}, 150 * time.Millisecond},
		{"HostDelay longer than Crawl-delay", Config{HostDelay: 300 * time.Millisecond}, 900 * time.Millisecond},
		{"plain Pacer", Config{Pacer: &recordingPacer{}}, 600 * time.Millisecond},
	} {
		c := env.client(tc.cfg, s)
		fetch4(c)
		gaps := cs.gaps()
		if len(gaps) != 3 {
			t.Fatalf("%s: %d gaps", tc.name, len(gaps))
		}
		span := gaps[0] + gaps[1] + gaps[2]
		if span < tc.minSpan*4/5-slack {
			t.Errorf("%s: gaps %v (span %v), want a span of at least %v", tc.name, gaps, span, tc.minSpan)
		}
	}
}

// delayRecorder is a DelayPacer that records what it was asked.
type delayRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (p *delayRecorder) Wait(ctx context.Context, host string) error {
	p.mu.Lock()
	p.calls = append(p.calls, "wait "+host)
	p.mu.Unlock()
	return nil
}

func (p *delayRecorder) WaitDelay(ctx context.Context, host string, d time.Duration) error {
	p.mu.Lock()
	p.calls = append(p.calls, fmt.Sprintf("delay %s %v", host, d))
	p.mu.Unlock()
	return nil
}

// TestCrawlDelayCappedOrIgnored: what the pacer is asked to wait for a
// host whose robots.txt says Crawl-delay: 7, when the delay is capped or
// ignored. Asked, not timed, so that a loaded machine cannot fail it.
func TestCrawlDelayCappedOrIgnored(t *testing.T) {
	env := newEnv(t)
	s := serve(t, (&crawlServer{}).handler("7"))
	for _, tc := range []struct {
		name string
		max  time.Duration
		want []string
	}{
		{"capped", 50 * time.Millisecond, []string{"wait 127.0.0.1", "delay 127.0.0.1 50ms", "delay 127.0.0.1 50ms"}},
		{"ignored", -1, []string{"wait 127.0.0.1", "wait 127.0.0.1", "wait 127.0.0.1"}},
	} {
		p := &delayRecorder{}
		c := env.client(Config{Pacer: p, MaxCrawlDelay: tc.max}, s)
		for i := 0; i < 2; i++ {
			if _, err := c.Get(context.Background(), s.URL+"/a"); err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(p.calls) != fmt.Sprint(tc.want) {
			t.Errorf("%s: pacer calls %q, want %q", tc.name, p.calls, tc.want)
		}
	}
}

// TestDelayPacerGetsCrawlDelay: a shared (DelayPacer) pacer is handed the
// host's Crawl-delay, so other processes see it too.
func TestDelayPacerGetsCrawlDelay(t *testing.T) {
	env := newEnv(t)
	s := serve(t, (&crawlServer{}).handler("7"))
	p := &delayRecorder{}
	c := env.client(Config{Pacer: p, MaxCrawlDelay: 5 * time.Second}, s)
	for i := 0; i < 2; i++ {
		if _, err := c.Get(context.Background(), s.URL+"/a"); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"wait 127.0.0.1", "delay 127.0.0.1 5s", "delay 127.0.0.1 5s"}
	if fmt.Sprint(p.calls) != fmt.Sprint(want) {
		t.Errorf("pacer calls %q, want %q", p.calls, want)
	}
}
