package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
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

// Highlight marks a page's posts in parts, in parallel: each hit must be
// the one a Highlighter of its own makes, in the order of ids.
func TestHighlightInPartsAsOne(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	terms := []SearchTerm{{Text: "floods"}, {Text: "Bandung"}}
	var posts []model.Post
	var ids []int64
	for i := range 23 {
		posts = append(posts, model.Post{ID: int64(100 + i), Title: fmt.Sprintf("Flood %d in bandung", i),
			Paragraphs: []string{strings.Repeat("Nothing happened today. ", i), "The floods reached BANDUNG.", "More later."}})
		ids = append(ids, int64(100+(i*7)%23)) // every post, out of order
	}
	ids = append(ids, 999) // deleted meanwhile
	hits, err := Highlight(context.Background(), terms, ids, posts)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != len(posts) {
		t.Fatalf("%d hits of %d posts", len(hits), len(posts))
	}
	for i, hit := range hits {
		p := posts[(i*7)%23]
		h := NewHighlighter(terms)
		want := SearchHit{Post: p, Title: h.Title(p.Title), Snippet: h.Snippet(strings.Join(p.Paragraphs, "\n"))}
		if hit.Post.ID != want.Post.ID || hit.Title != want.Title || hit.Snippet != want.Snippet || !strings.Contains(hit.Snippet, marked("floods")) {
			t.Fatalf("hit %d: %d %q %q, want %d %q %q", i, hit.Post.ID, hit.Title, hit.Snippet, want.Post.ID, want.Title, want.Snippet)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Highlight(ctx, terms, ids, posts); !errors.Is(err, context.Canceled) {
		t.Fatalf("a reader who left: %v", err)
	}
}
