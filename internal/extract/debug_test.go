//go:build extractdebug

// Run with: EXTRACT_DEBUG=page.html go test -tags extractdebug -run TestDebugPage ./internal/extract
package extract

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestDebugPage prints the scoring of one page: EXTRACT_DEBUG=file.html.
func TestDebugPage(t *testing.T) {
	path := os.Getenv("EXTRACT_DEBUG")
	if path == "" {
		t.Skip("set EXTRACT_DEBUG to a page")
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := html.Parse(strings.NewReader(string(page)))
	info := &pageInfo{metas: map[string]string{}}
	root := build(doc, info)
	body := root
	for _, k := range root.kids {
		if k.tag == atom.Body {
			body = k
		}
	}
	for _, flags := range []int{7, 6, 4, 0} {
		reset(root)
		s := &scorer{flags: flags}
		top, parts := s.pick(body)
		fmt.Printf("== flags %d\n", flags)
		for i, c := range s.candidates {
			if i >= 8 {
				break
			}
			fmt.Printf("  cand %.1f %s\n", c.score, path2(c))
		}
		if top != nil {
			fmt.Printf("  TOP %.1f %s parts=%d textLen=%d\n", top.score, path2(top), len(parts), top.textLen)
			c := &cleaner{s: s, title: "", topLen: top.textLen, reasons: map[*node]string{}}
			for _, p := range parts {
				c.clean(p, true, false, false)
			}
			var f func(n *node)
			f = func(n *node) {
				if n.removed {
					if n.textLen > 150 {
						fmt.Printf("    REMOVED %s %d ld=%.2f %s\n", c.reasons[n], n.textLen, n.linkDensity(), path2(n))
					}
					if c.reasons[n] != "empty" {
						return
					}
				}
				for _, k := range n.kids {
					f(k)
				}
			}
			for _, p := range parts {
				f(p)
			}
		}
	}
}

func path2(n *node) string {
	var parts []string
	for m := n; m != nil; m = m.parent {
		s := m.tagName
		if m.id != "" {
			s += "#" + m.id
		}
		if m.class != "" {
			c := m.class
			if len(c) > 40 {
				c = c[:40]
			}
			s += "." + strings.ReplaceAll(c, " ", ".")
		}
		if m.unlikely {
			s += "[U]"
		}
		if m.boiler {
			s += "[B]"
		}
		parts = append([]string{s}, parts...)
	}
	return strings.Join(parts, " > ")
}
