package model

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLimitParagraphsKeepsWholeParagraphs(t *testing.T) {
	paras := []string{"aaaa", "bbbb", "cccc"}
	// "aaaa\nbbbb" is 9 bytes.
	for max, want := range map[int][]string{14: paras, 13: {"aaaa", "bbbb"}, 9: {"aaaa", "bbbb"}, 8: {"aaaa"}, 4: {"aaaa"}} {
		got, cut := LimitParagraphs(paras, max)
		if !slices.Equal(got, want) || cut != (len(want) < len(paras)) {
			t.Errorf("max %d: %q, %v; want %q", max, got, cut, want)
		}
	}
	if len(paras) != 3 || paras[2] != "cccc" {
		t.Fatalf("input changed: %q", paras)
	}
}

func TestLimitParagraphsCutsOneHugeParagraph(t *testing.T) {
	p := strings.Repeat("word ", 100)
	got, cut := LimitParagraphs([]string{p, "next"}, 23)
	if !cut || !slices.Equal(got, []string{"word word word word"}) {
		t.Fatalf("got %q, %v", got, cut)
	}
	// A script without spaces is cut at a rune boundary, never inside one.
	cjk := strings.Repeat("漢", 100) // 3 bytes each
	got, _ = LimitParagraphs([]string{cjk}, 10)
	if len(got) != 1 || got[0] != "漢漢漢" || !utf8.ValidString(got[0]) {
		t.Fatalf("CJK cut to %q", got)
	}
}

func TestPostLimit(t *testing.T) {
	small := &Post{Title: "T", Paragraphs: []string{"short"}}
	if small.Limit() || small.Truncated {
		t.Fatal("a small post was cut")
	}
	n := MaxArticleBytes/1000 + 10
	var paras []string
	for i := 0; i < n; i++ {
		paras = append(paras, strings.Repeat("x", 999))
	}
	big := &Post{Title: strings.Repeat("title ", 1000), Paragraphs: paras}
	if !big.Limit() || !big.Truncated {
		t.Fatal("a long post was not marked")
	}
	if size := len(strings.Join(big.Paragraphs, "\n")); size > MaxArticleBytes || size < MaxArticleBytes-1000 {
		t.Fatalf("kept %d bytes of text", size)
	}
	if len(big.Title) > MaxTitleBytes || !strings.HasPrefix(big.Title, "title title") {
		t.Fatalf("title of %d bytes", len(big.Title))
	}
	// Limiting again changes nothing and keeps the mark.
	kept := len(big.Paragraphs)
	if big.Limit() || len(big.Paragraphs) != kept || !big.Truncated {
		t.Fatal("Limit is not idempotent")
	}
}
