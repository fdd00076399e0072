package story

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// index is the in-memory state of story assignment: the posts and stories
// of the last Window, the words that lead to each story, the LSH buckets
// of the posts' signatures and their exact-text hashes. Its size is bounded
// by the window, and the work for one post by Config.QueryTerms and
// MaxPostings and by the 64 posts read from each LSH bucket, so assignment
// takes about constant time per post however many posts the store holds.
//
// An index is not safe for concurrent use; the Assigner serialises it.
type index struct {
	cfg Config

	docs    map[int64]*doc
	stories map[int64]*storyEntry
	// postings lists, for each title word, the stories whose reports
	// hold it, most recently used last, at most Config.MaxPostings: a
	// story that has not used a word while MaxPostings others did is not
	// found through it.
	postings map[string][]int64
	// df counts the posts in the index holding each word; n is their number.
	df map[string]int
	n  int
	// buckets are the LSH buckets, one map a band: band key → post IDs.
	buckets [Bands]map[uint64][]int64
	// exact maps an exact-text hash to the first post with that text.
	exact map[string]int64
	// weak lists the latest reports that joined on weak evidence, oldest
	// first, at most maxWeak.
	weak []int64
	// copies lists the copies of each original in the index.
	copies map[int64][]int64
	// paras tells boilerplate: for each paragraph of the index's posts, in
	// how many posts and in which (up to boilerplateStories) stories.
	paras map[uint64]*paraStat

	// allFeatures has every feature computed, also those the model does
	// not use (fitting); otherwise the costly ones it gives no weight are
	// left at 0.
	allFeatures bool

	logs        []float64 // logs[k] = ln k
	newest      time.Time // the latest publication time seen
	sinceSweep  int
	sweepPeriod int
}

// doc is one post in the index.
type doc struct {
	postID    int64
	storyID   int64
	published time.Time
	title     map[string]float64
	lead      map[string]float64
	names     map[string]float64
	publisher string
	lang      string
	// weak is the probability it joined its story with when that was weak
	// evidence (below weakProbability), else 0: such a report may move.
	weak float64
	// q caches what scoring needs of a weak report (moves).
	q *query
	// tnorm caches the title's length, as storyEntry.tnorm.
	tnorm float64
	normN int
	sig   *Signature
	hash  string
	paras []uint64
	// copyOf is the post this one copies (0: own reporting).
	copyOf int64
}

// storyEntry is one story in the index.
type storyEntry struct {
	id          int64
	first, last time.Time
	// title and lead sum its reports' title words and lead names, names
	// their names and figures.
	title, lead, names map[string]float64
	// pubs holds each publisher's latest report; langs counts the
	// reports of each language.
	pubs  map[string]time.Time
	langs map[string]int
	// figures counts the figures among names.
	figures int
	// posts are the story's posts in the index.
	posts []int64
	// tnorm and lnorm cache the lengths of title and lead (norms).
	tnorm, lnorm float64
	normN        int
	stale        bool
	count        int
}

func newIndex(cfg Config) *index {
	x := &index{
		cfg:         cfg,
		docs:        map[int64]*doc{},
		stories:     map[int64]*storyEntry{},
		postings:    map[string][]int64{},
		df:          map[string]int{},
		exact:       map[string]int64{},
		copies:      map[int64][]int64{},
		paras:       map[uint64]*paraStat{},
		sweepPeriod: 1024,
	}
	for b := range x.buckets {
		x.buckets[b] = map[uint64][]int64{}
	}
	return x
}

// boilerplateStories: a paragraph found in posts of this many different
// stories is the boilerplate of a site (a newsletter plea, a standard
// disclaimer), not a text anyone copied, and is left out of signatures.
// Copied paragraphs stay within their story.
const boilerplateStories = 3

type paraStat struct {
	posts   int
	stories []int64
}

// boilerplate reports whether a paragraph is boilerplate.
func (x *index) boilerplate(h uint64) bool {
	st := x.paras[h]
	return st != nil && len(st.stories) >= boilerplateStories
}

// sign computes a post's signature as the index sees it.
func (x *index) sign(f *features) {
	if x.keepsPresigned(f) {
		return
	}
	f.sign(x.cfg.MinCopyShingles, x.boilerplate)
}

