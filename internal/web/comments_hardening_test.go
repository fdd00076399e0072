package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// openFormAt is openForm from a given client address ("host:port").
func (s *site) openFormAt(path, addr string) (*http.Cookie, string) {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = addr
	res, body := s.do(req)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		s.t.Fatal("no CSRF token in the form")
	}
	for _, c := range res.Cookies() {
		if c.Name == csrfCookie {
			return c, m[1]
		}
	}
	s.t.Fatal("no CSRF cookie")
	return nil, ""
}

// postFrom posts a form from a client address, with extra headers.
func (s *site) postFrom(path, addr string, cookie *http.Cookie, form url.Values, header ...string) (*http.Response, string) {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return s.do(req)
}

// A comment token works once, from the address it was issued to (one /64
// for IPv6), and a stale one brings the form back with the text kept.
func TestCommentTokenBoundToAddressAndSingleUse(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			s := newSiteOn(t, kind, Config{})
			p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
			stored := func() int { return len(s.comments(p.ID)) }

			cookie, token := s.openFormAt(p.Path(), "203.0.113.7:4000")
			form := url.Values{"csrf": {token}, "name": {"Ann"}, "text": {"Harvested elsewhere."}}
			res, body := s.postFrom(p.Path(), "198.51.100.9:4000", cookie, form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "out of date") ||
				!strings.Contains(body, "Harvested elsewhere.") {
				t.Fatalf("token from another address: %d", res.StatusCode)
			}
			if n := stored(); n != 0 {
				t.Fatalf("%d comments stored from another address", n)
			}
			// The form shown again carries a token for the new address.
			fresh := csrfField.FindStringSubmatch(body)
			if fresh == nil {
				t.Fatal("no new token in the form shown again")
			}
			form.Set("csrf", fresh[1])
			if res, _ := s.postFrom(p.Path(), "198.51.100.9:4000", cookie, form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sent again: %d", res.StatusCode)
			}
			// From its own address (another port) the first token works once.
			form.Set("csrf", token)
			if res, _ := s.postFrom(p.Path(), "203.0.113.7:5000", cookie, form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("own address: %d", res.StatusCode)
			}
			if res, body := s.postFrom(p.Path(), "203.0.113.7:5000", cookie, form); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "out of date") {
				t.Fatalf("second use: %d", res.StatusCode)
			}
			if n := stored(); n != 2 {
				t.Fatalf("%d comments stored, want 2", n)
			}

			// IPv6: the token follows the /64, as the rate limit does.
			cookie, token = s.openFormAt(p.Path(), "[2001:db8:1:2::1]:443")
			form.Set("csrf", token)
			if res, _ := s.postFrom(p.Path(), "[2001:db8:1:2::99]:443", cookie, form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("same /64: %d", res.StatusCode)
			}
			cookie, token = s.openFormAt(p.Path(), "[2001:db8:1:2::1]:443")
			form.Set("csrf", token)
			if res, _ := s.postFrom(p.Path(), "[2001:db8:1:3::1]:443", cookie, form); res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("another /64: %d", res.StatusCode)
			}

			// Behind a proxy the address is the forwarded one.
			ps := newSiteOn(t, kind, Config{TrustProxy: true})
			pp := ps.addPost("Belarus turns to Kremlin", seedTime, "Text.")
			req := httptest.NewRequest(http.MethodGet, pp.Path(), nil)
			req.RemoteAddr = "10.0.0.1:1000"
			req.Header.Set("X-Forwarded-For", "203.0.113.50")
			res, body = ps.do(req)
			m := csrfField.FindStringSubmatch(body)
			var pc *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == csrfCookie {
					pc = c
				}
			}
			if m == nil || pc == nil {
				t.Fatal("no form behind the proxy")
			}
			form.Set("csrf", m[1])
			if res, _ := ps.postFrom(pp.Path(), "10.0.0.1:1000", pc, form, "X-Forwarded-For", "203.0.113.51"); res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("another forwarded address: %d", res.StatusCode)
			}
			if res, _ := ps.postFrom(pp.Path(), "10.0.0.2:1000", pc, form, "X-Forwarded-For", "203.0.113.50"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("same forwarded address through another proxy: %d", res.StatusCode)
			}
		})
	}
}

