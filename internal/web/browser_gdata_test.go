package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kabarnews/kabar/internal/model"
)

// widgetPage is a theme's page on another site with the recent-posts
// widget Blogger themes embed: it loads the feed as a script
// (json-in-script) and, in a newer style, with fetch (alt=json), and reads
// every value from "$t".
const widgetPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A theme with widgets</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.4 sans-serif;margin:2em;max-width:40em} .widget{border:1px solid #888;padding:.5em 1em;margin:1em 0}
.widget h2{font-size:1em;margin:.2em 0} .meta{color:#555;font-size:.9em}</style></head>
<body><h1>Recent posts from kabar</h1>
%s
<script>
var kw = {};
function recent(id) {
  return function (json) {
    var box = document.getElementById(id), feed = json.feed, entries = feed.entry || [];
    var ul = document.createElement('ul');
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i], href = '';
      for (var j = 0; j < e.link.length; j++) if (e.link[j].rel == 'alternate') href = e.link[j].href;
      var li = document.createElement('li'), a = document.createElement('a');
      a.href = href; a.textContent = e.title.$t;
      var meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = ' ' + e.published.$t.substring(0, 10) + ', ' + (e['thr$total'] ? e['thr$total'].$t : '0') + ' comments, by ' + e.author[0].name.$t;
      li.appendChild(a); li.appendChild(meta); ul.appendChild(li);
    }
    if (!entries.length) { var p = document.createElement('p'); p.textContent = 'No posts.'; box.appendChild(p); }
    box.appendChild(ul);
    box.dataset.total = feed['openSearch$totalResults'].$t;
    box.dataset.start = feed['openSearch$startIndex'].$t;
    box.dataset.titles = entries.map(function (e) { return e.title.$t; }).join('|');
    box.dataset.done = '1';
  };
}
%s
</script>
%s
</body></html>`

// TestBrowserGDataWidget runs the widget in Chromium against kabar on
// another origin, as a Blogger theme would, and pages at both ends.
func TestBrowserGDataWidget(t *testing.T) {
	ctx := browser(t)
	out := artifacts(t)
	s, base := liveSite(t, Config{})
	for i := 1; i <= 5; i++ {
		p := s.addPost(fmt.Sprintf("Post %d — \"quoted\" <tag> & more", i), seedTime.Add(time.Duration(i)*time.Hour), fmt.Sprintf("Body %d.", i))
		if i == 5 {
			s.approve(&model.Comment{PostID: p.ID, Name: "Ani", Body: "Nice", Status: model.CommentApproved, CreatedAt: seedTime.Add(9 * time.Hour)})
		}
	}
	cases := []struct {
		id, query string
		fetch     bool
		want      []int // post numbers, newest first
		total     string
	}{
		{"first", "max-results=2", false, []int{5, 4}, "5"},
		{"last", "start-index=5&max-results=2", false, []int{1}, "5"},
		{"past", "start-index=6&max-results=2", false, nil, "5"},
		{"count", "max-results=0", false, nil, "5"},
		{"all", "max-results=500", false, []int{5, 4, 3, 2, 1}, "5"},
		{"summary", "max-results=3&start-index=3", false, []int{3, 2, 1}, "5"},
		{"fetched", "max-results=2&start-index=4", true, []int{2, 1}, "5"},
	}
	var boxes, callbacks, loads strings.Builder
	for i, c := range cases {
		fmt.Fprintf(&boxes, "<div class=\"widget\" id=\"%s\"><h2>%s: %s</h2></div>\n", c.id, c.id, c.query)
		kind := "default"
		if c.id == "summary" {
			kind = "summary"
		}
		if c.fetch {
			fmt.Fprintf(&loads, "<script>fetch('%s/feeds/posts/%s?alt=json&%s').then(function (r) { return r.json(); }).then(recent('%s'));</script>\n", base, kind, c.query, c.id)
			continue
		}
		fmt.Fprintf(&callbacks, "kw.c%d = recent('%s');\n", i, c.id)
		fmt.Fprintf(&loads, "<script src=\"%s/feeds/posts/%s?alt=json-in-script&callback=kw.c%d&%s\"></script>\n", base, kind, i, strings.ReplaceAll(c.query, "&", "&amp;"))
	}
	html := fmt.Sprintf(widgetPage, boxes.String(), callbacks.String(), loads.String())
	// The theme's page is on another origin than kabar.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	theme := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, html)
	}))
	theme.Listener.Close()
	theme.Listener = ln
	theme.Start()
	defer theme.Close()

	for _, width := range []int64{1366, 390} {
		run, cancel := context.WithTimeout(ctx, 60*time.Second)
		err := chromedp.Do(run, chromedp.EmulateViewport(width, 900), chromedp.Navigate(theme.URL+"/"))
		for _, c := range cases {
			if err == nil {
				err = chromedp.Do(run, chromedp.WaitVisible(chromedp.CSS("#"+c.id+"[data-done]")))
			}
		}
		cancel()
		if err != nil {
			t.Fatalf("widget page at %dpx: %v", width, err)
		}
		for _, c := range cases {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => { const d = document.getElementById('`+c.id+`').dataset; return {total: d.total, start: d.start, titles: d.titles}; })()`))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, n := range c.want {
				want = append(want, fmt.Sprintf("Post %d — \"quoted\" <tag> & more", n))
			}
			if got["titles"] != strings.Join(want, "|") || got["total"] != c.total {
				t.Errorf("%s (%s): total %s, titles %q; want %s, %q", c.id, c.query, got["total"], got["titles"], c.total, want)
			}
		}
		meta, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#first li .meta")))
		if err != nil || !strings.Contains(meta, "1 comments, by Sky News") {
			t.Errorf("first entry's line %q (%v)", meta, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("gdata-widget-%d.png", width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
