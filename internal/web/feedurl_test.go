package web

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/model"
)

// guardClient is a real fetcher whose resolver fails the test if used:
// checking a feed's address must not send anything, DNS included.
func guardClient(t *testing.T, allow ...string) *fetch.Client {
	t.Helper()
	cfg := fetch.Config{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		t.Errorf("the feed check resolved a name (%s %s)", network, address)
		return nil, errors.New("no DNS here")
	}}}
	for _, a := range allow {
		cfg.AllowAddrs = append(cfg.AllowAddrs, netip.MustParsePrefix(a))
	}
	c, err := fetch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// The API and the admin form refuse a feed the fetcher would never fetch
// when it is added, not at its first poll, and honour the allowed ranges.
func TestFeedOnRefusedAddressIsRefusedWhenAdded(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			s := newSiteOn(t, kind, Config{FeedURLs: guardClient(t, "10.20.0.0/16")})
			hash, _ := hashPassword("a long enough password", 1000)
			u := &model.User{Name: "owner", PasswordHash: hash}
			if err := s.st.CreateUser(context.Background(), u); err != nil {
				t.Fatal(err)
			}
			token, err := NewAPIToken(context.Background(), s.st, u.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			add := func(feedURL string) (int, string) {
				body, _ := json.Marshal(map[string]string{"url": feedURL})
				req := httptest.NewRequest(http.MethodPost, "/api/feeds", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				res, raw := s.do(req)
				var out struct {
					Error struct{ Code string } `json:"error"`
				}
				json.Unmarshal([]byte(raw), &out)
				return res.StatusCode, out.Error.Code
			}
			for _, refused := range []string{
				"http://127.0.0.1/feed", "http://2130706433/feed", "http://0x7f.1/rss", "http://[::1]:8080/",
				"http://localhost/feed", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/rss",
				"http://[::ffff:192.168.0.1]/rss", "https://0.0.0.0/",
			} {
				if code, errCode := add(refused); code != http.StatusBadRequest || errCode != "refused_address" {
					t.Errorf("%s: %d %q, want 400 refused_address", refused, code, errCode)
				}
			}
			for _, ok := range []string{"https://news.example.com/rss", "http://10.20.3.4/feed", "http://93.184.216.34/rss"} {
				if code, errCode := add(ok); code != http.StatusCreated {
					t.Errorf("%s: %d %q, want 201", ok, code, errCode)
				}
			}
			feeds, err := s.st.Feeds(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(feeds) != 3 {
				t.Fatalf("%d feeds stored, want the 3 allowed", len(feeds))
			}

			// The admin form: the same check, a clear message.
			cookies := s.signIn("admin", "another long enough password")
			req := httptest.NewRequest(http.MethodGet, "/admin/feeds", nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			_, page := s.do(req)
			m := tokenField.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no token on the admin page")
			}
			res, body := s.adminReq(http.MethodPost, "/admin/feeds", cookies, url.Values{"csrf": {m[1]}, "url": {"http://127.0.0.1:9090/feed"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "--allow-addr") {
				t.Fatalf("admin form, loopback feed: %d", res.StatusCode)
			}
			if feeds, _ := s.st.Feeds(context.Background()); len(feeds) != 3 {
				t.Fatalf("%d feeds stored after the refused admin add", len(feeds))
			}
		})
	}
}
