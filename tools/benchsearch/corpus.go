package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// vocabulary is how many root words the corpus is written with.
const vocabulary = 20_000

// words writes the corpus: root words drawn by a Zipf law (s = 1.07, as
// the words of news text), a quarter of them inflected as English or
// Indonesian would (floods, flooded, flooding; mengungsi, pengungsian,
// dievakuasi), so that the stemmers do the work they do on real posts.
type words struct {
	roots []string
	zipf  *rand.Zipf
	rng   *rand.Rand
}

var (
	enSuffixes = []string{"s", "ed", "ing", "er", "ly"}
	idPrefixes = []string{"me", "mem", "men", "meng", "di", "ber", "ter", "pe", "peng", "ke"}
	idSuffixes = []string{"kan", "an", "i", "nya", ""}
)

func newWords(seed uint64) *words {
	rng := rand.New(rand.NewPCG(seed, 7))
	syl := []string{"ka", "ba", "ru", "lan", "dan", "ge", "ung", "si", "ta", "pu", "ra", "ja", "wa", "ti", "no",
		"bor", "der", "mi", "gra", "sun", "po", "le", "kre", "eu", "sa", "na", "go", "ro", "vi", "du", "har", "tor"}
	seen := map[string]bool{}
	var roots []string
	for len(roots) < vocabulary {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		if r := b.String(); !seen[r] {
			seen[r] = true
			roots = append(roots, r)
		}
	}
	return &words{roots: roots, rng: rng, zipf: rand.NewZipf(rand.New(rand.NewPCG(seed, 8)), 1.07, 2, vocabulary-1)}
}

// inflect returns a form of root as a post in lang may write it.
func (w *words) inflect(root, lang string) string {
	if w.rng.IntN(4) != 0 {
		return root
	}
	if lang == "id" {
		return idPrefixes[w.rng.IntN(len(idPrefixes))] + root + idSuffixes[w.rng.IntN(len(idSuffixes))]
	}
	return root + enSuffixes[w.rng.IntN(len(enSuffixes))]
}

