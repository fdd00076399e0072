package web

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/story"
	"github.com/kabarnews/kabar/internal/story/storytest"
)

// axeScript is axe-core's axe.min.js, which .ci/run fetches from npm and
// names in KABAR_AXE. Without it the accessibility checks are skipped on
// a developer's machine and fail on CI.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("KABAR_AXE")
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("KABAR_AXE must name axe-core's axe.min.js on CI (.ci/run fetches it)")
		}
		t.Log("KABAR_AXE not set: pages are not checked with axe-core")
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("KABAR_AXE: %v", err)
	}
	return string(b)
}

// pageChecks runs in the page and returns what is wrong with it: headings
// out of size order, form fields whose border is under 3:1 against the
// page, a page wider than the screen, a table scrolling in its box on a
// phone.
const pageChecks = `(() => {
  const problems = [];
  const visible = e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed';
  const size = e => parseFloat(getComputedStyle(e).fontSize);
  let prevMin = Infinity, prevLevel = 0;
  for (let level = 1; level <= 4; level++) {
    const hs = Array.from(document.querySelectorAll('h' + level)).filter(visible);
    if (hs.length === 0) continue;
    const max = Math.max(...hs.map(size)), min = Math.min(...hs.map(size));
    if (max > prevMin + 0.01) problems.push('h' + level + ' (' + max + 'px) larger than h' + prevLevel + ' (' + prevMin + 'px)');
    prevMin = min; prevLevel = level;
  }
  const rgb = s => (s.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = lum(rgb(getComputedStyle(document.body).backgroundColor));
  for (const f of document.querySelectorAll('input[type=text], input[type=search], input[type=url], input[type=password], input[type=date], textarea, select')) {
    if (!visible(f)) continue;
    const b = lum(rgb(getComputedStyle(f).borderTopColor));
    const ratio = (Math.max(b, bg) + 0.05) / (Math.min(b, bg) + 0.05);
    if (ratio < 3) problems.push('border of #' + f.id + ' is ' + ratio.toFixed(2) + ':1');
  }
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push('the page scrolls sideways (' + document.documentElement.scrollWidth + 'px)');
  // On a phone the admin tables are cards: none may scroll inside its box.
  if (window.innerWidth <= 640) for (const w of document.querySelectorAll('.table-wrap')) {
    if (w.scrollWidth > w.clientWidth + 1) problems.push('a table scrolls sideways in its box (' + w.scrollWidth + 'px in ' + w.clientWidth + 'px)');
  }
  return problems;
})()`

