package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabarnews/kabar/internal/model"
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
	csrfCookie    = "kabar_csrf"
)

// commentForm is a submitted comment, kept to refill the form when it is
// refused. Errors maps a field to its localized message.
type commentForm struct {
	Name, Website, Text string
	Errors              map[string]string
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
	if s.cop.Check(r) != nil || !s.validCSRF(r) {
		s.renderError(w, r, http.StatusForbidden, "forbidden")
		return
	}
	if r.PostForm.Get(fieldHoneypot) != "" {
		s.renderError(w, r, http.StatusBadRequest, "rejected")
		return
	}
	v := s.newView(r)
	form := parseCommentForm(r.PostForm, v.loc)
	if len(form.Errors) > 0 {
		s.renderPost(w, r, v, http.StatusUnprocessableEntity, post, form, false)
		return
	}
	c := &model.Comment{
		PostID:    post.ID,
		Name:      form.Name,
		Website:   form.Website,
		Body:      form.Text,
		Status:    model.CommentPending,
		CreatedAt: time.Now().UTC(),
	}
	if err := s.st.AddComment(r.Context(), c); err != nil {
		s.internalError(w, r, err)
		return
	}
	// Redirect after POST, so that reloading the page does not send the
	// comment twice.
	http.Redirect(w, r, v.Link(post.Path()+"?comment=pending")+"#comment-notice", http.StatusSeeOther)
}

// parseCommentForm reads and checks a submitted comment. Comments are plain
// text: nothing here strips markup, because templates escape it on output.
func parseCommentForm(vals url.Values, l *locale) commentForm {
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
	}
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

// csrfToken returns the form token for the reader's CSRF cookie, setting a
// new cookie when the request has none. The token is an HMAC of the cookie
// (a signed double-submit cookie): a forged cross-site post carries no
// cookie under SameSite=Lax, and a cookie planted by a sibling domain is
// useless without the server's key.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	nonce, ok := csrfNonce(r)
	if !ok {
		b := make([]byte, 32)
		rand.Read(b)
		nonce = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name:     csrfCookie,
			Value:    nonce,
			Path:     "/",
			HttpOnly: true,
			Secure:   r.TLS != nil,
			SameSite: http.SameSiteLaxMode,
		})
	}
	return base64.RawURLEncoding.EncodeToString(s.csrfMAC(nonce))
}

func (s *Server) validCSRF(r *http.Request) bool {
	nonce, ok := csrfNonce(r)
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostForm.Get(fieldCSRF))
	return err == nil && hmac.Equal(got, s.csrfMAC(nonce))
}

func (s *Server) csrfMAC(nonce string) []byte {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("comment-form\x00" + nonce))
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
