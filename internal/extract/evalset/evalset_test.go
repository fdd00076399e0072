package evalset

import (
	"testing"
	"time"
)

func TestTitleMatch(t *testing.T) {
	if !TitleMatch("A  title\n here", "A title here") || TitleMatch("A title", "A Title") {
		t.Error("title match folds white space only")
	}
}

func TestDateMatch(t *testing.T) {
	est := time.FixedZone("", -5*3600)
	if !DateMatch("2025-12-18", time.Date(2025, 12, 18, 21, 41, 0, 0, est)) {
		t.Error("the page's own day counts")
	}
	if DateMatch("2025-12-18", time.Date(2025, 12, 19, 2, 41, 0, 0, time.UTC)) || DateMatch("2025-12-18", time.Time{}) {
		t.Error("another day, or none, matched")
	}
}

func TestAuthorMatch(t *testing.T) {
	for _, c := range []struct {
		gold, got string
		ok        bool
	}{
		{"Kelia Losa Reinoso", "Kelia Losa Reinoso", true},
		{"Sergio Martínez-Beltrán | The Texas Newsroom", "Sergio Martínez-Beltrán", true},
		{"Paul Frew, Home and Digital Security Expert", "Paul Frew", true},
		{"Danielle DeSiato, Donna Enzmann, and Natalie Nguyen", "Danielle DeSiato, Donna Enzmann, Natalie Nguyen", true},
		{"Jeff Kaufman", "by Jeff Kaufman", true},
		{"Kaufman, Jeff T.", "Jeff Kaufman", false},
		{"Tim Green", "Human in the Loop", false},
		{"Tim Green", "", false},
	} {
		if got := AuthorMatch(c.gold, c.got); got != c.ok {
			t.Errorf("AuthorMatch(%q, %q) = %v", c.gold, c.got, got)
		}
	}
}
