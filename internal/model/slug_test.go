package model

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlugify(t *testing.T) {
	cases := map[string]string{
		"Germany urges EU unity amid growing tensions":    "germany-urges-eu-unity-amid-growing-tensions",
		"Germany's outgoing minister: \"stand together\"": "germanys-outgoing-minister-stand-together",
		"Łódź café — naïve":                               "łodz-cafe-naive",
		"  !!  ":                                          "post",
		"반도체 수출":                                          "반도체-수출",
	}
	for in, want := range cases {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlugifyLongTitleIsCutOnAWord(t *testing.T) {
	title := strings.Repeat("tensions grow ", 20) + "Дорога"
	got := Slugify(title)
	if len(got) > maxSlugLen || strings.HasSuffix(got, "-") || !utf8.ValidString(got) {
		t.Fatalf("bad long slug %q (%d bytes)", got, len(got))
	}
	got = Slugify(strings.Repeat("Дорога", 30))
	if len(got) > maxSlugLen || !utf8.ValidString(got) {
		t.Fatalf("bad cyrillic slug %q", got)
	}
}
