package web

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// failingReextract refuses every post with a reason.
type failingReextract struct{}

func (failingReextract) Reextract(context.Context, int64) error {
	return errors.New("fetch https://news.example.com/x: 403 Forbidden")
}

// adminSession signs the owner in and returns a GET and a form POST that
// carry the session and a fresh token.
func adminSession(t *testing.T, s *site) (get func(string) string, post func(string, url.Values) (*http.Response, string)) {
	cookies := s.signIn("owner", "a long enough password")
	get = func(target string) string {
		t.Helper()
		res, body := s.adminReq(http.MethodGet, target, cookies, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", target, res.StatusCode, body)
		}
		return body
	}
	post = func(target string, form url.Values) (*http.Response, string) {
		t.Helper()
		form.Set("csrf", tokenField.FindStringSubmatch(get("/admin/settings"))[1])
		return s.adminReq(http.MethodPost, target, cookies, form)
	}
	return get, post
}

func TestAdminPostsTable(t *testing.T) {
	s := newSite(t, Config{Reextract: failingReextract{}})
	for i := range 55 {
		s.addPost(fmt.Sprintf("Report number %d", i), seedTime.Add(time.Duration(i)*time.Hour), "Text.")
	}
	flood := s.addPost("Flood in Jakarta", seedTime.Add(-48*time.Hour), "Water.")
	get, post := adminSession(t, s)

	body := get("/admin/posts")
	contains(t, body, "56 posts", `class="older" href="/admin/posts?page=2"`, `<label for="p-q">Title contains</label>`, `<select id="p-feed" name="feed">`)
	if n := strings.Count(body, "<tr>"); n != 51 { // a header row and 50 posts
		t.Errorf("%d rows on page 1", n)
	}
	body = get("/admin/posts?page=2")
	contains(t, body, `class="newer" href="/admin/posts"`, "Flood in Jakarta")
	body = get("/admin/posts?q=jakarta")
	contains(t, body, "1 post<", "Flood in Jakarta")
	lacks(t, body, "Report number")
	body = get("/admin/posts?from=2021-11-07&to=2021-11-07")
	contains(t, body, "1 post<", "Flood in Jakarta")
	contains(t, get("/admin/posts?status=thin"), "0 posts")
	contains(t, get(fmt.Sprintf("/admin/posts?feed=%d&status=full", flood.FeedID)), "56 posts")
	for _, bad := range []string{"/admin/posts?from=yesterday", "/admin/posts?status=odd", "/admin/posts?feed=x"} {
		if res, _ := s.get(bad); res.StatusCode == http.StatusOK {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}

	// A failed re-extraction says why, on the page.
	res, body := post(fmt.Sprintf("/admin/posts/%d/reextract", flood.ID), url.Values{})
	if res.StatusCode != http.StatusBadGateway {
		t.Errorf("failed re-extraction: %d", res.StatusCode)
	}
	contains(t, body, `<p class="form-error" role="alert">Extracting the post again failed: fetch https://news.example.com/x: 403 Forbidden</p>`)
}

func TestAdminFeedsTable(t *testing.T) {
	clock := newClock()
	s := newSite(t, Config{Now: clock.Now})
	s.addPost("One", seedTime, "Text.")
	f := s.titleFeed(`"kota" - Google Berita`)
	get, post := adminSession(t, s)
	body := get("/admin/feeds")
	contains(t, body, `<table class="admin-table feeds-table">`, `>kota</a>`, "Refresh now", `<summary>Edit</summary>`, `value="kota"`)

	// Refresh now makes the feed due.
	if res, _ := post(fmt.Sprintf("/admin/feeds/%d/refresh", f.ID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refresh: %d", res.StatusCode)
	}
	if got, _ := s.st.Feed(context.Background(), f.ID); !got.NextPollAt.Equal(clock.Now()) {
		t.Errorf("next poll %v, want now %v", got.NextPollAt, clock.Now())
	}
	contains(t, get("/admin/feeds?done=feed_refresh"), "The feed will be polled within a minute.")

	// Rename: readers see the new name.
	if res, _ := post(fmt.Sprintf("/admin/feeds/%d/rename", f.ID), url.Values{"name": {"Berita kota"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d", res.StatusCode)
	}
	contains(t, s.mustGet("/labels", http.StatusOK), ">Berita kota</a>")
	contains(t, get("/admin/feeds"), `value="Berita kota"`)
	post(fmt.Sprintf("/admin/feeds/%d/rename", f.ID), url.Values{"name": {""}})
	contains(t, s.mustGet("/labels", http.StatusOK), ">kota</a>")

	// OPML export: every feed, by its shown name, with its address and topic.
	if err := s.st.SetFeedOptions(context.Background(), model.FeedOptions{FeedID: f.ID, Topic: "Jakarta"}); err != nil {
		t.Fatal(err)
	}
	s.srv.cache.invalidate()
	opml := get("/admin/feeds.opml")
	var doc opmlDoc
	if err := xml.Unmarshal([]byte(opml), &doc); err != nil || doc.Version != "2.0" || len(doc.Body.Outlines) != 1 {
		t.Fatalf("OPML %+v %v\n%s", doc, err, opml)
	}
	if o := doc.Body.Outlines[0]; o.Text != "kota" || o.Title != `"kota" - Google Berita` || o.XMLURL != f.URL || o.Type != "rss" || o.Category != "Jakarta" {
		t.Errorf("outline %+v", o)
	}
	if res, _ := s.get("/admin/feeds.opml"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("OPML without a session: %d", res.StatusCode)
	}

	// Delete asks first.
	res, body := post(fmt.Sprintf("/admin/feeds/%d/delete", f.ID), url.Values{})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	contains(t, body, "Are you sure?", `Remove the feed “&#34;kota&#34; - Google Berita”?`, `name="confirm" value="yes"`, `href="/admin/feeds">Cancel</a>`)
	if _, err := s.st.Feed(context.Background(), f.ID); err != nil {
		t.Fatal("removed before the confirmation")
	}
}

func TestAdminBulkModeration(t *testing.T) {
	s := newSite(t, Config{})
	p := s.addPost("One", seedTime, "Text.")
	parent := &model.Comment{PostID: p.ID, Name: "Ani", Body: "First", CreatedAt: seedTime}
	s.approve(parent)
	var held []*model.Comment
	for i, name := range []string{"Budi", "Citra", "Spammer"} {
		c := &model.Comment{PostID: p.ID, Name: name, Body: "Body " + name, Status: model.CommentPending, CreatedAt: seedTime.Add(time.Duration(i+1) * time.Minute)}
		if name == "Budi" {
			c.ParentID = parent.ID
		}
		if err := s.st.AddComment(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	get, post := adminSession(t, s)
	body := get("/admin/comments")
	contains(t, body, `<p class="reply-to">Reply to <a href="`+p.Path()+fmt.Sprintf(`#c%d">Ani</a></p>`, parent.ID),
		`<button type="submit" name="action" value="spam" class="warn">Mark as spam</button>`,
		`<button type="submit" name="action" value="delete" class="danger">Delete</button>`,
		`class="mod-comment reply"`)

	id := func(c *model.Comment) string { return fmt.Sprint(c.ID) }
	if res, _ := post("/admin/comments/bulk", url.Values{"action": {"approve"}, "id": {id(held[0]), id(held[1])}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk approve: %d", res.StatusCode)
	}
	if res, _ := post("/admin/comments/bulk", url.Values{"action": {"spam"}, "id": {id(held[2])}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk spam: %d", res.StatusCode)
	}
	status := map[string]string{}
	for _, c := range s.comments(p.ID) {
		status[c.Name] = c.Status
	}
	if status["Budi"] != model.CommentApproved || status["Citra"] != model.CommentApproved || status["Spammer"] != model.CommentSpam {
		t.Errorf("statuses %v", status)
	}
	// Bulk delete asks first.
	res, body := post("/admin/comments/bulk", url.Values{"action": {"delete"}, "id": {id(held[0]), id(held[1])}, "status": {"approved"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("bulk delete: %d", res.StatusCode)
	}
	contains(t, body, "Delete the 2 selected comments, with their replies?", `name="id" value="`+id(held[0])+`"`)
	if n := len(s.comments(p.ID)); n != 4 {
		t.Fatalf("%d comments before confirming", n)
	}
	res, _ = post("/admin/comments/bulk", url.Values{"action": {"delete"}, "id": {id(held[0]), id(held[1])}, "confirm": {"yes"}, "status": {"approved"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/comments?done=comments_deleted&status=approved" {
		t.Fatalf("confirmed bulk delete: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if n := len(s.comments(p.ID)); n != 2 {
		t.Errorf("%d comments after deleting two", n)
	}
	for _, bad := range []url.Values{{"action": {"frob"}, "id": {id(parent)}}, {"action": {"approve"}, "id": {"x"}}} {
		if res, _ := post("/admin/comments/bulk", bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: %d", bad, res.StatusCode)
		}
	}
	if res, _ := post("/admin/comments/bulk", url.Values{"action": {"approve"}}); res.StatusCode != http.StatusSeeOther ||
		!strings.Contains(res.Header.Get("Location"), "none_selected") {
		t.Errorf("nothing selected: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}