// TestBrowserPages opens every kind of page, public and admin, at desktop
// (1366 px) and phone (390 px) widths, in the light and dark themes, in
// English and Indonesian; checks each with axe-core and the checks above,
// and saves a screenshot of each.
func TestBrowserPages(t *testing.T) {
	ctx := browser(t)
	out := artifacts(t)
	axe := axeScript(t)
	base0, emptyURL := "", ""
	{
		_, emptyURL = liveSite(t, Config{})
	}
	s, base := liveSite(t, Config{MinSubmit: browserMinSubmit})
	base0 = base
	ss := &storySite{site: s, a: story.NewAssigner(s.st, story.Config{})}
	orig, storyID := ss.wire()
	ss.publish("Bali Post", storytest.Get("en-ferry-wire"), 0)
	idPost, _ := ss.publish("Kompas", storytest.Get("id-banjir-wire"), 0)
	ss.publish("Antara", storytest.Get("id-gempa-wire"), 0)
	bg := context.Background()
	orig.Author = "Rina Suryani"
	if err := s.st.UpdatePostText(bg, orig); err != nil {
		t.Fatal(err)
	}
	feeds, err := s.st.Feeds(bg)
	if err != nil {
		t.Fatal(err)
	}
	// Feeds as polls leave them: Google News titles, one failing.
	for i, f := range feeds {
		pr := store.PollResult{At: seedTime, NextPollAt: seedTime.Add(30 * time.Minute), Title: fmt.Sprintf(`"berita %d" - Google Berita`, i)}
		if i == 1 {
			pr.Title = "World - Google News"
			pr.Err = errors.New("GET https://feeds.example/Site A: 503 Service Unavailable")
		}
		if err := s.st.RecordPoll(bg, f.ID, pr); err != nil {
			t.Fatal(err)
		}
	}
	s.srv.cache.invalidate()
	approved := &model.Comment{PostID: orig.ID, Name: "Budi", Body: "Thank you for the report.", CreatedAt: seedTime, Status: model.CommentApproved}
	s.approve(approved)
	for _, c := range []*model.Comment{
		{PostID: orig.ID, Name: "Ani", Body: "Is the road to Palu open?", CreatedAt: seedTime, ParentID: approved.ID},
		{PostID: orig.ID, Name: "Spammer", Website: "https://spam.example", Body: "Cheap watches", CreatedAt: seedTime},
	} {
		c.Status = model.CommentPending
		if err := s.st.AddComment(bg, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.st.SavePage(bg, &model.Page{Slug: "tentang-kami", Title: "Tentang kami — about us", Author: "Rina Suryani",
		Paragraphs: []string{"We report from Palu and Jakarta.", "Surel: redaksi@example.org"}, Published: seedTime}); err != nil {
		t.Fatal(err)
	}
	hash, err := hashPassword("a long enough password", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.CreateUser(bg, &model.User{Name: "owner", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: axe != ""}); err != nil {
		t.Fatal(err)
	}

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(step, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	type variant struct {
		width, height int64
		dark          bool
		lang          string
	}
	// The first two variants cover both widths, both themes and both
	// languages.
	variants := []variant{{1366, 900, false, "en"}, {390, 844, true, "id"}, {1366, 900, true, "id"}, {390, 844, false, "en"}}
	check := func(name, target string, v variant) {
		t.Helper()
		scheme := "light"
		if v.dark {
			scheme = "dark"
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		}); err != nil {
			t.Fatal(err)
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		u := target + sep + "hl=" + v.lang
		do(name, chromedp.EmulateViewport(v.width, v.height), chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("footer")))
		lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil || lang != v.lang {
			t.Errorf("%s: html lang %q (%v)", u, lang, err)
		}
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](pageChecks))
		if err != nil {
			t.Fatalf("%s: checks: %v", u, err)
		}
		for _, p := range problems {
			t.Errorf("%s at %dpx %s: %s", u, v.width, scheme, p)
		}
		if axe != "" {
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
				t.Fatalf("%s: load axe-core: %v", u, err)
			}
			violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r =>
				r.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', ')))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: axe: %v", u, err)
			}
			for _, v2 := range violations {
				t.Errorf("%s at %dpx %s: axe: %s", u, v.width, scheme, v2)
			}
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", u, err)
		}
		file := fmt.Sprintf("site-%s-%d-%s-%s.png", name, v.width, scheme, v.lang)
		if err := os.WriteFile(filepath.Join(out, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Every page is seen at both widths, in both themes and both languages
	// (two variants); the pages a reader and an owner see most, in all four.
	full := map[string]bool{"home": true, "post": true, "story": true, "admin-feeds": true, "admin-comments": true}
	variantsOf := func(name string) []variant {
		if full[name] {
			return variants
		}
		return variants[:2]
	}
	public := []struct{ name, path string }{
		{"home", "/"},
		{"post", orig.Path()},
		{"post-id", idPost.Path()},
		{"story", fmt.Sprintf("/story/%d", storyID)},
		{"stories", "/stories"},
		{"labels", "/labels"},
		{"publishers", "/publishers"},
		{"archive", "/archive"},
		{"search", "/search?q=gempa"},
		{"search-none", "/search?q=nothinglikethis"},
		{"publisher", "/publisher/Wire%20Service"},
		{"not-found", "/nope"},
		{"blog-page", "/p/tentang-kami.html"},
	}
	t.Run("Public", func(t *testing.T) {
		for _, p := range public {
			for _, v := range variantsOf(p.name) {
				check(p.name, base0+p.path, v)
			}
		}
		for _, v := range variants[:2] {
			check("empty-home", emptyURL+"/", v)
		}
	})

	t.Run("MenuWithoutScriptOnPhone", func(t *testing.T) {
		do("phone home", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.CSS(`.site-nav a[href="/stories"]`)),
			chromedp.Click(chromedp.CSS(`.site-nav a[href="/stories"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.site-nav a[aria-current="page"][href="/stories"]`)))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.HasSuffix(loc, "/stories") {
			t.Errorf("menu led to %q (%v)", loc, err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('script').length`))
		if err != nil || n != 0 {
			t.Errorf("%d scripts on the page (%v)", n, err)
		}
	})

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		step, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		s, err := chromedp.Run(step, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	t.Run("ReaderSeesOwnHeldComment", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
		}); err != nil {
			t.Fatal(err)
		}
		do("write", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+idPost.Path()),
			chromedp.SendKeys(chromedp.CSS("#c-name"), "Dewi"), chromedp.SendKeys(chromedp.CSS("#c-website"), "https://dewi.example"),
			chromedp.SendKeys(chromedp.CSS("#c-text"), "Semoga banjir cepat surut."), chromedp.Sleep(browserMinSubmit))
		do("send", chromedp.Click(chromedp.CSS("#comment-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".comment.pending")))
		if got := text(".comment.pending .comment-body"); got != "Semoga banjir cepat surut." {
			t.Errorf("own held comment %q", got)
		}
		if got := text(".comment.pending .pending-mark"); !strings.Contains(got, "Awaiting moderation") {
			t.Errorf("mark %q", got)
		}
		shot("site-comment-own-pending-1366-light-en.png")
		// Another visit: the form remembers the reader.
		do("again", chromedp.Navigate(base+orig.Path()), chromedp.WaitVisible(chromedp.CSS("#c-name")))
		name, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#c-name")))
		if err != nil || name != "Dewi" {
			t.Errorf("remembered name %q (%v)", name, err)
		}
	})

	t.Run("Admin", func(t *testing.T) {
		check("login", base+"/admin/login", variants[0])
		check("login", base+"/admin/login", variants[1])
		do("sign in", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/admin/login"),
			chromedp.WaitVisible(chromedp.CSS("#l-password")),
			chromedp.SendKeys(chromedp.CSS("#l-name"), "owner"),
			chromedp.SendKeys(chromedp.CSS("#l-password"), "a long enough password"),
			chromedp.Click(chromedp.CSS(".login-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("nav.admin-nav")))
		for _, p := range []struct{ name, path string }{
			{"admin", "/admin"}, {"admin-feeds", "/admin/feeds"}, {"admin-comments", "/admin/comments"},
			{"admin-posts", "/admin/posts"}, {"admin-settings", "/admin/settings"},
		} {
			for _, v := range variantsOf(p.name) {
				check(p.name, base+p.path, v)
			}
		}
	})

	t.Run("ModerateInBulkAndConfirmDelete", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
		}); err != nil {
			t.Fatal(err)
		}
		do("queue", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/admin/comments"),
			chromedp.WaitVisible(chromedp.CSS(".moderation")))
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.mod-comment').length`))
		if err != nil || n != 3 {
			t.Fatalf("%d held comments (%v)", n, err)
		}
		do("tick two and publish", chromedp.Click(chromedp.CSS(".mod-comment:nth-of-type(1) input[name=id]")),
			chromedp.Click(chromedp.CSS(".mod-comment:nth-of-type(2) input[name=id]")),
			chromedp.Click(chromedp.CSS(`.bulk button[value=approve]`)), chromedp.WaitVisible(chromedp.CSS("p.notice")))
		if got := text("p.notice"); got != "Selected comments published." {
			t.Errorf("notice %q", got)
		}
		n, err = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.mod-comment').length`))
		if err != nil || n != 1 {
			t.Errorf("%d held comments after publishing two (%v)", n, err)
		}
		do("delete one", chromedp.Click(chromedp.CSS(`.mod-comment button.danger`)), chromedp.WaitVisible(chromedp.CSS(".confirm-form")))
		shot("site-admin-confirm-1366-light-en.png")
		do("cancel", chromedp.Click(chromedp.CSS(".confirm-form a.cancel")), chromedp.WaitVisible(chromedp.CSS(".mod-comment")))
		do("delete a feed", chromedp.Navigate(base+"/admin/feeds"), chromedp.Click(chromedp.CSS(`.feeds-table tr:first-child button.danger`)),
			chromedp.WaitVisible(chromedp.CSS(".confirm-form")))
		if got := text(".confirm-form p"); !strings.Contains(got, "Remove the feed") {
			t.Errorf("confirmation %q", got)
		}
		do("confirm", chromedp.Click(chromedp.CSS(".confirm-form button.danger")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
		if got := text("p.notice"); got != "Feed removed; its posts stay." {
			t.Errorf("notice %q", got)
		}
	})
}
