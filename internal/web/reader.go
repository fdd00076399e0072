package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// What the site remembers of a reader who commented, in two cookies and no
// account: their name and website, to fill the form next time, and the
// comments they sent that await moderation, so that they see their own
// comment (marked as waiting) until the owner decides. The pending list is
// signed, so a reader cannot make the site show someone else's held
// comment by writing its ID into the cookie.
const (
	rememberCookie = "kabar_you"
	pendingCookie  = "kabar_pending"
	maxOwnPending  = 10
	rememberFor    = 365 * 24 * time.Hour
	pendingFor     = 30 * 24 * time.Hour
)

// rememberComment sets the reader's cookies after a comment was stored.
func (s *Server) rememberComment(w http.ResponseWriter, r *http.Request, c *model.Comment) {
	secure := s.secure(r)
	you := url.Values{"n": {c.Name}}
	if c.Website != "" {
		you.Set("w", c.Website)
	}
	http.SetCookie(w, &http.Cookie{Name: rememberCookie, Value: you.Encode(), Path: "/", MaxAge: int(rememberFor / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	if c.Status != model.CommentPending {
		return
	}
	ids := append([]int64{c.ID}, s.pendingIDs(r)...)
	if len(ids) > maxOwnPending {
		ids = ids[:maxOwnPending]
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	list := strings.Join(parts, ".")
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: list + "~" + s.pendingMAC(list), Path: "/",
		MaxAge: int(pendingFor / time.Second), HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) pendingMAC(list string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("pending comments:" + list))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// pendingIDs reads the signed list of the reader's held comments; nothing
// when the cookie is missing or was tampered with.
func (s *Server) pendingIDs(r *http.Request) []int64 {
	ck, err := r.Cookie(pendingCookie)
	if err != nil {
		return nil
	}
	list, mac, ok := strings.Cut(ck.Value, "~")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.pendingMAC(list))) {
		return nil
	}
	var ids []int64
	for _, p := range strings.Split(list, ".") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil && id > 0 && len(ids) < maxOwnPending {
			ids = append(ids, id)
		}
	}
	return ids
}

// ownPending is the reader's comments on post that still await
// moderation, oldest first.
func (s *Server) ownPending(r *http.Request, postID int64) []model.Comment {
	var out []model.Comment
	ids := s.pendingIDs(r)
	for i := len(ids) - 1; i >= 0; i-- {
		c, err := s.st.Comment(r.Context(), ids[i])
		if err != nil || c.PostID != postID || c.Status != model.CommentPending {
			continue // decided, deleted or elsewhere: no longer the reader's to see here
		}
		out = append(out, *c)
	}
	return out
}

// remembered returns the name and website the reader used last.
func remembered(r *http.Request) (name, website string) {
	ck, err := r.Cookie(rememberCookie)
	if err != nil {
		return "", ""
	}
	v, err := url.ParseQuery(ck.Value)
	if err != nil {
		return "", ""
	}
	name = cut(cleanLine(v.Get("n")), maxNameRunes)
	if w, ok := normalizeWebsite(v.Get("w")); ok {
		website = w
	}
	return name, website
}
