package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// API list limits: a client that asks for nothing gets a page, one that asks
// for everything gets a bounded page.
const (
	apiDefaultLimit = 20
	apiMaxLimit     = 100
	apiMaxBody      = 64 << 10
)

// apiRoutes registers the JSON API (docs/api.md). Reads are public; writes
// need a bearer token made in /admin/settings or by `kabar admin token`.
func (s *Server) apiRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/posts", s.handle(s.handleAPIPosts))
	m.HandleFunc("GET /api/posts/{id}", s.handle(s.handleAPIPost))
	m.HandleFunc("GET /api/posts/{id}/comments", s.handle(s.handleAPIPostComments))
	m.HandleFunc("POST /api/posts/{id}/reextract", s.apiWrite(s.handleAPIReextract))
	m.HandleFunc("GET /api/labels", s.handle(s.handleAPILabels))
	m.HandleFunc("GET /api/feeds", s.handle(s.handleAPIFeeds))
	m.HandleFunc("GET /api/feeds/{id}", s.handle(s.handleAPIFeed))
	m.HandleFunc("POST /api/feeds", s.apiWrite(s.handleAPIAddFeed))
	m.HandleFunc("PATCH /api/feeds/{id}", s.apiWrite(s.handleAPIUpdateFeed))
	m.HandleFunc("DELETE /api/feeds/{id}", s.apiWrite(s.handleAPIDeleteFeed))
	m.HandleFunc("GET /api/comments", s.handle(s.handleAPIComments))
	m.HandleFunc("PATCH /api/comments/{id}", s.apiWrite(s.handleAPIUpdateComment))
	m.HandleFunc("DELETE /api/comments/{id}", s.apiWrite(s.handleAPIDeleteComment))
	// Stories: reports of one event grouped together (story.go).
	m.HandleFunc("GET /api/stories", s.handle(s.handleAPIStories))
	m.HandleFunc("GET /api/stories/{id}", s.handle(s.handleAPIStory))
}

type apiPost struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	SourceURL string `json:"source_url"`
	Published string `json:"published"`
	// Image is the post's lead image as this site serves it (absolute,
	// like og:image), absent when it has none: the publisher's own address
	// is never given, so an app showing it asks this site, not them.
	Image string `json:"image,omitempty"`
}

type apiPosts struct {
	Posts []apiPost `json:"posts"`
	Total *int      `json:"total,omitempty"`
	// TotalCapped tells a search whose matches were counted up to
	// store.SearchCountCap only: total is then a lower bound.
	TotalCapped bool `json:"total_capped,omitempty"`
}

type apiPostFull struct {
	apiPost
	Author        string     `json:"author"`
	Publisher     string     `json:"publisher"`
	Language      string     `json:"language"`
	GoogleNewsURL string     `json:"google_news_url"`
	ArticleID     string     `json:"article_id"`
	FeedID        int64      `json:"feed_id"`
	Labels        []apiLabel `json:"labels"`
	Excerpt       string     `json:"excerpt"`
	// Paragraphs is the full text; empty when the post's feed shows excerpts.
	Paragraphs []string `json:"paragraphs"`
	// Truncated: the article was longer than kabar stores, and Paragraphs
	// hold its beginning (model.MaxArticleBytes).
	Truncated bool `json:"truncated"`
	Comments  int  `json:"comments"`
}

type apiLabel struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	URL   string `json:"url"`
	Count int    `json:"count,omitempty"`
}

type apiComment struct {
	ID        int64  `json:"id"`
	PostID    int64  `json:"post_id"`
	ParentID  int64  `json:"parent_id,omitempty"`
	Name      string `json:"name"`
	Website   string `json:"website,omitempty"`
	Text      string `json:"text"`
	Status    string `json:"status"`
	Created   string `json:"created"`
	URL       string `json:"url"`
	PostTitle string `json:"post_title,omitempty"`
}

