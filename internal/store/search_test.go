package store

import (
	"strings"
	"testing"
)

func marked(w string) string { return MarkStart + w + MarkEnd }

func TestHighlighterTitleFoldsCaseAndAccents(t *testing.T) {
	h := NewHighlighter([]SearchTerm{{Text: "cafe"}, {Text: "MIGRANTS reach", Phrase: true}})
	got := h.Title("Migrants reach the Café, migrants-ish")
	want := marked("Migrants") + " " + marked("reach") + " the " + marked("Café") + ", " + marked("migrants") + "-ish"
	if got != want {
		t.Fatalf("Title = %q\nwant    %q", got, want)
	}
}

func TestSnippetAroundTheBestPlace(t *testing.T) {
	h := NewHighlighter([]SearchTerm{{Text: "migrants"}, {Text: "frontier"}})
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
	got = NewHighlighter([]SearchTerm{{Text: "absent"}}).Snippet(body)
	if !strings.HasPrefix(got, "Officials met on Monday. Filler") || !strings.HasSuffix(got, "…") ||
		len(strings.Fields(got)) != SnippetTokens {
		t.Fatalf("no-match snippet %q", got)
	}
}

func TestSnippetIsBounded(t *testing.T) {
	h := NewHighlighter([]SearchTerm{{Text: "needle"}})
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
}

// TestHighlighterWordsFoldingShorter: a word that starts in ASCII but
// folds to fewer bytes ("Cafés" → "cafes") is still found, and words of
// a searched word's first letter but another length are not.
func TestHighlighterWordsFoldingShorter(t *testing.T) {
	h := NewHighlighter([]SearchTerm{{Text: "cafes"}})
	got := h.Title("Cafés caf cafess CAFES")
	want := marked("Cafés") + " caf cafess " + marked("CAFES")
	if got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
}
