package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// The owner's sign-in, sessions and tokens on both stores: the throttle and
// the revocations live in the store, so each test runs on SQLite and on
// PostgreSQL (pgtest fails without a server when CI is set).

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// onBothStores runs fn on a site over SQLite and over PostgreSQL, each with
// a clock of its own that only the test moves.
func onBothStores(t *testing.T, fn func(t *testing.T, s *site, clock *fakeClock)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var st store.Store
			var err error
			if backend == "sqlite" {
				st, err = sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kabar.db"))
			} else {
				st, err = postgres.Open(t.Context(), pgtest.Schema(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			srv, err := New(st, Config{MinSubmit: -1, Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, &site{t: t, st: st, srv: srv}, clock)
		})
	}
}

// login posts the sign-in form from the address addr.
func (s *site) login(addr, name, password string) (*http.Response, string) {
	s.t.Helper()
	cookie, token := s.openForm("/admin/login")
	req := httptest.NewRequest(http.MethodPost, "/admin/login", strings.NewReader(url.Values{
		"csrf": {token}, "name": {name}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr + ":40000"
	req.AddCookie(cookie)
	return s.do(req)
}

func sessionOf(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	return nil
}

// TestLoginThrottlePerAccount replays the finding: 300 wrong passwords from
// 30 addresses in 90 seconds, each address within its own limit, then the
// right password. The account's back-off lets 11 of the 300 be checked,
// and the right password waits for the lock like any other.
func TestLoginThrottlePerAccount(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *site, clock *fakeClock) {
		hash, _ := hashPassword("the right password", 1000)
		if err := s.st.CreateUser(context.Background(), &model.User{Name: "owner", PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		checked, locked := 0, 0
		for i := range 300 {
			res, body := s.login("198.51.100."+strconv.Itoa(1+i%30), "owner", "guess number "+strconv.Itoa(i))
			switch {
			case res.StatusCode != http.StatusUnauthorized:
				t.Fatalf("guess %d: status %d", i, res.StatusCode)
			case strings.Contains(body, "Wrong name or password."):
				checked++
				if res.Header.Get("Retry-After") != "" {
					t.Fatalf("guess %d: Retry-After on a checked password", i)
				}
			case strings.Contains(body, "Too many attempts for this name"):
				locked++
				if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 || n > 900 {
					t.Fatalf("guess %d: Retry-After %q", i, res.Header.Get("Retry-After"))
				}
			default:
				t.Fatalf("guess %d: no message\n%s", i, body)
			}
			clock.Advance(300 * time.Millisecond)
		}
		// Five free, then one each after locks of 1, 2, 4, 8, 16 and 32 s:
		// the 64 s lock from 65.1 s still holds at 90 s.
		if checked != 11 || locked != 289 {
			t.Fatalf("%d guesses checked, %d held; want 11 and 289", checked, locked)
		}
		res, body := s.login("203.0.113.9", "owner", "the right password")
		if res.StatusCode != http.StatusUnauthorized || sessionOf(res) != nil || !strings.Contains(body, "try again in 40 seconds") ||
			res.Header.Get("Retry-After") != "40" {
			t.Fatalf("right password while locked: %d Retry-After %q session %v", res.StatusCode, res.Header.Get("Retry-After"), sessionOf(res))
		}
		clock.Advance(40 * time.Second)
		res, _ = s.login("203.0.113.9", "owner", "the right password")
		if res.StatusCode != http.StatusSeeOther || sessionOf(res) == nil {
			t.Fatalf("right password after the lock: %d", res.StatusCode)
		}
		// The success forgot the count: a mistyped password is only wrong.
		for i := range loginThrottle.Free {
			if _, body := s.login("203.0.113.9", "owner", "mistyped password"); !strings.Contains(body, "Wrong name or password.") {
				t.Fatalf("mistake %d after signing in: %s", i+1, body)
			}
			clock.Advance(time.Second) // within the per-address limit
		}
	})
}

// TestLoginThrottleHidesWhichNamesExist: a name no user has is counted and
// locked exactly like the owner's.
func TestLoginThrottleHidesWhichNamesExist(t *testing.T) {
	// The users' hashes here are cheap (1000 iterations); the dummy hash of
	// unknown names is made as cheap, as it would match a real one's cost.
	saved := dummyHash
	dummyHash = sync.OnceValue(func() string { h, _ := deriveHash("no user has this password", 1000); return h })
	t.Cleanup(func() { dummyHash = saved })
	onBothStores(t, func(t *testing.T, s *site, clock *fakeClock) {
		hash, _ := hashPassword("the right password", 1000)
		if err := s.st.CreateUser(context.Background(), &model.User{Name: "owner", PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		type answer struct {
			status     int
			retryAfter string
			message    string
		}
		answers := map[string][]answer{}
		for _, name := range []string{"owner", "nobody"} {
			for i := range loginThrottle.Free + 2 {
				res, body := s.login("192.0.2."+strconv.Itoa(i+1), name, "wrong password")
				msg := "wrong"
				if strings.Contains(body, "Too many attempts") {
					msg = "locked"
				}
				answers[name] = append(answers[name], answer{res.StatusCode, res.Header.Get("Retry-After"), msg})
			}
		}
		if got, want := answers["nobody"], answers["owner"]; len(got) != len(want) || got[loginThrottle.Free] != want[loginThrottle.Free] ||
			got[0] != want[0] || want[loginThrottle.Free].message != "locked" {
			t.Fatalf("unknown name answered %v, the owner's %v", got, want)
		}
		for i := range answers["owner"] {
			if answers["owner"][i] != answers["nobody"][i] {
				t.Fatalf("attempt %d: the owner's name answered %v, an unknown one %v", i+1, answers["owner"][i], answers["nobody"][i])
			}
		}
	})
}

// signInAt signs name in from a browser of its own and returns the cookies
// of that browser.
func (s *site) signInAt(name, password string) []*http.Cookie {
	s.t.Helper()
	cookie, token := s.openForm("/admin/login")
	res, body := s.post("/admin/login", cookie, url.Values{"csrf": {token}, "name": {name}, "password": {password}})
	sess := sessionOf(res)
	if res.StatusCode != http.StatusSeeOther || sess == nil {
		s.t.Fatalf("sign in as %s: %d\n%s", name, res.StatusCode, body)
	}
	return []*http.Cookie{cookie, sess}
}

// signedIn tells whether a browser's cookies still open /admin.
func (s *site) signedIn(cookies []*http.Cookie) bool {
	s.t.Helper()
	res, _ := s.adminReq(http.MethodGet, "/admin", cookies, nil)
	switch res.StatusCode {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	}
	s.t.Fatalf("GET /admin: %d", res.StatusCode)
	return false
}

// tokenWorks tells whether an API token still opens the moderation queue.
func (s *site) tokenWorks(token string) bool {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/comments?status=pending", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, body := s.do(req)
	switch res.StatusCode {
	case http.StatusOK:
		return true
	case http.StatusUnauthorized:
		return false
	}
	s.t.Fatalf("GET /api/comments: %d %s", res.StatusCode, body)
	return false
}

func (s *site) newUser(name, password string) (*model.User, string) {
	s.t.Helper()
	hash, err := hashPassword(password, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	u := &model.User{Name: name, PasswordHash: hash}
	if err := s.st.CreateUser(context.Background(), u); err != nil {
		s.t.Fatal(err)
	}
	token, err := NewAPIToken(context.Background(), s.st, u.ID, "cron")
	if err != nil {
		s.t.Fatal(err)
	}
	return u, token
}

func TestSignOutEverywhere(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *site, clock *fakeClock) {
		_, token := s.newUser("owner", "the right password")
		_, editorToken := s.newUser("editor", "the editor's password")
		laptop := s.signInAt("owner", "the right password")
		phone := s.signInAt("owner", "the right password")
		editor := s.signInAt("editor", "the editor's password")
		if !s.signedIn(laptop) || !s.signedIn(phone) || !s.tokenWorks(token) {
			t.Fatal("not signed in to begin with")
		}
		res, settings := s.adminReq(http.MethodGet, "/admin/settings", laptop, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(settings, `action="/admin/logout-everywhere"`) {
			t.Fatalf("settings: %d, no sign-out-everywhere form", res.StatusCode)
		}
		// Without the CSRF token nothing ends.
		if res, _ := s.adminReq(http.MethodPost, "/admin/logout-everywhere", laptop, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("without a token: %d", res.StatusCode)
		}
		if !s.signedIn(phone) {
			t.Fatal("a refused form signed out")
		}
		res, _ = s.adminReq(http.MethodPost, "/admin/logout-everywhere", laptop,
			url.Values{"csrf": {tokenField.FindStringSubmatch(settings)[1]}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login?done=signed_out_everywhere" {
			t.Fatalf("sign out everywhere: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		cleared := false
		for _, c := range res.Cookies() {
			cleared = cleared || (c.Name == sessionCookie && c.MaxAge < 0)
		}
		if !cleared {
			t.Error("the session cookie was not cleared")
		}
		if s.signedIn(laptop) || s.signedIn(phone) || s.tokenWorks(token) {
			t.Fatalf("after sign out everywhere: laptop %v phone %v token %v", s.signedIn(laptop), s.signedIn(phone), s.tokenWorks(token))
		}
		if !s.signedIn(editor) || !s.tokenWorks(editorToken) {
			t.Fatal("another user was signed out too")
		}
		if body := s.mustGet("/admin/login?done=signed_out_everywhere", http.StatusOK); !strings.Contains(body, "Signed out everywhere") {
			t.Error("no notice on the sign-in page")
		}
		// Signing in again works.
		if again := s.signInAt("owner", "the right password"); !s.signedIn(again) {
			t.Fatal("cannot sign in again")
		}
	})
}

// TestPasswordChangeEndsSessionsAndTokens changes the password the way
// kabar admin password does (SetPassword with a new hash).
func TestPasswordChangeEndsSessionsAndTokens(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *site, clock *fakeClock) {
		owner, token := s.newUser("owner", "the old password")
		_, editorToken := s.newUser("editor", "the editor's password")
		browser := s.signInAt("owner", "the old password")
		editor := s.signInAt("editor", "the editor's password")
		hash, _ := hashPassword("the new password", 1000)
		if err := s.st.SetPassword(context.Background(), owner.ID, hash); err != nil {
			t.Fatal(err)
		}
		if s.signedIn(browser) || s.tokenWorks(token) {
			t.Fatalf("after the change: session %v token %v", s.signedIn(browser), s.tokenWorks(token))
		}
		if !s.signedIn(editor) || !s.tokenWorks(editorToken) {
			t.Fatal("another user's session or token ended")
		}
		if res, _ := s.login("192.0.2.1", "owner", "the old password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("old password: %d", res.StatusCode)
		}
		if !s.signedIn(s.signInAt("owner", "the new password")) {
			t.Fatal("the new password does not sign in")
		}
	})
}

// TestSessionStartedWithOldPasswordEnds: a sign-in whose password was
// checked just before the password changed must not leave a session.
func TestSessionStartedWithOldPasswordEnds(t *testing.T) {
	onBothStores(t, func(t *testing.T, s *site, clock *fakeClock) {
		owner, _ := s.newUser("owner", "the old password")
		ctx := context.Background()
		checked, err := s.srv.authenticate(ctx, "owner", "the old password")
		if err != nil || checked == nil {
			t.Fatalf("authenticate: %v %v", checked, err)
		}
		hash, _ := hashPassword("the new password", 1000)
		if err := s.st.SetPassword(ctx, owner.ID, hash); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		ok, err := s.srv.startSession(rec, httptest.NewRequest(http.MethodPost, "/admin/login", nil), checked)
		if err != nil || ok {
			t.Fatalf("startSession after the change: ok %v, %v", ok, err)
		}
		if sessionOf(rec.Result()) != nil {
			t.Fatal("a session cookie was sent")
		}
		// Nothing was left in the store either: the same user read afresh
		// starts a session, and that is the only one.
		fresh, _ := s.st.User(ctx, owner.ID)
		rec = httptest.NewRecorder()
		if ok, err := s.srv.startSession(rec, httptest.NewRequest(http.MethodPost, "/admin/login", nil), fresh); !ok || err != nil {
			t.Fatalf("startSession: %v %v", ok, err)
		}
		if !s.signedIn([]*http.Cookie{sessionOf(rec.Result())}) {
			t.Fatal("a fresh session does not work")
		}
	})
}

// TestBearerSchemeAnyCase: the scheme of Authorization is case-insensitive
// (RFC 9110 section 11.1).
func TestBearerSchemeAnyCase(t *testing.T) {
	s := newSite(t, Config{})
	_, token := s.newUser("owner", "the right password")
	for header, want := range map[string]bool{
		"Bearer " + token:         true,
		"bearer " + token:         true,
		"BEARER " + token:         true,
		"bEaReR " + token:         true,
		"Bearer   " + token:       true,
		" bearer " + token + " ":  true,
		"Bearer\t" + token:        false,
		"Bearer" + token:          false,
		"Basic " + token:          false,
		"Bearer":                  false,
		"Bearer ":                 false,
		"bearer " + token + " x":  false,
		"bearer kabar_wrongtoken": false,
		"":                        false,
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/comments?status=pending", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		res, _ := s.do(req)
		if got := res.StatusCode == http.StatusOK; got != want {
			t.Errorf("Authorization %q: status %d", header, res.StatusCode)
		}
	}
}
