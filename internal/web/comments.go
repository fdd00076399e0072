package web

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Limits on a comment. The fields are limited in characters after
// decoding; the body cap only stops abuse, so it must hold the largest
// form the fields allow as a browser sends it: every character of the text
// may take 4 bytes of UTF-8 and each byte 3 characters URL-encoded (%XX),
// so 4,000 characters are up to 48,000 bytes, plus the name (80 × 12), the
// website (300 × 3), the token and the field names: under 51,000 bytes.
const (
	maxCommentBody = 64 << 10
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

// countLinks counts what a reader (or a linkifying feed reader or mail
// client) would take for links: every http(s):// URL, every bare www.
// address, every bare domain with a known top-level domain ("pills.example.com/buy",
// "cheap.ru", "user@spam.example") and every dotted IPv4 address. Known
// TLDs keep "e.g." and "file.txt" out of the count.
func countLinks(text string) int {
	n := 0
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`()<>[]{}"'|\^`+"`", r)
	}) {
		if k := strings.Count(f, "http://") + strings.Count(f, "https://"); k > 0 {
			n += k
			continue
		}
		if linkHost(f) {
			n++
		}
	}
	return n
}

// linkHost reports whether a word without a scheme starts with a host name
// a linkifier would turn into a link.
func linkHost(word string) bool {
	if i := strings.IndexAny(word, "/?#"); i >= 0 {
		word = word[:i]
	}
	if i := strings.LastIndexByte(word, '@'); i >= 0 {
		word = word[i+1:]
	}
	if i := strings.LastIndexByte(word, ':'); i >= 0 {
		word = word[:i]
	}
	host := strings.TrimRight(strings.TrimLeft(word, ".,;:!?*_~-"), ".,;:!?*_~-")
	if strings.HasPrefix(host, "www.") && len(host) > len("www.") {
		return true
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
		return true
	}
	if !strings.Contains(host, ".") {
		return false
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return false
	}
	suffix, icann := publicsuffix.PublicSuffix(ascii)
	// A name under a real public suffix, not the suffix itself ("co.uk").
	return icann && len(ascii) > len(suffix)+1 && strings.HasSuffix(ascii, "."+suffix)
}

func (s *Server) handleComment(w http.ResponseWriter, r *http.Request) error {
	post, err := s.lookupPost(w, r)
	if post == nil {
		return err
	}
	tok, ok := s.acceptCommentPost(w, r)
	if !ok {
		return nil
	}
	v := s.newView(r)
	form := parseCommentForm(r.PostForm, v.loc, s.cfg.MaxLinks)
	// A person reads the article and types; a bot posts the moment it has
	// the form. Too fast a post is shown again, so a quick person only has
	// to send it once more.
	switch {
	case !s.freshComment(r, tok):
		form.Errors[fieldText] = v.T("form.error.expired")
	case s.cfg.MinSubmit > 0 && s.cfg.Now().Sub(tok.issued) < s.cfg.MinSubmit:
		form.Errors[fieldText] = v.T("form.error.too_fast")
	}
	parent, err := s.replyParent(r.Context(), post, &form)
	if err != nil {
		return err
	}
	if len(form.Errors) == 0 {
		// Claimed only now, so a form shown again for a mistake can be
		// sent again; claimed atomically, so two posts racing with one
		// token store one comment.
		ok, full := s.usedForms.claim(tok.id, tok.issued.Add(commentFormMaxAge), s.cfg.Now())
		if full {
			w.Header().Set("Retry-After", "60")
			s.renderError(w, r, http.StatusTooManyRequests, "too_many")
			return nil
		}
		if !ok {
			form.Errors[fieldText] = v.T("form.error.expired")
		}
	}
	if len(form.Errors) > 0 {
		return s.renderPost(w, r, v, http.StatusUnprocessableEntity, post, form, false, false)
	}
	c, err := s.saveComment(w, r, post, form, parent)
	if err != nil {
		return err
	}
	s.rememberComment(w, r, c)
	// Redirect after POST, so that reloading the page does not send the
	// comment twice.
	if c.Status == model.CommentApproved {
		http.Redirect(w, r, v.Link(post.Path()+"?comment=published")+"#c"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, v.Link(post.Path()+"?comment=pending")+"#comment-notice", http.StatusSeeOther)
	return nil
}

// acceptCommentPost reads a comment's form and turns away what no reader's
// browser sends: too large a body, a forged post, too many posts, a
// filled-in trap field. It answers those itself, and returns the form's
// token otherwise.
func (s *Server) acceptCommentPost(w http.ResponseWriter, r *http.Request) (formToken, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentBody)
	if err := r.ParseForm(); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "too_large")
		} else {
			s.renderError(w, r, http.StatusBadRequest, "bad_request")
		}
		return formToken{}, false
	}
	// Two checks against forged posts: the browser's own cross-origin
	// signals, and the token that only a page of this site could have put
	// next to this reader's cookie.
	tok, valid := s.parseFormToken(r)
	if s.cop.Check(r) != nil || !valid {
		s.renderError(w, r, http.StatusForbidden, "forbidden")
		return formToken{}, false
	}
	if !s.allow(w, r, s.commentLimit) {
		return formToken{}, false
	}
	if r.PostForm.Get(fieldHoneypot) != "" {
		s.renderError(w, r, http.StatusBadRequest, "rejected")
		return formToken{}, false
	}
	return tok, true
}

