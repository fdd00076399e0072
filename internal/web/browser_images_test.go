package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserImages opens the pages that show lead images at desktop
// (1366 px) and phone (390 px) widths: every image must load, come from
// the site's own origin (as must every resource the page loads), keep its
// aspect ratio, and leave the page no wider than the screen. Screenshots
// of each are saved.
func TestBrowserImages(t *testing.T) {
	ctx := browser(t)
	out := artifacts(t)
	s, base := liveSite(t, Config{ShowImages: true})
	a := s.addPost("Harbour bridge reopens after two years of repairs", seedTime,
		"The harbour bridge reopened on Monday after two years of repairs, its engineers said.",
		"Traffic was light in the morning.")
	s.addPost("Council meets on the new budget", seedTime.Add(time.Hour), "The council met on Tuesday to discuss the budget.")
	c := s.addPost("Storm closes the port for a day", seedTime.Add(2*time.Hour), "A storm closed the port on Wednesday.")
	s.withImage(a)
	s.withImage(c)
	type result struct {
		Images, Loaded, Foreign int
		Ratio                   float64
		Wide                    bool
	}
	const probe = `(() => {
	  const imgs = Array.from(document.images);
	  const foreign = performance.getEntriesByType('resource').filter(e => new URL(e.name).origin !== location.origin).length
	    + imgs.filter(i => new URL(i.currentSrc || i.src).origin !== location.origin).length;
	  let ratio = 0;
	  for (const i of imgs) { if (i.naturalWidth) ratio = Math.max(ratio, Math.abs(i.clientWidth / i.clientHeight - i.naturalWidth / i.naturalHeight)); }
	  return {Images: imgs.length, Loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length, Foreign: foreign,
	    Ratio: ratio, Wide: document.documentElement.scrollWidth > window.innerWidth};
	})()`
	for _, p := range []struct {
		name, path string
		images     int
	}{{"home", "/", 2}, {"post", a.Path(), 1}, {"search", "/search?q=port", 1}, {"label", "/search/label/Sky%20News", 2}} {
		for _, w := range []int64{1366, 390} {
			step, cancel := context.WithTimeout(ctx, 60*time.Second)
			// Lazy images load once scrolled to: the page is scrolled to its
			// end and back before it is measured.
			err := chromedp.Do(step, chromedp.EmulateViewport(w, 900), chromedp.Navigate(base+p.path),
				chromedp.WaitReady(chromedp.CSS("footer")),
				chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight)`),
				chromedp.Poll[chromedp.Void](`Array.from(document.images).every(i => i.complete)`),
				chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
			cancel()
			if err != nil {
				t.Fatalf("%s at %d: %v", p.name, w, err)
			}
			r, err := chromedp.Run(ctx, chromedp.Evaluate[result](probe))
			if err != nil {
				t.Fatal(err)
			}
			if r.Images != p.images || r.Loaded != p.images || r.Foreign != 0 || r.Ratio > 0.02 || r.Wide {
				t.Errorf("%s at %dpx: %+v, want %d images, all loaded from the site, in proportion", p.name, w, r, p.images)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("images-%s-%d.png", p.name, w)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