// idf is a word's rarity weight among the posts of the index (smoothed, so
// that a word never seen weighs most and one in every post still counts a
// little).
func (x *index) idf(term string) float64 {
	return x.log(x.n+1) - x.log(x.df[term]+1) + 1
}

// log is math.Log of a positive integer, from a table: matching takes the
// logarithm of document counts thousands of times a post.
func (x *index) log(k int) float64 {
	if k >= len(x.logs) {
		if k >= 1<<22 {
			return math.Log(float64(k))
		}
		n := len(x.logs)
		x.logs = append(x.logs, make([]float64, max(k+1, 2*n)-n)...)
		for i := max(n, 1); i < len(x.logs); i++ {
			x.logs[i] = math.Log(float64(i))
		}
	}
	return x.logs[k]
}

// norm is the length of a word vector under the current rarity weights.
func (x *index) norm(terms map[string]float64) float64 {
	var s float64
	for t, w := range terms {
		v := w * x.idf(t)
		s += v * v
	}
	return math.Sqrt(s)
}

// cosine of a post (q with its norm qn and its words' idf) and a vector.
func (x *index) cosine(q map[string]float64, qidf map[string]float64, qn float64, d map[string]float64, dn float64) float64 {
	if qn == 0 || dn == 0 || len(d) == 0 {
		return 0
	}
	var dot float64
	small, large := q, d
	if len(d) < len(q) {
		small, large = d, q
	}
	for t, w := range small {
		if v, ok := large[t]; ok {
			idf := qidf[t]
			dot += w * v * idf * idf
		}
	}
	return dot / (qn * dn)
}

// titleCosine is the cosine of a post's title (q) and a story's title
// centroid of length dn: cosine(f.title, q.idf, q.tn, d, dn), by lookups
// of the post's few words only.
func (x *index) titleCosine(q *query, d map[string]float64, dn float64) float64 {
	if q.tn == 0 || dn == 0 || len(d) == 0 {
		return 0
	}
	var dot float64
	for _, t := range q.title {
		if v, ok := d[t.term]; ok {
			dot += t.w * v
		}
	}
	return dot / (q.tn * dn)
}