type apiFeed struct {
	ID           int64          `json:"id"`
	URL          string         `json:"url"`
	Title        string         `json:"title"`
	Paused       bool           `json:"paused"`
	Topic        string         `json:"topic"`
	Excerpt      bool           `json:"excerpt"`
	Items        map[string]int `json:"items"`
	ErrorCount   int            `json:"error_count"`
	LastError    string         `json:"last_error"`
	LastPolledAt *string        `json:"last_polled_at"`
	NextPollAt   *string        `json:"next_poll_at"`
}

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func summaryOf(p *model.Post) apiPost {
	return apiPost{ID: p.ID, Title: p.Title, URL: p.Path(), SourceURL: p.SourceURL,
		Published: p.Published.UTC().Format(time.RFC3339)}
}

// handleAPIPosts lists posts, newest first, or with ?q= the best matches;
// ?label= and ?publisher= narrow the list.
func (s *Server) handleAPIPosts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, ok := queryInt(q.Get("limit"), apiDefaultLimit, 1, apiMaxLimit)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "limit must be an integer from 1 to "+strconv.Itoa(apiMaxLimit))
		return nil
	}
	offset, ok := queryInt(q.Get("offset"), 0, 0, 1<<31-1)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "offset must be a non-negative integer")
		return nil
	}
	var posts []model.Post
	var err error
	out := apiPosts{}
	switch {
	case q.Has("q"):
		text := searchText(r)
		if text == "" {
			writeAPIError(w, http.StatusBadRequest, "invalid_argument", "q must not be empty")
			return nil
		}
		var hits []store.SearchHit
		var total int
		hits, total, err = s.st.Search(r.Context(), store.SearchQuery{Text: text, Limit: limit, Offset: offset})
		for _, h := range hits {
			posts = append(posts, h.Post)
		}
		out.Total = &total
		out.TotalCapped = total > store.SearchCountCap
	case !validName(q.Get("label")) || !validName(q.Get("publisher")):
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "label and publisher must be UTF-8 text without NUL")
		return nil
	case q.Get("label") != "" || q.Get("publisher") != "":
		posts, err = s.st.ListPosts(r.Context(), store.ListQuery{Label: q.Get("label"), Publisher: q.Get("publisher"), Limit: limit, Offset: offset})
	default:
		posts, err = s.st.Posts(r.Context(), store.PostQuery{Limit: limit, Offset: offset})
	}
	if err != nil {
		return err
	}
	// An empty list is [], never null, so clients can always iterate it.
	out.Posts = make([]apiPost, 0, len(posts))
	imgs := s.postImages(r.Context(), posts)
	for i := range posts {
		sum := summaryOf(&posts[i])
		if img := imgs[posts[i].ID]; img != nil {
			sum.Image = s.baseURL(r) + img.Wide.URL
		}
		out.Posts = append(out.Posts, sum)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pathID reads the {id} of the path; it answers 404 itself when there is
// none.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeAPIError(w, http.StatusNotFound, "not_found", "no such "+strings.TrimSuffix(strings.Split(r.URL.Path, "/")[2], "s"))
		return 0, false
	}
	return id, true
}

// errOf is the error of a call whose value is not needed.
func errOf[T any](_ T, err error) error { return err }

// found says whether a store call that returned err found what it looked
// for. It answers ErrNotFound itself (404) and returns any other error,
// for the handler to return.
func found(w http.ResponseWriter, err error, what string) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		writeAPIError(w, http.StatusNotFound, "not_found", "no such "+what)
		return false, nil
	}
	return false, err
}

