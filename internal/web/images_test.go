package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/images"
	"github.com/kabarnews/kabar/internal/model"
)

// withImage stores a lead image for p as the pipeline does.
func (s *site) withImage(p *model.Post) {
	s.t.Helper()
	src := image.NewRGBA(image.Rect(0, 0, 1600, 900))
	for i := range src.Pix {
		src.Pix[i] = uint8(i*7) | 0x80
	}
	src.Set(0, 0, color.Black)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, src, nil); err != nil {
		s.t.Fatal(err)
	}
	imgs, err := images.Process(context.Background(), b.Bytes(), images.Config{})
	if err != nil {
		s.t.Fatal(err)
	}
	for i := range imgs {
		imgs[i].PostID = p.ID
	}
	if err := s.st.SavePostImages(context.Background(), p.ID, imgs); err != nil {
		s.t.Fatal(err)
	}
}

// Every address a page or feed gives for an image (src, srcset, og:image,
// media:thumbnail, enclosure, JSON Feed image) is on the site's own origin.
var imageRefs = regexp.MustCompile(`(?:src|srcset|content|url|href)="([^"]*\.jpg[^"]*)"|"image": "([^"]*)"`)

func imageURLs(body string) []string {
	var out []string
	for _, m := range imageRefs.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

func TestImagesOnPagesFeedsAndPreviews(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			s := newSiteOn(t, kind, Config{BaseURL: "https://news.example", ShowImages: true})
			with := s.addPost("Bridge reopens", seedTime, "The harbour bridge reopened.")
			without := s.addPost("Council meets", seedTime.Add(time.Hour), "The council met.")
			// The publisher's address stays in the post; it must never be shown.
			with.Image = "https://publisher.example/lead.jpg"
			if err := s.st.UpdatePostText(context.Background(), with); err != nil {
				t.Fatal(err)
			}
			s.withImage(with)

			home := s.mustGet("/", http.StatusOK)
			thumb := regexp.MustCompile(`<img src="(/img/\d+/thumb\.jpg\?v=[0-9a-f]+)" width="400" height="225" alt="" loading="lazy"`).FindStringSubmatch(home)
			if thumb == nil {
				t.Fatalf("home shows no thumbnail:\n%s", home)
			}
			if n := strings.Count(home, "<img "); n != 1 {
				t.Errorf("%d images on home, want 1 (the post without one shows none)", n)
			}
			page := s.mustGet(with.Path(), http.StatusOK)
			contains(t, page, `<figure class="post-image"><img src="/img/`, `width="1200" height="675"`,
				`<meta property="og:image" content="https://news.example/img/`,
				`<meta name="twitter:image" content="https://news.example/img/`,
				`<meta name="twitter:card" content="summary_large_image">`)
			lacks(t, s.mustGet(without.Path(), http.StatusOK), "<img ", "og:image")
			for _, target := range []string{"/", with.Path(), "/search?q=bridge", "/search/label/Sky%20News",
				"/feeds/posts/default", "/feeds/posts/default?alt=rss", "/feeds/posts/default?alt=jsonfeed"} {
				body := s.mustGet(target, http.StatusOK)
				urls := imageURLs(body)
				if len(urls) == 0 {
					t.Errorf("%s names no image", target)
				}
				for _, u := range urls {
					for _, one := range strings.Split(u, ", ") {
						if !strings.HasPrefix(one, "/img/") && !strings.HasPrefix(one, "https://news.example/img/") {
							t.Errorf("%s: image %q is not on the site's origin", target, one)
						}
					}
				}
				lacks(t, body, "publisher.example/lead.jpg")
			}
			contains(t, s.mustGet("/feeds/posts/default?alt=rss", http.StatusOK),
				`xmlns:media="http://search.yahoo.com/mrss/"`, `<media:thumbnail url="https://news.example/img/`,
				`<enclosure url="https://news.example/img/`, `type="image/jpeg"`)
			contains(t, s.mustGet("/feeds/posts/default", http.StatusOK), `<link rel="enclosure" type="image/jpeg" href="https://news.example/img/`)
			contains(t, s.mustGet("/feeds/posts/default?alt=jsonfeed", http.StatusOK), `"image": "https://news.example/img/`)

			// The JSON API gives the same absolute address, and nothing for a
			// post without an image.
			var list struct {
				Posts []struct {
					ID    int64
					Image *string
				}
			}
			body := s.mustGet("/api/posts", http.StatusOK)
			if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Posts) != 2 {
				t.Fatalf("/api/posts: %v\n%s", err, body)
			}
			var withImage string
			for _, p := range list.Posts {
				if p.ID == with.ID && p.Image != nil {
					withImage = *p.Image
				}
				switch {
				case p.ID == with.ID && (p.Image == nil || !strings.HasPrefix(*p.Image, "https://news.example/img/"+strconv.FormatInt(with.ID, 10)+"/wide.jpg?v=")):
					t.Errorf("/api/posts: image of the post with one: %v", p.Image)
				case p.ID == without.ID && p.Image != nil:
					t.Errorf("/api/posts: image %q for a post without one", *p.Image)
				}
			}
			lacks(t, body, "publisher.example")
			var one struct{ Image *string }
			body = s.mustGet("/api/posts/"+strconv.FormatInt(with.ID, 10), http.StatusOK)
			if err := json.Unmarshal([]byte(body), &one); err != nil || one.Image == nil || *one.Image != withImage {
				t.Errorf("/api/posts/%d: image %v (%v)", with.ID, one.Image, err)
			}
			lacks(t, body, "publisher.example")
			lacks(t, s.mustGet("/api/posts/"+strconv.FormatInt(without.ID, 10), http.StatusOK), `"image"`)

			// The image itself: JPEG, cached for a year under its versioned
			// address, 304 to a reader that has it.
			res, body := s.get(thumb[1])
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" ||
				res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("ETag") == "" {
				t.Fatalf("GET %s: %d %v", thumb[1], res.StatusCode, res.Header)
			}
			if cfg, err := jpeg.DecodeConfig(strings.NewReader(body)); err != nil || cfg.Width != 400 {
				t.Fatalf("served image: %+v, %v", cfg, err)
			}
			req := httptest.NewRequest(http.MethodGet, thumb[1], nil)
			req.Header.Set("If-None-Match", res.Header.Get("ETag"))
			if res2, _ := s.do(req); res2.StatusCode != http.StatusNotModified {
				t.Fatalf("If-None-Match: status %d, want 304", res2.StatusCode)
			}
			// An old version's address is answered, but not for good.
			stale := strings.Split(thumb[1], "?")[0] + "?v=0000"
			if res3, _ := s.get(stale); res3.StatusCode != http.StatusOK || strings.Contains(res3.Header.Get("Cache-Control"), "immutable") {
				t.Fatalf("stale version: %d %s", res3.StatusCode, res3.Header.Get("Cache-Control"))
			}
			for _, bad := range []string{"/img/999999/thumb.jpg", "/img/abc/thumb.jpg", "/img/1/huge.jpg", "/img/1/thumb.png"} {
				if res, _ := s.get(bad); res.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", bad, res.StatusCode)
				}
			}
		})
	}
}

// An owner who turned images off gets no image anywhere, and /img/ is gone.
func TestImagesOff(t *testing.T) {
	s := newSite(t, Config{BaseURL: "https://news.example"})
	p := s.addPost("Bridge reopens", seedTime, "The harbour bridge reopened.")
	s.withImage(p)
	for _, target := range []string{"/", p.Path(), "/feeds/posts/default?alt=rss", "/feeds/posts/default?alt=jsonfeed",
		"/api/posts", "/api/posts/" + strconv.FormatInt(p.ID, 10)} {
		lacks(t, s.mustGet(target, http.StatusOK), "<img ", "/img/", "og:image", "enclosure", `"image"`)
	}
	if res, _ := s.get("/img/" + strconv.FormatInt(p.ID, 10) + "/thumb.jpg"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("image served with images off: %d", res.StatusCode)
	}
}