// norms are a story's title and lead vector lengths. They are kept until
// the story changes or the index's size has moved by a twentieth: the
// rarity weights drift slowly, and recomputing them for every candidate
// was most of the time spent matching.
func (x *index) norms(s *storyEntry) (title, lead float64) {
	if s.stale || 20*abs(x.n-s.normN) > x.n {
		s.tnorm, s.lnorm = x.norm(s.title), x.norm(s.lead)
		s.normN, s.stale = x.n, false
	}
	return s.tnorm, s.lnorm
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// within reports whether t is within the window of the story's reports.
func (x *index) within(s *storyEntry, t time.Time) bool {
	w := x.cfg.Window
	return !s.last.Before(t.Add(-w)) && !s.first.After(t.Add(w))
}

// decay is the time decay of a story's word evidence for a post published
// at t: 1 within the story's span, halved every Config.HalfLife outside.
func (x *index) decay(s *storyEntry, t time.Time) float64 {
	switch {
	case t.After(s.last):
		return x.decayGap(t.Sub(s.last))
	case t.Before(s.first):
		return x.decayGap(s.first.Sub(t))
	}
	return 1
}

// decayGap is the decay over a gap of time: halved every Config.HalfLife.
func (x *index) decayGap(gap time.Duration) float64 {
	if x.cfg.HalfLife <= 0 || gap <= 0 {
		return 1
	}
	return math.Exp2(-float64(gap) / float64(x.cfg.HalfLife))
}

func near(a, b time.Time, w time.Duration) bool {
	d := a.Sub(b)
	return d <= w && d >= -w
}

// match is the index's verdict on a new post: a copy it makes (of which
// post, how close), and the best story by words (which, how close).
type match struct {
	copyOf    int64
	copyStory int64
	copyScore float64
	exact     bool

	storyID int64
	score   float64
	// others are the other stories scoring at least the threshold.
	others []int64
}

// find looks a post up: exact copy by hash, near copy through the LSH
// buckets, and the most likely story by the pair scorer (Model) among the
// stories its rarest words and its body lead to.
func (x *index) find(f *features, published time.Time) match {
	var m match
	body := x.findCopies(f, published, &m)
	q := x.query(f)
	for _, id := range x.shortlist(q, x.candidates(f, q, published, body), body) {
		s := x.stories[id]
		p := x.prob(x.pairFeatures(f, q, s, published, body[id]))
		if p >= x.cfg.StoryThreshold {
			m.others = append(m.others, id)
		}
		if p > m.score {
			m.storyID, m.score = id, p
		}
	}
	m.others = slices.DeleteFunc(m.others, func(id int64) bool { return id == m.storyID })
	return m
}

// crossNames and crossFigures are the least shares of a post's names and
// of its figures that a story in another language must hold.
const crossNames, crossFigures = 0.3, 0.5

// prob is the probability that a pair (its features v) is one story. The
// scorer was fitted on one language; a post in another language than the
// story's shares few words with it whatever the event, so there the
// language-neutral evidence decides: at least half its names and half its
// figures (so it must have figures) in the story, within the window, join
// it; otherwise it stays apart.
func (x *index) prob(v []float64) float64 {
	p := x.cfg.Model.Prob(v)
	if v[10] == 0 {
		return p
	}
	if v[3] >= crossNames && v[4] >= crossFigures {
		return max(p, x.cfg.StoryThreshold)
	}
	return 0
}

// findCopies finds the post's exact or near copy (into m) and returns,
// for each story, the highest containment of the post's body in one of
// its reports.
func (x *index) findCopies(f *features, published time.Time, m *match) map[int64]float64 {
	w := x.cfg.Window
	if f.hash != "" {
		if id, ok := x.exact[f.hash]; ok {
			if d := x.docs[id]; d != nil && near(d.published, published, w) {
				m.copyOf, m.copyStory, m.copyScore, m.exact = x.root(d), d.storyID, 1, true
			}
		}
	}
	if f.sig == nil {
		return nil
	}
	body := map[int64]float64{}
	seen := map[int64]bool{}
	for b, k := range f.sig.bandKeys() {
		ids := x.buckets[b][k]
		// The latest entries of a bucket are the likeliest: a huge bucket
		// is boilerplate shared by many posts, not a copy.
		if len(ids) > x.cfg.MaxPostings {
			ids = ids[len(ids)-x.cfg.MaxPostings:]
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			d := x.docs[id]
			if d == nil || d.sig == nil || !near(d.published, published, w) {
				continue
			}
			c := f.sig.Containment(d.sig)
			body[d.storyID] = max(body[d.storyID], c)
			if !m.exact && c >= x.cfg.CopyThreshold && c > m.copyScore {
				m.copyOf, m.copyStory, m.copyScore = x.root(d), d.storyID, c
			}
		}
	}
	return body
}

// query is what scoring needs of a post, worked out once: its words'
// rarity weights and its vectors' lengths.
type query struct {
	idf      map[string]float64
	tn, ln   float64
	namesIDF float64 // the summed rarity of the post's names
	numbers  int     // how many figures it has
	// mass is the summed weight times rarity of the title's words.
	mass float64
	// title lists the title's words with their weight times their
	// rarity squared: the title cosine with each candidate story then
	// costs one lookup a word.
	title []weighted
	// n is the index's size when the rarity weights were taken.
	n int
}

type weighted struct {
	term string
	w    float64
	// mass is the word's weight times its rarity (coverage).
	mass float64
}

func (x *index) query(f *features) *query {
	q := &query{idf: make(map[string]float64, len(f.title)+len(f.lead)+len(f.names)), n: x.n}
	eachTerm(f.title, f.lead, f.names, func(t string) { q.idf[t] = x.idf(t) })
	q.tn, q.ln = weightedNorm(f.title, q.idf), weightedNorm(f.lead, q.idf)
	q.title = make([]weighted, 0, len(f.title))
	for t, w := range f.title {
		idf := q.idf[t]
		q.title = append(q.title, weighted{t, w * idf * idf, w * idf})
		q.mass += w * idf
	}
	for t := range f.names {
		if isFigure(t) {
			q.numbers++
		} else {
			q.namesIDF += q.idf[t]
		}
	}
	return q
}

// isFigure reports whether a names key is a figure (Numbers).
func isFigure(t string) bool { return strings.HasPrefix(t, "#") }

// candidates are the stories within the window that the post's rarest
// title words lead to (the latest stories holding each), and those whose
// reports share text with it, in ID order (ties go to the oldest story).
func (x *index) candidates(f *features, q *query, published time.Time, body map[int64]float64) []int64 {
	ranked := make([]string, 0, len(f.title))
	for t := range f.title {
		ranked = append(ranked, t)
	}
	sort.Slice(ranked, func(i, j int) bool {
		if q.idf[ranked[i]] != q.idf[ranked[j]] {
			return q.idf[ranked[i]] > q.idf[ranked[j]]
		}
		return ranked[i] < ranked[j]
	})
	if len(ranked) > x.cfg.QueryTerms {
		ranked = ranked[:x.cfg.QueryTerms]
	}
	// A word in more than one post in a hundred leads to the few stories
	// that used it last; a rarer word to every story that holds it.
	common := max(5, x.n/100)
	cands := map[int64]bool{}
	for _, t := range ranked {
		ids := x.postings[t]
		if k := commonPostings; x.df[t] > common && len(ids) > k {
			ids = ids[len(ids)-k:]
		}
		for _, id := range ids {
			cands[id] = true
		}
	}
	for id := range body {
		cands[id] = true
	}
	ids := make([]int64, 0, len(cands))
	for id := range cands {
		if s := x.stories[id]; s != nil && x.within(s, published) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// maxScored is how many candidates, the closest by title cosine, the
// scorer describes in full (and those sharing text with the post): the
// title cosine carries most of the scorer's weight, and a common word
// leads to hundreds of stories that a cheap cosine rules out.
const maxScored = 16

// shortlist keeps the candidates worth scoring in full, in ID order.
func (x *index) shortlist(q *query, ids []int64, body map[int64]float64) []int64 {
	if len(ids) <= maxScored {
		return ids
	}
	type scored struct {
		id  int64
		cos float64
	}
	all := make([]scored, 0, len(ids))
	for _, id := range ids {
		s := x.stories[id]
		stn, _ := x.norms(s)
		all = append(all, scored{id, x.titleCosine(q, s.title, stn)})
	}
	slices.SortStableFunc(all, func(a, b scored) int {
		switch {
		case a.cos > b.cos:
			return -1
		case a.cos < b.cos:
			return 1
		}
		return 0
	})
	out := make([]int64, 0, maxScored)
	for i, c := range all {
		if i < maxScored || body[c.id] > 0 {
			out = append(out, c.id)
		}
	}
	slices.Sort(out)
	return out
}

// loneWordStory is the least size of a story whose one name a post's
// title shares for that name to count in coverage.
const loneWordStory = 10

// bestOf is how many of a story's latest reports best_title compares.
const bestOf = 8

// samePublisherWindow: two reports of one publisher this close.
const samePublisherWindow = 6 * time.Hour

// pairFeatures describes a post and a story for the scorer, in
// FeatureNames order.
func (x *index) pairFeatures(f *features, q *query, s *storyEntry, published time.Time, body float64) []float64 {
	v := make([]float64, len(FeatureNames))
	dec := x.decay(s, published)
	stn, sln := x.norms(s)
	v[0] = dec * x.titleCosine(q, s.title, stn)
	if v[0] > 0 && (x.allFeatures || x.cfg.Model.w[1] != 0) {
		// No word in common with the story's titles: none with one of them.
		v[1] = dec * x.bestTitle(f, q, s)
	}
	n, lone := shared(f.title, s.title, s.lead)
	if n < 2 {
		v[5] = 1
	}
	// A lone name in common with a small story (a place, a person) is
	// what two events of one day often share: coverage does not count it,
	// so that it does not weigh twice. A story of loneWordStory reports
	// or more whose name it is is about that name (a game's launch, a
	// central bank's week); a Title Case headline's capitals are not
	// names, so there a lone word always counts.
	if q.mass > 0 && !(n == 1 && f.title[lone] == entityFactor && s.count < loneWordStory) {
		v[12] = dec * titleCoverage(q, s) / q.mass
	}
	if q.ln > 0 {
		v[2] = dec * x.cosine(f.lead, q.idf, q.ln, s.lead, sln)
	}
	names, figures := sharedNames(f, q, s)
	if q.namesIDF > 0 {
		v[3] = dec * names / q.namesIDF
	}
	if q.numbers > 0 {
		v[4] = dec * float64(figures) / float64(q.numbers)
		if figures == 0 && s.figures > 0 {
			v[11] = 1
		}
	}
	v[6] = body
	if at, ok := s.pubs[f.publisher]; ok && f.publisher != "" && near(at, published, samePublisherWindow) {
		v[7] = 1
	}
	v[8] = min(3, gapTo(s, published).Hours()/24)
	v[9] = math.Log1p(float64(s.count))
	if f.lang != "" && s.lang() != "" && f.lang != s.lang() {
		v[10] = 1
	}
	return v
}

// bestTitle is the post's title's best cosine with the titles of the
// story's latest bestOf reports.
func (x *index) bestTitle(f *features, q *query, s *storyEntry) float64 {
	best := 0.0
	for _, id := range s.posts[max(0, len(s.posts)-bestOf):] {
		d := x.docs[id]
		if d == nil || len(d.title) == 0 {
			continue
		}
		if d.normN == 0 || 20*abs(x.n-d.normN) > x.n {
			d.tnorm, d.normN = x.norm(d.title), x.n
		}
		best = max(best, x.cosine(f.title, q.idf, q.tn, d.title, d.tnorm))
	}
	return best
}

// titleCoverage is the mass of the post's title words found in the
// story's titles.
func titleCoverage(q *query, s *storyEntry) float64 {
	var in float64
	for _, t := range q.title {
		if _, ok := s.title[t.term]; ok {
			in += t.mass
		}
	}
	return in
}

// sharedNames are the post's names the story holds too: the weight of
// the names (their idf) and the count of the figures.
func sharedNames(f *features, q *query, s *storyEntry) (names float64, figures int) {
	for t := range f.names {
		if _, ok := s.names[t]; !ok {
			continue
		}
		if isFigure(t) {
			figures++
		} else {
			names += q.idf[t]
		}
	}
	return names, figures
}

// gapTo is how far published lies outside the story's span of time (0
// within it).
func gapTo(s *storyEntry, published time.Time) time.Duration {
	switch {
	case published.After(s.last):
		return published.Sub(s.last)
	case published.Before(s.first):
		return s.first.Sub(published)
	}
	return 0
}

// lang is the language most of the story's reports are in.
func (s *storyEntry) lang() string {
	best, n := "", 0
	for l, k := range s.langs {
		if k > n || k == n && l < best {
			best, n = l, k
		}
	}
	return best
}

// shared counts the words of a post's title found in a story's titles or
// lead names, up to 2, and returns the last one found.
func shared(q, title, lead map[string]float64) (n int, word string) {
	for t := range q {
		_, inTitle := title[t]
		_, inLead := lead[t]
		if inTitle || inLead {
			word = t
			if n++; n == 2 {
				break
			}
		}
	}
	return n, word
}

func weightedNorm(terms, idf map[string]float64) float64 {
	var s float64
	for t, w := range terms {
		v := w * idf[t]
		s += v * v
	}
	return math.Sqrt(s)
}

// root is the original of the copy group d belongs to.
func (x *index) root(d *doc) int64 {
	if d.copyOf != 0 {
		return d.copyOf
	}
	return d.postID
}

// has reports whether a post is in the index, with its story and original.
func (x *index) has(postID int64) (*doc, bool) {
	d, ok := x.docs[postID]
	return d, ok
}

// add puts a post, assigned to a story, into the index.
func (x *index) add(postID, storyID, copyOf int64, published time.Time, f features) {
	if _, ok := x.docs[postID]; ok {
		return
	}
	d := &doc{postID: postID, storyID: storyID, published: published, title: f.title, lead: f.lead,
		names: f.names, publisher: f.publisher, lang: f.lang, sig: f.sig, hash: f.hash, copyOf: copyOf}
	x.docs[postID] = d
	x.n++
	eachTerm(f.title, f.lead, f.names, func(t string) { x.df[t]++ })
	if copyOf != 0 {
		x.copies[copyOf] = append(x.copies[copyOf], postID)
	}
	x.addParas(d, f.paras)
	if f.hash != "" {
		if _, ok := x.exact[f.hash]; !ok {
			x.exact[f.hash] = postID
		}
	}
	if f.sig != nil {
		for b, k := range f.sig.bandKeys() {
			x.buckets[b][k] = append(x.buckets[b][k], postID)
		}
	}
	x.joinStory(storyID, postID, published, &f)
	if published.After(x.newest) {
		x.newest = published
	}
	x.sinceSweep++
	if x.sinceSweep >= x.sweepPeriod {
		x.sweep()
	}
}

// addParas counts the paragraphs of d (in its story) for telling
// boilerplate.
func (x *index) addParas(d *doc, paras []paragraph) {
	for _, p := range paras {
		st := x.paras[p.hash]
		if st == nil {
			st = &paraStat{}
			x.paras[p.hash] = st
		}
		st.posts++
		if len(st.stories) < boilerplateStories && !slices.Contains(st.stories, d.storyID) {
			st.stories = append(st.stories, d.storyID)
		}
		d.paras = append(d.paras, p.hash)
	}
}

// joinStory adds a post's features to its story's entry (made when the
// story is new to the index).
func (x *index) joinStory(storyID, postID int64, published time.Time, f *features) {
	s := x.stories[storyID]
	if s == nil {
		s = &storyEntry{id: storyID, first: published, last: published, title: map[string]float64{},
			lead: map[string]float64{}, names: map[string]float64{}, pubs: map[string]time.Time{}, langs: map[string]int{}}
		x.stories[storyID] = s
	}
	if f.publisher != "" && published.After(s.pubs[f.publisher]) {
		s.pubs[f.publisher] = published
	}
	if f.lang != "" {
		s.langs[f.lang]++
	}
	for t, w := range f.names {
		if _, ok := s.names[t]; !ok && isFigure(t) {
			s.figures++
		}
		s.names[t] += w
	}
	if len(s.names) > 2*maxCentroid {
		s.pruneNames()
	}
	s.count++
	s.stale = true
	s.posts = append(s.posts, postID)
	if published.Before(s.first) {
		s.first = published
	}
	if published.After(s.last) {
		s.last = published
	}
	for t, w := range f.title {
		x.touch(t, storyID)
		s.title[t] += w
	}
	for t, w := range f.lead {
		s.lead[t] += w
	}
	if len(s.title) > 2*maxCentroid {
		pruneCentroid(s.title)
	}
	if len(s.lead) > 2*maxCentroid {
		pruneCentroid(s.lead)
	}
}

// commonPostings is how many of the latest stories a common word leads to.
const commonPostings = 16

// touch moves a story to the end of a word's postings (adding it), keeping
// at most MaxPostings.
func (x *index) touch(term string, storyID int64) {
	ids := x.postings[term]
	if n := len(ids); n > 0 && ids[n-1] == storyID {
		return
	}
	if i := slices.Index(ids, storyID); i >= 0 {
		ids = slices.Delete(ids, i, i+1)
	} else if len(ids) >= x.cfg.MaxPostings {
		ids = slices.Delete(ids, 0, 1)
	}
	x.postings[term] = append(ids, storyID)
}

// pruneNames prunes the names centroid, keeping the count of figures.
func (s *storyEntry) pruneNames() {
	pruneCentroid(s.names)
	s.figures = 0
	for t := range s.names {
		if isFigure(t) {
			s.figures++
		}
	}
}

// maxCentroid is how many words a story's centroid keeps when pruned.
const maxCentroid = 128

// pruneCentroid keeps a centroid's maxCentroid heaviest words.
func pruneCentroid(c map[string]float64) {
	ws := make([]float64, 0, len(c))
	for _, w := range c {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	cut := ws[len(ws)-maxCentroid]
	for t, w := range c {
		if w < cut {
			delete(c, t)
		}
	}
}

// sweep drops the posts and stories that left the window, with their
// words, buckets and hashes. It runs every sweepPeriod additions, the
// period growing with the index, so that its cost per post stays constant.
func (x *index) sweep() {
	x.sinceSweep = 0
	cutoff := x.newest.Add(-x.cfg.Window)
	gone := 0
	for id, d := range x.docs {
		if !d.published.Before(cutoff) {
			continue
		}
		delete(x.docs, id)
		gone++
		x.n--
		eachTerm(d.title, d.lead, d.names, x.dropDF)
		if d.hash != "" && x.exact[d.hash] == id {
			delete(x.exact, d.hash)
		}
		delete(x.copies, id)
		for _, h := range d.paras {
			if st := x.paras[h]; st != nil {
				if st.posts--; st.posts <= 0 {
					delete(x.paras, h)
				}
			}
		}
	}
	for id, s := range x.stories {
		if s.last.Before(cutoff) {
			delete(x.stories, id)
			continue
		}
		s.posts = slices.DeleteFunc(s.posts, func(id int64) bool { return x.docs[id] == nil })
	}
	if gone > 0 {
		for t, ids := range x.postings {
			ids = slices.DeleteFunc(ids, func(id int64) bool { return x.stories[id] == nil })
			if len(ids) == 0 {
				delete(x.postings, t)
			} else {
				x.postings[t] = ids
			}
		}
		for b := range x.buckets {
			for k, ids := range x.buckets[b] {
				ids = slices.DeleteFunc(ids, func(id int64) bool { return x.docs[id] == nil })
				if len(ids) == 0 {
					delete(x.buckets[b], k)
				} else {
					x.buckets[b][k] = ids
				}
			}
		}
	}
	x.weak = slices.DeleteFunc(x.weak, func(id int64) bool { return x.docs[id] == nil })
	x.sweepPeriod = max(1024, len(x.docs)/4)
}

func (x *index) dropDF(t string) {
	if x.df[t]--; x.df[t] <= 0 {
		delete(x.df, t)
	}
}

// reroot makes newRoot, a copy of oldRoot published before it, the
// original of oldRoot's copy group.
func (x *index) reroot(oldRoot, newRoot int64) {
	group := append(x.copies[oldRoot], oldRoot)
	delete(x.copies, oldRoot)
	var moved []int64
	for _, id := range group {
		if id == newRoot {
			continue
		}
		if d := x.docs[id]; d != nil {
			d.copyOf = newRoot
		}
		moved = append(moved, id)
	}
	x.copies[newRoot] = append(x.copies[newRoot], moved...)
	if d := x.docs[newRoot]; d != nil {
		d.copyOf = 0
	}
}

// storySim is the cosine of two stories' title centroids.
func (x *index) storySim(a, b int64) float64 {
	sa, sb := x.stories[a], x.stories[b]
	if sa == nil || sb == nil {
		return 0
	}
	idf := map[string]float64{}
	for t := range sa.title {
		idf[t] = x.idf(t)
	}
	for t := range sb.title {
		idf[t] = x.idf(t)
	}
	// Two bursts of the same words far apart are as likely two events
	// as one: the decay of find applies between the stories' spans.
	d := 1.0
	switch {
	case sb.first.After(sa.last):
		d = x.decayGap(sb.first.Sub(sa.last))
	case sa.first.After(sb.last):
		d = x.decayGap(sa.first.Sub(sb.last))
	}
	return d * x.cosine(sa.title, idf, weightedNorm(sa.title, idf), sb.title, weightedNorm(sb.title, idf))
}

// merge moves the posts and words of story from into story into.
func (x *index) merge(from, into int64) {
	f, t := x.stories[from], x.stories[into]
	if f == nil || t == nil || from == into {
		return
	}
	x.absorb(t, f.title, f.lead, f.names)
	for k, at := range f.pubs {
		if at.After(t.pubs[k]) {
			t.pubs[k] = at
		}
	}
	for k, n := range f.langs {
		t.langs[k] += n
	}
	if len(t.names) > 2*maxCentroid {
		t.pruneNames()
	}
	if len(t.title) > 2*maxCentroid {
		pruneCentroid(t.title)
	}
	if len(t.lead) > 2*maxCentroid {
		pruneCentroid(t.lead)
	}
	if f.first.Before(t.first) {
		t.first = f.first
	}
	if f.last.After(t.last) {
		t.last = f.last
	}
	t.count += f.count
	t.stale = true
	for _, id := range f.posts {
		if d := x.docs[id]; d != nil {
			d.storyID = into
		}
	}
	t.posts = append(t.posts, f.posts...)
	delete(x.stories, from)
}

// size is how many posts a story has had in the index (0: not there).
func (x *index) size(id int64) int {
	if s := x.stories[id]; s != nil {
		return s.count
	}
	return 0
}

// eachTerm calls fn once for every word of title, lead and names.
func eachTerm(title, lead, names map[string]float64, fn func(string)) {
	for t := range title {
		fn(t)
	}
	for t := range lead {
		if _, dup := title[t]; !dup {
			fn(t)
		}
	}
	for t := range names {
		_, inTitle := title[t]
		_, inLead := lead[t]
		if !inTitle && !inLead {
			fn(t)
		}
	}
}

// weakProbability: a report that joins a story with a lower probability
// joined on weak evidence and may move to a better story (moveMargin more
// probable) that a later report starts or grows; maxWeak bounds the
// reports looked at again after each assignment.
const (
	weakProbability = 0.6
	moveMargin      = 0.1
	maxWeak         = 64
)

// noteWeak records that a report joined its story on weak evidence.
func (x *index) noteWeak(postID int64, p float64) {
	d := x.docs[postID]
	if d == nil || p >= weakProbability || d.copyOf != 0 {
		return
	}
	d.weak = p
	if len(x.weak) >= maxWeak {
		x.weak = x.weak[1:]
	}
	x.weak = append(x.weak, postID)
}

// moves are the weak reports that story to, just joined or started by a
// post with title words, now fits better than the story they joined: each
// with its new probability.
func (x *index) moves(to int64, title map[string]float64) map[int64]float64 {
	t := x.stories[to]
	if t == nil {
		return nil
	}
	out := map[int64]float64{}
	for _, id := range x.weak {
		d := x.docs[id]
		if d == nil || d.weak == 0 || d.storyID == to || len(x.copies[id]) > 0 || !x.within(t, d.published) {
			continue
		}
		common := false
		for w := range d.title {
			if _, ok := title[w]; ok {
				common = true
				break
			}
		}
		if !common {
			continue
		}
		f := features{title: d.title, lead: d.lead, names: d.names, publisher: d.publisher, lang: d.lang}
		// A weak report is scored again after many posts: its rarity
		// weights are kept while the index's size stays within a
		// twentieth, as the stories' norms are.
		if d.q == nil || 20*abs(x.n-d.q.n) > x.n {
			d.q = x.query(&f)
		}
		p := x.prob(x.pairFeatures(&f, d.q, t, d.published, 0))
		if p >= x.cfg.StoryThreshold && p >= d.weak+moveMargin {
			out[id] = p
		}
	}
	return out
}

// move takes a report out of its story and puts it in story to.
func (x *index) move(postID, to int64) {
	d := x.docs[postID]
	if d == nil || x.stories[to] == nil || d.storyID == to {
		return
	}
	if s := x.stories[d.storyID]; s != nil {
		for k, w := range d.title {
			subtract(s.title, k, w)
		}
		for k, w := range d.lead {
			subtract(s.lead, k, w)
		}
		for k, w := range d.names {
			if subtract(s.names, k, w) && isFigure(k) {
				s.figures--
			}
		}
		if d.lang != "" {
			s.langs[d.lang]--
		}
		s.posts = slices.DeleteFunc(s.posts, func(id int64) bool { return id == postID })
		s.count--
		s.stale = true
	}
	t := x.stories[to]
	x.absorb(t, d.title, d.lead, d.names)
	if d.publisher != "" && d.published.After(t.pubs[d.publisher]) {
		t.pubs[d.publisher] = d.published
	}
	if d.lang != "" {
		t.langs[d.lang]++
	}
	if d.published.Before(t.first) {
		t.first = d.published
	}
	if d.published.After(t.last) {
		t.last = d.published
	}
	t.posts = append(t.posts, postID)
	t.count++
	t.stale = true
	d.storyID, d.weak, d.q = to, 0, nil
}

// absorb adds words to a story's centroids (title words leading to it).
func (x *index) absorb(t *storyEntry, title, lead, names map[string]float64) {
	for k, w := range title {
		x.touch(k, t.id)
		t.title[k] += w
	}
	for k, w := range lead {
		t.lead[k] += w
	}
	for k, w := range names {
		if _, ok := t.names[k]; !ok && isFigure(k) {
			t.figures++
		}
		t.names[k] += w
	}
}

// subtract takes w off a centroid's word, deleting it at zero; it reports
// whether the word is gone.
func subtract(c map[string]float64, k string, w float64) bool {
	v, ok := c[k]
	if !ok {
		return false
	}
	if v -= w; v <= 1e-9 {
		delete(c, k)
		return true
	}
	c[k] = v
	return false
}
