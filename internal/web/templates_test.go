package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
)

// TestBakedStringsSamePages renders every kind of page, in each language,
// from the templates with their strings written in (bakeStrings) and from
// the templates as written, and wants the same bytes: a string baked in
// the wrong place, or escaped otherwise than html/template would, shows as
// a difference.
func TestBakedStringsSamePages(t *testing.T) {
	ss := newStorySite(t)
	s := ss.site
	orig, storyID := ss.wire()
	p := s.addPost(`Floods "rise" & roads <close> in Jakarta's north + east`, seedTime,
		"Water rose overnight across the north of the city.", "Schools closed for a second day.")
	s.approve(&model.Comment{PostID: p.ID, Name: "Budi", Website: "https://budi.example.id", Body: "Semoga <b>cepat</b> selesai.", CreatedAt: seedTime})
	s.approve(&model.Comment{PostID: p.ID, ParentID: 1, Name: "Ani", Body: "Amin.", CreatedAt: seedTime})
	ctx := context.Background()
	if _, err := s.st.SavePage(ctx, &model.Page{Slug: "tentang-kami", Title: "Tentang kami", Paragraphs: []string{"We report."}, Published: seedTime}); err != nil {
		t.Fatal(err)
	}
	cookies := s.signIn("owner", "a long enough password")
	s.srv.cfg.PageSize = 1 // a second page of posts
	pages := []string{
		"/", "/?page=2", p.Path(), p.Path() + "?reply=1", orig.Path(), "/search?q=floods", "/search?q=nothingmatches",
		"/search?q=", "/search/label/Sky%20News", "/labels", "/publishers", "/archive", "/2021/11/", "/stories",
		fmt.Sprintf("/story/%d", storyID), "/p/tentang-kami.html", "/admin/login", "/nope",
		"/admin", "/admin/feeds", "/admin/comments", "/admin/posts", "/admin/settings",
	}
	render := func() map[string]string {
		out := map[string]string{}
		for _, lang := range []string{"en", "id"} {
			for _, target := range pages {
				target += map[bool]string{true: "&", false: "?"}[strings.Contains(target, "?")] + "hl=" + lang
				var res *http.Response
				var body string
				if strings.HasPrefix(target, "/admin") && !strings.HasPrefix(target, "/admin/login") {
					res, body = s.adminReq(http.MethodGet, target, cookies, nil)
				} else {
					res, body = s.get(target)
				}
				if res.StatusCode != http.StatusOK && !strings.HasPrefix(target, "/nope") {
					t.Errorf("%s: status %d", target, res.StatusCode)
				}
				out[target] = csrfField.ReplaceAllString(body, `name="csrf" value="TOKEN"`)
			}
			// The page that asks before an action cannot be undone.
			_, settings := s.adminReq(http.MethodGet, "/admin/settings", cookies, nil)
			token := csrfField.FindStringSubmatch(settings)
			if token == nil {
				t.Fatal("no token on the comments page")
			}
			res, body := s.adminReq(http.MethodPost, "/admin/comments/1/delete?hl="+lang, cookies, url.Values{"csrf": {token[1]}})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="confirm"`) {
				t.Errorf("delete asked: status %d, no confirmation form", res.StatusCode)
			}
			out["confirm "+lang] = csrfField.ReplaceAllString(body, `name="csrf" value="TOKEN"`)
		}
		return out
	}
	baked := render()
	var err error
	if s.srv.pages, err = parsePages(files, s.srv.locales, false); err != nil {
		t.Fatal(err)
	}
	s.srv.sidebars = genMemo[sidebarKey, template.HTML]{max: maxSidebars}
	asWritten := render()
	for target, want := range asWritten {
		if got := baked[target]; got != want {
			t.Errorf("%s: the baked templates render otherwise:\n%s", target, firstDiff(got, want))
		}
		if !strings.Contains(want, "</html>") {
			t.Errorf("%s: not a whole page:\n%s", target, want)
		}
	}
}

// TestBakeStrings: a baked string is escaped as html/template escapes it,
// keeps the action's trim markers, and a call that is not a constant key
// is left to run.
func TestBakeStrings(t *testing.T) {
	loc := &locale{msgs: map[string]string{"a": `Tom & "Jerry" <3 + 'x'`, "b": "B"}}
	for _, c := range []struct{ src, want string }{
		{`<p>{{.T "a"}}</p>`, `<p>Tom &amp; &#34;Jerry&#34; &lt;3 &#43; &#39;x&#39;</p>`},
		{`<p> {{- .T "b" -}} </p>`, `<p> {{- /**/}}B{{/**/ -}} </p>`},
		{`{{$.T "b"}}`, `B`},
		{`{{.T .Key}} {{$.N "b" 2}} {{.T "missing"}}`, `{{.T .Key}} {{$.N "b" 2}} missing`},
	} {
		if got := bakeStrings(c.src, loc); got != c.want {
			t.Errorf("bakeStrings(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

// firstDiff shows where two texts part, with some of what comes before.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return "got:  …" + a[from:min(len(a), i+80)] + "\nwant: …" + b[from:min(len(b), i+80)]
}
