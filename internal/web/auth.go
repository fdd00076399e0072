package web

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Passwords are stored as PBKDF2-HMAC-SHA256 with a random salt, in the
// self-describing form pbkdf2-sha256$ITERATIONS$SALT$KEY (base64url), so the
// iteration count can rise later without breaking stored hashes.
// 600 000 iterations is OWASP's figure for PBKDF2-HMAC-SHA256 (2023).
const (
	PasswordIterations = 600_000
	passwordScheme     = "pbkdf2-sha256"
	passwordKeyLen     = 32
	// MinPasswordLen is the shortest password kabar accepts.
	MinPasswordLen = 10
	maxPasswordLen = 1024
)

// HashPassword derives the stored form of a password.
func HashPassword(password string) (string, error) {
	return hashPassword(password, PasswordIterations)
}

func hashPassword(password string, iterations int) (string, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, passwordKeyLen)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return fmt.Sprintf("%s$%d$%s$%s", passwordScheme, iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPasswordPolicy refuses passwords too short to resist guessing.
func CheckPasswordPolicy(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLen {
		return fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	}
	if len(password) > maxPasswordLen {
		return fmt.Errorf("the password is longer than %d bytes", maxPasswordLen)
	}
	return nil
}

// verifyPassword tells whether password matches the stored hash, in time
// that does not depend on where they differ.
func verifyPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != passwordScheme || len(password) > maxPasswordLen {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	salt, err1 := base64.RawURLEncoding.DecodeString(parts[2])
	want, err2 := base64.RawURLEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the user does not exist, so that a
// wrong name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword(strings.Repeat("x", MinPasswordLen), PasswordIterations)
	return h
})

// authenticate checks a name and password.
func (s *Server) authenticate(ctx context.Context, name, password string) (*model.User, error) {
	u, err := s.st.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		verifyPassword(dummyHash(), password)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !verifyPassword(u.PasswordHash, password) {
		return nil, nil
	}
	return u, nil
}

// Sessions: a random token in an HttpOnly, SameSite=Strict cookie; the
// database keeps only its SHA-256, so a leaked copy of the database signs
// nobody in.
const (
	sessionCookie = "kabar_session"
	sessionTTL    = 14 * 24 * time.Hour
)

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *model.User) error {
	token := randomToken()
	now := s.cfg.Now().UTC()
	err := s.st.CreateSession(r.Context(), &model.Session{TokenHash: tokenHash(token), UserID: u.ID,
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL)})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   int(sessionTTL / time.Second),
		HttpOnly: true,
		Secure:   s.secure(r),
		SameSite: http.SameSiteStrictMode,
	})
	return nil
}

// sessionUser returns the signed-in user, or nil.
func (s *Server) sessionUser(r *http.Request) (*model.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	sess, err := s.st.Session(r.Context(), tokenHash(c.Value), s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := s.st.User(r.Context(), sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.st.DeleteSession(r.Context(), tokenHash(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	return nil
}

// API tokens are "kabar_" and 32 random bytes; the database keeps their
// SHA-256.
const apiTokenPrefix = "kabar_"

// NewAPIToken makes a token for user and stores its hash; the token itself
// is shown once and never again.
func NewAPIToken(ctx context.Context, st store.Store, userID int64, name string) (string, error) {
	token := apiTokenPrefix + randomToken()
	err := st.CreateToken(ctx, &model.APIToken{UserID: userID, Name: name, TokenHash: tokenHash(token)})
	return token, err
}

// apiUser returns the user of the request's bearer token; nil without one.
func (s *Server) apiUser(r *http.Request) (*model.User, error) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || !strings.HasPrefix(token, apiTokenPrefix) {
		return nil, nil
	}
	t, err := s.st.TokenByHash(r.Context(), tokenHash(strings.TrimSpace(token)), s.cfg.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.st.User(r.Context(), t.UserID)
}
