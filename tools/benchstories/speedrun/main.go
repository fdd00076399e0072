// Command speedrun times story assignment in a process of its own, so that
// benchstories can build it twice, from the current internal/story and
// from an older one (go build -overlay), and compare the two on the same
// stored posts with the same store code. It uses only what both versions
// of internal/story have: NewAssigner, Load, Assign, IndexSize.
//
// With -fill it saves and assigns the synthetic stream's posts (package
// synth) from -from up to -stored. Otherwise it opens a store holding the
// stream's first -stored posts, builds the index from it (Load), assigns
// -warm posts untimed and then -measure posts timed, and prints one JSON
// line (runresult.Result).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/story"
	"github.com/kabarnews/kabar/tools/benchstories/runresult"
	"github.com/kabarnews/kabar/tools/benchstories/synth"
)

type fullStore interface {
	story.Store
	SavePost(ctx context.Context, p *model.Post) (bool, error)
	Close() error
}

func main() {
	kind := flag.String("store", "sqlite", "sqlite or postgres")
	db := flag.String("db", "", "SQLite file or PostgreSQL URL")
	stored := flag.Int("stored", 10000, "posts of the stream the store holds (after -fill: is to hold)")
	from := flag.Int("from", 0, "with -fill: posts of the stream the store already holds")
	fill := flag.Bool("fill", false, "save and assign the stream's posts from -from to -stored")
	measure := flag.Int("measure", 1000, "posts assigned and timed")
	warm := flag.Int("warm", 200, "posts assigned before timing")
	perDay := flag.Int("per-day", 5000, "synthetic posts published a day")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed posts here (go tool pprof)")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	var st fullStore
	var err error
	switch *kind {
	case "sqlite":
		st, err = sqlite.Open(ctx, *db)
	case "postgres":
		st, err = postgres.Open(ctx, *db)
	default:
		err = fmt.Errorf("unknown store %q (sqlite or postgres)", *kind)
	}
	if err != nil {
		log.Fatalf("speedrun: %v", err)
	}
	defer closeStore(st)
	s := synth.New(1, *perDay)
	skip := *stored
	if *fill {
		skip = *from
	}
	for i := 0; i < skip; i++ {
		s.Post()
	}
	ts := &timedStore{Store: st}
	a := story.NewAssigner(ts, story.Config{})
	var res runresult.Result
	if *fill {
		t0 := time.Now()
		for i := *from; i < *stored; i++ {
			if err := add(ctx, st, a, s.Post()); err != nil {
				log.Fatalf("speedrun: fill: %v", err)
			}
		}
		res.FillS = time.Since(t0).Seconds()
	} else {
		res, err = run(ctx, st, ts, a, s, *warm, *measure, *cpuProfile)
		if err != nil {
			log.Fatalf("speedrun: %v", err)
		}
		res.Stored = *stored
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		log.Fatal(err)
	}
}

func add(ctx context.Context, st fullStore, a *story.Assigner, p *model.Post) error {
	if _, err := st.SavePost(ctx, p); err != nil {
		return err
	}
	_, _, err := a.Assign(ctx, p, nil)
	return err
}