// replyParent is the approved comment of post that form replies to, or
// nil; a reply to a comment that is gone becomes a comment of its own.
func (s *Server) replyParent(ctx context.Context, post *model.Post, form *commentForm) (*model.Comment, error) {
	if form.Parent == 0 {
		return nil, nil
	}
	c, err := s.st.Comment(ctx, form.Parent)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && (c.PostID != post.ID || c.Status != model.CommentApproved)):
		form.Parent = 0
		return nil, nil
	case err != nil:
		return nil, err
	}
	return c, nil
}

// saveComment stores a valid form as a comment on post, held for
// moderation unless the site trusts commenters it knows and knows this one.
func (s *Server) saveComment(w http.ResponseWriter, r *http.Request, post *model.Post, form commentForm, parent *model.Comment) (*model.Comment, error) {
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
			return nil, err
		}
		if known {
			c.Status = model.CommentApproved
		}
	}
	if err := s.st.AddCommentBy(r.Context(), c, commenter); err != nil {
		return nil, err
	}
	return c, nil
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
	}
	// Spam puts its links wherever they are shown: the name (a bare
	// domain), the website (linked from the name) and the text. The error
	// goes to the text when it has links, else to the field that has them.
	nameLinks, textLinks := countLinks(f.Name), countLinks(f.Text)
	siteLinks := 0
	if f.Website != "" {
		siteLinks = 1
	}
	if nameLinks+siteLinks+textLinks > max(maxLinks, 0) {
		switch {
		case textLinks > 0:
			f.Errors[fieldText] = cmp.Or(f.Errors[fieldText], l.T("form.error.too_many_links"))
		case nameLinks > 0:
			f.Errors[fieldName] = cmp.Or(f.Errors[fieldName], l.T("form.error.too_many_links"))
		default:
			f.Errors[fieldWebsite] = cmp.Or(f.Errors[fieldWebsite], l.T("form.error.too_many_links"))
		}
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
// new cookie when the request has none. The token is an HMAC of the cookie,
// the time it was issued, a random id and a tag of the reader's address (a
// signed double-submit cookie): a forged cross-site post carries no cookie
// under SameSite=Lax, a cookie planted by a sibling domain is useless
// without the server's key, the issue time tells how long the reader had
// the form, the id lets a comment form be used once, and the address tag
// keeps a token fetched in one place from being used from many.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if renderingForCache(r.Context()) {
		return s.pageCache.formToken // each reader's own goes in its place
	}
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
	tok := make([]byte, tokenSigned, tokenLen)
	binary.BigEndian.PutUint64(tok, uint64(s.cfg.Now().Unix()))
	rand.Read(tok[8 : 8+tokenIDLen])
	copy(tok[8+tokenIDLen:], s.addrTag(r))
	return base64.RawURLEncoding.EncodeToString(append(tok, s.csrfMAC(nonce, tok)...))
}

