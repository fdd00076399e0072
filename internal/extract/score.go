package extract

import (
	"sort"
	"strings"

	"golang.org/x/net/html/atom"
)

// Readability-style flags; the first attempt uses all of them and later
// attempts drop them one at a time when the result is too short.
const (
	flagStripUnlikely = 1 << iota
	flagWeightClasses
	flagCleanConditionally
)

// scorer holds one attempt's state.
type scorer struct {
	flags      int
	candidates []*node
	// core is the container chosen before widen climbed from it: its
	// wrappers are kept by the cleaning whatever their class names say.
	core *node
}

// isContainer tells the elements whose direct inline text forms paragraphs
// of their own (the "div turned into p" of Readability).
func isContainer(a atom.Atom) bool {
	switch a {
	case atom.Div, atom.Section, atom.Article, atom.Main, atom.Td, atom.Th, atom.Blockquote,
		atom.Body, atom.Center, atom.Header, atom.Form, atom.Fieldset, atom.Dd, atom.Font,
		atom.Span, atom.Figure, atom.Details:
		return true
	}
	return false
}

// blockChild reports whether a child breaks a container into separate
// paragraphs (Readability's DIV_TO_P_ELEMS, plus the other block tags).
func blockChild(k *node) bool {
	if k.tag == atom.Img {
		return true
	}
	return k.tag != 0 && (isBlock(k.tag) || k.hasBlock)
}

func (s *scorer) skip(n *node) bool {
	return n.removed || (s.flags&flagStripUnlikely != 0 && n.unlikely && !n.insideTable())
}

func (n *node) insideTable() bool {
	for p := n.parent; p != nil; p = p.parent {
		if p.tag == atom.Table {
			return true
		}
	}
	return false
}

func (s *scorer) initNode(n *node) {
	if n.scored {
		return
	}
	n.scored = true
	n.score = 0
	switch n.tag {
	case atom.Div, atom.Article, atom.Main, atom.Section:
		n.score += 5
	case atom.Pre, atom.Td, atom.Blockquote:
		n.score += 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		n.score -= 3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		n.score -= 5
	}
	if s.flags&flagWeightClasses != 0 {
		n.score += classWeight(n)
		if n.positive {
			n.score += 25
		}
	}
	s.candidates = append(s.candidates, n)
}

// addParagraph credits a paragraph of the given length and commas to the
// ancestors starting at first.
func (s *scorer) addParagraph(first *node, textLen, commas, linkLen int) {
	if textLen < 25 || first == nil {
		return
	}
	if linkLen*2 < textLen {
		m := float64(textLen - linkLen)
		for a := first; a != nil; a = a.parent {
			a.mass += m
		}
	}
	sc := 1 + float64(commas)
	add := float64(textLen / 100)
	if add > 3 {
		add = 3
	}
	sc += add
	level := 0
	for a := first; a != nil && level < 5; a = a.parent {
		if a.tag == atom.Html {
			break
		}
		s.initNode(a)
		div := 1.0
		switch {
		case level == 0:
			div = 1
		case level == 1:
			div = 2
		default:
			div = float64(level * 3)
		}
		a.score += sc / div
		level++
	}
}

// walk visits the tree and scores paragraphs.
func (s *scorer) walk(n *node) {
	if s.skip(n) {
		return
	}
	switch {
	case n.tag == atom.Li && !n.hasBlock:
		// list items of inline text do not score (as in
		// Readability) but count as paragraph text for widen
		if n.textLen >= 10 && n.linkLen*2 < n.textLen {
			m := float64(n.textLen - n.linkLen)
			for a := n.parent; a != nil; a = a.parent {
				a.mass += m
			}
		}
		return
	case n.tag == atom.P || n.tag == atom.Pre || isHeading(n.tag) && n.tag != atom.H1:
		s.addParagraph(n.parent, n.textLen, n.commas, n.linkLen)
		// paragraphs may wrongly hold blocks (rare); do not descend
		return
	case isContainer(n.tag) || n.hasBlock:
		s.walkContainer(n)
		return
	}
	for _, k := range n.kids {
		if k.tag != 0 {
			s.walk(k)
		}
	}
}