func (w *words) sentence(n int, lang string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = w.inflect(w.roots[w.zipf.Uint64()], lang)
	}
	s := strings.Join(parts, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// buildSQLite opens the corpus file and adds posts until it holds want:
// two years of dates, 20 feeds, 300 publishers, two English posts to each
// Indonesian one, 4 to 10 paragraphs of about 33 words.
func buildSQLite(ctx context.Context, path string, want int, w *words, seed uint64) (*sqlite.Store, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	have, err := st.CountPosts(ctx)
	if err != nil || have >= want {
		if err == nil && have > want {
			err = fmt.Errorf("%s holds %d posts, more than -posts %d: remove it or give -db another file", path, have, want)
		}
		if err != nil {
			_ = st.Close() // the error above is the one to report
			return nil, err
		}
		return st, nil
	}
	rng := rand.New(rand.NewPCG(seed, uint64(have)+9))
	feeds, err := st.Feeds(ctx)
	if err != nil {
		_ = st.Close() // the error above is the one to report
		return nil, err
	}
	for i := len(feeds); i < 20; i++ {
		f := &model.Feed{URL: fmt.Sprintf("https://news.example/topic%d.xml", i), Paused: true}
		if err := st.AddFeed(ctx, f); err != nil {
			_ = st.Close() // the error above is the one to report
			return nil, err
		}
		feeds = append(feeds, *f)
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	span := 2 * 365 * 24 * time.Hour
	last := time.Now()
	for i := have; i < want; i++ {
		lang := "en"
		if i%3 == 0 {
			lang = "id"
		}
		paras := make([]string, 4+rng.IntN(7))
		for j := range paras {
			paras[j] = w.sentence(10+rng.IntN(16), lang) + " " + w.sentence(8+rng.IntN(16), lang)
		}
		p := &model.Post{
			FeedID:     feeds[rng.IntN(len(feeds))].ID,
			Title:      strings.TrimSuffix(w.sentence(5+rng.IntN(7), lang), "."),
			Publisher:  fmt.Sprintf("Publisher %d", int(300*rng.Float64()*rng.Float64())),
			Author:     fmt.Sprintf("Author %d", rng.IntN(2000)),
			SourceURL:  fmt.Sprintf("https://publisher%d.example/story/%d", i%300, i),
			Published:  start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second),
			Language:   lang,
			Paragraphs: paras,
		}
		if _, err := st.SavePost(ctx, p); err != nil {
			_ = st.Close() // the error above is the one to report
			return nil, err
		}
		if time.Since(last) > 10*time.Second {
			log.Printf("  %d/%d posts", i+1, want)
			last = time.Now()
		}
	}
	return st, nil
}

// buildPG opens the corpus schema (kabar_bench_search_<posts>) and, unless
// it holds the corpus already, copies the SQLite corpus into it.
func buildPG(ctx context.Context, base string, want int, src *sqlite.Store) (*postgres.Store, error) {
	schema := fmt.Sprintf("kabar_bench_search_%d", want)
	u, err := withSchema(ctx, base, schema, true)
	if err != nil {
		return nil, err
	}
	st, err := postgres.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	have, err := st.CountPosts(ctx)
	if err == nil && have != want {
		if have != 0 {
			// A corpus of another seed or an interrupted copy: start over.
			_ = st.Close() // dropped next: its contents are thrown away
			dropSchema(base, schema)
			if u, err = withSchema(ctx, base, schema, true); err != nil {
				return nil, err
			}
			if st, err = postgres.Open(ctx, u); err != nil {
				return nil, err
			}
		}
		log.Printf("copying the corpus into PostgreSQL schema %s", schema)
		if _, err = st.CopyFromSQLite(ctx, src.DB()); err == nil {
			_, err = st.Pool().Exec(ctx, `ANALYZE`)
		}
	}
	if err == nil {
		err = pgRaw(ctx, st.Pool())
	}
	if err != nil {
		_ = st.Close() // the error above is the one to report
		return nil, err
	}
	return st, nil
}

// query is one timed search: text for the current search, old for the
// baseline (the same but for prefixes, which the baseline lacks: it is
// given the whole root word).
type query struct {
	kind, text, old string
}

// queries makes n searches of each kind from the corpus's vocabulary, as
// root words (which the baseline finds where they are written so; the
// current search finds their inflected forms too): "common" words (Zipf
// ranks 5-40, in a large part of the posts), "rare" ones (ranks 5 000 to
// 20 000, in a few posts), "two words" of middle ranks (50-2 000) and
// "prefix*", the first four letters of a middle-rank root.
func (w *words) queries(n int, seed uint64) []query {
	rng := rand.New(rand.NewPCG(seed, 11))
	word := func(lo, hi int) string { return w.roots[lo+rng.IntN(hi-lo)] }
	var out []query
	for range n {
		common, rare, two := word(5, 40), word(5_000, vocabulary), word(50, 2_000)+" "+word(50, 2_000)
		root := word(50, 2_000)
		out = append(out,
			query{"common word", common, common},
			query{"rare word", rare, rare},
			query{"two words", two, two},
			query{"prefix*", root[:4] + "*", root})
	}
	return out
}

// searchFunc runs one search and returns its count of matches.
type searchFunc func(ctx context.Context, q string) (int, error)

type percentiles struct{ p50, p99 time.Duration }

type latencyRow struct {
	store, kind         string
	n                   int
	matches, oldMatches int
	cur, old            percentiles
}

var kinds = []string{"common word", "rare word", "two words", "prefix*"}

// measure times every query with the current search and the baseline in
// turn (after a warm-up of each kind), so that both see the same machine.
func measure(ctx context.Context, storeName string, qs []query, cur, old searchFunc) ([]latencyRow, error) {
	type acc struct {
		cur, old   []time.Duration
		curN, oldN []int
	}
	by := map[string]*acc{}
	last := time.Now()
	for i, q := range qs {
		if time.Since(last) > 15*time.Second {
			log.Printf("  %s: %d/%d queries", storeName, i, len(qs))
			last = time.Now()
		}
		a := by[q.kind]
		if a == nil {
			a = &acc{}
			by[q.kind] = a
		}
		warm := i < 4*len(kinds)
		// Alternate which of the two goes first.
		for _, isCur := range [][2]bool{{true, false}, {false, true}}[i%2] {
			f, text := old, q.old
			if isCur {
				f, text = cur, q.text
			}
			t := time.Now()
			n, err := f(ctx, text)
			d := time.Since(t)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", text, err)
			}
			switch {
			case warm:
			case isCur:
				a.cur, a.curN = append(a.cur, d), append(a.curN, n)
			default:
				a.old, a.oldN = append(a.old, d), append(a.oldN, n)
			}
		}
	}
	var rows []latencyRow
	for _, k := range kinds {
		a := by[k]
		if a == nil {
			continue
		}
		rows = append(rows, latencyRow{store: storeName, kind: k, n: len(a.cur), matches: median(a.curN), oldMatches: median(a.oldN),
			cur: pct(a.cur), old: pct(a.old)})
	}
	return rows, nil
}

func pct(ds []time.Duration) percentiles {
	if len(ds) == 0 {
		return percentiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return percentiles{at(0.50), at(0.99)}
}

func median(ns []int) int {
	if len(ns) == 0 {
		return 0
	}
	s := slices.Clone(ns)
	slices.Sort(s)
	return s[len(s)/2]
}
