package story

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// asciiWord is a shortcut of readWord: wherever it reads a word, it must
// read the one readWord reads, and it must read the plain ASCII words
// (so that the shortcut is taken at all).
func TestASCIIWordAsReadWord(t *testing.T) {
	texts := []string{
		"The Minister said: NATO and the UN's envoy won't come, U.S. officials' talks.",
		"COVID-19 cases rose 12% in 2024; x86 CPUs, iPhone15 and A1 roads.",
		"Rock’n’roll “Quoted” words—dashes–and… ellipses, Zürich Café naïve.",
		"Mixed scripts: Tokyo東京 and Москва, a\u0301b, tab\tnew\nline",
		"Ends with apostrophe' and Fed's and it's and O'Brien and rivers' banks",
		"I A a 7 ABC AbC aBC abc Abc",
	}
	ascii := 0
	for _, text := range texts {
		for i := 0; i < len(text); {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) || unspacedScript(r) {
				i += size
				continue
			}
			want, wantEnd := readWord(text, i)
			if got, end, ok := asciiWord(text, i); ok {
				ascii++
				if got != want || end != wantEnd {
					t.Errorf("%q at %d: asciiWord %+v to %d, readWord %+v to %d", text, i, got, end, want, wantEnd)
				}
			} else if plain(text[i:wantEnd]) && !strings.ContainsAny(text[i:min(wantEnd+3, len(text))], "'’") {
				t.Errorf("%q at %d: asciiWord gave up on the plain word %q", text, i, text[i:wantEnd])
			}
			i = wantEnd
		}
	}
	if ascii < 40 {
		t.Fatalf("asciiWord read %d words only", ascii)
	}
}

// plain reports ASCII letters and digits only.
func plain(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return w != ""
}

func TestFNV64Joined(t *testing.T) {
	for _, toks := range [][]string{nil, {"one"}, {"two", "words"}, {"", "a", "", "b"}} {
		if got, want := fnv64Joined(toks), fnv64(strings.Join(toks, " ")); got != want {
			t.Errorf("fnv64Joined(%q) = %x, want %x", toks, got, want)
		}
	}
}

// referenceSign is Sign as the definition reads: every shingle under
// every hash function, the least value kept.
func referenceSign(tokens []string) Signature {
	var sig Signature
	for i := range sig.Min {
		sig.Min[i] = math.MaxUint32
	}
	seen := map[uint64]bool{}
	if len(tokens) > 0 && len(tokens) < ShingleSize {
		seen[fnv64(strings.Join(tokens, " "))] = true
	}
	for i := 0; i+ShingleSize <= len(tokens); i++ {
		seen[fnv64(strings.Join(tokens[i:i+ShingleSize], " ")+" ")] = true
	}
	sig.Shingles = len(seen)
	for h := range seen {
		for i, s := range seeds {
			v := (h ^ s) * 0x9e3779b97f4a7c15
			v ^= v >> 29
			sig.Min[i] = min(sig.Min[i], uint32(v>>32))
		}
	}
	return sig
}

func TestSignAsReference(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 400} {
		var toks []string
		for i := range n {
			toks = append(toks, fmt.Sprintf("w%d", i%(n/2+1)))
		}
		if got, want := Sign(toks), referenceSign(toks); got != want {
			t.Errorf("Sign of %d tokens differs from the reference", n)
		}
	}
}

func TestTextHashAsJoined(t *testing.T) {
	for _, toks := range [][]string{nil, {"one"}, {"two", "words"}, {"", "a", "ü"}} {
		sum := sha256.Sum256([]byte(strings.Join(toks, " ")))
		if got, want := TextHash(toks), hex.EncodeToString(sum[:16]); got != want {
			t.Errorf("TextHash(%q) = %s, want %s", toks, got, want)
		}
	}
}
