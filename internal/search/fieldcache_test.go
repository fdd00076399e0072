package search

import (
	"fmt"
	"strings"
	"testing"
)

// A FieldCache must index exactly as Fields does, in every language, with
// words written in every case, marks alone, bad UTF-8, words too long to
// stem and a lead past the meta's bound, and keep doing so after it
// forgets.
func TestFieldCacheAsFields(t *testing.T) {
	long := strings.Repeat("Lead words flooding Évacuées ", 60)
	texts := []struct{ title, body, lang string }{
		{"Floods evacuated thousands", "Rivers flooded the villages.\nEvacuees were sheltering in schools.", "en"},
		{"FLOODS Floods floods", "The RIVERS rose; rivers' banks broke. A UN Öl ÉU é 7 Go x2 X2.", "en-GB"},
		{"Pengungsi banjir di Garut", "Warga mengungsi ke sekolah.\nPemerintah memberikan bantuan.", "id"},
		{"Les inondations", "Les habitants évacués.", "fr"},
		{"Évacué, naïve café", "Ça déménage à Zürich; ß and Æ fold. Łódź.", ""},
		{"Наводнения", "Жители эвакуированы. ЖИТЕЛИ", "ru"},
		{"Marks \u0301\u0301 alone", "a\u0301b \u0300 x\xffy \xfe", "sv"},
		{"Hash " + strings.Repeat("ab", 40), "Token " + strings.Repeat("Xy", 40) + " 2024 ab 7", "no"},
		{"洪水 東京", "東京で洪水。住民が避難した。", "ja"},
		{"Long lead", long + "\nSecond paragraph.", "es"},
		{"", "", "hu"},
	}
	var c FieldCache
	check := func(round int) {
		for _, tx := range texts {
			wt, wm, wb := Fields(tx.title, "Publisher Inc", "Author Name", tx.body, tx.lang)
			gt, gm, gb := c.Fields(tx.title, "Publisher Inc", "Author Name", tx.body, tx.lang)
			if gt != wt || gm != wm || gb != wb {
				t.Fatalf("round %d, %q: cache gave %q %q %q, Fields %q %q %q", round, tx.title, gt, gm, gb, wt, wm, wb)
			}
		}
	}
	for round := 0; round < 3; round++ {
		check(round)
	}
	// Past its bound it starts afresh, and still indexes right.
	var b strings.Builder
	for i := 0; i <= fieldCacheWords; i++ {
		fmt.Fprintf(&b, "Words%d ", i)
	}
	c.Fields("", "", "", b.String(), "en")
	if c.words > fieldCacheWords {
		t.Fatalf("cache holds %d words, bound %d", c.words, fieldCacheWords)
	}
	check(3)
}
