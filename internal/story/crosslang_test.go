package story_test

import (
	"testing"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/story"
	"github.com/kabarnews/kabar/internal/story/storytest"
)

// Reports of one event in English and Indonesian: written for kabar, the
// way the two languages' agencies would tell them (Indonesian writes
// 6,2 and 1.200 for 6.2 and 1,200).
var (
	quakeEN = storytest.Article{Lang: "en", Hours: 8,
		Title: "Magnitude 6.2 quake hits Indonesia's Garut, damaging 1,200 homes",
		Paragraphs: []string{
			"GARUT, Indonesia (Wire) - A magnitude 6.2 earthquake struck Garut regency in West Java on Tuesday morning, damaging 1,200 homes and injuring 34 people, the disaster agency BNPB said.",
			"The quake was centred 42 kilometres southwest of Garut at a depth of 10 kilometres, BMKG head Dwikorita Karnawati said. It was felt in Bandung and Jakarta.",
		}}
	quakeID = storytest.Article{Lang: "id", Hours: 8,
		Title: "Gempa magnitudo 6,2 guncang Garut, 1.200 rumah rusak",
		Paragraphs: []string{
			"GARUT (Antara) - Gempa bumi bermagnitudo 6,2 mengguncang Kabupaten Garut, Jawa Barat, Selasa pagi. Badan Nasional Penanggulangan Bencana (BNPB) mencatat 1.200 rumah rusak dan 34 warga luka-luka.",
			"Kepala BMKG Dwikorita Karnawati mengatakan pusat gempa berada di kedalaman 10 kilometer, 42 kilometer barat daya Garut. Getaran terasa hingga Bandung dan Jakarta.",
		}}
	floodID = storytest.Article{Lang: "id", Hours: 10,
		Title: "Banjir bandang terjang Garut, 15 rumah hanyut",
		Paragraphs: []string{
			"GARUT (Antara) - Banjir bandang melanda tiga desa di Kabupaten Garut, Jawa Barat, Selasa malam. Sebanyak 15 rumah hanyut dan 120 warga mengungsi, kata Badan Penanggulangan Bencana Daerah (BPBD) Garut.",
			"Hujan deras sejak sore membuat Sungai Cimanuk meluap. Tim SAR gabungan masih mencari dua warga yang hilang.",
		}}
	rateEN = storytest.Article{Lang: "en", Hours: 9,
		Title: "Bank Indonesia holds key rate at 5.75% to support rupiah",
		Paragraphs: []string{
			"JAKARTA (Wire) - Bank Indonesia kept its benchmark BI-Rate at 5.75 percent on Wednesday, as expected by 28 of 31 economists polled, Governor Perry Warjiyo said, citing the need to keep the rupiah stable near 16,300 per dollar.",
		}}
	rateID = storytest.Article{Lang: "id", Hours: 9,
		Title: "BI tahan suku bunga acuan di level 5,75 persen",
		Paragraphs: []string{
			"JAKARTA (Antara) - Bank Indonesia (BI) mempertahankan suku bunga acuan BI-Rate di level 5,75 persen, kata Gubernur BI Perry Warjiyo di Jakarta, Rabu. Keputusan itu untuk menjaga nilai tukar rupiah yang berada di kisaran Rp 16.300 per dolar AS.",
		}}
)

// An Indonesian and an English report of one event share a story when
// their names, figures and time agree; another event of the same place
// that day, with other figures, stays apart.
func TestStoriesAcrossLanguages(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		w := newWorld(t, st, story.Config{})
		_, quake, _ := w.site("wire-en", quakeEN, 0)
		_, rate, _ := w.site("wire-en", rateEN, 0)
		if _, s, _ := w.site("antara", quakeID, 40); s != quake {
			t.Errorf("the Indonesian report of the Garut quake: story %d, want the English one's %d", s, quake)
		}
		if _, s, _ := w.site("antara", rateID, 30); s != rate {
			t.Errorf("the Indonesian report of the rate decision: story %d, want the English one's %d", s, rate)
		}
		if _, s, _ := w.site("detik", floodID, 0); s == quake {
			t.Errorf("a flood in Garut the same day joined the Garut quake")
		}
	})
}
