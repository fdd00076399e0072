package gnews

import (
	"context"
	"sync"
	"time"
)

// Cache keeps every final answer of online resolution, so that an article
// ID is resolved once, ever: a URL (with its AMP URL) or a permanent failure.
// Temporary failures are never put. The store implements it for real use
// (keyed by the article ID, shared by every process); MemCache is for tests
// and one-shot commands.
//
// Get reports ok false for an ID it does not know. An error from Get is
// treated as a miss (the ID is resolved again); an error from Put is logged
// and the answer is still returned.
type Cache interface {
	Get(ctx context.Context, id string) (e Entry, ok bool, err error)
	Put(ctx context.Context, id string, e Entry) error
}

// Entry is one cached answer.
type Entry struct {
	// URL and AMPURL are the publisher's URLs; empty when Failure is set.
	URL, AMPURL string
	// Failure, when not empty, marks a permanent failure: FailureNoURL or
	// FailureGone. Detail says more.
	Failure string
	Detail  string
	// At is when the answer was had.
	At time.Time
}

// Failure codes of Entry.Failure.
const (
	FailureNoURL = "no-url" // ErrNoURL
	FailureGone  = "gone"   // ErrArticleGone
)

// failureCode maps a permanent error to its Entry.Failure code.
func failureCode(err error) string {
	if err == ErrArticleGone {
		return FailureGone
	}
	return FailureNoURL
}

// failureErr maps an Entry.Failure code back to its sentinel.
func failureErr(code string) error {
	if code == FailureGone {
		return ErrArticleGone
	}
	return ErrNoURL
}

// MemCache is an in-memory Cache.
type MemCache struct {
	mu sync.Mutex
	m  map[string]Entry
}

// NewMemCache returns an empty MemCache.
func NewMemCache() *MemCache { return &MemCache{m: map[string]Entry{}} }

// Get implements Cache.
func (c *MemCache) Get(_ context.Context, id string) (Entry, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	return e, ok, nil
}

// Put implements Cache.
func (c *MemCache) Put(_ context.Context, id string, e Entry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[id] = e
	return nil
}

// Len returns the number of cached IDs.
func (c *MemCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
