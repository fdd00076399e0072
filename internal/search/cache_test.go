package search

import (
	"fmt"
	"testing"
)

// A StemCache must index exactly as Fields does, in every language, and
// keep doing so after it forgets.
func TestStemCacheFieldsAsFields(t *testing.T) {
	texts := []struct{ title, body, lang string }{
		{"Floods evacuated thousands", "Rivers flooded the villages.\nEvacuees were sheltering in schools.", "en"},
		{"Pengungsi banjir di Garut", "Warga mengungsi ke sekolah.\nPemerintah memberikan bantuan.", "id"},
		{"Les inondations", "Les habitants évacués.", "fr"},
		{"Évacué, naïve café", "Ça déménage à Zürich; ß and Æ fold.", ""},
		{"Наводнения", "Жители эвакуированы.", "ru"},
	}
	var c StemCache
	for round := 0; round < 3; round++ {
		for _, tx := range texts {
			wt, wm, wb := Fields(tx.title, "Publisher", "Author", tx.body, tx.lang)
			gt, gm, gb := c.Fields(tx.title, "Publisher", "Author", tx.body, tx.lang)
			if gt != wt || gm != wm || gb != wb {
				t.Fatalf("round %d, %q: cache gave %q %q %q, Fields %q %q %q", round, tx.title, gt, gm, gb, wt, wm, wb)
			}
		}
	}
	// Past its bound it starts afresh, and still stems right.
	for i := 0; i <= stemCacheWords; i++ {
		c.Stem(fmt.Sprintf("words%d", i), "en")
	}
	if len(c.m) > stemCacheWords {
		t.Fatalf("cache holds %d words, bound %d", len(c.m), stemCacheWords)
	}
	if got, want := c.Stem("flooding", "en"), Stem("flooding", "en"); got != want {
		t.Fatalf("after a reset: %q, want %q", got, want)
	}
}