// walkContainer scores a container: one of inline content only is a
// paragraph itself; otherwise each run of inline content between its
// block children (or at a <br><br>) is one, and the block children are
// walked.
func (s *scorer) walkContainer(n *node) {
	hasBlock := false
	for _, k := range n.kids {
		if blockChild(k) {
			hasBlock = true
			break
		}
	}
	if !hasBlock && n.brs < 2 && n.tag != atom.Body && n.tag != atom.Td {
		s.addParagraph(n.parent, n.textLen, n.commas, n.linkLen)
		return
	}
	runLen, runCommas, runLinks := 0, 0, 0
	brRun := 0
	flush := func() {
		if runLen > 0 {
			s.addParagraph(n, runLen, runCommas, runLinks)
		}
		runLen, runCommas, runLinks = 0, 0, 0
	}
	for _, k := range n.kids {
		if k.tag == atom.Br {
			brRun++
			if brRun >= 2 {
				flush()
			}
			continue
		}
		if k.isText() && k.textLen == 0 {
			continue
		}
		brRun = 0
		if blockChild(k) {
			flush()
			s.walk(k)
			continue
		}
		if s.skip(k) {
			continue
		}
		runLen += k.textLen
		runCommas += k.commas
		runLinks += k.linkLen
	}
	flush()
}

// pick runs one Readability attempt and returns the chosen top candidate
// and the nodes (itself or siblings) that make up the article.
func (s *scorer) pick(body *node) (*node, []*node) {
	s.walk(body)
	if len(s.candidates) == 0 {
		return nil, nil
	}
	for _, c := range s.candidates {
		c.score *= 1 - c.linkDensity()
	}
	sort.SliceStable(s.candidates, func(i, j int) bool { return s.candidates[i].score > s.candidates[j].score })
	top := s.candidates[0]
	if top.tag == atom.Body || top.tag == atom.Html {
		return top, []*node{top}
	}
	top = s.commonAncestor(top)
	s.initNode(top)
	top = climb(top)
	s.initNode(top)
	if top.parent == nil {
		return top, []*node{top}
	}
	parts := s.siblings(top)
	s.core = top
	if len(parts) == 1 {
		top, parts = s.alikeRows(top)
	}
	return s.widen(top, parts)
}

// commonAncestor is the ancestor of top that holds three of its close
// rivals, or top: several strong candidates under one ancestor are one
// body.
func (s *scorer) commonAncestor(top *node) *node {
	var alts []*node
	for _, c := range s.candidates[1:min(len(s.candidates), 5)] {
		// a grid of cards names them alike: a rival of the same tag and
		// class counts at a lower score
		same := c.tag == top.tag && c.class != "" && c.class == top.class
		if r := c.score / top.score; r >= 0.75 || same && r >= 0.5 {
			alts = append(alts, c)
		}
	}
	if len(alts) < 3 {
		return top
	}
	for p := top.parent; p != nil && p.tag != atom.Body && p.tag != atom.Html; p = p.parent {
		count := 0
		for _, a := range alts {
			if isAncestor(p, a) {
				count++
			}
		}
		if count >= 3 {
			return p
		}
	}
	return top
}

// climb moves to a parent that scores better, and from an only child to
// its parent.
func climb(top *node) *node {
	lastScore := top.score
	threshold := lastScore / 3
	for p := top.parent; p != nil && p.tag != atom.Body && p.tag != atom.Html; p = p.parent {
		if !p.scored {
			continue
		}
		if p.score < threshold {
			break
		}
		if p.score > lastScore {
			top = p
			break
		}
		lastScore = p.score
	}
	// an only child stands for its parent
	for top.parent != nil && top.parent.tag != atom.Body && top.parent.tag != atom.Html && elementKids(top.parent) == 1 {
		top = top.parent
	}
	return top
}

