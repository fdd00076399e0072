package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// foreignFlags are flags the docs give to other programs, with the program.
var foreignFlags = map[string]string{
	"now":           "systemctl enable --now",
	"build":         "docker compose up --build",
	"scale":         "docker compose up --scale",
	"exclude-table": "pg_dump --exclude-table",
}

// commandPaths are every command and subcommand that parses flags.
var commandPaths = [][]string{
	{"feeds", "add"}, {"feeds", "list"}, {"feeds", "rm"}, {"feeds", "import"}, {"feeds", "export"},
	{"admin", "create"}, {"admin", "password"}, {"admin", "token"},
}

func init() {
	for name, c := range commands {
		if name != "feeds" && name != "admin" && c.summary != "" {
			commandPaths = append(commandPaths, []string{name})
		}
	}
	sort.Slice(commandPaths, func(i, j int) bool { return strings.Join(commandPaths[i], " ") < strings.Join(commandPaths[j], " ") })
}

func docFiles(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs: %v", err)
	}
	out := map[string]string{}
	for _, f := range append(files, "../../README.md") {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(raw)
	}
	return out
}

var docFlag = regexp.MustCompile("(?:^|[\\s`(\\[|/])--([a-z][a-z0-9-]*[a-z0-9])")

// TestDocumentedFlagsExist runs every --flag that README and docs/*.md name
// through the commands (kabar CMD --flag=… -h): each must be defined by at
// least one, and listed by that command's help unless it is a hidden test
// option. A flag renamed or dropped in the code fails here, not in a
// newcomer's first hour.
func TestDocumentedFlagsExist(t *testing.T) {
	flagsIn := map[string][]string{} // flag → files naming it
	for file, text := range docFiles(t) {
		for _, m := range docFlag.FindAllStringSubmatchIndex(text, -1) {
			name := text[m[2]:m[3]]
			if m[1] < len(text) && (text[m[1]] == '-' || text[m[1]] == '*') {
				continue // a family of flags: --gnews-*
			}
			if _, foreign := foreignFlags[name]; !foreign {
				flagsIn[name] = append(flagsIn[name], file)
			}
		}
	}
	if len(flagsIn) < 40 {
		t.Fatalf("found only %d documented flags; is the pattern right?", len(flagsIn))
	}
	helps := map[string]string{}
	for _, path := range commandPaths {
		code, out, errs := kabar(t, append(path, "-h")...)
		if code != 0 || !strings.HasPrefix(out, "usage: kabar ") {
			t.Fatalf("kabar %s -h: exit %d %q %q", strings.Join(path, " "), code, out, errs)
		}
		helps[strings.Join(path, " ")] = out
	}
	for name, files := range flagsIn {
		var definedBy []string
		for _, path := range commandPaths {
			args := append(append([]string{}, path...), "--"+name+"=1", "-h")
			_, _, errs := kabar(t, args...)
			if !strings.Contains(errs, "not defined") {
				definedBy = append(definedBy, strings.Join(path, " "))
			}
		}
		if len(definedBy) == 0 {
			t.Errorf("--%s (in %s) is defined by no command", name, strings.Join(dedupe(files), ", "))
			continue
		}
		if slicesContains(hiddenOptions, name) {
			continue
		}
		for _, cmd := range definedBy {
			if !strings.Contains(helps[cmd], "--"+name+" ") && !strings.Contains(helps[cmd], "--"+name+"\n") {
				t.Errorf("kabar %s -h does not list --%s", cmd, name)
			}
		}
	}
}

// TestDocumentedCommandLines runs every kabar command line of the docs'
// code blocks with -h added: all its flags and its command must parse.
func TestDocumentedCommandLines(t *testing.T) {
	n := 0
	for file, text := range docFiles(t) {
		inBlock := false
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				inBlock = !inBlock
				continue
			}
			line = strings.TrimSpace(line)
			if !inBlock {
				continue
			}
			var rest string
			switch {
			case strings.HasPrefix(line, "kabar "):
				rest = strings.TrimPrefix(line, "kabar ")
			case strings.HasPrefix(line, "go run ./cmd/kabar "):
				rest = strings.TrimPrefix(line, "go run ./cmd/kabar ")
			case strings.HasPrefix(line, "go install "), strings.HasPrefix(line, "bin/kabar "):
				if strings.HasPrefix(line, "bin/kabar ") {
					rest = strings.TrimPrefix(line, "bin/kabar ")
				}
			}
			if rest == "" {
				continue
			}
			args := shellWords(rest)
			n++
			code, _, errs := kabar(t, append(args, "-h")...)
			if code != 0 || strings.Contains(errs, "not defined") {
				t.Errorf("%s: kabar %s: exit %d\n%s", file, rest, code, errs)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d command lines found in the docs", n)
	}
}

// shellWords splits a documented command line as a shell would, for the
// forms the docs use: quotes, $VARIABLES, comments and redirections.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord, quote := false, byte(0)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '#' && !inWord:
			flush()
			return dropRedirects(words)
		case c == ' ' || c == '\t':
			flush()
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return dropRedirects(words)
}

func dropRedirects(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "<" || w == ">" || w == "|":
			return out
		case strings.HasPrefix(w, "$"):
			out = append(out, "/tmp/kabar-docs-test.db")
		default:
			out = append(out, os.ExpandEnv(w))
		}
	}
	return out
}

func dedupe(s []string) []string {
	sort.Strings(s)
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