// Posts racing with one token store one comment.
func TestCommentTokenRace(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			s := newSiteOn(t, kind, Config{CommentBurst: 100})
			p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
			cookie, token := s.openForm(p.Path())
			form := url.Values{"csrf": {token}, "name": {"Ann"}, "text": {"Once."}}
			var wg sync.WaitGroup
			codes := make([]int, 8)
			for i := range codes {
				wg.Go(func() {
					req := httptest.NewRequest(http.MethodPost, p.Path(), strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.AddCookie(cookie)
					rec := httptest.NewRecorder()
					s.srv.ServeHTTP(rec, req)
					codes[i] = rec.Code
				})
			}
			wg.Wait()
			ok := 0
			for _, c := range codes {
				if c == http.StatusSeeOther {
					ok++
				} else if c != http.StatusUnprocessableEntity {
					t.Errorf("status %d", c)
				}
			}
			if n := len(s.comments(p.ID)); ok != 1 || n != 1 {
				t.Fatalf("%d accepted, %d stored; want 1 (statuses %v)", ok, n, codes)
			}
		})
	}
}

// The minimum time now costs a bot its wait for every comment, not once.
func TestMinimumTimePerComment(t *testing.T) {
	clk := newClock()
	s := newSite(t, Config{MinSubmit: 3 * time.Second, Now: clk.Now, CommentBurst: 100})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	cookie, token := s.openForm(p.Path())
	clk.add(4 * time.Second)
	form := url.Values{"csrf": {token}, "name": {"Bot"}, "text": {"One."}}
	if res, _ := s.post(p.Path(), cookie, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first: %d", res.StatusCode)
	}
	for i := range 3 {
		form.Set("text", fmt.Sprint("Again ", i))
		if res, _ := s.post(p.Path(), cookie, form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("reuse %d: %d", i, res.StatusCode)
		}
	}
	if n := len(s.comments(p.ID)); n != 1 {
		t.Fatalf("%d comments stored", n)
	}
}

func TestUsedTokensBounded(t *testing.T) {
	u := newUsedTokens()
	now := time.Unix(1000, 0)
	if ok, _ := u.claim("a", now.Add(time.Hour), now); !ok {
		t.Fatal("first claim refused")
	}
	if ok, _ := u.claim("a", now.Add(time.Hour), now); ok {
		t.Fatal("second claim accepted")
	}
	// Expired ids are forgotten, so the map does not grow with time.
	later := now.Add(2 * time.Hour)
	for i := range 5000 {
		if ok, full := u.claim(fmt.Sprint(i), later.Add(time.Minute), later); !ok || full {
			t.Fatalf("claim %d: %v %v", i, ok, full)
		}
	}
	muchLater := later.Add(time.Hour)
	for i := range 5000 {
		if ok, _ := u.claim(fmt.Sprint("b", i), muchLater.Add(time.Minute), muchLater); !ok {
			t.Fatalf("claim b%d refused", i)
		}
	}
	if n := len(u.until); n > 8000 {
		t.Errorf("%d ids kept, expired ones not pruned", n)
	}
	if !u.used("b1", muchLater) || u.used("1", muchLater) {
		t.Error("used() disagrees with the claims")
	}
}

