package story

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Fed's Charles Plosser: don't slow the taper!", []string{"fed", "charles", "plosser", "dont", "slow", "the", "taper"}},
		{"Comcast-Time Warner deal, $45.2bn", []string{"comcast", "time", "warner", "deal", "45", "2bn"}},
		{"Banjir rendam 42 RT di Jakarta Timur", []string{"banjir", "rendam", "42", "rt", "di", "jakarta", "timur"}},
		{"Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ", []string{"full", "width", "abc"}},
		{"Łódź café", []string{"łódź", "café"}},
		{"東京都知事", []string{"東京", "京都", "都知", "知事"}},
		{"ข่าวด่วน", []string{"ข่", "่า", "าว", "วด", "ด่", "่ว", "วน"}},
		{"Путин заявил", []string{"путин", "заявил"}},
		{"속보 서울", []string{"속보", "서울"}},
		{"", nil},
	}
	for _, c := range cases {
		got := Tokens(c.text)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestEntities(t *testing.T) {
	got := Entities("Officials said on Tuesday that Bank Indonesia would meet the IMF. The rupiah fell.")
	want := []string{"bank", "indonesia", "imf"}
	if !slices.Equal(got, want) {
		t.Errorf("Entities = %q, want %q", got, want)
	}
	// A Title Case headline: only its acronyms tell names.
	got = Entities("Stacy Keibler And Jared Pobre's Wedding Was Kept Secret From NBC")
	if !slices.Equal(got, []string{"nbc"}) {
		t.Errorf("Entities(title case) = %q", got)
	}
	got = Entities("Warga Kampung Melayu mengungsi ke masjid, kata BPBD DKI Jakarta.")
	if !slices.Equal(got, []string{"kampung", "melayu", "bpbd", "dki", "jakarta"}) {
		t.Errorf("Entities(id) = %q", got)
	}
}

func fakeWords(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
	}
	return out
}

func TestSignatures(t *testing.T) {
	a := fakeWords(400, "w")
	same := Sign(a)
	if s := Sign(slices.Clone(a)); s.Jaccard(&same) != 1 || s.Containment(&same) != 1 {
		t.Fatalf("identical texts: J %.2f", s.Jaccard(&same))
	}
	half := Sign(a[:200])
	if j, c := half.Jaccard(&same), half.Containment(&same); math.Abs(j-0.5) > 0.15 || c < 0.8 {
		t.Errorf("first half: J %.2f (want ≈0.5), containment %.2f (want ≈1)", j, c)
	}
	other := Sign(fakeWords(400, "v"))
	if j := other.Jaccard(&same); j > 0.05 {
		t.Errorf("unrelated texts: J %.2f", j)
	}
	if TextHash(Tokens("Hello,  World!")) != TextHash(Tokens("hello world")) {
		t.Error("text hash depends on case or punctuation")
	}
	// The LSH bands of a text and its near copy share a bucket.
	edited := slices.Clone(a)
	edited[100], edited[300] = "changed", "words"
	e := Sign(edited)
	ka, kb := same.bandKeys(), e.bandKeys()
	shared := 0
	for i := range ka {
		if ka[i] == kb[i] {
			shared++
		}
	}
	if shared == 0 {
		t.Error("a near copy shares no LSH band")
	}
}
