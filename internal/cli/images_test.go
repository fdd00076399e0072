package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/pipeline/loopweb"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/web"
)

// The whole way of lead images: a loopback web whose articles name lead
// images, some good, some decompression bombs, some missing. run --once
// publishes every article; the good images are kept, the others leave
// their posts without one; the site's pages and feeds name images on its
// own origin only. With --images=false nothing is fetched.
func TestLeadImagesEndToEnd(t *testing.T) {
	skipIfShort(t, "runs kabar end to end over a loopback web with images")
	lw, err := loopweb.Start(loopweb.Config{Hosts: 2, Feeds: 2, ItemsPerFeed: 9, Images: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lw.Close)
	dir := t.TempDir()
	db := filepath.Join(dir, "kabar.db")
	for _, u := range lw.FeedURLs() {
		mustKabar(t, "--db", db, "feeds", "add", u)
	}
	code, out, errOut := kabar(t, "--db", db, "run", "--once", "--allow-addr", "127.0.0.0/8", "--host-delay", "0s",
		"--image-dir", filepath.Join(dir, "images"))
	if code != 0 {
		t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	posts, err := st.Posts(context.Background(), store.PostQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != lw.Articles {
		t.Fatalf("%d posts, want every one of %d articles published\n%s", len(posts), lw.Articles, errOut)
	}
	t.Run("stored", func(t *testing.T) { checkStoredImages(t, st, posts, lw, errOut) })
	t.Run("pages", func(t *testing.T) { checkImagePages(t, st, posts, lw, filepath.Join(dir, "images")) })
	t.Run("images=false", func(t *testing.T) { checkNoImages(t, lw) })
}

// checkStoredImages: the good images are kept in two sizes, the others
// leave their posts without one, and the failures are logged.
func checkStoredImages(t *testing.T, st *sqlite.Store, posts []model.Post, lw *loopweb.Web, errOut string) {
	ids := make([]int64, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	imgs, err := st.PostImages(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	storyNum := regexp.MustCompile(`story-(\d+)\.html`)
	kinds := map[int]int{}
	for _, p := range posts {
		m := storyNum.FindStringSubmatch(p.SourceURL)
		if m == nil {
			t.Fatalf("post %s", p.SourceURL)
		}
		i, _ := strconv.Atoi(m[1])
		kind := loopweb.ImageKind(i)
		kinds[kind]++
		if got, want := len(imgs[p.ID]), map[bool]int{true: 2, false: 0}[kind == loopweb.ImageJPEG]; got != want {
			t.Errorf("post of article %d (image kind %d) has %d image sizes, want %d", i, kind, got, want)
		}
	}
	if kinds[loopweb.ImageJPEG] == 0 || kinds[loopweb.ImageBomb] == 0 || kinds[loopweb.ImageMissing] == 0 {
		t.Fatalf("the web lacks a kind of image: %v", kinds)
	}
	if !strings.Contains(errOut, "published without its image") || !strings.Contains(errOut, "image too large") {
		t.Errorf("the failed images are not logged:\n%s", errOut)
	}
}

// checkImagePages: the site's pages and feeds name images on its own
// origin only, and a served image comes from the image directory.
func checkImagePages(t *testing.T, st *sqlite.Store, posts []model.Post, lw *loopweb.Web, imageDir string) {
	site, err := web.New(st, web.Config{ShowImages: true, ImageDir: imageDir, MinSubmit: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	get := func(path string) (int, string) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return res.StatusCode, b.String()
	}
	imgRef := regexp.MustCompile(`(?:src|content|url|href)="([^"]*\.(?:jpg|png)[^"]*)"|"image": "([^"]*)"`)
	seen := 0
	for _, path := range []string{"/", posts[0].Path(), posts[1].Path(), posts[2].Path(), "/search?q=story",
		"/feeds/posts/default", "/feeds/posts/default?alt=rss", "/feeds/posts/default?alt=jsonfeed"} {
		code, body := get(path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
		for _, m := range imgRef.FindAllStringSubmatch(body, -1) {
			u := m[1] + m[2]
			if !strings.HasPrefix(u, "/img/") && !strings.HasPrefix(u, srv.URL+"/img/") {
				t.Errorf("%s names an image off the site's origin: %s", path, u)
			}
			seen++
		}
		for _, h := range lw.Hosts() {
			if strings.Contains(body, h) && !strings.HasPrefix(path, "/feeds") {
				// Links to the publisher's article are fine; an image there is not.
				for _, m := range regexp.MustCompile(`<img [^>]*`).FindAllString(body, -1) {
					if strings.Contains(m, h) {
						t.Errorf("%s: image on the publisher's host: %s", path, m)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no page names an image")
	}
	// A served image comes from the directory.
	code, home := get("/")
	src := regexp.MustCompile(`<img src="([^"]+)"`).FindStringSubmatch(home)
	if code != 200 || src == nil {
		t.Fatalf("home shows no image")
	}
	if code, body := get(strings.ReplaceAll(src[1], "&amp;", "&")); code != http.StatusOK || !strings.HasPrefix(body, "\xff\xd8") {
		t.Fatalf("GET %s: %d, %d bytes", src[1], code, len(body))
	}
}

// checkNoImages: with --images=false, a second database over the same web
// requests no image.
func checkNoImages(t *testing.T, lw *loopweb.Web) {
	before := 0
	for i := 0; i < lw.Articles; i++ {
		before += lw.Fetches("/img/story-" + strconv.Itoa(i) + ".jpg")
	}
	db2 := filepath.Join(t.TempDir(), "kabar.db")
	for _, u := range lw.FeedURLs() {
		mustKabar(t, "--db", db2, "feeds", "add", u)
	}
	mustKabar(t, "--db", db2, "run", "--once", "--allow-addr", "127.0.0.0/8", "--host-delay", "0s", "--images=false")
	after := 0
	for i := 0; i < lw.Articles; i++ {
		after += lw.Fetches("/img/story-" + strconv.Itoa(i) + ".jpg")
	}
	if before == 0 || after != before {
		t.Fatalf("image fetches: %d with images on, %d more with --images=false", before, after-before)
	}
}
