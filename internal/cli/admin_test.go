package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

func kabarStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// TestAdminCreateThenSignIn makes the first user from standard input, then
// signs in to the site that serve would build.
func TestAdminCreateThenSignIn(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	code, out, errs := kabarStdin(t, "correct horse battery\n", "--db", db, "admin", "create", "owner")
	if code != 0 || !strings.Contains(out, "created user owner") {
		t.Fatalf("admin create: exit %d %q %q", code, out, errs)
	}
	if code, _, errs := kabarStdin(t, "another password\n", "--db", db, "admin", "create", "owner"); code != 1 || !strings.Contains(errs, "already exists") {
		t.Fatalf("second create: exit %d %q", code, errs)
	}
	if code, _, errs := kabarStdin(t, "short\n", "--db", db, "admin", "create", "other"); code != 1 || !strings.Contains(errs, "at least") {
		t.Fatalf("short password: exit %d %q", code, errs)
	}
	if code, _, _ := kabarStdin(t, "", "--db", db, "admin", "create"); code != 2 {
		t.Fatalf("no name: exit %d", code)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("from a file, safely\n"), 0o600)
	if code, out, errs := kabarStdin(t, "", "--db", db, "admin", "password", "owner", "--password-file", pwFile); code != 0 || !strings.Contains(out, "changed") {
		t.Fatalf("admin password: exit %d %q %q", code, out, errs)
	}
	code, token, errs := kabarStdin(t, "", "--db", db, "admin", "token", "owner")
	if code != 0 || !strings.HasPrefix(token, "kabar_") {
		t.Fatalf("admin token: exit %d %q %q", code, token, errs)
	}

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := newFlags(&Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}, "serve", "", append(siteOptions, optLog)...)
	site, err := newSite(st, f, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	jar := &cookieJar{}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(srv.URL + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	i := strings.Index(body, `name="csrf" value="`)
	if i < 0 {
		t.Fatal("no CSRF token on the login page")
	}
	csrf := body[i+len(`name="csrf" value="`):]
	csrf = csrf[:strings.IndexByte(csrf, '"')]
	for pw, want := range map[string]int{"correct horse battery": http.StatusUnauthorized, "from a file, safely": http.StatusSeeOther} {
		res, err = client.PostForm(srv.URL+"/admin/login", url.Values{"csrf": {csrf}, "name": {"owner"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("sign in with %q: status %d, want %d", pw, res.StatusCode, want)
		}
	}
	res, err = client.Get(srv.URL + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusOK || !strings.Contains(body, "owner") {
		t.Fatalf("/admin after sign-in: %d", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/comments?status=pending", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	if res, err = http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("API with the CLI's token: %v %v", res.StatusCode, err)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// cookieJar keeps every cookie regardless of domain rules: the test server
// is one host.
type cookieJar struct{ cookies map[string]*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	if j.cookies == nil {
		j.cookies = map[string]*http.Cookie{}
	}
	for _, c := range cs {
		j.cookies[c.Name] = c
	}
}

func (j *cookieJar) Cookies(*url.URL) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range j.cookies {
		if c.MaxAge >= 0 {
			out = append(out, c)
		}
	}
	return out
}

// TestAdminPasswordRule: weak passwords are refused with the reason and
// change nothing; a password change ends the user's sessions and tokens.
// On both stores.
func TestAdminPasswordRule(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "k.db")
			if backend == "postgres" {
				skipIfShort(t, "PostgreSQL")
				db = pgtest.Schema(t)
			}
			for _, c := range []struct{ password, says string }{
				{"          ", "blank"},
				{"password123", "most common"},
				{"Qwerty2024!", "most common"},
				{"aaaaaaaaaaaa", "repeated"},
				{"owner12345", "user name"},
				{"short", "at least 10"},
			} {
				code, out, errs := kabarStdin(t, c.password+"\n", "--db", db, "admin", "create", "owner")
				if code != 1 || !strings.Contains(errs, "password refused") || !strings.Contains(errs, c.says) || out != "" {
					t.Errorf("create with %q: exit %d, stderr %q, want exit 1 and %q", c.password, code, errs, c.says)
				}
			}
			ctx := context.Background()
			st, err := openBackend(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if n, err := st.CountUsers(ctx); err != nil || n != 0 {
				t.Fatalf("refused passwords made %d users (%v)", n, err)
			}
			if code, _, errs := kabarStdin(t, "correct horse battery\n", "--db", db, "admin", "create", "owner"); code != 0 {
				t.Fatalf("create: exit %d %q", code, errs)
			}
			code, token, errs := kabarStdin(t, "", "--db", db, "admin", "token", "owner")
			if code != 0 {
				t.Fatalf("token: exit %d %q", code, errs)
			}
			u, err := st.UserByName(ctx, "owner")
			if err != nil {
				t.Fatal(err)
			}
			// A refused change keeps the password and the token.
			if code, _, errs := kabarStdin(t, "iloveyou2024\n", "--db", db, "admin", "password", "owner"); code != 1 || !strings.Contains(errs, "most common") {
				t.Fatalf("weak new password: exit %d %q", code, errs)
			}
			if got, _ := st.UserByName(ctx, "owner"); got.PasswordHash != u.PasswordHash {
				t.Fatal("a refused password was stored")
			}
			if !strings.HasPrefix(token, "kabar_") {
				t.Fatalf("token %q", token)
			}
			if list, err := st.Tokens(ctx); err != nil || len(list) != 1 {
				t.Fatalf("tokens after a refused change: %v %v", list, err)
			}
			code, out, errs := kabarStdin(t, "another good passphrase\n", "--db", db, "admin", "password", "owner")
			if code != 0 || !strings.Contains(out, "every session and API token of owner has ended") {
				t.Fatalf("admin password: exit %d %q %q", code, out, errs)
			}
			if list, err := st.Tokens(ctx); err != nil || len(list) != 0 {
				t.Fatalf("tokens after the change: %v %v", list, err)
			}
		})
	}
}
