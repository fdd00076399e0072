package web

import (
	"context"
	"sync"
)

// countMemo keeps the totals listings count (all posts, the home page's,
// a label's or a month's) for one site generation. Pages of one listing
// share their total: the home page's pages 1 to 20 counted the same
// 100 000 posts twenty times after each write, tens of milliseconds of
// the database each on PostgreSQL.
type countMemo struct {
	mu  sync.Mutex
	gen int64
	m   map[string]int
}

// maxCounts bounds the totals one generation keeps.
const maxCounts = 4096

// count returns the total named key, counted by fn once per site
// generation while pages are rendered for the page cache (which knows the
// generation); otherwise fn counts each time.
func (s *Server) count(ctx context.Context, key string, fn func() (int, error)) (int, error) {
	gen, ok := ctx.Value(renderingForCacheKey{}).(int64)
	if !ok {
		return fn()
	}
	c := &s.counts
	c.mu.Lock()
	if c.gen == gen {
		if n, ok := c.m[key]; ok {
			c.mu.Unlock()
			return n, nil
		}
	}
	c.mu.Unlock()
	n, err := fn()
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen > c.gen || c.m == nil:
		c.gen, c.m = gen, map[string]int{}
	case gen < c.gen:
		return n, nil // counted under a generation already past
	}
	if len(c.m) < maxCounts {
		c.m[key] = n
	}
	return n, nil
}