// siblings are the parts of the body around top: top and, in order, the
// siblings Readability takes for their score or as paragraphs.
func (s *scorer) siblings(top *node) []*node {
	parts := []*node{}
	parent := top.parent
	thr := max(top.score*0.2, 10)
	deckBefore := headerLine(parent.kids, top)
	for i, sib := range parent.kids {
		if sib == top {
			parts = append(parts, sib)
			continue
		}
		if sib.tag == 0 || s.skip(sib) {
			continue
		}
		if s.scoredSibling(top, sib, thr) {
			parts = append(parts, sib)
			continue
		}
		if sib.tag == atom.P && !(deckBefore >= 0 && i < deckBefore) && proseSibling(sib) {
			parts = append(parts, sib)
		}
	}
	return parts
}

// scoredSibling tells a sibling taken for its score. Its score must come
// from its text, not from a class name it shares with the whole page
// (sdc-article-header, sdc-article-audio): a header's deck or a player's
// notice is no part of the body. A sibling named like the top candidate
// (a page builder's rows) whose paragraphs sit deep under it scores little
// however much prose it holds: its text decides.
func (s *scorer) scoredSibling(top, sib *node, thr float64) bool {
	bonus := 0.0
	if top.class != "" && sib.class == top.class {
		bonus = top.score * 0.2
	}
	return sib.scored && sib.mass >= siblingMass*top.mass && (sib.score+bonus >= thr || bonus > 0 && sib.linkDensity() < 0.2)
}

// proseSibling tells a <p> beside the body that reads as its paragraph.
func proseSibling(sib *node) bool {
	ld := sib.linkDensity()
	if sib.textLen > 80 && ld < 0.25 {
		return true
	}
	return sib.textLen > 0 && sib.textLen <= 80 && ld == 0 && endsSentence(sib)
}

// alikeRows finds a body that a page builder split over rows of one kind:
// climbing at most rowLevels from top, the first ancestor whose child on
// the way (the row holding top) has siblings of its kind, tag and class
// names without their generated ids ("e-con e-flex elementor-element"),
// each with paragraph text of its own and few links. The row and those
// siblings are then the parts; widen's gain test misses a row that holds
// less than half the body.
func (s *scorer) alikeRows(top *node) (*node, []*node) {
	from := top
	for level, a := 0, top.parent; level < rowLevels && a != nil && a.tag != atom.Body && a.tag != atom.Html; level, from, a = level+1, a, a.parent {
		kind := classKind(from.class)
		if kind == "" {
			continue
		}
		rows := []*node{}
		for _, k := range a.kids {
			if k == from || k.tag == from.tag && k.mass >= max(siblingMass*top.mass, rowMass) && k.linkDensity() < rowLinks && k.mass*2 >= float64(k.textLen) && !s.skip(k) && classKind(k.class) == kind {
				rows = append(rows, k)
			}
		}
		if len(rows) > 1 {
			return from, rows
		}
	}
	return top, []*node{top}
}

// rowLevels is how far above the top candidate alikeRows looks for rows,
// and rowLinks the link density a row stays under (a table of contents
// at the head of a row is a fifth of its text); a row's text must be at
// least half paragraphs, and at least rowMass characters: a call to
// subscribe under the article is a row of the same kind too.
const (
	rowLevels = 4
	rowLinks  = 0.25
	rowMass   = 400
)

