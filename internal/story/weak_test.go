package story

import (
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// A report that joined a story on weak evidence moves when a story it
// fits better appears; one that joined on strong evidence stays.
func TestWeakReportMovesToBetterStory(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cfg := Config{}.withDefaults()
	x := newIndex(cfg)
	add := func(id, storyID int64, title string, minutes int) {
		f := cfg.featuresOf(&model.Post{Title: title, Language: "en"})
		x.sign(&f)
		x.add(id, storyID, 0, t0.Add(time.Duration(minutes)*time.Minute), f)
	}
	add(1, 10, "Jakarta governor opens new MRT line to Bekasi", 0)
	add(2, 10, "New MRT line to Bekasi opened by Jakarta governor", 5)
	// Joined the MRT story on a shared word or two: weak.
	add(3, 10, "Jakarta flood closes MRT station in Kampung Melayu", 10)
	x.noteWeak(3, 0.45)
	// Joined strongly: stays whatever comes.
	add(4, 10, "Jakarta governor: MRT line to Bekasi carries 40,000 on first day", 15)
	x.noteWeak(4, 0.95)
	if got := x.docs[4].weak; got != 0 {
		t.Fatalf("a strong join was noted as weak (%v)", got)
	}
	// The flood becomes a story of its own.
	flood := "Flood in Kampung Melayu, Jakarta: MRT station closed, hundreds evacuated"
	add(5, 20, flood, 30)
	q := cfg.featuresOf(&model.Post{Title: flood, Language: "en"})
	moves := x.moves(20, q.title)
	if _, ok := moves[3]; !ok {
		t.Fatalf("the weak flood report does not move to the flood story: %v", moves)
	}
	if _, ok := moves[4]; ok {
		t.Errorf("a strongly joined report would move: %v", moves)
	}
	before := x.stories[10].title["flood"]
	x.move(3, 20)
	if d := x.docs[3]; d.storyID != 20 || d.weak != 0 {
		t.Errorf("after the move the report is in story %d (weak %v), want 20 (0)", d.storyID, d.weak)
	}
	if _, ok := x.stories[10].title["flood"]; ok || before == 0 {
		t.Errorf("the MRT story keeps the moved report's words (flood %v before)", before)
	}
	if s := x.stories[10]; s.count != 3 || len(s.posts) != 3 {
		t.Errorf("MRT story: %d reports, %d posts; want 3", s.count, len(s.posts))
	}
	if s := x.stories[20]; s.count != 2 {
		t.Errorf("flood story: %d reports, want 2", s.count)
	}
}
