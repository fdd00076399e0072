package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

// API list limits: a client that asks for nothing gets a page, one that asks
// for everything gets a bounded page.
const (
	apiDefaultLimit = 20
	apiMaxLimit     = 100
)

type apiPost struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	SourceURL string `json:"source_url"`
	Published string `json:"published"`
}

type apiPosts struct {
	Posts []apiPost `json:"posts"`
}

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func (s *Server) handleAPIPosts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := queryInt(q.Get("limit"), apiDefaultLimit, 1, apiMaxLimit)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "limit must be an integer from 1 to "+strconv.Itoa(apiMaxLimit))
		return
	}
	offset, ok := queryInt(q.Get("offset"), 0, 0, 1<<31-1)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument", "offset must be a non-negative integer")
		return
	}
	posts, err := s.st.Posts(r.Context(), store.PostQuery{Limit: limit, Offset: offset})
	if err != nil {
		s.log.Error("web: api posts", "err", err)
		writeAPIError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	// An empty list is [], never null, so clients can always iterate it.
	out := apiPosts{Posts: make([]apiPost, 0, len(posts))}
	for i := range posts {
		p := &posts[i]
		out.Posts = append(out.Posts, apiPost{
			ID:        p.ID,
			Title:     p.Title,
			URL:       p.Path(),
			SourceURL: p.SourceURL,
			Published: p.Published.UTC().Format(time.RFC3339),
		})
	}
	writeJSON(w, http.StatusOK, out)
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
	json.NewEncoder(w).Encode(v)
}
