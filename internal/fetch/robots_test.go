package fetch

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"
)

type robotsCase struct {
	ID        string `json:"id"`
	Test      string `json:"test"`
	RobotsTxt string `json:"robots_txt"`
	RobotsB64 string `json:"robots_txt_b64"`
	UserAgent string `json:"user_agent"`
	UAB64     string `json:"user_agent_b64"`
	URL       string `json:"url"`
	URLB64    string `json:"url_b64"`
	Allowed   bool   `json:"allowed"`
}

func loadRobotsCases(t *testing.T) []robotsCase {
	t.Helper()
	f, err := os.Open("testdata/robots_cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []robotsCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c robotsCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("bad case line: %v", err)
		}
		for _, p := range []struct {
			b64 string
			dst *string
		}{{c.RobotsB64, &c.RobotsTxt}, {c.UAB64, &c.UserAgent}, {c.URLB64, &c.URL}} {
			if p.b64 != "" {
				b, err := base64.StdEncoding.DecodeString(p.b64)
				if err != nil {
					t.Fatalf("%s: bad base64: %v", c.ID, err)
				}
				*p.dst = string(b)
			}
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no robots cases")
	}
	return cases
}

// TestRobotsCases runs every case of Google's robots.txt test suite shipped
// in testdata: kabar's matcher must agree with the reference on each.
func TestRobotsCases(t *testing.T) {
	for _, c := range loadRobotsCases(t) {
		got := parseRobots([]byte(c.RobotsTxt)).Allowed(c.UserAgent, c.URL)
		if got != c.Allowed {
			t.Errorf("%s (%s): agent %q url %q: allowed=%v, want %v", c.ID, c.Test, c.UserAgent, c.URL, got, c.Allowed)
		}
	}
}

// TestRobotsRules checks RFC 9309 rules that the shipped cases leave
// implicit, written for kabar.
func TestRobotsRules(t *testing.T) {
	cases := []struct {
		name, robots, agent, url string
		want                     bool
	}{
		{"longest match counts pattern bytes, not regexp bytes",
			"user-agent: kabar\ndisallow: /*.pdf\nallow: /docs/a\n", "kabar", "http://x/docs/a.pdf", true},
		{"equal length: allow wins", "user-agent: kabar\ndisallow: /a\nallow: /a\n", "kabar", "http://x/a", true},
		{"equal length: allow wins, either order", "user-agent: kabar\nallow: /a\ndisallow: /a\n", "kabar", "http://x/a", true},
		{"patterns anchor at the start of the path", "user-agent: kabar\ndisallow: /fish*.php\n", "kabar", "http://x/a/fish.php", true},
		{"$ inside a pattern is a literal", "user-agent: kabar\ndisallow: /a$b\n", "kabar", "http://x/a$b/c", false},
		{"$ at the end anchors", "user-agent: kabar\ndisallow: /a$\n", "kabar", "http://x/a/b", true},
		{"index.html stands for its directory", "user-agent: kabar\nallow: /d/index.html\ndisallow: /\n", "kabar", "http://x/d/", true},
		{"... but not for what is below it", "user-agent: kabar\nallow: /d/index.html\ndisallow: /\n", "kabar", "http://x/d/other", false},
		{"product token is matched exactly, not as a prefix", "user-agent: kab\ndisallow: /\n", "kabar", "http://x/p", true},
		{"token match ignores case", "User-Agent: KABAR/2.0\nDisallow: /p\n", "kabar", "http://x/p", false},
		{"specific group beats global", "user-agent: *\ndisallow: /\nuser-agent: kabar\nallow: /\n", "kabar", "http://x/p", true},
		{"specific group without rules allows", "user-agent: *\ndisallow: /\nuser-agent: kabar\n", "kabar", "http://x/p", true},
		{"groups for one agent are merged", "user-agent: kabar\ndisallow: /a\n\nuser-agent: other\ndisallow: /\n\nuser-agent: kabar\ndisallow: /b\n", "kabar", "http://x/b", false},
		{"query is part of the path", "user-agent: *\ndisallow: /*?print=1\n", "kabar", "http://x/article?print=1", false},
		{"fragment is not", "user-agent: *\ndisallow: /a$\n", "kabar", "http://x/a#frag", false},
		{"# starts a comment", "user-agent: *\ndisallow: /a#b\n", "kabar", "http://x/a/c", false},
		{"invalid crawl-delay does not void the file", "user-agent: *\ncrawl-delay: soon\ndisallow: /p\n", "kabar", "http://x/p", false},
		{"CR line ends", "user-agent: *\rdisallow: /p\r", "kabar", "http://x/p", false},
		{"BOM", "\xEF\xBB\xBFuser-agent: *\ndisallow: /p\n", "kabar", "http://x/p", false},
		{"typo accepted", "useragent: *\ndissallow: /p\n", "kabar", "http://x/p", false},
		{"lowercase escapes in rules match uppercase in URLs", "user-agent: *\ndisallow: /%e3%83%84\n", "kabar", "http://x/%E3%83%84", false},
		{"empty disallow allows", "user-agent: *\ndisallow:\n", "kabar", "http://x/p", true},
		{"empty file allows", "", "kabar", "http://x/p", true},
	}
	for _, c := range cases {
		if got := parseRobots([]byte(c.robots)).Allowed(c.agent, c.url); got != c.want {
			t.Errorf("%s: allowed=%v, want %v", c.name, got, c.want)
		}
	}
}

func TestRobotsPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "/",
		"http://foo.bar":             "/",
		"http://foo.bar/":            "/",
		"http://foo.bar/a/b?c=d#e":   "/a/b?c=d",
		"http://foo.bar?q":           "/?q",
		"http://foo.bar;p":           "/;p",
		"http://foo.bar#x/y":         "/",
		"//foo.bar/p":                "/p",
		"/just/path":                 "/just/path",
		"https://u:p@foo.bar:8/x%20": "/x%20",
	} {
		if got := robotsPath(in); got != want {
			t.Errorf("robotsPath(%q) = %q, want %q", in, got, want)
		}
	}
}
