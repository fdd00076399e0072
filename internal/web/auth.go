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
	if err := CheckPasswordPolicy("", password); err != nil {
		return "", err
	}
	return deriveHash(password, iterations)
}

func deriveHash(password string, iterations int) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, passwordKeyLen)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return fmt.Sprintf("%s$%d$%s$%s", passwordScheme, iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
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
	h, err := deriveHash("no user has this password", PasswordIterations)
	if err != nil {
		panic(err) // only a broken hash package gets here
	}
	return h
})

// loginThrottle is the per-account back-off of sign-ins (the per-address
// limit, loginLimit, comes first): five attempts in a row may fail, then
// each attempt locks the name for 1 s, 2 s, 4 s … up to 15 minutes. An
// owner who mistypes never notices; a guesser spread over many addresses
// gets a few dozen guesses an hour. A day without attempts forgets a name.
var loginThrottle = store.LoginThrottle{Free: 5, First: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

// maxLoginName bounds the names counted by the throttle: longer ones cannot
// be users (kabar admin create refuses them) and are counted by their start.
const maxLoginName = 100

func throttleKey(name string) string {
	if len(name) <= maxLoginName {
		return name
	}
	return strings.ToValidUTF8(name[:maxLoginName], "")
}

// errLocked is authenticate's answer while a name is locked.
type errLocked struct{ retryAfter time.Duration }

func (e errLocked) Error() string { return fmt.Sprintf("locked for %v", e.retryAfter) }

// authenticate checks a name and password, counting the attempt against
// the name first: while the name is locked it answers errLocked without
// looking at the password, so a locked name cannot be guessed at all. A
// name no user has is counted and locked the same way, and checked against
// a dummy hash, so neither the answer nor its time tells which names exist.
func (s *Server) authenticate(ctx context.Context, name, password string) (*model.User, error) {
	now := s.cfg.Now()
	until, err := s.st.LoginAttempt(ctx, throttleKey(name), now, loginThrottle)
	if err != nil {
		return nil, err
	}
	if !until.IsZero() {
		return nil, errLocked{until.Sub(now)}
	}
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
	return u, s.st.LoginSucceeded(ctx, throttleKey(name))
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

// startSession signs u in. u is the user as authenticate read it: should
// the password have changed since (kabar admin password, while the old one
// was being checked), the new session is ended at once and ok is false.
// SetPassword ends the user's sessions in the same transaction as it
// changes the hash, so whichever order the two take, no session made with
// the old password outlives the change.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *model.User) (ok bool, err error) {
	token := randomToken()
	now := s.cfg.Now().UTC()
	err = s.st.CreateSession(r.Context(), &model.Session{TokenHash: tokenHash(token), UserID: u.ID,
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL)})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // the user was removed meanwhile
	}
	if err != nil {
		return false, err
	}
	cur, err := s.st.User(r.Context(), u.ID)
	if err != nil || cur.PasswordHash != u.PasswordHash {
		if derr := s.st.DeleteSession(r.Context(), tokenHash(token)); derr != nil {
			return false, derr
		}
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		return false, err
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
	return true, nil
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

// endSession signs the request's browser out; with everywhere, every
// session and API token of the user ends too.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request, u *model.User, everywhere bool) error {
	if everywhere {
		if err := s.st.RevokeAccess(r.Context(), u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
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
func NewAPIToken(ctx context.Context, st TokenStore, userID int64, name string) (string, error) {
	token := apiTokenPrefix + randomToken()
	err := st.CreateToken(ctx, &model.APIToken{UserID: userID, Name: name, TokenHash: tokenHash(token)})
	return token, err
}

// apiUser returns the user of the request's bearer token; nil without one.
func (s *Server) apiUser(r *http.Request) (*model.User, error) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok || !strings.HasPrefix(token, apiTokenPrefix) {
		return nil, nil
	}
	t, err := s.st.TokenByHash(r.Context(), tokenHash(token), s.cfg.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.st.User(r.Context(), t.UserID)
}

// bearerToken reads "Bearer TOKEN" from an Authorization header. The scheme
// is matched in any case (RFC 9110 section 11.1: "bearer" and "BEARER" are
// the same scheme) and may be followed by more than one space.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}
