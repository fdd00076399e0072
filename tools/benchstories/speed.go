package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/story"
)

// synth makes a stream of synthetic news: events with their own names and
// words, reported several times each (a tenth of the reports copies of an
// earlier one with edits), in a vocabulary whose common words follow Zipf's
// law, so that rarity weighting and the indexes meet realistic skew.
type synth struct {
	r      *rand.Rand
	vocab  []string
	zipf   *rand.Zipf
	events []event
	next   int
	start  time.Time
	every  time.Duration
}

type event struct {
	names, words []string
	posts        [][]string // bodies so far, for copies
}

func newSynth(seed uint64, perDay int) *synth {
	r := rand.New(rand.NewPCG(seed, 99))
	s := &synth{r: r, start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), every: 24 * time.Hour / time.Duration(perDay)}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	seen := map[string]bool{}
	for len(s.vocab) < 60000 {
		n := 3 + r.IntN(8)
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(letters[r.IntN(len(letters))])
		}
		if w := b.String(); !seen[w] && !story.IsStopword(w) {
			seen[w] = true
			s.vocab = append(s.vocab, w)
		}
	}
	s.zipf = rand.NewZipf(r, 1.1, 2, uint64(len(s.vocab)-1))
	return s
}

func (s *synth) word() string { return s.vocab[s.zipf.Uint64()] }

func (s *synth) rare() string { return s.vocab[len(s.vocab)/2+s.r.IntN(len(s.vocab)/2)] }

func capital(w string) string { return strings.ToUpper(w[:1]) + w[1:] }

// post makes the next post.
func (s *synth) post() *model.Post {
	at := s.start.Add(time.Duration(s.next) * s.every)
	s.next++
	// A new event one post in six; otherwise one of the latest 300 events,
	// recent ones likelier.
	var e *event
	if len(s.events) == 0 || s.r.IntN(6) == 0 {
		s.events = append(s.events, event{})
		e = &s.events[len(s.events)-1]
		for i := 0; i < 3; i++ {
			e.names = append(e.names, capital(s.rare()))
		}
		for i := 0; i < 6; i++ {
			e.words = append(e.words, s.rare())
		}
	} else {
		back := min(len(s.events), 300)
		e = &s.events[len(s.events)-1-int(float64(back)*s.r.Float64()*s.r.Float64())]
	}
	if len(s.events) > 1000 {
		s.events = append([]event(nil), s.events[len(s.events)-400:]...)
	}
	pick := func() string {
		switch x := s.r.IntN(100); {
		case x < 6:
			return e.names[s.r.IntN(len(e.names))]
		case x < 15:
			return e.words[s.r.IntN(len(e.words))]
		}
		return s.word()
	}
	var title []string
	title = append(title, e.names[s.r.IntN(len(e.names))], e.words[s.r.IntN(len(e.words))])
	for i := 0; i < 6; i++ {
		title = append(title, pick())
	}
	s.r.Shuffle(len(title), func(i, j int) { title[i], title[j] = title[j], title[i] })
	title[0] = capital(title[0])
	var paras []string
	if len(e.posts) > 0 && s.r.IntN(10) == 0 {
		// A copy: an earlier report with its ending trimmed and words changed.
		src := e.posts[s.r.IntN(len(e.posts))]
		paras = append(paras, src[:max(2, len(src)-s.r.IntN(3))]...)
		for i := range paras {
			if s.r.IntN(3) == 0 {
				paras[i] = strings.Replace(paras[i], " ", " "+s.word()+" ", 1)
			}
		}
	} else {
		for p := 0; p < 5; p++ {
			var b strings.Builder
			for i := 0; i < 40; i++ {
				w := pick()
				if i == 0 {
					w = capital(w)
				}
				b.WriteString(w)
				if i%12 == 11 {
					b.WriteString(". ")
				} else {
					b.WriteByte(' ')
				}
			}
			paras = append(paras, strings.TrimSpace(b.String())+".")
		}
		e.posts = append(e.posts, paras)
		if len(e.posts) > 20 {
			e.posts = e.posts[1:]
		}
	}
	return &model.Post{Title: strings.Join(title, " "), Publisher: fmt.Sprintf("Site %d", s.r.IntN(300)),
		SourceURL: fmt.Sprintf("https://site%d.example/news/%d", s.r.IntN(300), s.next), Published: at,
		Paragraphs: paras, ContentHash: contentHash(paras)}
}

