//go:build race

package extract

// testPageSize is the memory tests' page size under the race detector,
// which makes the tokenizer's pass some 30 times slower: still well past
// every limit of slim, so the same bounds are checked.
const testPageSize = 2_500_000
