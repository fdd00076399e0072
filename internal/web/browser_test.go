package web

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/kabarnews/kabar/internal/model"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// browserMinSubmit is the comment form's minimum time in the browser tests:
// short, but there, so the real check runs.
const browserMinSubmit = 700 * time.Millisecond

// browser starts a headless Chromium for one test. Without Chromium the test
// is skipped on a developer's machine and fails on CI, which must run it.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		// The quick loop (make test-short) leaves the browser out; make
		// test and CI run it.
		t.Skip("browser test: left out by -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests need %s on CI: %v", chromiumPath, err)
		}
		t.Skipf("no %s; install it with apt-get install chromium", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 12*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// artifacts is where the screenshots go: $KABAR_ARTIFACTS, or a new
// temporary directory that outlives the test so they can be looked at.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KABAR_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "kabar-artifacts-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// liveSite serves a site over the real SQLite store on 127.0.0.1.
func liveSite(t *testing.T, cfg Config) (*site, string) {
	t.Helper()
	s := newSite(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(s.srv)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	out := artifacts(t)
	s, base := liveSite(t, Config{MinSubmit: browserMinSubmit})
	post := s.addPost("Belarus turns to Kremlin in border stand-off", seedTime,
		"Belarus has turned to the Kremlin in its tense stand-off with the EU.",
		"Near the border, a sawmill stood empty while migrants camped in the forest.")
	s.addPost("EU vows more sanctions", seedTime.Add(time.Hour), "The EU has vowed to impose more sanctions on Belarus.")
	s.titleFeed("Belarus - Google News")
	hash, err := hashPassword("a long enough password", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.CreateUser(ctx, &model.User{Name: "owner", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}

	// Any alert() that a comment managed to run would open a dialog.
	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(step, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
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

	t.Run("ReadPost", func(t *testing.T) {
		do("home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".post-summary")))
		shot("home.png")
		do("open the post", chromedp.Click(chromedp.CSS(`a[href="`+post.Path()+`"]`)), chromedp.WaitVisible(chromedp.CSS("article.post")))
		if got := text("h1.post-title"); got != post.Title {
			t.Errorf("title %q", got)
		}
		if got := text(".post-body p:nth-of-type(2)"); !strings.Contains(got, "sawmill") {
			t.Errorf("second paragraph %q", got)
		}
		if got := text("a.original"); got != "Read the original article" {
			t.Errorf("original link %q", got)
		}
		shot("post.png")
	})

	t.Run("Indonesian", func(t *testing.T) {
		do("post", chromedp.Navigate(base+post.Path()))
		do("switch", chromedp.Click(chromedp.CSS(`a[hreflang="id"]`)), chromedp.WaitReady(chromedp.CSS(`html[lang="id"]`)))
		if got := text("#comments-heading"); got != "Tidak ada komentar:" {
			t.Errorf("footer %q", got)
		}
		if got := text("#post-comment"); got != "Posting Komentar" {
			t.Errorf("footer %q", got)
		}
		do("back to English", chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)), chromedp.WaitReady(chromedp.CSS(`html[lang="en"]`)))
		if got := text("#comments-heading"); got != "No comments:" {
			t.Errorf("footer %q", got)
		}
	})

	comment := func(name, body string) {
		t.Helper()
		do("open the form", chromedp.Navigate(base+post.Path()))
		do("write", chromedp.SendKeys(chromedp.CSS("#c-name"), name), chromedp.SendKeys(chromedp.CSS("#c-text"), body),
			chromedp.Sleep(browserMinSubmit))
		do("send", chromedp.Click(chromedp.CSS("#comment-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#comment-notice")))
	}
	const hostile = `<script>alert("xss")</script><img src=x onerror=alert(2)> "quoted" & done`
	t.Run("CommentIsHeld", func(t *testing.T) {
		comment("Ani", "A careful report, thank you.")
		if got := text("#comment-notice"); !strings.Contains(got, "awaits moderation") {
			t.Errorf("notice %q", got)
		}
		if got := text("#comments-heading"); got != "No comments:" {
			t.Errorf("a held comment is counted: %q", got)
		}
		comment(`Mallory <img src=x onerror=alert(1)>`, hostile)
		if n := len(s.comments(post.ID)); n != 2 {
			t.Fatalf("%d comments stored", n)
		}
	})

	t.Run("ApproveAsAdmin", func(t *testing.T) {
		do("sign in", chromedp.Navigate(base+"/admin/comments"),
			chromedp.WaitVisible(chromedp.CSS("#l-password")),
			chromedp.SendKeys(chromedp.CSS("#l-name"), "owner"),
			chromedp.SendKeys(chromedp.CSS("#l-password"), "a long enough password"),
			chromedp.Click(chromedp.CSS(".login-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".mod-comment")))
		shot("admin.png")
		for i := range 2 {
			do(fmt.Sprint("approve ", i), chromedp.Navigate(base+"/admin/comments"),
				chromedp.Click(chromedp.CSS(`button[formaction$="/approve"]`)),
				chromedp.WaitVisible(chromedp.CSS("p.notice")))
			if got := text("p.notice"); got != "Comment published." {
				t.Errorf("notice %q", got)
			}
		}
		do("queue", chromedp.Navigate(base+"/admin/comments"), chromedp.WaitVisible(chromedp.CSS("p.empty")))
		do("dashboard", chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS(".stats")))
		shot("admin-dashboard.png")
	})

	t.Run("PublishedAndEscaped", func(t *testing.T) {
		do("post", chromedp.Navigate(base+post.Path()), chromedp.WaitVisible(chromedp.CSS(".comment-list")))
		if got := text("#comments-heading"); got != "2 comments:" {
			t.Errorf("heading %q", got)
		}
		bodies, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('.comment-body')).map(e => e.innerText)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(bodies) != 2 || bodies[0] != "A careful report, thank you." || bodies[1] != hostile {
			t.Errorf("comment texts %q", bodies)
		}
		if got := text(".comment:nth-child(2) .comment-author"); !strings.Contains(got, "Mallory <img src=x onerror=alert(1)>") {
			t.Errorf("author %q", got)
		}
		injected, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#comments script, #comments img, [onerror]').length`))
		if err != nil || injected != 0 {
			t.Errorf("%d injected elements (%v)", injected, err)
		}
		if n := dialogs.Load(); n != 0 {
			t.Errorf("%d dialogs opened", n)
		}
		shot("post-comments.png")
	})

	t.Run("Search", func(t *testing.T) {
		do("home", chromedp.Navigate(base+"/"),
			chromedp.SendKeys(chromedp.CSS("#q"), "sawmill"),
			chromedp.Click(chromedp.CSS(".search-form button")),
			chromedp.WaitVisible(chromedp.CSS(".post-summary mark")))
		if got := text(".post-summary h2 a"); got != post.Title {
			t.Errorf("found %q", got)
		}
		if got := text(".post-summary mark"); got != "sawmill" {
			t.Errorf("highlight %q", got)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.HasSuffix(loc, "/search?q=sawmill") {
			t.Errorf("location %q %v", loc, err)
		}
		shot("search.png")
	})

	t.Run("NarrowScreen", func(t *testing.T) {
		do("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+post.Path()), chromedp.WaitVisible(chromedp.CSS("article.post")))
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil || wide {
			t.Errorf("the page scrolls sideways on a phone (%v)", err)
		}
		shot("post-phone.png")
	})

	t.Run("DarkTheme", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		}); err != nil {
			t.Fatal(err)
		}
		do("dark", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+post.Path()), chromedp.WaitVisible(chromedp.CSS("article.post")))
		bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if err != nil || bg != "rgb(22, 24, 28)" {
			t.Errorf("dark background %q (%v)", bg, err)
		}
		shot("post-dark.png")
	})
}
