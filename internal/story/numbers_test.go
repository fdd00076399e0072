package story

import (
	"slices"
	"testing"
)

// Figures written the Indonesian and the English way come out as one key.
func TestNumbersAcrossLanguages(t *testing.T) {
	for _, tc := range []struct {
		text, lang string
		want       []string
	}{
		{"Gempa magnitudo 6,2 guncang Garut", "id", []string{"#6.2"}},
		{"Magnitude 6.2 earthquake strikes Garut", "en", []string{"#6.2"}},
		{"Harga beras naik menjadi Rp 14.500 per kilogram", "id", []string{"#14500"}},
		{"Rice now costs 14,500 rupiah a kilogram", "en", []string{"#14500"}},
		{"Pemerintah siapkan Rp 1,5 triliun", "id", []string{"#1.5e+12"}},
		{"The government sets aside 1.5 trillion rupiah", "en", []string{"#1.5e+12"}},
		{"180 penumpang selamat, 11 dirawat", "id", []string{"#180", "#11"}},
		{"3 dead, 2 missing", "en", nil},                // small counts say nothing
		{"Samsung Galaxy S24 and 4G phones", "en", nil}, // numbers glued to letters are names
		{"17,000 islands", "", []string{"#17000"}},
		{"suku bunga 5,75 persen", "", []string{"#5.75"}},
		{"1.2.3 versi", "id", nil}, // not a figure
	} {
		if got := Numbers(tc.text, tc.lang); !slices.Equal(got, tc.want) {
			t.Errorf("Numbers(%q, %q) = %v, want %v", tc.text, tc.lang, got, tc.want)
		}
	}
}
