package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/model"
)

// An article that writes about markup keeps its words: the page's
// &lt;img src=x onerror=alert(1)&gt; is text, extracted as text and stored
// as text, not taken for a tag and deleted.
func TestPostKeepsMarkupLookingText(t *testing.T) {
	page := `<html><head><title>How pages break</title></head><body><article>
<h1>How pages break</h1>
<p>Security researchers showed that writing &lt;img src=x onerror=alert(1)&gt; into a comment box made the old forum run the attacker's script, because the forum printed comments without escaping them first.</p>
<p>The fix was simple: the forum now shows &lt;script&gt; and every other tag as the words they are, and the entity &amp;lt; stays four characters long on the page.</p>
<p>Other sites were asked to check their comment boxes for the same mistake before the details were published, and most of them did so within the week.</p>
</article></body></html>`
	art, err := extract.Extract([]byte(page), "https://example.com/news/pages-break")
	if err != nil {
		t.Fatal(err)
	}
	post := buildPost(&model.Item{Title: "How pages break", SourceURL: "https://example.com/news/pages-break"}, art, "https://example.com/news/pages-break", time.Now())
	text := strings.Join(post.Paragraphs, "\n")
	for _, want := range []string{
		"writing <img src=x onerror=alert(1)> into a comment box",
		"now shows <script> and every other tag",
		"the entity &lt; stays",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q lost from the stored text:\n%s", want, text)
		}
	}
}
