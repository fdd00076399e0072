package store

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/kabarnews/kabar/internal/search"
)

// RankCacheBytes bounds the ranking fields a process keeps (RankCache). A
// search ranks some 400 posts, a kilobyte and a half each with the
// cache's own cost (less where a post's lead repeats the start of its
// body: sharedLead); 256 MiB holds some 160 000 of them, and its read-ahead
// (three quarters) every post of a site of 100 000. A search whose window
// reaches past what the cache holds reads the rest from the database: at
// 64 MiB (40 000 posts) that was an eighth of a search's CPU on a site of
// 100 000 posts on SQLite; at 128 MiB, on PostgreSQL, those reads were
// the largest part of the server's time under load (docs/benchmarks.md).
// The cache holds only what searches and the read-ahead read, so a small
// site uses a small part of it.
const RankCacheBytes = 256 << 20

// PostRev is a post's ID and the revision of its ranking fields: every
// write of a post's search fields or date gives it a new, higher revision
// (the stores' triggers), whichever process writes.
type PostRev struct {
	ID, Rev int64
}

// RankCache holds the ranking fields (search.Doc) of posts a process has
// ranked, each under its revision. A search learns its window's IDs and
// revisions from a narrow index and reads from the database only the
// fields the cache lacks or holds under another revision: reading them
// was the largest part of a search on both stores.
type RankCache struct {
	c        *otter.Cache[int64, rankEntry]
	maxBytes int
	// warm runs a fill once (Warm); stopWarm ends it, and warmed is
	// closed when it has ended, or when Close found none begun.
	warm     sync.Once
	warmCtx  context.Context
	stopWarm context.CancelFunc
	warmed   chan struct{}
}

type rankEntry struct {
	rev    int64
	doc    search.Doc
	weight uint32
}

// NewRankCache returns a cache bounded at about maxBytes of fields; with
// maxBytes 0 it keeps nothing.
func NewRankCache(maxBytes int) *RankCache {
	c := &RankCache{maxBytes: max(maxBytes, 0), warmed: make(chan struct{})}
	if c.maxBytes > 0 {
		c.c = otter.Must(&otter.Options[int64, rankEntry]{
			MaximumWeight: uint64(c.maxBytes),
			Weigher:       func(_ int64, e rankEntry) uint32 { return e.weight },
		})
	}
	c.warmCtx, c.stopWarm = context.WithCancel(context.Background())
	return c
}

// warmPause is how many times a batch's time the read-ahead waits before
// the next (Warm).
const warmPause = 3

// WarmBatch is how many posts' fields a fill reads at a time (Warm).
const WarmBatch = 4096

// Warm runs fill once in the cache's life, in the background: it reads
// the ranking fields of the newest posts below the ID before, newest
// first, WarmBatch at a time, and hands each to keep, until keep returns
// false (three quarters of the cache's bound are filled) or no post is
// left. Most searches' windows are among the newest posts, and a process
// that has just started (a deploy, a restart) would otherwise read them a
// window at a time. A store calls it at its process's first search, so
// that a process nobody searches holds nothing. Close stops it.
func (c *RankCache) Warm(fill func(ctx context.Context, before int64, keep func(rev int64, d search.Doc) bool) error) {
	c.warm.Do(func() {
		if c.c == nil {
			close(c.warmed)
			return
		}
		go func() {
			defer close(c.warmed)
			budget := c.maxBytes * 3 / 4
			before := int64(math.MaxInt64)
			for budget > 0 {
				n := 0
				start := time.Now()
				err := fill(c.warmCtx, before, func(rev int64, d search.Doc) bool {
					n++
					before = d.ID
					// A search may have read a newer revision meanwhile.
					if !c.Holds(d.ID, rev) {
						budget -= c.Put(rev, d)
					}
					return budget > 0
				})
				if err != nil || n < WarmBatch || budget <= 0 {
					return // the oldest post read, the budget spent, or the store closing
				}
				// The read-ahead takes at most a quarter of one
				// connection's time: read at once, two processes on
				// PostgreSQL filling 96 MiB each at start slowed the
				// searches it is for.
				select {
				case <-c.warmCtx.Done():
					return
				case <-time.After(warmPause * time.Since(start)):
				}
			}
		}()
	})
}

// Warmed is closed when a fill begun by Warm has ended, or when Close
// found none begun.
func (c *RankCache) Warmed() <-chan struct{} { return c.warmed }

// Close stops a fill under way and waits for it to end; none begins after.
func (c *RankCache) Close() {
	c.stopWarm()
	c.warm.Do(func() { close(c.warmed) })
	<-c.warmed
}

// sharedLead returns d with its lead (Meta) and body in one string when
// the lead ends with the start of the body, as it does where a feed's
// description is the article's first paragraph, and the bytes its fields
// then take.
func sharedLead(d search.Doc) (search.Doc, int) {
	n := len(d.Title) + len(d.Meta) + len(d.Body)
	k := min(len(d.Body), 32)
	if k < 8 {
		return d, n
	}
	i := strings.Index(d.Meta, d.Body[:k])
	if i < 0 || !strings.HasPrefix(d.Body, d.Meta[i:]) {
		return d, n
	}
	// d.Meta[i:] is d.Body's start: the body goes on from the lead's end.
	s := d.Meta + d.Body[len(d.Meta)-i:]
	d.Meta, d.Body = s[:len(d.Meta)], s[i:]
	return d, len(d.Title) + len(s)
}

func newRankEntry(rev int64, d search.Doc) rankEntry {
	d, n := sharedLead(d)
	return rankEntry{rev: rev, doc: d, weight: uint32(min(n+128, 1<<31))}
}

// Get returns post id's fields when the cache holds them under rev.
func (c *RankCache) Get(id, rev int64) (search.Doc, bool) {
	if c.c == nil {
		return search.Doc{}, false
	}
	e, ok := c.c.GetIfPresent(id)
	if !ok || e.rev != rev {
		return search.Doc{}, false
	}
	return e.doc, true
}

// Holds reports whether the cache holds post id's fields under rev or a
// later revision.
func (c *RankCache) Holds(id, rev int64) bool {
	if c.c == nil {
		return false
	}
	e, ok := c.c.GetIfPresent(id)
	return ok && e.rev >= rev
}

// Put keeps d's fields under rev and returns their weight in bytes.
func (c *RankCache) Put(rev int64, d search.Doc) int {
	e := newRankEntry(rev, d)
	if c.c != nil {
		c.c.Set(d.ID, e)
	}
	return int(e.weight)
}

// Len is about how many posts' fields the cache holds.
func (c *RankCache) Len() int {
	if c.c == nil {
		return 0
	}
	return c.c.EstimatedSize()
}

// Split sorts want (in which a post may be named twice) into the fields
// the cache holds under the same revision, and the IDs it lacks, each
// once.
func (c *RankCache) Split(want []PostRev) (docs []search.Doc, miss []int64) {
	docs = make([]search.Doc, 0, len(want))
	seen := make(map[int64]bool, len(want))
	for _, w := range want {
		if seen[w.ID] {
			continue
		}
		seen[w.ID] = true
		if d, ok := c.Get(w.ID, w.Rev); ok {
			docs = append(docs, d)
			continue
		}
		miss = append(miss, w.ID)
	}
	return docs, miss
}