// classKind is a class value without the names that carry digits (page
// builders' generated ids), in order; "" when nothing is left.
func classKind(class string) string {
	var b strings.Builder
	for _, f := range strings.Fields(class) {
		if strings.ContainsAny(f, "0123456789") {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// widen climbs from the chosen nodes to an ancestor when the ancestor holds
// clearly more paragraph text and is itself mostly paragraphs: modern pages
// spread one body over sibling sections that Readability's single
// container misses.
func (s *scorer) widen(top *node, parts []*node) (*node, []*node) {
	mass := 0.0
	for _, p := range parts {
		mass += p.mass
	}
	if mass == 0 {
		return top, parts
	}
	// junk is the text of the subtrees met on the way up that the cleaning
	// removes (boilerplate-marked, and unlikely ones in strict mode); the
	// wrappers of the current choice do not count, whatever their names.
	strict := s.flags&flagStripUnlikely != 0
	junkOf := func(n *node) (int, int) {
		if strict {
			return n.junkLen, n.junkLink
		}
		return n.boilLen, n.boilLink
	}
	inner := 0 // junk inside the current choice
	for _, k := range top.kids {
		j, _ := junkOf(k)
		inner += j
	}
	// junk and junkLinks: met outside the current choice
	junk, junkLinks := 0, 0
	gain := widenGain
	if listText(top)*10 >= top.textLen*9 {
		gain = listWidenGain
	}
	from := top
	for a := top.parent; a != nil && a.tag != atom.Body && a.tag != atom.Html; from, a = a, a.parent {
		for _, k := range a.kids {
			if k != from {
				j, l := junkOf(k)
				junk += j
				junkLinks += l
			}
		}
		if a.mass < mass*gain {
			continue
		}
		if a.mass < widenDensity*float64(a.textLen-junk-inner) {
			break
		}
		// what widening adds must not be mostly links (teaser lists)
		addT := a.textLen - top.textLen - junk
		addL := a.linkLen - top.linkLen - junkLinks
		if addT > 0 && float64(addL) > widenLinks*float64(addT) {
			break
		}
		top, parts, mass = a, []*node{a}, a.mass
		inner += junk
		junk, junkLinks = 0, 0
	}
	return top, parts
}

// widenGain is how much more paragraph text an ancestor must hold, and
// widenDensity the share of its text that must be paragraphs, for widen to
// climb to it.
const widenGain, widenDensity, widenLinks = 1.5, 0.5, 0.2

// listWidenGain is widen's gain from a list chosen as the body (nine
// tenths of its text in list items): a list is seldom a whole article,
// more often its products or steps, with the intro, the comparison and
// the questions in sections beside it.
const listWidenGain = 1.1

// listText is the text of n inside list items.
func listText(n *node) int {
	if n.tag == atom.Li {
		return n.textLen
	}
	t := 0
	for _, k := range n.kids {
		if k.tag != 0 && k.liCount > 0 {
			t += listText(k)
		}
	}
	return t
}

// siblingMass is the least paragraph text, as a share of the top
// candidate's, of a sibling taken for its score.
const siblingMass = 0.1

// headerLine is the index of the last byline or date line among the
// siblings before top, or -1: a paragraph before it is the header's deck,
// not the body's.
func headerLine(kids []*node, top *node) int {
	at := -1
	for i := len(kids) - 1; i >= 0; i-- {
		if kids[i] == top {
			at = i
			break
		}
	}
	// the nearest few siblings before top are enough: a header sits
	// right above its body
	for i := at - 1; i >= 0 && i >= at-8; i-- {
		k := kids[i]
		if k.tag == 0 || k.textLen == 0 || k.textLen > 120 {
			continue
		}
		t := collapse(k.textOf())
		if reByline.MatchString(t) || reBylineName.MatchString(t) || reDateOnly.MatchString(t) || reDateline.MatchString(t) || reTimeOnly.MatchString(t) {
			return i
		}
	}
	return -1
}

func endsSentence(n *node) bool {
	t := n.textOf()
	return len(t) > 0 && (t[len(t)-1] == '.' || strings.Contains(t, ". "))
}

func elementKids(n *node) int {
	c := 0
	for _, k := range n.kids {
		if k.tag != 0 {
			c++
		}
	}
	return c
}

func isAncestor(a, n *node) bool {
	for p := n.parent; p != nil; p = p.parent {
		if p == a {
			return true
		}
	}
	return false
}
