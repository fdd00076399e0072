package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/kabarnews/kabar/internal/images"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Posts' lead images are served from the site's own origin, as kabar
// re-encoded them: a reader's browser never asks the publisher for
// anything. An image's address carries a piece of its ETag (?v=), so that
// it can be cached for a year: a new image gets a new address.

// imgLink is one size of a post's image as a page shows it.
type imgLink struct {
	URL           string // on this site, absolute path
	Width, Height int
	Length        int
}

// postImage is a post's image in the sizes the pages use; nil for a post
// without one.
type postImage struct {
	Thumb, Wide *imgLink
}

const imageMaxAge = "public, max-age=31536000, immutable"

func (s *Server) imageRoutes(m *http.ServeMux) {
	if s.cfg.ShowImages {
		m.HandleFunc("GET /img/{id}/{file}", s.handle(s.handleImage))
	}
}

func imagePath(im *store.PostImage) string {
	return "/img/" + strconv.FormatInt(im.PostID, 10) + "/" + im.Size + ".jpg?v=" + imageVersion(im.ETag)
}

func imageVersion(etag string) string {
	v := strings.Trim(etag, `"`)
	if len(v) > 12 {
		v = v[:12]
	}
	return v
}

// postImages reads the images of the posts given, one query for a page.
// An error leaves the images out: a page is worth more than its pictures.
func (s *Server) postImages(ctx context.Context, posts []model.Post) map[int64]*postImage {
	return s.postImagesByID(ctx, postIDs(posts))
}

// postImagesByID is postImages of the posts named by their IDs.
func (s *Server) postImagesByID(ctx context.Context, ids []int64) map[int64]*postImage {
	if !s.cfg.ShowImages || len(ids) == 0 {
		return nil
	}
	rows, err := s.st.PostImages(ctx, ids)
	if err != nil {
		s.log.Warn("post images", "err", err)
		return nil
	}
	out := make(map[int64]*postImage, len(rows))
	for id, sizes := range rows {
		pi := &postImage{}
		for i := range sizes {
			im := &sizes[i]
			l := &imgLink{URL: imagePath(im), Width: im.Width, Height: im.Height, Length: im.Length}
			switch im.Size {
			case images.Thumb.Name:
				pi.Thumb = l
			case images.Wide.Name:
				pi.Wide = l
			}
		}
		if pi.Thumb == nil {
			pi.Thumb = pi.Wide
		}
		if pi.Wide == nil {
			pi.Wide = pi.Thumb
		}
		if pi.Thumb != nil {
			out[id] = pi
		}
	}
	return out
}

// postImageOf is one post's image, or nil.
func (s *Server) postImageOf(ctx context.Context, p *model.Post) *postImage {
	return s.postImages(ctx, []model.Post{*p})[p.ID]
}

// handleImage serves /img/{post}/{size}.jpg. A request whose ?v= names
// the image's current version may be cached for good; any other gets
// the image too, but must ask again.
func (s *Server) handleImage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	size, ok := strings.CutSuffix(r.PathValue("file"), ".jpg")
	if err != nil || id <= 0 || !ok || (size != images.Thumb.Name && size != images.Wide.Name) {
		http.NotFound(w, r)
		return nil
	}
	im, err := s.st.PostImage(r.Context(), id, size)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return nil
	} else if err != nil {
		return err
	}
	data, err := images.Bytes(s.cfg.ImageDir, im)
	if err != nil || len(data) == 0 {
		s.log.Warn("image bytes missing", "post", id, "size", size, "err", err)
		http.NotFound(w, r)
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", im.ContentType)
	h.Set("ETag", im.ETag)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == imageVersion(im.ETag) {
		h.Set("Cache-Control", imageMaxAge)
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	// ServeContent answers If-None-Match with 304 and serves ranges.
	http.ServeContent(w, r, "", im.CreatedAt, bytes.NewReader(data))
	return nil
}

// setImage gives a feed entry the post's image by its absolute address on
// this site; nil leaves the entry without one.
func (e *outEntry) setImage(base string, im *postImage) {
	if im == nil {
		return
	}
	thumb, wide := *im.Thumb, *im.Wide
	thumb.URL, wide.URL = base+thumb.URL, base+wide.URL
	e.Thumb, e.Image = &thumb, &wide
}
