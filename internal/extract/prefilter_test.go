package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// junkLine and mailLine skip their patterns on lines that cannot match;
// they must answer as the patterns do on every line.
func TestLinePrefiltersAgreeWithPatterns(t *testing.T) {
	lines := []string{
		"Advertisement", "  — ADVERTISEMENT —", "Ads", "ad", "(Reuters)", "Image caption, A man walks",
		"12 comments", "Comments (4)", "Share this article", "SHARE ON X", "Sign up now!",
		"Click here to read more of the story", "Getty Images", "Photos", "Back to top ↑",
		"Skip to main content", "Tags:", "“Read more”", "• Trending now", "ſhare", "Ρhotos",
		"Email this story", "E-mail to a friend", "Print this page", "Report abuse", "Reply",
		"reply", "Most popular", "more read", "Forward this", "Send to a friend",
		"He said the advertisement was misleading.", "Adverts are everywhere", "", "   ", "—",
		"Photograph by Jane", "Story continues below advertisement", "adsadsadsadsadsadsads",
	}
	eachTestNode(t, func(n *html.Node) {
		if n.Type == html.TextNode {
			s := collapse(n.Data)
			lines = append(lines, s, strings.ToUpper(s), strings.ToLower(s))
		}
	})
	if len(lines) < 1000 {
		t.Fatalf("only %d lines", len(lines))
	}
	matched := 0
	for _, s := range lines {
		if got, want := junkLine(s), reJunkLine.MatchString(s); got != want {
			t.Errorf("junkLine(%q) = %v, pattern says %v", s, got, want)
		} else if got {
			matched++
		}
		if got, want := mailLine(s), reMailLine.MatchString(s); got != want {
			t.Errorf("mailLine(%q) = %v, pattern says %v", s, got, want)
		}
	}
	if matched < 10 {
		t.Errorf("only %d junk lines among the samples", matched)
	}
}
