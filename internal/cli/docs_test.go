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
	"field":         "CSS custom property var(--field)",
}

// commandPaths are every command and subcommand that parses flags.
var commandPaths = [][]string{
	{"feeds", "add"}, {"feeds", "list"}, {"feeds", "rm"}, {"feeds", "import"}, {"feeds", "export"},
	{"admin", "create"}, {"admin", "password"}, {"admin", "token"},
	// import's options depend on what it imports: a blog's export has its own.
	{"import", "--format", "blogger"},
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

// documentedFlags are the --flags README and docs/*.md name, with the
// files naming each, less those the docs give to other programs.
func documentedFlags(t *testing.T) map[string][]string {
	t.Helper()
	flagsIn := map[string][]string{}
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
	return flagsIn
}

// TestDocumentedFlagsExist runs every --flag that README and docs/*.md name
// through the commands (kabar CMD --flag=… -h): each must be defined by at
// least one, and listed by that command's help unless it is a hidden test
// option. A flag renamed or dropped in the code fails here, not in a
// newcomer's first hour.
func TestDocumentedFlagsExist(t *testing.T) {
	flagsIn := documentedFlags(t)
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
	for _, l := range documentedCommandLines(t) {
		code, _, errs := kabar(t, append(l.args, "-h")...)
		if code != 0 || strings.Contains(errs, "not defined") {
			t.Errorf("%s: kabar %s: exit %d\n%s", l.file, l.line, code, errs)
		}
	}
}

type docLine struct {
	file, line string
	args       []string
}

// documentedCommandLines are the kabar command lines of the docs' code
// blocks, split into arguments.
func documentedCommandLines(t *testing.T) []docLine {
	t.Helper()
	var lines []docLine
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
			case strings.HasPrefix(line, "bin/kabar "):
				rest = strings.TrimPrefix(line, "bin/kabar ")
			}
			if rest == "" {
				continue
			}
			lines = append(lines, docLine{file: file, line: rest, args: shellWords(rest)})
		}
	}
	if len(lines) < 10 {
		t.Fatalf("only %d command lines found in the docs", len(lines))
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].file+lines[i].line < lines[j].file+lines[j].line })
	return lines
}

// TestDocumentedCommandLinesOnBinary runs every documented command line,
// with -h added, through the built binary: what a newcomer pastes must
// parse in the program they installed, not only in the package.
func TestDocumentedCommandLinesOnBinary(t *testing.T) {
	bin := buildKabar(t)
	for _, l := range documentedCommandLines(t) {
		code, out, errs := runKabarBin(t, bin, append(l.args, "-h")...)
		if code != 0 || strings.Contains(errs, "not defined") || !strings.HasPrefix(out, "usage: kabar ") {
			t.Errorf("%s: kabar %s -h: exit %d\nstdout: %s\nstderr: %s", l.file, l.line, code, out, errs)
		}
	}
}

// TestDocumentedFlagsOnBinary gives every documented flag to the built
// binary, on each command whose help lists it (kabar CMD --flag=0 -h), and
// hidden options on every command until one takes it. Each run must exit
// 0 without "flag provided but not defined".
func TestDocumentedFlagsOnBinary(t *testing.T) {
	bin := buildKabar(t)
	helps := map[string]string{}
	for _, path := range commandPaths {
		code, out, errs := runKabarBin(t, bin, append(path, "-h")...)
		if code != 0 || !strings.HasPrefix(out, "usage: kabar ") {
			t.Fatalf("kabar %s -h: exit %d %q %q", strings.Join(path, " "), code, out, errs)
		}
		helps[strings.Join(path, " ")] = out
	}
	runs := 0
	for name, files := range documentedFlags(t) {
		var listing [][]string
		for _, path := range commandPaths {
			h := helps[strings.Join(path, " ")]
			if strings.Contains(h, "--"+name+" ") || strings.Contains(h, "--"+name+"\n") {
				listing = append(listing, path[:len(path):len(path)])
			}
		}
		if len(listing) > 1 {
			// The in-process test covers every command; one run per
			// flag keeps this cheap.
			listing = listing[:1]
		}
		hidden := len(listing) == 0
		if hidden {
			listing = commandPaths // a hidden option: some command must take it
		}
		defined := false
		for _, path := range listing {
			value := helpDefault(helps[strings.Join(path, " ")], name)
			args := append(append([]string{}, path...), "--"+name+"="+value, "-h")
			code, _, errs := runKabarBin(t, bin, args...)
			runs++
			if strings.Contains(errs, "not defined") {
				if !hidden {
					t.Errorf("kabar %s -h lists --%s but the binary says: %s", strings.Join(path, " "), name, errs)
				}
				continue
			}
			defined = true
			// A flag without a default in the help may refuse "0"; its own
			// check answering proves the binary defines it.
			refused := code == 2 && strings.HasPrefix(errs, "invalid value \""+value+"\" for flag -"+name+":")
			if code != 0 && !refused {
				t.Errorf("kabar %s: exit %d\n%s", strings.Join(args, " "), code, errs)
			}
			break
		}
		if !defined {
			t.Errorf("--%s (in %s) is defined by no command of the binary", name, strings.Join(dedupe(files), ", "))
		}
	}
	t.Logf("%d documented flags checked in %d runs of the binary", len(documentedFlags(t)), runs)
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

// helpDefault is the default a command's help gives for --name, or "0".
func helpDefault(help, name string) string {
	i := strings.Index(help, "\n  --"+name+" ")
	if i < 0 {
		i = strings.Index(help, "\n  --"+name+"\n")
	}
	if i < 0 {
		return "0"
	}
	block := help[i+1:]
	if j := strings.Index(block, "\n  --"); j >= 0 {
		block = block[:j]
	}
	if m := helpDefaultRE.FindStringSubmatch(block); m != nil {
		return m[1]
	}
	return "0"
}

var helpDefaultRE = regexp.MustCompile(`default ([^\s,)]+)`)
