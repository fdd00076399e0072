package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// The owner's credentials: a password change or "sign out everywhere" ends
// what the old credentials gave, and sign-in attempts are counted per name
// in the store, so the back-off holds across every process of the site.

func init() {
	register("Auth/PasswordChangeRevokesSessionsAndTokens", testPasswordChangeRevokes)
	register("Auth/RevokeAccessEndsOneUsersSessionsAndTokens", testRevokeAccess)
	register("Auth/LoginAttemptsBackOff", testLoginBackOff)
	register("Auth/ConcurrentLoginAttemptsCountedOnce", testConcurrentLoginAttempts)
}

// throttle is the policy of the site (see web's loginThrottle) with a short
// Forget, to show it.
var throttle = store.LoginThrottle{Free: 5, First: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

// credentials makes a user with two sessions and two tokens, live at now.
func credentials(t *testing.T, s store.Store, name string, now time.Time) *model.User {
	t.Helper()
	u := &model.User{Name: name, PasswordHash: "old-" + name}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		sess := &model.Session{TokenHash: fmt.Sprintf("s%d-%s", i, name), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		tok := &model.APIToken{UserID: u.ID, Name: "t", TokenHash: fmt.Sprintf("t%d-%s", i, name), CreatedAt: now}
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// live counts the user's sessions and tokens that still work.
func live(t *testing.T, s store.Store, name string, now time.Time) (sessions, tokens int) {
	t.Helper()
	for i := range 2 {
		_, err := s.Session(ctx, fmt.Sprintf("s%d-%s", i, name), now)
		if err == nil {
			sessions++
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		_, err = s.TokenByHash(ctx, fmt.Sprintf("t%d-%s", i, name), now)
		if err == nil {
			tokens++
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
	}
	return sessions, tokens
}

func testPasswordChangeRevokes(t *testing.T, s store.Store) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	owner := credentials(t, s, "owner", now)
	credentials(t, s, "editor", now)
	// The owner's name was being guessed: four attempts counted.
	for range 4 {
		if _, err := s.LoginAttempt(ctx, "owner", now, throttle); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPassword(ctx, owner.ID, "new-owner"); err != nil {
		t.Fatal(err)
	}
	if u, err := s.User(ctx, owner.ID); err != nil || u.PasswordHash != "new-owner" {
		t.Fatalf("after SetPassword: %+v %v", u, err)
	}
	if ss, ts := live(t, s, "owner", now); ss != 0 || ts != 0 {
		t.Fatalf("after a password change %d sessions and %d tokens still work", ss, ts)
	}
	if ss, ts := live(t, s, "editor", now); ss != 2 || ts != 2 {
		t.Fatalf("another user's credentials went too: %d sessions, %d tokens", ss, ts)
	}
	if list, _ := s.Tokens(ctx); len(list) != 2 {
		t.Fatalf("tokens listed after the change: %+v", list)
	}
	// The count was forgotten: five attempts pass again before a lock.
	for i := range 5 {
		if until, err := s.LoginAttempt(ctx, "owner", now, throttle); err != nil || !until.IsZero() {
			t.Fatalf("attempt %d after the change: locked until %v, %v", i+1, until, err)
		}
	}
	// A session made after the change works.
	if err := s.CreateSession(ctx, &model.Session{TokenHash: "s0-owner", UserID: owner.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if ss, _ := live(t, s, "owner", now); ss != 1 {
		t.Fatalf("new session: %d live", ss)
	}
	if err := s.SetPassword(ctx, 99999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetPassword of no user: %v", err)
	}
}

func testRevokeAccess(t *testing.T, s store.Store) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	owner := credentials(t, s, "owner", now)
	credentials(t, s, "editor", now)
	if err := s.RevokeAccess(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if ss, ts := live(t, s, "owner", now); ss != 0 || ts != 0 {
		t.Fatalf("after RevokeAccess %d sessions and %d tokens still work", ss, ts)
	}
	if ss, ts := live(t, s, "editor", now); ss != 2 || ts != 2 {
		t.Fatalf("another user's credentials went too: %d sessions, %d tokens", ss, ts)
	}
	if u, err := s.User(ctx, owner.ID); err != nil || u.PasswordHash != "old-owner" {
		t.Fatalf("RevokeAccess changed the user: %+v %v", u, err)
	}
	// Nothing left to end is not an error; no such user is.
	if err := s.RevokeAccess(ctx, owner.ID); err != nil {
		t.Fatalf("second RevokeAccess: %v", err)
	}
	if err := s.RevokeAccess(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RevokeAccess of no user: %v", err)
	}
}

func testLoginBackOff(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	attempt := func(name string, at time.Time) time.Time {
		t.Helper()
		until, err := s.LoginAttempt(ctx, name, at, throttle)
		if err != nil {
			t.Fatal(err)
		}
		return until
	}
	// Five free attempts; the fifth locks the name for a second.
	for i := range 5 {
		if until := attempt("owner", t0); !until.IsZero() {
			t.Fatalf("attempt %d locked until %v", i+1, until)
		}
	}
	if until := attempt("owner", t0); !until.Equal(t0.Add(time.Second)) {
		t.Fatalf("sixth attempt: locked until %v, want %v", until, t0.Add(time.Second))
	}
	// Refused attempts are not counted: still one second.
	if until := attempt("owner", t0.Add(999*time.Millisecond)); !until.Equal(t0.Add(time.Second)) {
		t.Fatalf("during the lock: until %v", until)
	}
	// Each attempt after a lock doubles the next one: 2 s, 4 s, 8 s …
	at := t0.Add(time.Second)
	for i, lock := range []time.Duration{2, 4, 8, 16, 32, 64, 128, 256, 512} {
		if until := attempt("owner", at); !until.IsZero() {
			t.Fatalf("attempt after lock %d refused until %v", i, until)
		}
		want := at.Add(lock * time.Second)
		if until := attempt("owner", at); !until.Equal(want) {
			t.Fatalf("lock %d: until %v, want %v", i, until, want)
		}
		at = want
	}
	// … up to the cap of 15 minutes.
	for range 3 {
		if until := attempt("owner", at); !until.IsZero() {
			t.Fatalf("attempt at %v refused until %v", at, until)
		}
		want := at.Add(15 * time.Minute)
		if until := attempt("owner", at); !until.Equal(want) {
			t.Fatalf("capped lock: until %v, want %v", until, want)
		}
		at = want
	}
	// Other names, existing or not, are not held by this one's lock.
	if until := attempt("nobody-has-this-name", at.Add(-time.Second)); !until.IsZero() {
		t.Fatalf("another name locked until %v", until)
	}
	// A success forgets the count.
	if err := s.LoginSucceeded(ctx, "owner"); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if until := attempt("owner", at.Add(-time.Second)); !until.IsZero() {
			t.Fatalf("attempt %d after a success locked until %v", i+1, until)
		}
	}
	// A name left alone for Forget starts afresh.
	later := at.Add(throttle.Forget + time.Minute)
	for i := range 5 {
		if until := attempt("owner", later); !until.IsZero() {
			t.Fatalf("attempt %d a day later locked until %v", i+1, until)
		}
	}
	if until := attempt("owner", later); !until.Equal(later.Add(time.Second)) {
		t.Fatalf("a day later the sixth attempt: until %v", until)
	}
}

// testConcurrentLoginAttempts sends the attempts of many addresses at the
// same moment: exactly the free ones may go on to check a password.
func testConcurrentLoginAttempts(t *testing.T, s store.Store) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const n = 4 * racers
	var wg sync.WaitGroup
	var mu sync.Mutex
	free, locked := 0, 0
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			until, err := s.LoginAttempt(ctx, "owner", now, throttle)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if until.IsZero() {
				free++
			} else {
				locked++
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if free != throttle.Free || locked != n-throttle.Free {
		t.Fatalf("%d attempts at once: %d went on, %d were held; want %d to go on", n, free, locked, throttle.Free)
	}
}
