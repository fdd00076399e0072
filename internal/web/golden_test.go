package web

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

var cssVersion = regexp.MustCompile(`style\.css\?v=[0-9a-f]+`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGoldenPages compares whole pages with files in testdata, so a change
// to the markup shows up in review as a diff of the HTML a reader gets.
// Run with -update to accept a change.
func TestGoldenPages(t *testing.T) {
	s := newSite(t, Config{Lang: "id", Location: time.FixedZone("WIB", 7*3600)})
	p := s.addPost("Belarus turns to Kremlin in border stand-off", seedTime,
		"Belarus has turned to the Kremlin in its tense stand-off with the EU over the escalating crisis.",
		`"A special place in the conversation was taken by the discussion of the situation," Belta said.`)
	feeds, _ := s.st.Feeds(context.Background())
	if err := s.st.RecordPoll(context.Background(), feeds[0].ID, store.PollResult{At: seedTime, Title: "Belarus - Google News"}); err != nil {
		t.Fatal(err)
	}
	err := s.st.AddComment(context.Background(), &model.Comment{PostID: p.ID, Name: "Budi", Website: "https://budi.example.id",
		Body: "Semoga cepat selesai.\nSalam <b>hangat</b>.", Status: model.CommentApproved, CreatedAt: seedTime.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"home_id.html":      "/",
		"post_id.html":      p.Path(),
		"post_en.html":      p.Path() + "?hl=en",
		"not_found_id.html": "/nope",
		"search_en.html":    "/search?q=kremlin+crisis&hl=en",
		"label_en.html":     "/search/label/Sky%20News?hl=en",
	} {
		res, body := s.get(target)
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: status %d", target, res.StatusCode)
		}
		// The token is random per reader; the golden file holds a placeholder.
		body = csrfField.ReplaceAllString(body, `name="csrf" value="TOKEN"`)
		// The style sheet's version follows its content, which these files do not test.
		body = cssVersion.ReplaceAllString(body, "style.css?v=VERSION")
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			t.Errorf("%s differs from %s; run go test -update and review the diff\n%s", target, path, body)
		}
	}
}
