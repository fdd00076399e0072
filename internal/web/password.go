package web

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The password rule. Length alone let "          " (ten spaces) and
// "password123" through; guessing starts with exactly such passwords, so
// the rule also refuses the blank, the repeated, the keyboard run, the
// user's own name and the passwords of a list of the most common ones, each
// also with digits or symbols added around it or letters swapped for
// look-alike digits (P@ssw0rd2024!). It stays a short list on purpose: the
// per-account back-off makes guessing beyond its top entries slow, and a
// long list mostly annoys.

//go:embed common_passwords.txt
var commonPasswordFile string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(commonPasswordFile) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// Why a password is refused. Each error says so in words fit for the
// person choosing it.
var (
	ErrPasswordShort    = fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	ErrPasswordLong     = fmt.Errorf("the password is longer than %d bytes", maxPasswordLen)
	ErrPasswordBlank    = errors.New("the password is blank: it has nothing but spaces")
	ErrPasswordRepeated = errors.New("the password is one character or a short pattern repeated; choose one that is not")
	ErrPasswordRun      = errors.New("the password is a run of keys or letters (like qwerty or 123456); choose one that is not")
	ErrPasswordName     = errors.New("the password is the user name; choose one that is not")
	ErrPasswordCommon   = errors.New("the password is one of the most common passwords (digits or symbols added around it do not change that); choose one that is not")
)

// CheckPasswordPolicy refuses passwords that guessing would find soon:
// shorter than MinPasswordLen, blank, one character or a short pattern
// repeated, a run of keys or letters, the user's name, or a common password.
// name may be "" when there is none to compare with.
func CheckPasswordPolicy(name, password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLen {
		return ErrPasswordShort
	}
	if len(password) > maxPasswordLen {
		return ErrPasswordLong
	}
	if strings.TrimFunc(password, isBlank) == "" {
		return ErrPasswordBlank
	}
	// Spaces, dashes and dots between words change nothing for a guesser.
	compact := strings.Map(func(r rune) rune {
		if isBlank(r) || r == '-' || r == '_' || r == '.' {
			return -1
		}
		return unicode.ToLower(r)
	}, password)
	if p := period(compact); p <= 3 {
		return ErrPasswordRepeated
	}
	forms := baseForms(compact)
	nameForm := ""
	if name != "" {
		nameForm = strings.Map(func(r rune) rune {
			if isBlank(r) || r == '-' || r == '_' || r == '.' {
				return -1
			}
			return unicode.ToLower(r)
		}, name)
	}
	common := commonPasswords()
	for _, f := range forms {
		switch {
		case f == "":
		case nameForm != "" && (f == nameForm || reverse(f) == nameForm):
			return ErrPasswordName
		case period(f) <= 2 && utf8.RuneCountInString(f) >= 4:
			return ErrPasswordRepeated
		case common[f] || common[reverse(f)]:
			return ErrPasswordCommon
		case isRun(f):
			return ErrPasswordRun
		}
	}
	return nil
}

func isBlank(r rune) bool {
	// Format characters (zero-width spaces and joiners) are as blank as a
	// space to whoever reads or types the password.
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// baseForms lists the forms of a compacted, lower-case password that are
// looked up: itself, the unit it repeats (passwordpassword), and the word
// left once digits and symbols around it are taken off and look-alike
// digits inside it are read as letters (p@ssw0rd2024! is password).
func baseForms(s string) []string {
	forms := []string{s}
	add := func(f string) {
		for _, g := range forms {
			if g == f {
				return
			}
		}
		forms = append(forms, f)
	}
	stripped := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	add(stripped)
	// Digits and end punctuation off, then look-alikes read as letters,
	// then whatever is not a letter off again: @dmin1! is admin.
	ends := strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsDigit(r) || strings.ContainsRune("!?#*,;:~^&%()[]{}<>'\"`/\\+=", r)
	})
	for _, src := range []string{stripped, ends} {
		for _, one := range []rune{'i', 'l'} {
			add(strings.TrimFunc(deleet(src, one), func(r rune) bool { return !unicode.IsLetter(r) }))
		}
	}
	// Each form repeated whole is its unit (hjklhjkl is hjkl).
	for _, f := range forms {
		if p, n := period(f), utf8.RuneCountInString(f); p < n && n%p == 0 {
			add(string([]rune(f)[:p]))
		}
	}
	return forms
}

// deleet reads the digits and symbols that stand in for letters as those
// letters; '1' is read as one (i or l).
func deleet(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '@', '4':
			return 'a'
		case '8':
			return 'b'
		case '3':
			return 'e'
		case '9':
			return 'g'
		case '1', '!', '|':
			if r == '1' {
				return one
			}
			return 'i'
		case '0':
			return 'o'
		case '$', '5':
			return 's'
		case '7', '+':
			return 't'
		}
		return r
	}, s)
}

// period is the length of the shortest unit that s repeats, a last partial
// copy allowed: 1 for "aaaa", 2 for "ababa", len(s) for most passwords.
func period(s string) int {
	rs := []rune(s)
	for p := 1; p <= len(rs)/2; p++ {
		ok := true
		for i := p; i < len(rs); i++ {
			if rs[i] != rs[i-p] {
				ok = false
				break
			}
		}
		if ok {
			return p
		}
	}
	return max(len(rs), 1)
}

// keyboardRuns are the sequences whose stretches make "run" passwords:
// rows and columns of common keyboards, letters and digits in order.
var keyboardRuns = []string{
	"01234567890123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "qsdfghjklm", "wxcvbn",
	"abcdefghijklmnopqrstuvwxyz", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp",
	"1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8o9p0", "qweasdzxc", "789456123", "147258369", "741852963",
}

// isRun reports whether s, of four or more characters, is a stretch of one
// of keyboardRuns, forwards or backwards.
func isRun(s string) bool {
	if utf8.RuneCountInString(s) < 4 {
		return false
	}
	for _, k := range keyboardRuns {
		if strings.Contains(k, s) || strings.Contains(k, reverse(s)) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}
