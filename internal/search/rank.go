package search

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Ranking is done here, in Go, for both stores: each store finds a query's
// matches with its own index (FTS5, a GIN index), reads the newest
// RankWindow of them with their stemmed fields, and Rank orders them. One
// function means SQLite and PostgreSQL order alike, and it keeps the cost
// of a query bounded: FTS5's bm25() and a count of every match each walk
// the whole list of posts a word occurs in (150 ms for a word in most of
// 100 000 posts), where reading a window of posts costs the same for a
// common word as for a rare one.
//
// The score of a post is BM25 summed over its fields, each field weighed
// (TitleWeight, MetaWeight, BodyWeight) as FTS5's bm25() weighs columns:
//
//	relevance = Σ clauses idf × Σ fields w × tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))
//
// with k1 = 1.2 and b = 0.75; tf counts the clause's forms in the field,
// len is the field's length in bytes and avglen its mean over the window.
// The body is read up to BodyScanBytes: past the opening of a news text
// more occurrences add little to a saturated tf. Then recency is blended
// in (RecencyDays).
const (
	TitleWeight = 10.0
	MetaWeight  = 4.0
	BodyWeight  = 1.0

	// BodyScanBytes is how much of a post's stemmed body the stores read
	// for ranking: about the first two paragraphs, where a news text says
	// what it is about. SQLite keeps this much of each body in a table of
	// its own (migration 018), so changing it needs a migration there.
	BodyScanBytes = 1024

	bm25K1 = 1.2
	bm25B  = 0.75
)

// RankWindow is how many of a query's matches are ranked: the newest ones.
// A word found in more posts than this is one a reader follows as news,
// and the newest reports of it are the ones worth reading first.
const RankWindow = 300

// StrongWindow is how many strong matches (found in a title or a lead:
// FTS5Strong; on PostgreSQL an index of title and meta) are ranked besides: the newest ones, however
// old. An older strong match can beat a newer weak one, but hardly the
// hundred newer strong ones, whose recency weighs more (RecencyDays).
const StrongWindow = 100

// Doc is a post as ranking sees it: its stemmed fields (Fields), the body
// possibly cut to BodyScanBytes, with the whole body's length.
type Doc struct {
	ID          int64
	Title, Meta string
	Body        string
	BodyBytes   int
	Published   time.Time
	Score       float64 // set by Rank
}

// Ranker scores posts for one query.
type Ranker struct {
	clauses []clause
	idf     []float64
}

// A clause is the forms one required clause is found under, and lead,
// the longest text that starts all of them ("noderl" for "noderle" and
// its stem "noderl"): one pass over a field for lead finds every place
// any form can be, where a pass for each form read the field once for
// each. lead is "" when the forms share no start.
type clause struct {
	forms []form
	lead  string
}

// A form is one text a clause is found under: stemmed words in order, the
// last one a prefix for "evacu*".
type form struct {
	text   string
	prefix bool
}

// NewRanker prepares q's required clauses for ranking. df holds, for each
// clause of q.Must, how many posts it matches (a store may cap large
// counts: the idf of a word in thousands of posts is near zero either way)
// and posts how many posts there are; nil df weighs every clause alike, as
// for a query of one clause, whose order idf cannot change.
func NewRanker(q Query, df []int, posts int) *Ranker {
	r := &Ranker{}
	for i, c := range q.Must {
		var fs []form
		for _, a := range c {
			for _, f := range atomForms(a, q.Lang) {
				fs = append(fs, form{text: f, prefix: a.Prefix})
			}
		}
		r.clauses = append(r.clauses, clause{forms: fs, lead: commonStart(fs)})
		idf := 1.0
		if i < len(df) && posts > 0 {
			n := float64(min(df[i], posts))
			idf = math.Log(1 + (float64(posts)-n+0.5)/(n+0.5))
		}
		r.idf = append(r.idf, idf)
	}
	return r
}

// Rank scores docs and sorts them best first (newer first among equals).
func (r *Ranker) Rank(docs []Doc, now time.Time) {
	if len(docs) == 0 {
		return
	}
	var avg [3]float64
	for i := range docs {
		avg[0] += float64(len(docs[i].Title))
		avg[1] += float64(len(docs[i].Meta))
		avg[2] += float64(max(docs[i].BodyBytes, len(docs[i].Body)))
	}
	for i := range avg {
		avg[i] = max(avg[i]/float64(len(docs)), 1)
	}
	// A search ranks hundreds of posts, scored each on its own.
	InParts(len(docs), minPart, func(from, to int) { r.score(docs[from:to], &avg, now) })
	sortDocs(docs)
}

