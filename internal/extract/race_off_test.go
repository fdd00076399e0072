//go:build !race

package extract

// testPageSize is the memory tests' page size: just under the fetcher's
// default body cap (fetch.DefaultMaxBodyBytes, 10 MiB).
const testPageSize = hugePage