func benchSpeed(ctx context.Context, tmp string, cfg story.Config, sizes []int, measure, perDay int) error {
	fmt.Printf("## Speed: assignment with posts already stored (synthetic news, %d posts a day, SQLite)\n\n", perDay)
	st, err := sqlite.Open(ctx, filepath.Join(tmp, "speed.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	ts := &timedStore{Store: st}
	a := story.NewAssigner(ts, cfg)
	s := newSynth(1, perDay)
	stored := 0
	add := func() (time.Duration, error) {
		p := s.post()
		if _, err := st.SavePost(ctx, p); err != nil {
			return 0, err
		}
		t0 := time.Now()
		_, _, err := a.Assign(ctx, p, nil)
		stored++
		return time.Since(t0), err
	}
	fmt.Println("| stored posts | posts a second | µs a post (rounds: min–max) | of which in the store | posts in the index (window) | Go heap after GC | fill time |")
	fmt.Println("|---|---|---|---|---|---|---|")
	var first float64
	var growth []string
	for _, n := range sizes {
		t0 := time.Now()
		for stored < n {
			if _, err := add(); err != nil {
				return err
			}
		}
		fill := time.Since(t0)
		// The machine is shared: the posts are timed in rounds, and the
		// median round stands for the size.
		type round struct{ us, store float64 }
		var rounds []round
		per := max(1, measure/speedRounds)
		for r := 0; r < speedRounds; r++ {
			var spent time.Duration
			ts.spent = 0
			for i := 0; i < per; i++ {
				d, err := add()
				if err != nil {
					return err
				}
				spent += d
			}
			rounds = append(rounds, round{float64(spent.Microseconds()) / float64(per), float64(ts.spent.Microseconds()) / float64(per)})
		}
		slices.SortFunc(rounds, func(a, b round) int { return cmp.Compare(a.us, b.us) })
		med := rounds[len(rounds)/2]
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("| %d | %.0f | %.0f (%.0f–%.0f) | %.0f | %d | %d MB | %s |\n", n, 1e6/med.us, med.us,
			rounds[0].us, rounds[len(rounds)-1].us, med.store, a.IndexSize(), ms.HeapAlloc>>20, fill.Round(time.Second))
		if first == 0 {
			first = med.us
		} else {
			growth = append(growth, fmt.Sprintf("time a post at %d stored posts / at %d: %.2f×", n, sizes[0], med.us/first))
		}
	}
	fmt.Printf("\n%s\n\n", strings.Join(growth, "\n"))
	return nil
}

// speedRounds is how many rounds the timed posts of each size are cut in.
const speedRounds = 5

// timedStore counts the time the Assigner spends in the store.
type timedStore struct {
	*sqlite.Store
	spent time.Duration
}

func (t *timedStore) time(start time.Time) { t.spent += time.Since(start) }

func (t *timedStore) AssignStory(ctx context.Context, a *store.StoryAssignment) (bool, error) {
	defer t.time(time.Now())
	return t.Store.AssignStory(ctx, a)
}

func (t *timedStore) StoryKeys(ctx context.Context, keys []string) (map[string]int64, error) {
	defer t.time(time.Now())
	return t.Store.StoryKeys(ctx, keys)
}

func (t *timedStore) AddStoryKeys(ctx context.Context, id int64, keys []string) error {
	defer t.time(time.Now())
	return t.Store.AddStoryKeys(ctx, id, keys)
}

func (t *timedStore) MergeStories(ctx context.Context, from, into int64) error {
	defer t.time(time.Now())
	return t.Store.MergeStories(ctx, from, into)
}

func (t *timedStore) RerootCopies(ctx context.Context, oldRoot, newRoot int64) error {
	defer t.time(time.Now())
	return t.Store.RerootCopies(ctx, oldRoot, newRoot)
}

func (t *timedStore) StoryLinksAfter(ctx context.Context, seq int64, limit int) ([]store.StoryLink, error) {
	defer t.time(time.Now())
	return t.Store.StoryLinksAfter(ctx, seq, limit)
}

func (t *timedStore) Post(ctx context.Context, id int64) (*model.Post, error) {
	defer t.time(time.Now())
	return t.Store.Post(ctx, id)
}