func (s *Server) handleAPIPost(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	ctx := r.Context()
	p, err := s.st.Post(ctx, id)
	if ok, err := found(w, err, "post"); !ok {
		return err
	}
	labels, err := s.st.PostLabels(ctx, id)
	if err != nil {
		return err
	}
	counts, err := s.st.CommentCounts(ctx, []int64{id})
	if err != nil {
		return err
	}
	out := apiPostFull{
		apiPost: summaryOf(p), Author: p.Author, Publisher: p.Publisher, Language: p.Language,
		GoogleNewsURL: googleNewsLink(p.ItemLink), ArticleID: p.ArticleID,
		FeedID: p.FeedID, Labels: []apiLabel{}, Excerpt: excerpt(p), Paragraphs: []string{},
		Truncated: p.Truncated, Comments: counts[id],
	}
	for _, l := range labels {
		out.Labels = append(out.Labels, apiLabel{Kind: l.Kind, Name: l.Name, URL: labelPath(l.Name)})
	}
	if !s.cache.feedOptions(ctx, p.FeedID).Excerpt && p.Paragraphs != nil {
		out.Paragraphs = p.Paragraphs
	}
	if img := s.postImageOf(ctx, p); img != nil {
		out.Image = s.baseURL(r) + img.Wide.URL
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIPostComments(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	p, err := s.st.Post(r.Context(), id)
	if ok, err := found(w, err, "post"); !ok {
		return err
	}
	comments, err := s.st.Comments(r.Context(), id, true)
	if err != nil {
		return err
	}
	out := struct {
		Comments []apiComment `json:"comments"`
	}{Comments: []apiComment{}}
	for _, c := range comments {
		out.Comments = append(out.Comments, commentOf(&c, p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func commentOf(c *model.Comment, p *model.Post) apiComment {
	out := apiComment{ID: c.ID, PostID: c.PostID, ParentID: c.ParentID, Name: c.Name, Website: c.Website,
		Text: c.Body, Status: c.Status, Created: c.CreatedAt.UTC().Format(time.RFC3339)}
	if p != nil {
		out.URL = p.Path() + "#c" + strconv.FormatInt(c.ID, 10)
		out.PostTitle = p.Title
	}
	return out
}

// handleAPIComments lists comments, newest first. Anyone may list approved
// comments; ?status=pending or spam needs a token.
func (s *Server) handleAPIComments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, ok := queryInt(q.Get("limit"), apiDefaultLimit, 1, apiMaxLimit)
	offset, ok2 := queryInt(q.Get("offset"), 0, 0, 1<<31-1)
	if !ok || !ok2 {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "limit must be from 1 to "+strconv.Itoa(apiMaxLimit)+" and offset non-negative")
		return nil
	}
	status := q.Get("status")
	switch status {
	case "", model.CommentApproved:
		status = model.CommentApproved
	case model.CommentPending, model.CommentSpam:
		if u, err := s.requireToken(w, r); u == nil {
			return err
		}
	default:
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "status must be approved, pending or spam")
		return nil
	}
	var postID int64
	if raw := q.Get("post"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_argument", "post must be a post ID")
			return nil
		}
		postID = id
	}
	comments, err := s.st.ListComments(r.Context(), store.CommentQuery{PostID: postID, Status: status, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := struct {
		Comments []apiComment `json:"comments"`
	}{Comments: []apiComment{}}
	posts := map[int64]*model.Post{}
	for _, c := range comments {
		p, ok := posts[c.PostID]
		if !ok {
			if p, err = s.st.Post(r.Context(), c.PostID); err != nil {
				return err
			}
			posts[c.PostID] = p
		}
		out.Comments = append(out.Comments, commentOf(&c, p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIUpdateComment(w http.ResponseWriter, r *http.Request, _ *model.User) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	var body struct {
		Status *string `json:"status"`
	}
	if !readJSON(w, r, &body) {
		return nil
	}
	if body.Status == nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "status is required")
		return nil
	}
	switch *body.Status {
	case model.CommentApproved, model.CommentPending, model.CommentSpam:
	default:
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "status must be approved, pending or spam")
		return nil
	}
	if ok, err := found(w, s.st.SetCommentStatus(r.Context(), id, *body.Status), "comment"); !ok {
		return err
	}
	c, err := s.st.Comment(r.Context(), id)
	if ok, err := found(w, err, "comment"); !ok {
		return err
	}
	writeJSON(w, http.StatusOK, commentOf(c, nil))
	return nil
}

func (s *Server) handleAPIDeleteComment(w http.ResponseWriter, r *http.Request, _ *model.User) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	if ok, err := found(w, s.st.DeleteComment(r.Context(), id), "comment"); !ok {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleAPILabels(w http.ResponseWriter, r *http.Request) error {
	kind := r.URL.Query().Get("kind")
	switch kind {
	case "", model.LabelFeed, model.LabelTopic, model.LabelPublisher, model.LabelLanguage:
	default:
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "kind must be feed, topic, publisher or language")
		return nil
	}
	labels, err := s.st.Labels(r.Context(), kind, 0)
	if err != nil {
		return err
	}
	out := struct {
		Labels []apiLabel `json:"labels"`
	}{Labels: []apiLabel{}}
	for _, l := range labels {
		out.Labels = append(out.Labels, apiLabel{Kind: l.Kind, Name: l.Name, URL: labelPath(l.Name), Count: l.Count})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) feedOf(r *http.Request, f *model.Feed) (apiFeed, error) {
	counts, err := s.st.ItemCounts(r.Context(), f.ID)
	if err != nil {
		return apiFeed{}, err
	}
	opts, err := s.st.FeedOptions(r.Context(), f.ID)
	if err != nil {
		return apiFeed{}, err
	}
	if counts == nil {
		counts = map[string]int{}
	}
	return apiFeed{ID: f.ID, URL: f.URL, Title: f.Title, Paused: f.Paused, Topic: opts.Topic, Excerpt: opts.Excerpt,
		Items: counts, ErrorCount: f.ErrorCount, LastError: f.LastError,
		LastPolledAt: apiTime(f.LastPolledAt), NextPollAt: apiTime(f.NextPollAt)}, nil
}

func apiTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func (s *Server) handleAPIFeeds(w http.ResponseWriter, r *http.Request) error {
	feeds, err := s.st.Feeds(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Feeds []apiFeed `json:"feeds"`
	}{Feeds: []apiFeed{}}
	for i := range feeds {
		f, err := s.feedOf(r, &feeds[i])
		if err != nil {
			return err
		}
		out.Feeds = append(out.Feeds, f)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIFeed(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	f, err := s.st.Feed(r.Context(), id)
	if ok, err := found(w, err, "feed"); !ok {
		return err
	}
	out, err := s.feedOf(r, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// validFeedURL accepts an absolute http(s) URL.
func validFeedURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && len(raw) <= 2000
}

// refusedFeedURL is the fetcher's reason never to fetch a valid feed URL,
// or nil.
func (s *Server) refusedFeedURL(raw string) error {
	if s.cfg.FeedURLs == nil {
		return nil
	}
	return s.cfg.FeedURLs.CheckURL(raw)
}

func (s *Server) handleAPIAddFeed(w http.ResponseWriter, r *http.Request, _ *model.User) error {
	var body struct {
		URL     string `json:"url"`
		Topic   string `json:"topic"`
		Excerpt bool   `json:"excerpt"`
		Paused  bool   `json:"paused"`
	}
	if !readJSON(w, r, &body) {
		return nil
	}
	body.URL = strings.TrimSpace(body.URL)
	if !validFeedURL(body.URL) {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "url must be an absolute http or https URL")
		return nil
	}
	if err := s.refusedFeedURL(body.URL); err != nil {
		writeAPIError(w, http.StatusBadRequest, "refused_address", "the fetcher may not fetch this url ("+err.Error()+"); private networks need --allow-addr")
		return nil
	}
	f := &model.Feed{URL: body.URL, Paused: body.Paused}
	err := s.st.AddFeed(r.Context(), f)
	if errors.Is(err, store.ErrExists) {
		writeAPIError(w, http.StatusConflict, "already_exists", "the feed is already subscribed")
		return nil
	}
	if err == nil && (body.Topic != "" || body.Excerpt) {
		err = s.st.SetFeedOptions(r.Context(), model.FeedOptions{FeedID: f.ID, Topic: cleanLine(body.Topic), Excerpt: body.Excerpt})
		s.cache.invalidate()
	}
	if err != nil {
		return err
	}
	out, err := s.feedOf(r, f)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/feeds/"+strconv.FormatInt(f.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleAPIUpdateFeed(w http.ResponseWriter, r *http.Request, _ *model.User) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	var body struct {
		Paused  *bool   `json:"paused"`
		Topic   *string `json:"topic"`
		Excerpt *bool   `json:"excerpt"`
	}
	if !readJSON(w, r, &body) {
		return nil
	}
	ctx := r.Context()
	if ok, err := found(w, errOf(s.st.Feed(ctx, id)), "feed"); !ok {
		return err
	}
	if body.Paused != nil {
		if ok, err := found(w, s.st.SetFeedPaused(ctx, id, *body.Paused), "feed"); !ok {
			return err
		}
	}
	if body.Topic != nil || body.Excerpt != nil {
		o, err := s.st.FeedOptions(ctx, id)
		if ok, err := found(w, err, "feed"); !ok {
			return err
		}
		if body.Topic != nil {
			o.Topic = cleanLine(*body.Topic)
		}
		if body.Excerpt != nil {
			o.Excerpt = *body.Excerpt
		}
		if ok, err := found(w, s.st.SetFeedOptions(ctx, o), "feed"); !ok {
			return err
		}
		s.cache.invalidate()
	}
	f, err := s.st.Feed(ctx, id)
	if ok, err := found(w, err, "feed"); !ok {
		return err
	}
	out, err := s.feedOf(r, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIDeleteFeed(w http.ResponseWriter, r *http.Request, _ *model.User) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	if ok, err := found(w, s.st.DeleteFeed(r.Context(), id), "feed"); !ok {
		return err
	}
	s.cache.invalidate()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleAPIReextract(w http.ResponseWriter, r *http.Request, _ *model.User) error {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	if ok, err := found(w, errOf(s.st.Post(r.Context(), id)), "post"); !ok {
		return err
	}
	if s.cfg.Reextract == nil {
		writeAPIError(w, http.StatusNotImplemented, "not_implemented", "re-extraction is not available in this process")
		return nil
	}
	if err := s.cfg.Reextract.Reextract(r.Context(), id); err != nil {
		s.log.Warn("web: re-extract", "post", id, "err", err)
		writeAPIError(w, http.StatusBadGateway, "reextract_failed", err.Error())
		return nil
	}
	s.cache.invalidate()
	p, err := s.st.Post(r.Context(), id)
	if ok, err := found(w, err, "post"); !ok {
		return err
	}
	writeJSON(w, http.StatusOK, summaryOf(p))
	return nil
}

// apiWrite guards a write: it needs a valid bearer token, and at most
// apiMaxBody bytes of body.
func (s *Server) apiWrite(h func(http.ResponseWriter, *http.Request, *model.User) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.requireToken(w, r)
		if u == nil {
			if err != nil {
				s.fail(w, r, err)
			}
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, apiMaxBody)
		if err := h(w, r, u); err != nil {
			s.fail(w, r, err)
		}
	}
}

// requireToken returns the user of the request's token. Without a valid
// token it answers 401 itself and returns no user; an error reading the
// token's user is returned, for the handler to return.
func (s *Server) requireToken(w http.ResponseWriter, r *http.Request) (*model.User, error) {
	u, err := s.apiUser(r)
	if err != nil {
		return nil, err
	}
	if u == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kabar"`)
		writeAPIError(w, http.StatusUnauthorized, "unauthenticated", "this needs an API token: Authorization: Bearer kabar_…")
		return nil, nil
	}
	return u, nil
}

// readJSON decodes a JSON object body strictly, answering 4xx itself.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			writeAPIError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json")
			return false
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", "the body is too large")
		} else {
			writeAPIError(w, http.StatusBadRequest, "invalid_argument", "the body must be a JSON object: "+err.Error())
		}
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "the body must hold one JSON object")
		return false
	}
	return true
}

// queryInt parses an optional integer parameter within [lo, hi].
func queryInt(raw string, def, lo, hi int) (int, bool) {
	if raw == "" {
		return def, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Error: apiErrorBody{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	// The values are kabar's own types, which always encode; what can
	// fail is the write to a reader who left, and nobody is left to tell.
	_ = json.NewEncoder(w).Encode(v)
}

// apiErrorWriter turns the mux's own plain-text errors under /api/ (a 405
// for a wrong method, mostly) into JSON errors.
type apiErrorWriter struct {
	http.ResponseWriter
	method  string
	swallow bool
}

func (w *apiErrorWriter) WriteHeader(code int) {
	h := w.Header()
	if code >= 400 && strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		c, msg := "error", strings.ToLower(http.StatusText(code))
		switch code {
		case http.StatusNotFound:
			c, msg = "not_found", "no such endpoint"
		case http.StatusMethodNotAllowed:
			c, msg = "method_not_allowed", "this endpoint does not take "+w.method
		case http.StatusBadRequest:
			c = "invalid_argument"
		}
		writeJSON(w.ResponseWriter, code, apiError{Error: apiErrorBody{Code: c, Message: msg}})
		w.swallow = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *apiErrorWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
