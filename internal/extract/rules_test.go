package extract

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Every rule file parses, and extracting its own test page as its test
// URL applies it and yields every expected snippet and no absent one.
func TestRuleFiles(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) == 0 {
		t.Fatal("no rule files")
	}
	for _, r := range rules {
		t.Run(r.Name, func(t *testing.T) {
			if r.Test.URL == "" || r.Test.Page == "" || len(r.Test.Expect) == 0 {
				t.Fatalf("rule %s lacks its test (url, page, expect)", r.Name)
			}
			if ruleFor(hostOf(r.Test.URL)) != r {
				t.Fatalf("test URL %s does not select the rule", r.Test.URL)
			}
			page, err := os.ReadFile(r.Test.Page)
			if err != nil {
				t.Fatal(err)
			}
			ex, err := Explain(page, r.Test.URL)
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			if ex.Rule != r.Name || ex.Source != "rule" {
				t.Errorf("rule %q source %q; want %q, rule", ex.Rule, ex.Source, r.Name)
			}
			text := ex.Article.Text()
			for _, s := range r.Test.Expect {
				if !strings.Contains(text, s) {
					t.Errorf("missing %q in:\n%s", s, text)
				}
			}
			for _, s := range r.Test.Absent {
				if strings.Contains(text, s) {
					t.Errorf("unwanted %q in:\n%s", s, text)
				}
			}
		})
	}
}

func hostOf(u string) string {
	u = u[strings.Index(u, "://")+3:]
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

func TestRuleFor(t *testing.T) {
	rules, err := Rules()
	if err != nil || len(rules) == 0 {
		t.Skip("no rules")
	}
	h := rules[0].Hosts[len(rules[0].Hosts)-1]
	if ruleFor("news."+h) != rules[0] || ruleFor(strings.ToUpper(h)+".") != rules[0] {
		t.Errorf("a subdomain of %s does not get its rule", h)
	}
	if ruleFor("x"+h) != nil || ruleFor("") != nil {
		t.Error("a rule for the wrong host")
	}
}

func TestSelectors(t *testing.T) {
	page := `<html><body><div id="main" class="wrap story"><p class="lead x">One</p>
	<section><p data-kind="note">Two</p><div class="box"><span>Three</span></div></section></div>
	<p class="lead">Four</p></body></html>`
	root := parseForTest(t, page)
	cases := map[string]string{
		"p.lead":                   "One|Four",
		"#main p":                  "One|Two",
		"div.wrap > p":             "One",
		"div.wrap > section > p":   "Two",
		"[data-kind=note]":         "Two",
		"p[data-kind^=no]":         "Two",
		"div.box span, p.lead.x":   "One|Three",
		"section div.box > span":   "Three",
		"div.story.wrap section p": "Two",
		"body > p":                 "Four",
	}
	for sel, want := range cases {
		s, err := parseSelector(sel)
		if err != nil {
			t.Errorf("%s: %v", sel, err)
			continue
		}
		var got []string
		for _, n := range s.selectAll(root) {
			got = append(got, n.textOf())
		}
		if strings.Join(got, "|") != want {
			t.Errorf("%s: got %q, want %q", sel, strings.Join(got, "|"), want)
		}
	}
	for _, bad := range []string{"", "a,,b", "> p", "p >", "p[", "p.", "div#"} {
		if _, err := parseSelector(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func parseForTest(t *testing.T, page string) *node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return build(doc, &pageInfo{metas: map[string]string{}})
}
