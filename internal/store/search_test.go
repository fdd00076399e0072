package store

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseSearch(t *testing.T) {
	cases := map[string][]SearchTerm{
		"":                      nil,
		`migrants frontier`:     {{Text: "migrants"}, {Text: "frontier"}},
		`"camped near" border`:  {{Text: "camped near", Phrase: true}, {Text: "border"}},
		`"solo"`:                {{Text: "solo"}},
		`a - -- b OR -c`:        {{Text: "a"}, {Text: "b"}, {Text: "OR"}, {Text: "-c"}},
		"e-mail 3.5\x00x\xffy":  {{Text: "e-mail"}, {Text: "3.5"}, {Text: "x"}, {Text: "y"}},
		`"unclosed phrase here`: {{Text: "unclosed phrase here", Phrase: true}},
		"\x02mark\x03":          {{Text: "mark"}},
		`* ( ) : ^ "" " "`:      nil,
	}
	for in, want := range cases {
		if got := ParseSearch(in); !slices.Equal(got, want) {
			t.Errorf("ParseSearch(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestParseSearchBounds(t *testing.T) {
	terms := ParseSearch(strings.Repeat("word ", 100))
	if len(terms) != MaxSearchTerms {
		t.Fatalf("%d terms", len(terms))
	}
	// A phrase's words count: twenty quoted words keep sixteen, and the
	// words after them are dropped.
	terms = ParseSearch(`a "` + strings.Repeat("w ", 20) + `" b`)
	if len(terms) != 2 || len(strings.Fields(terms[1].Text)) != MaxSearchTerms-1 {
		t.Fatalf("terms %+v", terms)
	}
	// The text is cut to MaxSearchRunes, at a rune boundary.
	long := strings.Repeat("ü", 300)
	terms = ParseSearch(long)
	if len(terms) != 1 || utf8.RuneCountInString(terms[0].Text) != MaxSearchRunes || !utf8.ValidString(terms[0].Text) {
		t.Fatalf("long word kept as %d runes", utf8.RuneCountInString(terms[0].Text))
	}
	// 35 and more dashes were a PostgreSQL error; here they are nothing.
	if terms := ParseSearch(strings.Repeat("-", 40) + "a" + strings.Repeat(" -", 40)); !slices.Equal(terms, []SearchTerm{{Text: strings.Repeat("-", 40) + "a"}}) {
		t.Fatalf("dashes: %+v", terms)
	}
}

func marked(w string) string { return MarkStart + w + MarkEnd }

func TestHighlighterTitleFoldsCaseAndAccents(t *testing.T) {
	h := NewHighlighter(ParseSearch(`cafe "MIGRANTS reach"`))
	got := h.Title("Migrants reach the Café, migrants-ish")
	want := marked("Migrants") + " " + marked("reach") + " the " + marked("Café") + ", " + marked("migrants") + "-ish"
	if got != want {
		t.Fatalf("Title = %q\nwant    %q", got, want)
	}
}

func TestSnippetAroundTheBestPlace(t *testing.T) {
	h := NewHighlighter(ParseSearch("migrants frontier"))
	body := "Officials met on Monday.\n" + strings.Repeat("Filler words here. ", 30) + "Some migrants left.\n" +
		strings.Repeat("More filler text. ", 30) + "\nThe migrants camped near the frontier while ministers argued.\nEnd."
	got := h.Snippet(body)
	// The place with both words wins over the first mention of one, and the
	// snippet starts at its paragraph.
	if !strings.HasPrefix(got, "…The "+marked("migrants")+" camped near the "+marked("frontier")+" while ministers argued. End.") {
		t.Fatalf("snippet %q", got)
	}
	if strings.Contains(got, "\n") || strings.HasSuffix(got, "…") {
		t.Fatalf("snippet %q", got)
	}
	// No match: the text's first words, and an ellipsis for the rest.
	got = NewHighlighter(ParseSearch("absent")).Snippet(body)
	if !strings.HasPrefix(got, "Officials met on Monday. Filler") || !strings.HasSuffix(got, "…") ||
		len(strings.Fields(got)) != SnippetTokens {
		t.Fatalf("no-match snippet %q", got)
	}
}

func TestSnippetIsBounded(t *testing.T) {
	h := NewHighlighter(ParseSearch("needle"))
	// One enormous word, then the match far beyond the scanned part: the
	// snippet is short and made from the start.
	huge := strings.Repeat("x", 3*SnippetScanBytes) + " needle"
	got := h.Snippet(huge)
	if len(got) > snippetMaxBytes+10 || strings.Contains(got, MarkStart) || !strings.HasSuffix(got, "…") {
		t.Fatalf("snippet of %d bytes: %.40q", len(got), got)
	}
	// A match inside the scanned part is found wherever it is.
	body := strings.Repeat("word ", SnippetScanBytes/5-100) + "the needle is here"
	if got := h.Snippet(body); !strings.Contains(got, marked("needle")) || !strings.HasPrefix(got, "…") {
		t.Fatalf("deep match: %q", got)
	}
}

func TestHighlighterIgnoresAccentsAlone(t *testing.T) {
	h := NewHighlighter([]SearchTerm{{Text: "\u0301"}, {Text: "a\u0301 b"}})
	if got := h.Title("á b \u0301"); got != marked("á")+" "+marked("b")+" \u0301" {
		t.Fatalf("Title = %q", got)
	}
	if terms := ParseSearch("\u0301 \u0301\u0301 x"); len(terms) != 1 || terms[0].Text != "x" {
		t.Fatalf("terms %+v", terms)
	}
}
