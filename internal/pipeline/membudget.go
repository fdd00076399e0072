package pipeline

import (
	"runtime/debug"

	"github.com/kabarnews/kabar/internal/fetch"
)

// A worker holds at most one page at a time, so a process's memory is
// bounded by its workers: each one's page at the fetcher's body cap (the
// body as received and decoded, two copies at most) and that page's
// extraction, which the extractor bounds whatever the page (its limits on
// the markup and elements it parses: at most about 50 MB allocated, 40 MB
// live, for a 10 MB page of tiny elements), plus what the process needs
// without any page (the binary, the store's connections, the story
// index).
const (
	// extractMemory is one extraction at its peak, with the post made of
	// it, rounded up.
	extractMemory = 40 << 20
	// baseMemory is the process without pages (about 40 MiB resident).
	baseMemory = 64 << 20
)

// MemoryLimit is the memory a process with this many workers needs at
// most: baseMemory + workers × (extractMemory + 2 × the body cap).
func MemoryLimit(workers int) int64 {
	return baseMemory + int64(max(workers, 1))*(extractMemory+2*fetch.DefaultMaxBodyBytes)
}

// LimitMemory sets the runtime's soft memory limit to MemoryLimit(workers)
// unless GOMEMLIMIT sets one, and returns the limit set (0 when
// GOMEMLIMIT rules). Workers' processes run the collector lazily (GOGC
// 400, for speed: the live heap of ordinary pages is small), which lets
// the heap grow to five times its live size: with pages at the body cap
// that was over a gigabyte. Under the limit the collector works harder
// only when the heap nears it.
func LimitMemory(workers int, getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit := MemoryLimit(workers)
	debug.SetMemoryLimit(limit)
	return limit
}
