package extract

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

// Site rules are data files, rules/*.json, one per site, built into the
// binary:
//
//	{
//	  "hosts": ["www.example.com", "example.com"],
//	  "keep":  ["div.story-body"],
//	  "strip": [".story-body .related", "aside.newsletter"],
//	  "test":  {"url": "https://www.example.com/news/1",
//	            "page": "testdata/rules/example.html",
//	            "expect": ["a sentence of the body"],
//	            "absent": ["Read more"]}
//	}
//
// A rule applies to a page whose host is one of hosts (a host also covers
// its subdomains). strip removes the matching elements before anything
// else; keep names the elements that hold the article, in document order;
// when keep matches nothing (a redesign), the generic method runs with the
// strip selectors still applied. test is the rule's own check: the
// package's tests extract test.page as test.url and require every expect
// snippet and no absent one. `kabar extract --explain` shows the paths and
// classes to write selectors from.

//go:embed rules/*.json
var ruleFiles embed.FS

// Rule is one site's rule file.
type Rule struct {
	Name  string   `json:"-"` // the file name
	Hosts []string `json:"hosts"`
	Keep  []string `json:"keep"`
	Strip []string `json:"strip"`
	Test  RuleTest `json:"test"`

	keep, strip selector
}

// RuleTest is the check a rule file carries.
type RuleTest struct {
	URL    string   `json:"url"`
	Page   string   `json:"page"`
	Expect []string `json:"expect"`
	Absent []string `json:"absent"`
}

var (
	rulesOnce  sync.Once
	rulesByKey map[string]*Rule
	rulesList  []*Rule
	rulesErr   error
)

// Rules returns the built-in site rules, sorted by name; the error tells
// a broken rule file (a test catches it before a release).
func Rules() ([]*Rule, error) {
	rulesOnce.Do(loadRules)
	return rulesList, rulesErr
}

func loadRules() {
	rulesByKey = map[string]*Rule{}
	names, err := fs.Glob(ruleFiles, "rules/*.json")
	if err != nil {
		rulesErr = err
		return
	}
	sort.Strings(names)
	for _, name := range names {
		r, err := parseRule(name)
		if err != nil {
			rulesErr = err
			continue
		}
		rulesList = append(rulesList, r)
		for _, h := range r.Hosts {
			rulesByKey[strings.ToLower(h)] = r
		}
	}
}

func parseRule(name string) (*Rule, error) {
	b, err := ruleFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	r := &Rule{Name: path.Base(name)}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(r.Hosts) == 0 || len(r.Keep)+len(r.Strip) == 0 {
		return nil, fmt.Errorf("%s: a rule needs hosts and keep or strip selectors", name)
	}
	for _, s := range r.Keep {
		sel, err := parseSelector(s)
		if err != nil {
			return nil, fmt.Errorf("%s: keep: %w", name, err)
		}
		r.keep = append(r.keep, sel...)
	}
	for _, s := range r.Strip {
		sel, err := parseSelector(s)
		if err != nil {
			return nil, fmt.Errorf("%s: strip: %w", name, err)
		}
		r.strip = append(r.strip, sel...)
	}
	return r, nil
}

// ruleFor returns the rule for a host, or nil: the host itself, then its
// parent domains (news.example.com falls back to example.com).
func ruleFor(host string) *Rule {
	if host == "" {
		return nil
	}
	rulesOnce.Do(loadRules)
	if len(rulesByKey) == 0 {
		return nil
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for h := host; h != ""; {
		if r := rulesByKey[h]; r != nil {
			return r
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return nil
}

// toStrip returns the elements the rule strips.
func (r *Rule) toStrip(root *node) []*node {
	if len(r.strip) == 0 {
		return nil
	}
	return r.strip.selectAll(root)
}

// detach removes n from its parent and its counts from its ancestors.
func detach(n *node) {
	p := n.parent
	if p == nil {
		return
	}
	for i, k := range p.kids {
		if k == n {
			p.kids = append(p.kids[:i:i], p.kids[i+1:]...)
			break
		}
	}
	for a := p; a != nil; a = a.parent {
		a.textLen -= n.textLen
		a.linkLen -= n.linkLen
		a.commas -= n.commas
		a.pCount -= n.pCount
		a.liCount -= n.liCount
		a.imgCount -= n.imgCount
		a.inputs -= n.inputs
		a.embeds -= n.embeds
		a.junkLen -= n.junkLen
		a.junkLink -= n.junkLink
		a.boilLen -= n.boilLen
		a.boilLink -= n.boilLink
	}
	n.parent = nil
}

// keepBlocks extracts the blocks of the elements the rule keeps; nil when
// keep matches nothing with text.
func (r *Rule) keepBlocks(body *node, title string, tr *tracer) []block {
	if len(r.keep) == 0 {
		return nil
	}
	parts := r.keep.selectAll(body)
	if len(parts) == 0 {
		return nil
	}
	reset(body)
	// the site's own containers: only the cleaning that does not judge
	// by class names or statistics (empty elements, captions, headline
	// repeats, boilerplate marks inside)
	s := &scorer{}
	c := &cleaner{s: s, title: title, topLen: 1 << 30}
	if tr != nil {
		c.reasons = tr.reasons
	}
	col := &collector{tr: tr}
	for _, p := range parts {
		c.clean(p, true, false, false)
		col.walk(p, false, false, false)
		col.flush()
	}
	return filterBlocks(col.blocks, title, tr)
}