func run(ctx context.Context, st fullStore, ts *timedStore, a *story.Assigner, s *synth.Stream, warm, measure int, profile string) (runresult.Result, error) {
	var res runresult.Result
	t0 := time.Now()
	if err := a.Load(ctx); err != nil {
		return res, err
	}
	res.LoadMS = float64(time.Since(t0).Microseconds()) / 1e3
	res.HeapLoadMB = heapMB()
	for i := 0; i < warm; i++ {
		if err := add(ctx, st, a, s.Post()); err != nil {
			return res, err
		}
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return res, err
		}
		defer func() { _ = f.Close() }() // a CPU profile for reading later; the figures are printed
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		defer pprof.StopCPUProfile()
	}
	ts.spent, ts.cpu, ts.calls = 0, 0, nil
	walls := make([]time.Duration, 0, measure)
	var cpu time.Duration
	for i := 0; i < measure; i++ {
		p := s.Post()
		if _, err := st.SavePost(ctx, p); err != nil {
			return res, err
		}
		c0 := cpuTime()
		t0 := time.Now()
		if _, _, err := a.Assign(ctx, p, nil); err != nil {
			return res, err
		}
		walls = append(walls, time.Since(t0))
		cpu += cpuTime() - c0
	}
	var total time.Duration
	for _, d := range walls {
		total += d
	}
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	n := float64(measure)
	res.Measured = measure
	res.WallUS, res.CPUUS, res.StoreUS, res.StoreCPUUS = us(total)/n, us(cpu)/n, us(ts.spent)/n, us(ts.cpu)/n
	slices.Sort(walls)
	res.P50US, res.P99US = us(walls[len(walls)/2]), us(walls[len(walls)*99/100])
	res.IndexPosts = a.IndexSize()
	res.Calls = ts.calls
	res.HeapEndMB = heapMB()
	runtime.KeepAlive(a)
	return res, nil
}

func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timedStore counts the time the Assigner spends in the store.
type timedStore struct {
	story.Store
	spent time.Duration
	cpu   time.Duration // this process's CPU time in store calls
	calls map[string]int
}

func (t *timedStore) time(method string, start time.Time, cpu0 time.Duration) {
	t.spent += time.Since(start)
	t.cpu += cpuTime() - cpu0
	if t.calls == nil {
		t.calls = map[string]int{}
	}
	t.calls[method]++
}

func (t *timedStore) AssignStory(ctx context.Context, a *store.StoryAssignment) (bool, error) {
	defer t.time("AssignStory", time.Now(), cpuTime())
	return t.Store.AssignStory(ctx, a)
}

func (t *timedStore) StoryKeys(ctx context.Context, keys []string) (map[string]int64, error) {
	defer t.time("StoryKeys", time.Now(), cpuTime())
	return t.Store.StoryKeys(ctx, keys)
}

func (t *timedStore) AddStoryKeys(ctx context.Context, id int64, keys []string) error {
	defer t.time("AddStoryKeys", time.Now(), cpuTime())
	return t.Store.AddStoryKeys(ctx, id, keys)
}

func (t *timedStore) MergeStories(ctx context.Context, from, into int64) error {
	defer t.time("MergeStories", time.Now(), cpuTime())
	return t.Store.MergeStories(ctx, from, into)
}

// MoveStoryPost is an optional method of the store (the current
// Assigner moves reports that joined on weak evidence; the older one does
// not), passed on when the store has it.
func (t *timedStore) MoveStoryPost(ctx context.Context, postID, to int64, score float64, evidence string) error {
	defer t.time("MoveStoryPost", time.Now(), cpuTime())
	mv, ok := t.Store.(interface {
		MoveStoryPost(ctx context.Context, postID, to int64, score float64, evidence string) error
	})
	if !ok {
		return fmt.Errorf("the store cannot move a post between stories")
	}
	return mv.MoveStoryPost(ctx, postID, to, score, evidence)
}

func (t *timedStore) RerootCopies(ctx context.Context, oldRoot, newRoot int64) error {
	defer t.time("RerootCopies", time.Now(), cpuTime())
	return t.Store.RerootCopies(ctx, oldRoot, newRoot)
}

func (t *timedStore) StoryLinksAfter(ctx context.Context, seq int64, limit int) ([]store.StoryLink, error) {
	defer t.time("StoryLinksAfter", time.Now(), cpuTime())
	return t.Store.StoryLinksAfter(ctx, seq, limit)
}

func (t *timedStore) Post(ctx context.Context, id int64) (*model.Post, error) {
	defer t.time("Post", time.Now(), cpuTime())
	return t.Store.Post(ctx, id)
}

// closeStore closes the store at the end; when its last writes could not be
// made the figures printed are for a store that lost posts, and the run
// fails.
func closeStore(st io.Closer) {
	if err := st.Close(); err != nil {
		log.Fatalf("speedrun: closing the store: %v", err)
	}
}
