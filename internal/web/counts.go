package web

import (
	"context"
	"sync"
)

// genMemo keeps what is made from one generation of the site's data (a
// listing's total, a rendered sidebar), keyed by K, up to max values. A
// value of a newer generation drops those of older ones; a value made
// from an older generation than the latest kept is not kept.
type genMemo[K comparable, V any] struct {
	mu  sync.Mutex
	gen int64
	m   map[K]V
	max int
}

// get returns the value of k made from generation gen.
func (c *genMemo[K, V]) get(gen int64, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	if c.gen != gen || c.m == nil {
		return zero, false
	}
	v, ok := c.m[k]
	return v, ok
}

// put keeps the value of k made from generation gen.
func (c *genMemo[K, V]) put(gen int64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen > c.gen || c.m == nil:
		c.gen, c.m = gen, map[K]V{}
	case gen < c.gen:
		return // made from a generation already past
	}
	if len(c.m) < c.max {
		c.m[k] = v
	}
}

// maxCounts bounds the listing totals one generation keeps (count).
const maxCounts = 4096

// count returns the total named key, counted by fn once per site
// generation while pages are rendered for the page cache (which knows the
// generation); otherwise fn counts each time. Pages of one listing share
// their total: the home page's pages 1 to 20 counted the same 100 000
// posts twenty times after each write, tens of milliseconds of the
// database each on PostgreSQL.
func (s *Server) count(ctx context.Context, key string, fn func() (int, error)) (int, error) {
	gen, ok := ctx.Value(renderingForCacheKey{}).(int64)
	if !ok {
		return fn()
	}
	if n, ok := s.counts.get(gen, key); ok {
		return n, nil
	}
	n, err := fn()
	if err != nil {
		return 0, err
	}
	s.counts.put(gen, key, n)
	return n, nil
}
