// Package synth makes a stream of synthetic news for timing story
// assignment: events with their own names and words, reported several
// times each (a tenth of the reports copies of an earlier one with edits),
// in a vocabulary whose common words follow Zipf's law, so that rarity
// weighting and the indexes meet realistic skew. The stream is a function
// of its seed: a process that skips its first n posts sees what a store
// filled with them by another process holds.
package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/story"
)

// Version names the stream: stores filled from another version are not
// the same posts.
const Version = "synth-1"

// Stream is the synthetic news stream.
type Stream struct {
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

// New returns the stream of a seed, perDay posts published a day from
// 2024-01-01.
func New(seed uint64, perDay int) *Stream {
	r := rand.New(rand.NewPCG(seed, 99))
	s := &Stream{r: r, start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), every: 24 * time.Hour / time.Duration(perDay)}
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

func (s *Stream) word() string { return s.vocab[s.zipf.Uint64()] }

func (s *Stream) rare() string { return s.vocab[len(s.vocab)/2+s.r.IntN(len(s.vocab)/2)] }

func capital(w string) string { return strings.ToUpper(w[:1]) + w[1:] }

// Post makes the next post.
func (s *Stream) Post() *model.Post {
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
		Paragraphs: paras, ContentHash: ContentHash(paras)}
}

// ContentHash is the pipeline's: SavePost stores one text once.
func ContentHash(paras []string) string {
	h := sha256.New()
	for _, p := range paras {
		h.Write([]byte(strings.ToLower(strings.Join(strings.Fields(p), " "))))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
