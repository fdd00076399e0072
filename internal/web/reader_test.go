package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
)

func TestReaderSeesOwnPendingCommentAndIsRemembered(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	other := s.addPost("EU vows more sanctions", seedTime.Add(-1), "Text.")
	csrf, token := s.openForm(p.Path())
	res, _ := s.post(p.Path(), csrf, url.Values{"csrf": {token}, "name": {"Ani <b>"}, "website": {"https://ani.example"}, "text": {"My own held words."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: %d", res.StatusCode)
	}
	jar := map[string]*http.Cookie{csrf.Name: csrf}
	for _, c := range res.Cookies() {
		jar[c.Name] = c
		if (c.Name == rememberCookie || c.Name == pendingCookie) && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge <= 0) {
			t.Errorf("cookie %v", c)
		}
	}
	if jar[rememberCookie] == nil || jar[pendingCookie] == nil {
		t.Fatalf("cookies set: %v", res.Cookies())
	}
	get := func(target string, cookies ...*http.Cookie) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, target, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, body := s.do(req)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", target, res.StatusCode)
		}
		return body
	}
	body := get(p.Path(), jar[rememberCookie], jar[pendingCookie])
	contains(t, body, `<li id="c`, `class="comment pending"`, "Awaiting moderation — only you can see this comment", "My own held words.",
		`value="Ani &lt;b&gt;"`, `value="https://ani.example"`)
	// Not on another post, not for another reader, not with a forged list.
	lacks(t, get(other.Path(), jar[pendingCookie]), "My own held words.")
	lacks(t, get(p.Path()), "My own held words.", "Ani &lt;b&gt;")
	cs := s.comments(p.ID)
	forged := &http.Cookie{Name: pendingCookie, Value: strings.Replace(jar[pendingCookie].Value, "1~", "2~", 1)}
	lacks(t, get(p.Path(), forged), "My own held words.")

	// Once published it shows once, as everyone's; no longer marked.
	if err := s.st.SetCommentStatus(t.Context(), cs[0].ID, model.CommentApproved); err != nil {
		t.Fatal(err)
	}
	body = get(p.Path(), jar[pendingCookie])
	if n := strings.Count(body, "My own held words."); n != 1 {
		t.Errorf("published comment shown %d times", n)
	}
	lacks(t, body, "only you can see")
	// Marked as spam: it disappears for its author too.
	if err := s.st.SetCommentStatus(t.Context(), cs[0].ID, model.CommentSpam); err != nil {
		t.Fatal(err)
	}
	lacks(t, get(p.Path(), jar[pendingCookie]), "My own held words.")
}
