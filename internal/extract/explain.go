package extract

import (
	"fmt"
	"strings"

	"golang.org/x/net/html/atom"

	"github.com/kabarnews/kabar/internal/model"
)

// Explanation tells how Extract read one page: the candidates of each
// scoring attempt, the container chosen, and every text block of that
// container in reading order, kept or dropped with the reason. It is what
// `kabar extract --explain` prints, to see why a page came out as it did
// and to write a site rule for it.
type Explanation struct {
	URL string
	// Rule is the site rule applied (its file name), "" when none, and
	// Stripped the elements its strip selectors removed.
	Rule     string
	Stripped []Decision
	// Cut, when not "", says where the page was cut because it was too
	// large to read whole (see the limits in slim.go).
	Cut string
	// Attempts are the scoring attempts made, strictest first.
	Attempts []Attempt
	// Source says where the paragraphs came from: "markup" (attempt
	// Chosen), "rule" (the rule's keep selectors) or "json-ld" (the
	// page's articleBody, when the markup gave much less).
	Source string
	Chosen int
	// Blocks are the chosen attempt's decisions in document order.
	Blocks []Decision
	// Article is what Extract returns for the page (nil for no article).
	Article *model.Article
}

// Attempt is one scoring pass.
type Attempt struct {
	Mode       string      // which of Readability's rules were on
	Candidates []Candidate // the best-scoring containers, best first
	Top        string      // the container chosen, as an element path
	Parts      []string    // the nodes taken (the container and siblings)
	Chars      int         // characters of text kept
}

// Candidate is a scored container.
type Candidate struct {
	Path  string
	Score float64
}

// Decision is one text block or one removed element of the chosen
// container.
type Decision struct {
	Kept bool
	// Reason is why it was dropped: the cleaning step's (boilerplate,
	// unlikely, caption, conditional, share, ...) for whole elements, the
	// filter's (junk line, byline, teaser, link list, leading furniture,
	// ...) for single blocks.
	Reason string
	// Path is the element path of a removed element ("" for blocks).
	Path string
	Text string
}

// tracer collects an Explanation's details during extraction.
type tracer struct {
	reasons map[*node]string
	items   []Decision
}

func (t *tracer) add(d Decision) int {
	t.items = append(t.items, d)
	return len(t.items) - 1
}

// drop marks a collected block as dropped, unless it already is.
func (t *tracer) drop(b block, reason string) {
	if t == nil || b.seq < 0 || b.seq >= len(t.items) {
		return
	}
	if t.items[b.seq].Kept {
		t.items[b.seq].Kept = false
		t.items[b.seq].Reason = reason
	}
}

// dropFirstKept marks the first kept block as dropped.
func (e *Explanation) dropFirstKept(reason string) {
	for i := range e.Blocks {
		if e.Blocks[i].Kept {
			e.Blocks[i].Kept = false
			e.Blocks[i].Reason = reason
			return
		}
	}
}

// dropKept marks the last kept block of the text given dropped.
func (e *Explanation) dropKept(text, reason string) {
	for i := len(e.Blocks) - 1; i >= 0; i-- {
		if e.Blocks[i].Kept && e.Blocks[i].Text == text {
			e.Blocks[i].Kept = false
			e.Blocks[i].Reason = reason
			return
		}
	}
}

func modeName(flags int) string {
	var on []string
	if flags&flagStripUnlikely != 0 {
		on = append(on, "strip-unlikely")
	}
	if flags&flagWeightClasses != 0 {
		on = append(on, "class-weights")
	}
	if flags&flagCleanConditionally != 0 {
		on = append(on, "clean-conditionally")
	}
	if len(on) == 0 {
		return "lax"
	}
	return strings.Join(on, "+")
}

// String renders the explanation for a terminal.
func (e *Explanation) String() string {
	var b strings.Builder
	if e.URL != "" {
		fmt.Fprintf(&b, "url: %s\n", e.URL)
	}
	if e.Cut != "" {
		fmt.Fprintf(&b, "%s\n", e.Cut)
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "site rule: %s\n", e.Rule)
		for _, d := range e.Stripped {
			fmt.Fprintf(&b, "  stripped: %s  [%s]\n", clip(d.Text, 80), d.Path)
		}
	}
	for i, a := range e.Attempts {
		mark := " "
		if e.Source == "markup" && i == e.Chosen {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s attempt %d (%s): %d chars\n", mark, i+1, a.Mode, a.Chars)
		for _, c := range a.Candidates {
			fmt.Fprintf(&b, "    candidate %7.1f  %s\n", c.Score, c.Path)
		}
		if a.Top != "" {
			fmt.Fprintf(&b, "    top: %s\n", a.Top)
		}
		for _, p := range a.Parts {
			fmt.Fprintf(&b, "    part: %s\n", p)
		}
	}
	fmt.Fprintf(&b, "source: %s\n", e.Source)
	b.WriteString("blocks:\n")
	for _, d := range e.Blocks {
		t := clip(d.Text, 100)
		if d.Kept {
			fmt.Fprintf(&b, "  KEEP          %s\n", t)
			continue
		}
		where := ""
		if d.Path != "" {
			where = "  [" + d.Path + "]"
		}
		fmt.Fprintf(&b, "  DROP %-8s %s%s\n", d.Reason, t, where)
	}
	return b.String()
}

// path is an element's path from the root, with classes and ids, the way
// a selector for a site rule would name it.
func (n *node) path() string {
	var parts []string
	for m := n; m != nil && m.tag != 0; m = m.parent {
		s := m.tagName
		if m.id != "" {
			s += "#" + m.id
		}
		if c := strings.Fields(m.class); len(c) > 0 {
			if len(c) > 3 {
				c = c[:3]
			}
			s += "." + strings.Join(c, ".")
		}
		parts = append(parts, s)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	if len(parts) > 6 {
		parts = append([]string{"…"}, parts[len(parts)-6:]...)
	}
	return strings.Join(parts, " > ")
}

// rawText is a subtree's text, removed parts included.
func (n *node) rawText() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		if m.isText() {
			b.WriteString(m.text)
			return
		}
		for _, k := range m.kids {
			walk(k)
		}
		if isBlock(m.tag) || m.tag == atom.Br {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return collapse(b.String())
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
