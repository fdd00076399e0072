package extract

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDecodeLeftover(t *testing.T) {
	for in, want := range map[string]string{
		"Python, SQL &#x26; AI": "Python, SQL & AI",
		"Budgets &#38; Savings": "Budgets & Savings",
		"Tom &amp; Jerry":       "Tom & Jerry",
		"O&#39;Neill":           "O'Neill",
		"Siobh&aacute;n":        "Siobhán",
		"AT&T":                  "AT&T",
		"Q&A; more":             "Q&A; more", // no such entity
		"&copy2025 Ledger":      "&copy2025 Ledger",
		"&#;":                   "&#;",
		"&#x;":                  "&#x;",
		"a & b; c":              "a & b; c",
		"trailing &amp":         "trailing &amp",
		"":                      "",
	} {
		if got := decodeLeftover(in); got != want {
			t.Errorf("decodeLeftover(%q) = %q, want %q", in, got, want)
		}
	}
}

// A page that escapes its title, site name and author twice: the reader
// is shown "&#x26;" where the page meant "&", and the metadata must hold
// the character, while body text keeps what the page shows.
func TestDoubleEscapedMetadata(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "double-escaped.html"))
	if err != nil {
		t.Fatal(err)
	}
	art, err := Extract(page, "https://ledger.example/guides/budget-tools")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Tools for Budgets & Savings"; art.Title != want {
		t.Errorf("title %q, want %q", art.Title, want)
	}
	if want := "Siobhán O'Neill"; art.Author != want {
		t.Errorf("author %q, want %q", art.Author, want)
	}
	if want := "The Ledger & Guides"; art.SiteName != want {
		t.Errorf("site %q, want %q", art.SiteName, want)
	}
	last := art.Paragraphs[len(art.Paragraphs)-1]
	if want := "The & sign in a shop's name, the R&D budget of a firm and the literal text &amp; in a code sample are written as the page shows them."; last != want {
		t.Errorf("last paragraph %q, want %q", last, want)
	}
}
