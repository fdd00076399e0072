package story

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strings"
)

// Sketch sizes. A signature holds NumHashes MinHash values; the LSH index
// cuts it into Bands bands of Rows values, and two texts become candidates
// when one band is equal. With 64 bands of 2 rows the chance that a pair of
// Jaccard similarity J is looked at is 1-(1-J²)⁶⁴: 0.93 at J = 0.2 (a copy
// trimmed to a fifth of the original), 0.9997 at 0.4, 0.15 at 0.05, 0.006
// at 0.01. Candidates are then verified on the whole signature, so a false
// candidate costs one comparison of 128 values.
const (
	NumHashes = 128
	Bands     = 64
	Rows      = NumHashes / Bands
	// ShingleSize is the number of words in a shingle.
	ShingleSize = 3
)

// Signature is a text's MinHash signature over its word shingles, and the
// number of distinct shingles it was made of.
type Signature struct {
	Min [NumHashes]uint32
	// Shingles is the number of distinct shingles of the text (capped by
	// nothing: it is an exact count).
	Shingles int
}

// seeds are fixed, so signatures agree across processes and runs.
var seeds = func() [NumHashes]uint64 {
	var s [NumHashes]uint64
	x := uint64(0x6b61626172) // "kabar"
	for i := range s {
		x = splitmix(x)
		s[i] = x | 1
	}
	return s
}()

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	z := x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// fnv64 is FNV-1a, stable across processes (unlike maphash).
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// fnv64Joined is fnv64(strings.Join(toks, " ")) without the joined copy.
func fnv64Joined(toks []string) uint64 {
	h := uint64(14695981039346656037)
	for i, t := range toks {
		if i > 0 {
			h ^= ' '
			h *= 1099511628211
		}
		for k := 0; k < len(t); k++ {
			h ^= uint64(t[k])
			h *= 1099511628211
		}
	}
	return h
}

// Shingles hashes the overlapping ShingleSize-word runs of tokens, without
// repeats, in increasing order (sorting drops the repeats for less than a
// set would cost). A text shorter than a shingle is one shingle.
func shingleHashes(tokens []string) []uint64 {
	if len(tokens) == 0 {
		return nil
	}
	n := len(tokens) - ShingleSize + 1
	if n < 1 {
		return []uint64{fnv64(strings.Join(tokens, " "))}
	}
	out := make([]uint64, 0, n)
	for i := 0; i < n; i++ {
		h := uint64(14695981039346656037)
		for j := 0; j < ShingleSize; j++ {
			w := tokens[i+j]
			for k := 0; k < len(w); k++ {
				h ^= uint64(w[k])
				h *= 1099511628211
			}
			h ^= 0x20
			h *= 1099511628211
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Sign makes the MinHash signature of a text's tokens (Tokens).
func Sign(tokens []string) Signature {
	var sig Signature
	for i := range sig.Min {
		sig.Min[i] = math.MaxUint32
	}
	hs := shingleHashes(tokens)
	sig.Shingles = len(hs)
	// Four hash functions at a time over all the shingles: their minima
	// stay in registers, four independent chains the CPU runs side by
	// side, and the shingles are read in order.
	for i := 0; i < NumHashes; i += 4 {
		s0, s1, s2, s3 := seeds[i], seeds[i+1], seeds[i+2], seeds[i+3]
		m0, m1, m2, m3 := uint32(math.MaxUint32), uint32(math.MaxUint32), uint32(math.MaxUint32), uint32(math.MaxUint32)
		for _, h := range hs {
			m0 = min(m0, minHash(h, s0))
			m1 = min(m1, minHash(h, s1))
			m2 = min(m2, minHash(h, s2))
			m3 = min(m3, minHash(h, s3))
		}
		sig.Min[i], sig.Min[i+1], sig.Min[i+2], sig.Min[i+3] = m0, m1, m2, m3
	}
	return sig
}

// minHash is a shingle's value under the hash function of a seed: one
// multiply-xorshift, a family of permutations good enough for MinHash,
// and cheap.
func minHash(h, seed uint64) uint32 {
	v := (h ^ seed) * 0x9e3779b97f4a7c15
	v ^= v >> 29
	return uint32(v >> 32)
}

// Jaccard estimates the Jaccard similarity of the two shingle sets: the
// share of equal MinHash values.
func (s *Signature) Jaccard(o *Signature) float64 {
	if s.Shingles == 0 || o.Shingles == 0 {
		return 0
	}
	eq := 0
	for i := range s.Min {
		if s.Min[i] == o.Min[i] {
			eq++
		}
	}
	return float64(eq) / NumHashes
}

// Containment estimates how much of the smaller text is in the larger one,
// |A∩B| / min(|A|,|B|), from the Jaccard estimate J and the set sizes:
// |A∩B| = J(|A|+|B|)/(1+J). A copy trimmed to its first half has
// containment 1 but Jaccard 0.5; a copy with added paragraphs likewise.
func (s *Signature) Containment(o *Signature) float64 {
	j := s.Jaccard(o)
	if j == 0 {
		return 0
	}
	a, b := float64(s.Shingles), float64(o.Shingles)
	inter := j * (a + b) / (1 + j)
	c := inter / math.Min(a, b)
	return math.Min(c, 1)
}

// bandKeys are the LSH bucket keys of a signature, one a band.
func (s *Signature) bandKeys() [Bands]uint64 {
	var keys [Bands]uint64
	for b := 0; b < Bands; b++ {
		h := uint64(b) * 0x9e3779b97f4a7c15
		for r := 0; r < Rows; r++ {
			h = (h ^ uint64(s.Min[b*Rows+r])) * 0xbf58476d1ce4e5b9
			h ^= h >> 31
		}
		keys[b] = h
	}
	return keys
}

// TextHash identifies a text whatever its case, spacing and punctuation:
// the SHA-256 of its tokens joined by spaces. Exact copies share it.
func TextHash(tokens []string) string {
	// The tokens joined in one buffer: written one by one, each would be
	// copied to the heap on its way into the hash.
	n := max(len(tokens)-1, 0)
	for _, t := range tokens {
		n += len(t)
	}
	buf := make([]byte, 0, n)
	for i, t := range tokens {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, t...)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}
