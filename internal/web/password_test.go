package web

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		name, password string
		want           error
	}{
		{"owner", "short", ErrPasswordShort},
		{"owner", "          ", ErrPasswordBlank},
		{"owner", "\t\t\t\t\t\t\t\t\t\t", ErrPasswordBlank},
		{"owner", strings.Repeat("\u200b", 12), ErrPasswordBlank},
		{"owner", strings.Repeat("\u00a0", 10), ErrPasswordBlank},
		{"owner", "aaaaaaaaaa", ErrPasswordRepeated},
		{"owner", "AAAAAAAAAAAA", ErrPasswordRepeated},
		{"owner", "ababababab", ErrPasswordRepeated},
		{"owner", "abcabcabcabc", ErrPasswordRepeated},
		{"owner", "1212121212", ErrPasswordRepeated},
		{"owner", "zzzz123456!", ErrPasswordRepeated},
		{"owner", "owner12345", ErrPasswordName},
		{"owner", "OWNER-2024!", ErrPasswordName},
		{"owner", "ownerowner", ErrPasswordName},
		{"owner", "renwo12345", ErrPasswordName},
		{"Site Owner", "siteowner99", ErrPasswordName},
		{"owner", "password123", ErrPasswordCommon},
		{"owner", "Password2024!", ErrPasswordCommon},
		{"owner", "P@ssw0rd2024", ErrPasswordCommon},
		{"owner", "p4$$w0rd!!!", ErrPasswordCommon},
		{"owner", "passwordpassword", ErrPasswordCommon},
		{"owner", "drowssap123", ErrPasswordCommon},
		{"owner", "iloveyou123", ErrPasswordCommon},
		{"owner", "Summer2025!!", ErrPasswordCommon},
		{"owner", "letmein!!!!", ErrPasswordCommon},
		{"owner", "@dmin123456", ErrPasswordCommon},
		{"owner", "Dragon12345", ErrPasswordCommon},
		{"owner", "correct horse battery staple", ErrPasswordCommon},
		{"owner", "1q2w3e4r5t", ErrPasswordCommon},
		{"owner", "kabar12345", ErrPasswordCommon},
		{"owner", "katasandi123", ErrPasswordCommon},
		{"owner", "1234567890", ErrPasswordCommon},
		{"owner", "qwertyuiop", ErrPasswordCommon},
		{"owner", "asdfghjkl;", ErrPasswordCommon},
		{"owner", "abcdefghijk", ErrPasswordCommon},
		{"owner", "zyxwvutsrqp", ErrPasswordRun},
		{"owner", "hjklhjkl12", ErrPasswordRun},
		{"owner", "rtyuiop123", ErrPasswordRun},
		{"owner", "3456789012", ErrPasswordRun},
		{"owner", strings.Repeat("long ", 300), ErrPasswordLong},
		// Accepted: what the tests use, passphrases, random strings.
		{"owner", "the right password", nil},
		{"owner", "correct horse battery", nil},
		{"owner", "a long enough password", nil},
		{"owner", "Gx7#pL9qWz", nil},
		{"owner", "blue-kettle-migrates", nil},
		{"owner", "my cat eats 4 tomatoes", nil},
		{"owner", "ümlaut gärten straße", nil},
		{"owner", "8302749163", nil},
		{"owner", "owner's dog barks at noon", nil},
		{"", "  padded but real words  ", nil},
	} {
		err := CheckPasswordPolicy(c.name, c.password)
		if !errors.Is(err, c.want) {
			t.Errorf("CheckPasswordPolicy(%q, %q) = %v, want %v", c.name, c.password, err, c.want)
		}
	}
}

// TestCommonPasswordList: the embedded list is loaded, lower case, and
// holds the best-known entries.
func TestCommonPasswordList(t *testing.T) {
	m := commonPasswords()
	if len(m) < 500 {
		t.Fatalf("%d common passwords", len(m))
	}
	for _, p := range []string{"password", "123456", "qwerty", "iloveyou", "letmein", "monkey", "dragon", "admin"} {
		if !m[p] {
			t.Errorf("%q is not in the list", p)
		}
	}
	for p := range m {
		if p != strings.ToLower(p) || strings.TrimSpace(p) != p || strings.HasPrefix(p, "#") {
			t.Errorf("list entry %q", p)
		}
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc":   "abc",
		"bearer abc":   "abc",
		"BEARER  abc ": "abc",
		"Bearer":       "",
		"Basic abc":    "",
		"Bearerabc":    "",
		"Bearer a b":   "",
	} {
		got, ok := bearerToken(header)
		if got != want || ok != (want != "") {
			t.Errorf("bearerToken(%q) = %q, %v", header, got, ok)
		}
	}
}
