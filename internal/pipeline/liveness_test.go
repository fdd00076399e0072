package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// hangingWeb never answers until released: the process fetching through
// it holds its job as running, as a process that froze or died would.
type hangingWeb struct {
	started  chan string
	release  chan struct{}
	requests atomic.Int32
}

func newHangingWeb() *hangingWeb {
	return &hangingWeb{started: make(chan string, 16), release: make(chan struct{})}
}

func (w *hangingWeb) Do(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	w.requests.Add(1)
	w.started <- r.URL
	select {
	case <-w.release:
	case <-ctx.Done():
	}
	return nil, errors.New("this process is gone")
}

// Finding 8: the running jobs of a process whose heartbeat stopped are
// handed back once it has been silent for six beats (a minute by default),
// with River's rescue period left at its 15 minutes: another process
// finishes them, each item once. A live process's running job is not
// touched. The clocks are the pipelines', set by the test. On both stores.
func TestDeadProcessJobsAreHandedBack(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kabar.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testDeadProcess(t, st, riversqlite.New(st.DB()))
	})
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testDeadProcess(t, st, riverpgxv5.New(st.Pool()))
	})
}

func testDeadProcess[TTx any](t *testing.T, st store.Store, driver riverdriver.Driver[TTx]) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := Migrate(ctx, driver); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	f := &model.Feed{URL: "https://feeds.example/dead.xml"}
	if err := st.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	// Paused, so that no process polls it: the test enqueues the items.
	if err := st.SetFeedPaused(ctx, f.ID, true); err != nil {
		t.Fatal(err)
	}
	good := newFakeWeb()
	var items []model.Item
	for n := 1; n <= 3; n++ {
		link := fmt.Sprintf("https://site%d.example/news/report-%d", n, n)
		good.page(link, "text/html", articlePage(n))
		items = append(items, model.Item{FeedID: f.ID, GUID: fmt.Sprint("g", n), Link: link, Title: fmt.Sprint("Report number ", n)})
	}
	if _, err := st.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	// A process on a fixed clock, with a beat too slow to matter: only
	// the test's calls to CheckLiveness judge.
	start := func(web Fetcher, now time.Time) (*Queue[TTx], *Pipeline) {
		t.Helper()
		p := New(st, web, nil)
		p.Now = func() time.Time { return now }
		q, err := NewQueue(driver, p, Options{Workers: 1, Heartbeat: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return q, p
	}
	insert := func(q *Queue[TTx], ids ...int64) int64 {
		t.Helper()
		res, err := q.client.Insert(ctx, BatchArgs{ItemIDs: ids}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Job.ID
	}
	job := func(q *Queue[TTx], id int64) *rivertype.JobRow {
		t.Helper()
		j, err := q.client.JobGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}

	// Process A takes a batch and hangs; it beat last at t0.
	deadWeb := newHangingWeb()
	a, _ := start(deadWeb, t0)
	deadJob := insert(a, items[0].ID, items[1].ID)
	<-deadWeb.started
	// Process C, alive (it beats at t0+2m), takes another and hangs too.
	liveWeb := newHangingWeb()
	c, _ := start(liveWeb, t0.Add(2*time.Minute))
	liveJob := insert(c, items[2].ID)
	<-liveWeb.started
	defer func() {
		close(deadWeb.release)
		close(liveWeb.release)
		for _, q := range []*Queue[TTx]{a, c} {
			q.Stop(context.Background())
		}
	}()

	// Process B checks at t0+50s: A is late, not dead.
	now := t0.Add(50 * time.Second)
	pb := New(st, good, nil)
	pb.Now = func() time.Time { return now }
	b, err := NewQueue(driver, pb, Options{Workers: 2, Heartbeat: 10 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if b.DeadAfter() != 60*time.Hour || a.DeadAfter() != 6*time.Hour {
		t.Fatalf("DeadAfter = %v, %v: six beats", b.DeadAfter(), a.DeadAfter())
	}
	// B's own beat every 10 s, as by default: silent for a minute is dead.
	b.opt.Heartbeat = defaultHeartbeat
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop(context.Background())
	if err := b.CheckLiveness(ctx); err != nil {
		t.Fatal(err)
	}
	if j := job(b, deadJob); j.State != rivertype.JobStateRunning {
		t.Fatalf("A's job after 50 s of silence: %s, want still running", j.State)
	}

	// At t0+2m A has been silent for two minutes: its job is handed back
	// and B finishes it; C's job is left alone.
	now = t0.Add(2 * time.Minute)
	if err := b.CheckLiveness(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		j := job(b, deadJob)
		if j.State == rivertype.JobStateCompleted {
			if !slices.Contains(j.AttemptedBy, b.ClientID()) || j.AttemptedBy[0] != a.ClientID() {
				t.Errorf("attempted by %v, want A (%s) then B (%s)", j.AttemptedBy, a.ClientID(), b.ClientID())
			}
			if len(j.Errors) != 1 || j.Errors[0].Attempt != 1 {
				t.Errorf("errors recorded on the rescued job: %+v, want A's attempt", j.Errors)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("A's job was not finished by B: %s, attempted by %v", j.State, j.AttemptedBy)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if j := job(b, liveJob); j.State != rivertype.JobStateRunning || !slices.Equal(j.AttemptedBy, []string{c.ClientID()}) {
		t.Fatalf("the live process's job: %s by %v, want running by C alone", j.State, j.AttemptedBy)
	}
	for _, it := range items[:2] {
		got, err := st.Item(ctx, it.ID)
		if err != nil || got.Status != model.ItemDone {
			t.Fatalf("item %d: %+v %v, want done", it.ID, got, err)
		}
		if n := good.fetched(it.Link); n != 1 {
			t.Errorf("%s fetched %d times by B, want once", it.Link, n)
		}
	}
	if n := deadWeb.requests.Load(); n != 1 {
		t.Errorf("A made %d requests, want the one it hangs on", n)
	}
	if n, _ := st.CountPosts(ctx); n != 2 {
		t.Errorf("posts = %d, want 2", n)
	}
	// A's row is gone: its next beat says it was taken for dead.
	if err := st.Beat(ctx, a.ClientID(), t0, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A's beat after the rescue: %v, want ErrNotFound", err)
	}
	if err := st.Beat(ctx, c.ClientID(), now, false); err != nil {
		t.Errorf("C was forgotten: %v", err)
	}
}

// A dead process's job with no attempt left (one-pass runs give every job
// one) is discarded, as River's rescuer would, and the items it had
// claimed are released at once for the next run, not when the claim runs
// out. On both stores.
func TestDeadProcessJobWithoutAttemptsIsDiscardedAndReleased(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kabar.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testDiscardedJob(t, st, riversqlite.New(st.DB()))
	})
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testDiscardedJob(t, st, riverpgxv5.New(st.Pool()))
	})
}

func testDiscardedJob[TTx any](t *testing.T, st store.Store, driver riverdriver.Driver[TTx]) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := Migrate(ctx, driver); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	f := &model.Feed{URL: "https://feeds.example/once.xml"}
	if err := st.AddFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	items := []model.Item{{FeedID: f.ID, GUID: "a", Link: "https://site.example/a"}, {FeedID: f.ID, GUID: "b", Link: "https://site.example/b"}}
	if _, err := st.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	web := newHangingWeb()
	pa := New(st, web, nil)
	pa.Now = func() time.Time { return t0 }
	a, err := NewQueue(driver, pa, Options{Once: true, Workers: 1, Heartbeat: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(web.release)
		a.Stop(context.Background())
	}()
	res, err := a.client.Insert(ctx, BatchArgs{ItemIDs: []int64{items[0].ID, items[1].ID}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-web.started
	now := t0.Add(2 * time.Minute)
	pb := New(st, newFakeWeb(), nil)
	pb.Now = func() time.Time { return now }
	b, err := NewQueue(driver, pb, Options{Once: true, Heartbeat: defaultHeartbeat})
	if err != nil {
		t.Fatal(err)
	}
	// The check alone, without starting B's workers.
	if err := st.Beat(ctx, b.ClientID(), now, true); err != nil {
		t.Fatal(err)
	}
	// Before the check, A's claim (until t0 + the job timeout) holds.
	if got, _ := st.ClaimItems(ctx, []int64{items[0].ID}, "someone-else", now, now.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("claimed an item A holds: %+v", got)
	}
	if err := b.CheckLiveness(ctx); err != nil {
		t.Fatal(err)
	}
	j, err := a.client.JobGet(ctx, res.Job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != rivertype.JobStateDiscarded || j.FinalizedAt == nil {
		t.Fatalf("A's job: %s (finalized %v), want discarded", j.State, j.FinalizedAt)
	}
	got, err := st.ClaimItems(ctx, []int64{items[0].ID, items[1].ID}, "someone-else", now, now.Add(time.Minute))
	if err != nil || len(got) != 2 {
		t.Fatalf("items after the discard: %d claimed, %v; want both free", len(got), err)
	}
}
