package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Limits on a comment. The body cap is well above what the field limits
// allow, so only abuse hits it.
const (
	maxCommentBody = 32 << 10
	maxNameRunes   = 80
	maxWebsiteLen  = 300
	maxTextRunes   = 4000
)

// Form field names. The honeypot is called "email" because that is a field
// form-filling bots cannot resist; people never see it.
const (
	fieldName     = "name"
	fieldWebsite  = "website"
	fieldText     = "text"
	fieldCSRF     = "csrf"
	fieldHoneypot = "email"
	fieldParent   = "parent"
	csrfCookie    = "kabar_csrf"
	// commenterCookie identifies a commenter's browser, so that the owner
	// may let a known commenter's comments through.
	commenterCookie = "kabar_commenter"
)

// commentForm is a submitted comment, kept to refill the form when it is
// refused. Errors maps a field to its localized message.
type commentForm struct {
	Name, Website, Text string
	Parent              int64 // the comment replied to, or 0
	Errors              map[string]string
}

// countLinks counts what a reader would take for links in a comment: every
// http(s):// URL and every bare www. address.
func countLinks(text string) int {
	lower := strings.ToLower(text)
	n := strings.Count(lower, "http://") + strings.Count(lower, "https://")
	for _, f := range strings.Fields(lower) {
		if strings.HasPrefix(strings.TrimLeft(f, "(<[\"'"), "www.") {
			n++
		}
	}
	return n
}

func (s *Server) handleComment(w http.ResponseWriter, r *http.Request) {
	post, ok := s.lookupPost(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentBody)
	if err := r.ParseForm(); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "too_large")
		} else {
			s.renderError(w, r, http.StatusBadRequest, "bad_request")
		}
		return
	}
	// Two checks against forged posts: the browser's own cross-origin
	// signals, and the token that only a page of this site could have put
	// next to this reader's cookie.
	issued, valid := s.validCSRF(r)
	if s.cop.Check(r) != nil || !valid {
		s.renderError(w, r, http.StatusForbidden, "forbidden")
		return
	}
	if !s.allow(w, r, s.commentLimit) {
		return
	}
	if r.PostForm.Get(fieldHoneypot) != "" {
		s.renderError(w, r, http.StatusBadRequest, "rejected")
		return
	}
	v := s.newView(r)
	form := parseCommentForm(r.PostForm, v.loc, s.cfg.MaxLinks)
	// A person reads the article and types; a bot posts the moment it has
	// the form. Too fast a post is shown again, so a quick person only has
	// to send it once more.
	if s.cfg.MinSubmit > 0 && s.cfg.Now().Sub(issued) < s.cfg.MinSubmit {
		form.Errors[fieldText] = v.T("form.error.too_fast")
	}
	var parent *model.Comment
	if form.Parent != 0 {
		c, err := s.st.Comment(r.Context(), form.Parent)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && (c.PostID != post.ID || c.Status != model.CommentApproved)):
			form.Parent = 0 // the comment is gone: post a comment of one's own
		case err != nil:
			s.internalError(w, r, err)
			return
		default:
			parent = c
		}
	}
	if len(form.Errors) > 0 {
		s.renderPost(w, r, v, http.StatusUnprocessableEntity, post, form, false, false)
		return
	}
	c := &model.Comment{
		PostID:    post.ID,
		Name:      form.Name,
		Website:   form.Website,
		Body:      form.Text,
		Status:    model.CommentPending,
		CreatedAt: s.cfg.Now().UTC(),
	}
	if parent != nil {
		// Replies go one level deep: a reply to a reply joins its thread.
		c.ParentID = parent.ID
		if parent.ParentID != 0 {
			c.ParentID = parent.ParentID
		}
	}
	commenter := s.commenterKey(w, r)
	if s.cache.settings(r.Context()).TrustKnown {
		known, err := s.st.KnownCommenter(r.Context(), commenter)
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		if known {
			c.Status = model.CommentApproved
		}
	}
	if err := s.st.AddCommentBy(r.Context(), c, commenter); err != nil {
		s.internalError(w, r, err)
		return
	}
	s.rememberComment(w, r, c)
	// Redirect after POST, so that reloading the page does not send the
	// comment twice.
	if c.Status == model.CommentApproved {
		http.Redirect(w, r, v.Link(post.Path()+"?comment=published")+"#c"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, v.Link(post.Path()+"?comment=pending")+"#comment-notice", http.StatusSeeOther)
}

// allow applies a rate limit to the request's sender, answering 429 itself
// when the sender must wait.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l *rateLimiter) bool {
	ok, wait := l.allow(clientKey(r, s.cfg.TrustProxy))
	if ok {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
	if isAPI(r) {
		writeAPIError(w, http.StatusTooManyRequests, "rate_limited", "too many requests; retry later")
	} else {
		s.renderError(w, r, http.StatusTooManyRequests, "too_many")
	}
	return false
}