// The form's own limit (4,000 characters) fits the body cap in any script:
// CJK, Devanagari and emoji take 9 to 12 bytes a character URL-encoded.
func TestLongCommentInAnyScript(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			s := newSiteOn(t, kind, Config{CommentBurst: 100})
			p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
			for _, unit := range []string{"語", "क", "ж", "😀"} {
				text := strings.Repeat(unit, maxTextRunes)
				name := strings.Repeat(unit, maxNameRunes)
				site := "https://example.com/" + strings.Repeat("%F0%9F%98%80", (maxWebsiteLen-20)/12)
				cookie, token := s.openForm(p.Path())
				form := url.Values{"csrf": {token}, "name": {name}, "website": {site}, "text": {text}}
				if n := len(form.Encode()); len(unit) >= 3 && n <= 32<<10 {
					t.Fatalf("%s: encoded form %d bytes does not test the old cap", unit, n)
				}
				res, body := s.post(p.Path(), cookie, form)
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s: %d characters refused: %d\n%.300s", unit, maxTextRunes, res.StatusCode, body)
				}
				cs := s.comments(p.ID)
				if got := cs[len(cs)-1]; got.Body != text || got.Name != name {
					t.Fatalf("%s: stored %d characters, want the text as sent", unit, utf8.RuneCountInString(got.Body))
				}
				// One character more is a field error, not a 413.
				cookie, token = s.openForm(p.Path())
				form = url.Values{"csrf": {token}, "name": {name}, "text": {text + unit}}
				res, body = s.post(p.Path(), cookie, form)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "too long") {
					t.Fatalf("%s: %d characters: %d", unit, maxTextRunes+1, res.StatusCode)
				}
			}
		})
	}
}

func TestCountLinks(t *testing.T) {
	cases := map[string]int{
		"no links here, e.g. none.":                     0,
		"see example.com/x":                             1,
		"visit www.x.y today":                           1,
		"cheap pills at pills.example.com!":             1,
		"(shop.ru) and [evil.co.uk/buy]":                2,
		"mail me: user@spam.example.org":                1,
		"http://a.example https://b.example":            2,
		"http://a.examplehttp://b.example":              2,
		"file.txt and main.go and a.b.c":                0,
		"version 1.2.3 costs 3.50":                      0,
		"call 192.168.1.1/admin":                        1,
		"пример.рф and bücher.de":                       2,
		"just co.uk alone":                              0,
		"A sentence. Another sentence. www. is nothing": 0,
	}
	for in, want := range cases {
		if got := countLinks(in); got != want {
			t.Errorf("countLinks(%q) = %d, want %d", in, got, want)
		}
	}
}

// Links in the name and website count with the text's.
func TestLinksInNameAndWebsiteCount(t *testing.T) {
	s := newSite(t, Config{MaxLinks: 2})
	p := s.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	cases := []struct {
		name, website, text string
		status              int
		field               string // the field whose error shows
	}{
		{"Ann", "", "see a.example.com and b.example.com", http.StatusSeeOther, ""},
		{"Ann", "https://ann.example.com", "see a.example.com and b.example.com", http.StatusUnprocessableEntity, "text"},
		{"pills.example.com", "https://ann.example.com", "see a.example.com", http.StatusUnprocessableEntity, "text"},
		{"pills.example.com", "https://ann.example.com", "no links", http.StatusSeeOther, ""},
		{"pills.example.com www.casino.example", "https://ann.example.com", "no links", http.StatusUnprocessableEntity, "name"},
	}
	for i, c := range cases {
		res, body := s.submit(p.Path(), url.Values{"name": {c.name}, "website": {c.website}, "text": {c.text}})
		if res.StatusCode != c.status {
			t.Errorf("case %d: status %d, want %d", i, res.StatusCode, c.status)
			continue
		}
		if c.field != "" {
			if !strings.Contains(body, "too many links") {
				t.Errorf("case %d: no link error", i)
			}
			if !strings.Contains(body, `aria-describedby="c-`+c.field+`-error"`) {
				t.Errorf("case %d: the error is not on the %s field", i, c.field)
			}
		}
	}
	// Without any link allowed, a website alone is refused.
	strict := newSite(t, Config{MaxLinks: -1})
	sp := strict.addPost("Belarus turns to Kremlin", seedTime, "Text.")
	if res, _ := strict.submit(sp.Path(), url.Values{"name": {"Ann"}, "website": {"ann.example.com"}, "text": {"Hi"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("website with no link allowed: %d", res.StatusCode)
	}
}
