package search

import "strings"

// StemIndonesian strips the affixes of a folded Indonesian word by the
// confix-stripping rules of Nazief and Adriani (as Sastrawi implements
// them): particles (-lah, -kah, -tah, -pun), possessives (-ku, -mu, -nya),
// derivational suffixes (-kan, -an, -i), then up to three prefixes (di-,
// ke-, se-, ber-, ter-, per-, me- and pe- with their sound changes), so
// that "pengungsi", "mengungsi" and "pengungsian" all give "ungsi".
//
// The algorithm checks each step against a dictionary of root words and
// undoes a step that leaves none. Kabar has no dictionary: it keeps a step
// only when at least minRoot letters remain, and never strips -i after
// "s" (words in -si are roots or loanwords: "evakuasi", "informasi",
// "ungsi"). Index and query go through the same rules, so a word and its
// affixed forms meet even where the stem is not the dictionary's root.
func StemIndonesian(w string) string {
	if len(w) <= minRoot+1 {
		return w
	}
	for _, s := range []string{"lah", "kah", "tah", "pun"} {
		if cut, ok := cutSuffix(w, s); ok {
			w = cut
			break
		}
	}
	for _, s := range []string{"nya", "ku", "mu"} {
		if cut, ok := cutSuffix(w, s); ok {
			w = cut
			break
		}
	}
	for _, s := range []string{"kan", "an", "i"} {
		if s == "i" && strings.HasSuffix(w, "si") {
			continue
		}
		if cut, ok := cutSuffix(w, s); ok {
			w = cut
			break
		}
	}
	for range 3 {
		next := stripPrefix(w)
		if next == w || len(next) < minRoot {
			break
		}
		w = next
	}
	return w
}

// minRoot is the fewest letters a stripped word keeps.
const minRoot = 3

func cutSuffix(w, s string) (string, bool) {
	if !strings.HasSuffix(w, s) || len(w)-len(s) < minRoot+1 {
		return w, false
	}
	return w[:len(w)-len(s)], true
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// stripPrefix removes one prefix with its sound change (meny-apu →
// sapu, mem-akai → pakai, men-ulis → tulis) or returns w.
func stripPrefix(w string) string {
	at := func(i int) byte {
		if i < len(w) {
			return w[i]
		}
		return 0
	}
	switch {
	case strings.HasPrefix(w, "di"), strings.HasPrefix(w, "ke"), strings.HasPrefix(w, "se"):
		return w[2:]
	case strings.HasPrefix(w, "ber"):
		return w[3:]
	case strings.HasPrefix(w, "bel") && strings.HasPrefix(w[3:], "ajar"):
		return w[3:]
	case strings.HasPrefix(w, "be") && at(2) == 'r':
		return w[3:]
	case strings.HasPrefix(w, "ter"):
		return w[3:]
	case strings.HasPrefix(w, "per"):
		return w[3:]
	case strings.HasPrefix(w, "pel") && strings.HasPrefix(w[3:], "ajar"):
		return w[3:]
	case strings.HasPrefix(w, "me"), strings.HasPrefix(w, "pe"):
		return stripNasal(w)
	}
	return w
}

// stripNasal removes me- or pe- and the nasal that joins it to the root.
func stripNasal(w string) string {
	rest := w[2:]
	switch {
	case strings.HasPrefix(rest, "ng"):
		return rest[2:] // mengambil → ambil, mengungsi → ungsi, menggali → gali
	case strings.HasPrefix(rest, "ny") && len(rest) > 2 && isVowel(rest[2]):
		return "s" + rest[2:] // menyapu → sapu
	case strings.HasPrefix(rest, "m") && len(rest) > 1:
		if isVowel(rest[1]) {
			return "p" + rest[1:] // memakai → pakai
		}
		return rest[1:] // membaca → baca
	case strings.HasPrefix(rest, "n") && len(rest) > 1:
		if isVowel(rest[1]) {
			return "t" + rest[1:] // menulis → tulis
		}
		return rest[1:] // mendengar → dengar
	case len(rest) > 0 && strings.IndexByte("lrwy", rest[0]) >= 0:
		return rest // melihat → lihat, merawat → rawat
	}
	return w
}