// A form token: issue time (8 bytes), id, address tag, then the MAC of
// those under the reader's cookie.
const (
	tokenIDLen   = 16
	tokenAddrLen = 8
	tokenSigned  = 8 + tokenIDLen + tokenAddrLen
	tokenLen     = tokenSigned + sha256.Size
)

// csrfMaxAge is how long an admin form stays good; commentFormMaxAge is
// the much shorter life of a comment form, which is also used only once.
const (
	csrfMaxAge        = 24 * time.Hour
	commentFormMaxAge = 2 * time.Hour
)

// formToken is a token whose MAC matched the reader's cookie.
type formToken struct {
	issued time.Time
	id     string
	addr   []byte
}

// parseFormToken checks the form's token against the reader's cookie. A
// token that fails here was not made for this reader: a forgery.
func (s *Server) parseFormToken(r *http.Request) (formToken, bool) {
	nonce, ok := csrfNonce(r)
	if !ok {
		return formToken{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostForm.Get(fieldCSRF))
	if err != nil || len(got) != tokenLen || !hmac.Equal(got[tokenSigned:], s.csrfMAC(nonce, got[:tokenSigned])) {
		return formToken{}, false
	}
	return formToken{
		issued: time.Unix(int64(binary.BigEndian.Uint64(got[:8])), 0),
		id:     string(got[8 : 8+tokenIDLen]),
		addr:   got[8+tokenIDLen : tokenSigned],
	}, true
}

// validCSRF checks the form's token against the reader's cookie, and that
// it is not too old (admin forms: a page of buttons posts many times, so
// these tokens are neither single-use nor bound to an address).
func (s *Server) validCSRF(r *http.Request) bool {
	tok, ok := s.parseFormToken(r)
	if !ok {
		return false
	}
	age := s.cfg.Now().Sub(tok.issued)
	return age <= csrfMaxAge && age >= -time.Minute
}

// freshComment tells whether a genuine comment token may still post: not
// too old, sent from the address (IPv6: the /64) it was issued to, and not
// used for a stored comment before. A stale token is no forgery (a reader
// who left the page open, or whose phone changed networks), so the form is
// shown again with the text kept rather than refused.
func (s *Server) freshComment(r *http.Request, tok formToken) bool {
	age := s.cfg.Now().Sub(tok.issued)
	return age <= commentFormMaxAge && age >= -time.Minute &&
		hmac.Equal(tok.addr, s.addrTag(r)) && !s.usedForms.used(tok.id, s.cfg.Now())
}

// addrTag is a short keyed hash of the reader's address as the rate limits
// see it: the token carries no address in the clear.
func (s *Server) addrTag(r *http.Request) []byte {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("addr\x00" + clientKey(r, s.cfg.TrustProxy)))
	return m.Sum(nil)[:tokenAddrLen]
}

func (s *Server) csrfMAC(nonce string, signed []byte) []byte {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("form\x00" + nonce + "\x00"))
	m.Write(signed)
	return m.Sum(nil)
}

// usedTokens remembers the ids of comment tokens that posted a comment
// until they expire, so that each token posts once. It lives in the
// process: behind a load balancer a token could post once per process,
// still once per token and address within commentFormMaxAge. Entries come
// only from stored comments, which the per-address rate limit holds down;
// maxUsedTokens bounds the map whatever happens.
type usedTokens struct {
	mu        sync.Mutex
	until     map[string]time.Time
	nextPrune int
}

const maxUsedTokens = 1 << 20

func newUsedTokens() *usedTokens {
	return &usedTokens{until: map[string]time.Time{}, nextPrune: 1024}
}

func (u *usedTokens) used(id string, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	until, ok := u.until[id]
	return ok && now.Before(until)
}

// claim marks id used until the given time. It fails when id was used
// already, or when the map is full of unexpired ids (full is true then).
func (u *usedTokens) claim(id string, until, now time.Time) (ok, full bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if t, seen := u.until[id]; seen && now.Before(t) {
		return false, false
	}
	if len(u.until) >= u.nextPrune {
		for k, t := range u.until {
			if !now.Before(t) {
				delete(u.until, k)
			}
		}
		u.nextPrune = max(1024, 2*len(u.until))
	}
	if len(u.until) >= maxUsedTokens {
		return false, true
	}
	u.until[id] = until
	return true, false
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
