package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// A blog moved in keeps its addresses: its pages answer at /p/slug.html
// as on Blogger, and every other old address (a WordPress permalink,
// /?p=123, a Blogger post that lands in another month here because of its
// time zone) answers with a permanent redirect to where the post is now.

type blogPageView struct {
	*view
	Page *model.Page
}

func (s *Server) blogRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /p/{file}", s.handle(s.handleBlogPage))
}

func (s *Server) handleBlogPage(w http.ResponseWriter, r *http.Request) error {
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".html")
	if !ok || slug == "" {
		s.notFound(w, r)
		return nil
	}
	p, err := s.st.Page(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil
	} else if err != nil {
		return err
	}
	v := s.newView(r)
	v.Title = p.Title
	v.Canonical = s.baseURL(r) + p.Path()
	if len(p.Paragraphs) > 0 {
		v.Description = cut(p.Paragraphs[0], 160)
	}
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "blogpage", &blogPageView{view: v, Page: p})
	return nil
}

// oldLink answers an address the site does not serve with a redirect when
// it is the old address of an imported post or page.
func (s *Server) oldLink(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	for _, key := range oldLinkKeys(r) {
		target, err := s.st.OldPath(r.Context(), key)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.log.Error("web: old link", "path", key, "err", err)
			}
			continue
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.Redirect(w, r, (&url.URL{Path: target}).EscapedPath(), http.StatusMovedPermanently)
		return true
	}
	return false
}

// oldLinkKeys are the forms an old address may be stored under: the path
// as sent, with and without its trailing slash, and WordPress's
// /?p=ID and /?page_id=ID.
func oldLinkKeys(r *http.Request) []string {
	p := r.URL.EscapedPath()
	if p == "/" {
		q := r.URL.Query()
		for _, k := range []string{"p", "page_id"} {
			if v := q.Get(k); v != "" {
				return []string{"/?" + k + "=" + v}
			}
		}
		return nil
	}
	keys := []string{p}
	if strings.HasSuffix(p, "/") {
		keys = append(keys, strings.TrimSuffix(p, "/"))
	} else {
		keys = append(keys, p+"/")
	}
	if r.URL.Path != p {
		keys = append(keys, r.URL.Path)
	}
	return keys
}