// commenterKey returns the key comments from this browser are stored under:
// an HMAC of a random cookie, set now when the browser has none. The cookie
// alone says nothing, and the database alone cannot make one.
func (s *Server) commenterKey(w http.ResponseWriter, r *http.Request) string {
	var id string
	if c, err := r.Cookie(commenterCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil && len(b) == 32 {
			id = c.Value
		}
	}
	if id == "" {
		id = randomToken()
		http.SetCookie(w, &http.Cookie{
			Name:     commenterCookie,
			Value:    id,
			Path:     "/",
			MaxAge:   365 * 24 * 3600,
			HttpOnly: true,
			Secure:   s.secure(r),
			SameSite: http.SameSiteLaxMode,
		})
	}
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("commenter\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseCommentForm reads and checks a submitted comment. Comments are plain
// text: nothing here strips markup, because templates escape it on output.
func parseCommentForm(vals url.Values, l *locale, maxLinks int) commentForm {
	f := commentForm{
		Name:    cleanLine(vals.Get(fieldName)),
		Website: strings.TrimSpace(vals.Get(fieldWebsite)),
		Text:    cleanText(vals.Get(fieldText)),
		Errors:  map[string]string{},
	}
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		f.Errors[fieldName] = l.T("form.error.name_required")
	case n > maxNameRunes:
		f.Errors[fieldName] = l.T("form.error.name_too_long")
	}
	if f.Website != "" {
		if site, ok := normalizeWebsite(f.Website); ok {
			f.Website = site
		} else {
			f.Errors[fieldWebsite] = l.T("form.error.website_invalid")
		}
	}
	switch n := utf8.RuneCountInString(f.Text); {
	case n == 0:
		f.Errors[fieldText] = l.T("form.error.text_required")
	case n > maxTextRunes:
		f.Errors[fieldText] = l.T("form.error.text_too_long")
	case countLinks(f.Text) > max(maxLinks, 0):
		f.Errors[fieldText] = l.T("form.error.too_many_links")
	}
	f.Parent, _ = strconv.ParseInt(vals.Get(fieldParent), 10, 64)
	return f
}

// cleanLine makes a one-line field of s: valid UTF-8, no control
// characters, runs of white space collapsed.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// cleanText keeps the comment's line breaks (shown with white-space:
// pre-line) but drops other control characters and trailing blanks.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(s)
}

// normalizeWebsite accepts an http or https URL with a host, adding https://
// to a bare "example.com" as readers often type it.
func normalizeWebsite(s string) (string, bool) {
	if len(s) > maxWebsiteLen {
		return "", false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", false
	}
	// A user part ("https://bank.example@evil.example") only serves to
	// disguise where a link goes.
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return "", false
	}
	// The text as typed is kept (url.URL.String would percent-encode an
	// internationalized host); the template escapes it on output.
	return s, true
}

// csrfToken returns a form token for the reader's CSRF cookie, setting a
// new cookie when the request has none. The token is an HMAC of the cookie
// and the time it was issued (a signed double-submit cookie): a forged
// cross-site post carries no cookie under SameSite=Lax, a cookie planted by
// a sibling domain is useless without the server's key, and the issue time
// tells how long the reader had the form.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	nonce, ok := csrfNonce(r)
	if !ok {
		nonce = randomToken()
		http.SetCookie(w, &http.Cookie{
			Name:     csrfCookie,
			Value:    nonce,
			Path:     "/",
			HttpOnly: true,
			Secure:   s.secure(r),
			SameSite: http.SameSiteLaxMode,
		})
	}
	ts := make([]byte, 8)
	binary.BigEndian.PutUint64(ts, uint64(s.cfg.Now().Unix()))
	return base64.RawURLEncoding.EncodeToString(append(ts, s.csrfMAC(nonce, ts)...))
}

// csrfMaxAge is how long a form stays good.
const csrfMaxAge = 24 * time.Hour

// validCSRF checks the form's token against the reader's cookie and returns
// when the token was issued.
func (s *Server) validCSRF(r *http.Request) (time.Time, bool) {
	nonce, ok := csrfNonce(r)
	if !ok {
		return time.Time{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostForm.Get(fieldCSRF))
	if err != nil || len(got) != 8+sha256.Size || !hmac.Equal(got[8:], s.csrfMAC(nonce, got[:8])) {
		return time.Time{}, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(got[:8])), 0)
	if age := s.cfg.Now().Sub(issued); age > csrfMaxAge || age < -time.Minute {
		return time.Time{}, false
	}
	return issued, true
}

func (s *Server) csrfMAC(nonce string, ts []byte) []byte {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("form\x00" + nonce + "\x00"))
	m.Write(ts)
	return m.Sum(nil)
}

// csrfNonce returns the request's CSRF cookie when it is well formed.
func csrfNonce(r *http.Request) (string, bool) {
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) != 32 {
		return "", false
	}
	return c.Value, true
}

// secure tells whether the request came over HTTPS, so that cookies are
// marked Secure there.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https:") ||
		(s.cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}
