// Package runresult is the line speedrun prints and benchstories reads: one
// definition, so that a field added on one side is there on the other.
package runresult

// Result is what one timed run prints.
type Result struct {
	Stored   int `json:"stored"`
	Measured int `json:"measured"`
	// WallUS and CPUUS are the mean wall time and this process's CPU
	// time (user and system) of one Assign, in µs; StoreUS the part of
	// WallUS spent in store calls; P50US and P99US per-post wall times.
	WallUS  float64 `json:"wall_us"`
	CPUUS   float64 `json:"cpu_us"`
	StoreUS float64 `json:"store_us"`
	// StoreCPUUS is the part of CPUUS spent in store calls (SQLite works
	// in this process): CPUUS − StoreCPUUS is the index's own work.
	StoreCPUUS float64 `json:"store_cpu_us"`
	P50US      float64 `json:"p50_us"`
	P99US      float64 `json:"p99_us"`
	// IndexPosts is the index's size after the run; HeapLoadMB and
	// HeapEndMB the Go heap after a collection once the index was built
	// and after the run; LoadMS the time Load took.
	IndexPosts int     `json:"index_posts"`
	HeapLoadMB float64 `json:"heap_load_mb"`
	HeapEndMB  float64 `json:"heap_end_mb"`
	LoadMS     float64 `json:"load_ms"`
	// Calls counts the timed posts' store calls by method.
	Calls map[string]int `json:"calls,omitempty"`
	// FillS is the time a -fill run took.
	FillS float64 `json:"fill_s,omitempty"`
}
