package web

import (
	"bytes"
	"context"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
)

const importOPML = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>reader export</title></head><body>
<outline text="World">
  <outline type="rss" text="Banjir" xmlUrl="https://news.google.com/rss/search?q=banjir&amp;hl=id&amp;gl=ID&amp;ceid=ID:id"/>
  <outline type="rss" text="Known" xmlUrl="https://known.example.com/rss"/>
</outline>
<outline type="rss" text="Loose" xmlUrl="https://loose.example.org/feed.xml"/>
<outline text="Local"><outline type="rss" text="Intranet" xmlUrl="http://127.0.0.1:8080/feed"/></outline>
</body></opml>`

// The feeds page imports an OPML file as `kabar feeds import` does, over a
// real multipart upload: folders become topics, a second import adds
// nothing, a Google News edition is kept, a feed on a refused address is
// refused, and a bad, forged or oversized upload changes nothing.
func TestAdminImportOPML(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			s := newSiteOn(t, kind, Config{FeedURLs: guardClient(t)})
			ctx := context.Background()
			known := &model.Feed{URL: "https://known.example.com/rss"}
			if err := s.st.AddFeed(ctx, known); err != nil {
				t.Fatal(err)
			}
			cookies := s.signIn("owner", "a long enough password")
			ts := httptest.NewServer(s.srv)
			t.Cleanup(ts.Close)
			token := func() string {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+"/admin/feeds", nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				page, _ := io.ReadAll(res.Body)
				contains(t, string(page), `enctype="multipart/form-data"`, `name="opml" type="file"`)
				return tokenField.FindStringSubmatch(string(page))[1]
			}
			upload := func(csrf string, file []byte) (int, string) {
				t.Helper()
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				if csrf != "" {
					mw.WriteField("csrf", csrf)
				}
				fw, _ := mw.CreateFormFile("opml", "subscriptions.opml")
				fw.Write(file)
				mw.Close()
				req, _ := http.NewRequest(http.MethodPost, ts.URL+"/admin/feeds/import", &body)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				for _, c := range cookies {
					req.AddCookie(c)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				page, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(page)
			}
			topics := func() map[string]string {
				t.Helper()
				feeds, err := s.st.Feeds(ctx)
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]string{}
				for _, f := range feeds {
					opts, err := s.st.FeedOptions(ctx, f.ID)
					if err != nil {
						t.Fatal(err)
					}
					out[f.URL] = opts.Topic
				}
				return out
			}
			want := map[string]string{
				"https://news.google.com/rss/search?q=banjir&hl=id&gl=ID&ceid=ID:id": "World",
				"https://known.example.com/rss":                                      "World",
				"https://loose.example.org/feed.xml":                                 "",
			}

			code, page := upload(token(), []byte(importOPML))
			if code != http.StatusOK {
				t.Fatalf("import: %d\n%s", code, page)
			}
			contains(t, page, "OPML imported: 2 feeds added, 1 already there, 1 refused.", "http://127.0.0.1:8080/feed")
			if got := topics(); !maps.Equal(got, want) {
				t.Fatalf("after the import: %v, want %v", got, want)
			}

			// Again: nothing new, a topic set by hand stays.
			if err := s.st.SetFeedOptions(ctx, model.FeedOptions{FeedID: known.ID, Topic: "Mine"}); err != nil {
				t.Fatal(err)
			}
			want["https://known.example.com/rss"] = "Mine"
			code, page = upload(token(), []byte(importOPML))
			contains(t, page, "OPML imported: 0 feeds added, 3 already there, 1 refused.")
			if got := topics(); code != http.StatusOK || !maps.Equal(got, want) {
				t.Fatalf("second import: %d %v", code, got)
			}

			for _, bad := range []struct {
				name, csrf string
				file       []byte
				status     int
				says       string
			}{
				{"not OPML", token(), []byte("<html><body>hello</body></html>"), http.StatusUnprocessableEntity, "That file is not an OPML document"},
				{"no token", "", []byte(strings.Replace(importOPML, "loose", "other", 1)), http.StatusForbidden, ""},
				{"forged token", "AAAA", []byte(strings.Replace(importOPML, "loose", "other", 1)), http.StatusForbidden, ""},
				{"too large", token(), append([]byte(strings.Replace(importOPML, "loose", "other", 1)), bytes.Repeat([]byte(" "), maxOPMLUpload)...), http.StatusRequestEntityTooLarge, "That file is larger than 1 MB"},
			} {
				code, page := upload(bad.csrf, bad.file)
				if code != bad.status || !strings.Contains(page, bad.says) {
					t.Errorf("%s: %d, want %d saying %q", bad.name, code, bad.status, bad.says)
				}
			}
			if got := topics(); !maps.Equal(got, want) {
				t.Fatalf("after the refused uploads: %v", got)
			}
		})
	}
}
