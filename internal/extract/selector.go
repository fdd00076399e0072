package extract

import (
	"fmt"
	"strings"
)

// A small CSS selector engine for site rules, over the extractor's own
// tree: type, #id, .class, [attr], [attr=v], [attr~=v], [attr^=v],
// [attr$=v], [attr*=v], the descendant (space) and child (>) combinators
// and groups (a, b). Enough to name a page's body and its furniture.

type selector []compound // groups

// compound is a chain of simple selectors joined by combinators, stored
// right to left: steps[0] matches the element itself.
type compound struct {
	steps []step
}

type step struct {
	simple simple
	child  bool // the next step (to the left) must match the parent, not any ancestor
}

type simple struct {
	tag     string
	id      string
	classes []string
	attrs   []attrTest
}

type attrTest struct {
	key, op, val string
}

// parseSelector reads a selector group.
func parseSelector(s string) (selector, error) {
	var out selector
	for _, g := range strings.Split(s, ",") {
		g = strings.TrimSpace(g)
		if g == "" {
			return nil, fmt.Errorf("selector %q: empty group", s)
		}
		c, err := parseCompound(g)
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", s, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseCompound(g string) (compound, error) {
	g = strings.ReplaceAll(g, ">", " > ")
	var parts []string
	inBracket := false
	start := 0
	for i := 0; i <= len(g); i++ {
		if i < len(g) {
			switch g[i] {
			case '[':
				inBracket = true
			case ']':
				inBracket = false
			}
		}
		if i == len(g) || g[i] == ' ' && !inBracket {
			if p := strings.TrimSpace(g[start:i]); p != "" {
				parts = append(parts, p)
			}
			start = i + 1
		}
	}
	var c compound
	child := false
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if p == ">" {
			if len(c.steps) == 0 || child {
				return c, fmt.Errorf("misplaced >")
			}
			child = true
			continue
		}
		sm, err := parseSimple(p)
		if err != nil {
			return c, err
		}
		if child {
			c.steps[len(c.steps)-1].child = true
			child = false
		}
		c.steps = append(c.steps, step{simple: sm})
	}
	if child || len(c.steps) == 0 {
		return c, fmt.Errorf("misplaced >")
	}
	return c, nil
}

func parseSimple(p string) (simple, error) {
	var s simple
	i := 0
	readName := func() string {
		j := i
		for j < len(p) && p[j] != '.' && p[j] != '#' && p[j] != '[' {
			j++
		}
		name := p[i:j]
		i = j
		return name
	}
	if p[0] != '.' && p[0] != '#' && p[0] != '[' {
		s.tag = strings.ToLower(readName())
		if s.tag == "*" {
			s.tag = ""
		}
	}
	for i < len(p) {
		switch p[i] {
		case '.':
			i++
			n := readName()
			if n == "" {
				return s, fmt.Errorf("empty class in %q", p)
			}
			s.classes = append(s.classes, n)
		case '#':
			i++
			n := readName()
			if n == "" {
				return s, fmt.Errorf("empty id in %q", p)
			}
			s.id = n
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return s, fmt.Errorf("unclosed [ in %q", p)
			}
			body := p[i+1 : i+end]
			i += end + 1
			a := attrTest{}
			if k := strings.IndexAny(body, "=~^$*"); k >= 0 {
				a.key = strings.TrimSpace(body[:k])
				op := body[k:]
				switch {
				case op[0] == '=':
					a.op, a.val = "=", op[1:]
				case len(op) > 1 && op[1] == '=':
					a.op, a.val = op[:2], op[2:]
				default:
					return s, fmt.Errorf("bad attribute test in %q", p)
				}
				a.val = strings.Trim(strings.TrimSpace(a.val), `"'`)
			} else {
				a.key = strings.TrimSpace(body)
			}
			if a.key == "" {
				return s, fmt.Errorf("empty attribute in %q", p)
			}
			s.attrs = append(s.attrs, a)
		default:
			return s, fmt.Errorf("unexpected %q in %q", p[i], p)
		}
	}
	return s, nil
}

func (s *simple) matches(n *node) bool {
	if n.tag == 0 && n.tagName == "" {
		return false
	}
	if s.tag != "" && s.tag != n.tagName {
		return false
	}
	if s.id != "" && s.id != n.id {
		return false
	}
	for _, c := range s.classes {
		if !hasWord(n.class, c) {
			return false
		}
	}
	for _, a := range s.attrs {
		v, ok := "", false
		for _, at := range n.attrs {
			if at.Key == a.key {
				v, ok = at.Val, true
				break
			}
		}
		if !ok {
			return false
		}
		switch a.op {
		case "=":
			ok = v == a.val
		case "~=":
			ok = hasWord(v, a.val)
		case "^=":
			ok = strings.HasPrefix(v, a.val)
		case "$=":
			ok = strings.HasSuffix(v, a.val)
		case "*=":
			ok = strings.Contains(v, a.val)
		}
		if !ok {
			return false
		}
	}
	return true
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}

func (c *compound) matches(n *node) bool {
	if !c.steps[0].simple.matches(n) {
		return false
	}
	return c.matchFrom(1, n)
}

// matchFrom matches steps[i:] against n's ancestors.
func (c *compound) matchFrom(i int, n *node) bool {
	if i == len(c.steps) {
		return true
	}
	st := c.steps[i]
	child := c.steps[i-1].child
	for a := n.parent; a != nil; a = a.parent {
		if st.simple.matches(a) && c.matchFrom(i+1, a) {
			return true
		}
		if child {
			return false
		}
	}
	return false
}

func (s selector) matches(n *node) bool {
	for i := range s {
		if s[i].matches(n) {
			return true
		}
	}
	return false
}

// selectAll returns the elements under root that match, in document
// order; an element inside one already taken is not taken again.
func (s selector) selectAll(root *node) []*node {
	var out []*node
	var walk func(n *node)
	walk = func(n *node) {
		for _, k := range n.kids {
			if k.tag == 0 {
				continue
			}
			if s.matches(k) {
				out = append(out, k)
				continue
			}
			walk(k)
		}
	}
	walk(root)
	return out
}
