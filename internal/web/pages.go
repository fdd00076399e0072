package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// excerptRunes caps a home page excerpt; a long lead paragraph would
// otherwise turn the list into the articles themselves.
const excerptRunes = 300

type homePage struct {
	*view
	Heading  string
	Posts    []postSummary
	NewerURL string
	OlderURL string
}

type postSummary struct {
	Title     string
	URL       string
	Publisher string
	Published time.Time
	Excerpt   string
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r)
	page := 1
	if raw := r.URL.Query().Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			s.notFound(w, r)
			return
		}
		page = n
	}
	total, err := s.st.CountPosts(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	size := s.cfg.PageSize
	if page > 1 && (page-1)*size >= total {
		s.notFound(w, r)
		return
	}
	posts, err := s.st.Posts(r.Context(), store.PostQuery{Limit: size, Offset: (page - 1) * size})
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	p := &homePage{view: v, Heading: v.T("home.heading")}
	if page > 1 {
		v.Title = v.loc.N("home.page", page)
		p.Heading += " — " + v.Title
		p.NewerURL = v.Link("/")
		if page > 2 {
			p.NewerURL = v.Link("/?page=" + strconv.Itoa(page-1))
		}
	}
	if page*size < total {
		p.OlderURL = v.Link("/?page=" + strconv.Itoa(page+1))
	}
	for i := range posts {
		post := &posts[i]
		p.Posts = append(p.Posts, postSummary{
			Title:     post.Title,
			URL:       v.Link(post.Path()),
			Publisher: post.Publisher,
			Published: post.Published,
			Excerpt:   excerpt(post),
		})
	}
	s.render(w, http.StatusOK, "home", p)
}

// excerpt is the post's first paragraph, cut at a word boundary.
func excerpt(p *model.Post) string {
	text := p.Description
	if len(p.Paragraphs) > 0 {
		text = p.Paragraphs[0]
	}
	if utf8.RuneCountInString(text) <= excerptRunes {
		return text
	}
	cut := text[:runeOffset(text, excerptRunes)]
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// runeOffset is the byte offset of the n-th rune of s.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

type postPage struct {
	*view
	Post            *model.Post
	GoogleNewsURL   string
	Comments        []model.Comment
	CommentsHeading string
	Pending         bool
	FormAction      string
	CSRFToken       string
	Form            commentForm
}

func (s *Server) handlePost(w http.ResponseWriter, r *http.Request) {
	post, ok := s.lookupPost(w, r)
	if !ok {
		return
	}
	v := s.newView(r)
	s.renderPost(w, r, v, http.StatusOK, post, commentForm{}, r.URL.Query().Get("comment") == "pending")
}

// lookupPost finds the post named by the request's path, answering 404 or
// 500 itself when there is none.
func (s *Server) lookupPost(w http.ResponseWriter, r *http.Request) (*model.Post, bool) {
	year, month, slug, ok := parsePostPath(r.PathValue("year"), r.PathValue("month"), r.PathValue("file"))
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	post, err := s.st.PostByPath(r.Context(), year, month, slug)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.internalError(w, r, err)
		return nil, false
	}
	return post, true
}

// parsePostPath checks the parts of /YYYY/MM/slug.html strictly, so that
// /2021/1/x.html or /2021/11/x does not become a second address of a post.
func parsePostPath(y, m, file string) (year, month int, slug string, ok bool) {
	slug, found := strings.CutSuffix(file, ".html")
	if len(y) != 4 || len(m) != 2 || !found || slug == "" || !allDigits(y) || !allDigits(m) {
		return 0, 0, "", false
	}
	year, err1 := strconv.Atoi(y)
	month, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || year < 1 || month < 1 || month > 12 {
		return 0, 0, "", false
	}
	return year, month, slug, true
}

func allDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func (s *Server) renderPost(w http.ResponseWriter, r *http.Request, v *view, status int, post *model.Post, form commentForm, pending bool) {
	comments, err := s.st.Comments(r.Context(), post.ID, true)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	v.Title = post.Title
	v.Canonical = post.SourceURL
	// The text is the publisher's; the original, not this copy, is the one
	// search engines should list.
	v.NoIndex = true
	p := &postPage{
		view:          v,
		Post:          post,
		GoogleNewsURL: googleNewsLink(post.ItemLink),
		Comments:      comments,
		Pending:       pending,
		FormAction:    v.Link(post.Path()) + "#comment-form",
		CSRFToken:     s.csrfToken(w, r),
		Form:          form,
	}
	switch len(comments) {
	case 0:
		p.CommentsHeading = v.T("comments.none")
	case 1:
		p.CommentsHeading = v.T("comments.one")
	default:
		p.CommentsHeading = v.loc.N("comments.many", len(comments))
	}
	// The page carries a token bound to this reader's cookie, so no shared
	// cache may keep it.
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, status, "post", p)
}

// googleNewsLink returns link when it points at Google News, else "".
func googleNewsLink(link string) string {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host != "news.google.com" {
		return ""
	}
	return link
}