// minPart is the fewest posts scored apart from the rest (Rank): fewer
// take less time than starting a goroutine for them is worth.
const minPart = 64

// InParts calls do on parts of the range 0 to n, in parallel, a part for
// each of the machine's cores but none shorter than minPart (the whole
// range in one call when it is shorter than two), and returns when every
// call has. A search's work on each post (its score, its snippet) is its
// own: on several cores the reader waits for the slowest part rather
// than for all of them.
func InParts(n, minPart int, do func(from, to int)) {
	parts := min(runtime.GOMAXPROCS(0), n/max(minPart, 1))
	if parts < 2 {
		do(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() { do(p*n/parts, (p+1)*n/parts) })
	}
	wg.Wait()
}

// score sets the scores of docs, given the average length of each field
// (title, meta, body) over all the docs ranked.
func (r *Ranker) score(docs []Doc, avg *[3]float64, now time.Time) {
	for i := range docs {
		d := &docs[i]
		fields := [3]struct {
			text string
			len  int
			w    float64
		}{
			{d.Title, len(d.Title), TitleWeight},
			{d.Meta, len(d.Meta), MetaWeight},
			{d.Body, max(d.BodyBytes, len(d.Body)), BodyWeight},
		}
		rel := 0.0
		for c, cl := range r.clauses {
			s := 0.0
			for k, f := range fields {
				if tf := cl.count(f.text); tf > 0 {
					t := float64(tf)
					s += f.w * t * (bm25K1 + 1) / (t + bm25K1*(1-bm25B+bm25B*float64(f.len)/avg[k]))
				}
			}
			rel += r.idf[c] * s
		}
		d.Score = rel * Recency(d.Published, now)
	}
}

// sortDocs sorts docs best first, newer first among equals, and keeps the
// order of docs alike in both (a store never gives one post twice). It
// sorts their positions and moves each doc once: sorting the docs
// themselves moved them, a hundred bytes each, at every step.
func sortDocs(docs []Doc) {
	order := make([]int32, len(docs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		a, b := &docs[i], &docs[j]
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.ID, a.ID); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	sorted := make([]Doc, len(docs))
	for i, o := range order {
		sorted[i] = docs[o]
	}
	copy(docs, sorted)
}

// Recency is the factor relevance is multiplied by for a post published
// at t (RecencyDays).
func Recency(t, now time.Time) float64 {
	age := max(now.Sub(t).Hours()/24, 0)
	return 1 + 1/(1+age/RecencyDays)
}

// count returns how often the clause's forms occur in text (stemmed words
// separated by single spaces), each as a whole word, or as the start of a
// word for a prefix; in one pass over text when the forms share a lead.
func (c *clause) count(text string) int {
	if c.lead != "" {
		return countAt(text, c.lead, c.forms)
	}
	n := 0
	for i, f := range c.forms {
		n += countAt(text, f.text, c.forms[i:i+1])
	}
	return n
}

// countAt counts the occurrences of forms, each of which starts with lead,
// looking only where lead starts a word.
func countAt(text, lead string, forms []form) int {
	if lead == "" {
		return 0
	}
	n := 0
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], lead)
		if j < 0 {
			break
		}
		at := i + j
		if at == 0 || text[at-1] == ' ' {
			for _, f := range forms {
				end := at + len(f.text)
				if f.text != "" && strings.HasPrefix(text[at:], f.text) && (f.prefix || end == len(text) || text[end] == ' ') {
					n++
				}
			}
		}
		i = at + 1
	}
	return n
}

// commonStart returns the longest text all of fs's forms start with
// (forms of no text, which count nowhere, aside).
func commonStart(fs []form) string {
	lead, seen := "", false
	for _, f := range fs {
		if f.text == "" {
			continue
		}
		if !seen {
			lead, seen = f.text, true
			continue
		}
		n := 0
		for n < len(lead) && n < len(f.text) && lead[n] == f.text[n] {
			n++
		}
		lead = lead[:n]
	}
	return lead
}
