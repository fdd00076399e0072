package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/atom"
)

// live are a subtree's statistics after the removals of the cleaning pass.
type live struct {
	text, links, commas       int
	p, img, li, inputs, embed int
	headingText               int
	liText                    int
	linkedHeads               int // headings that are links (teasers' headlines)
	positive                  bool
}

func (l *live) add(o live) {
	l.text += o.text
	l.links += o.links
	l.commas += o.commas
	l.p += o.p
	l.img += o.img
	l.li += o.li
	l.inputs += o.inputs
	l.embed += o.embed
	l.headingText += o.headingText
	l.liText += o.liText
	l.linkedHeads += o.linkedHeads
	l.positive = l.positive || o.positive
}

var (
	reAdText = regexp.MustCompile(`(?i)^\s*(ad(vertising|vertisement)?|advert|pub(licité)?|werb(ung)?|iklan|广告|Реклама|Anuncio|sponsored( content)?|loading(…|\.\.\.)?)\s*$`)
)

// shareThreshold is the text length under which a share/social element goes.
const shareThreshold = 500

// cleaner removes, inside the chosen article nodes, what Readability's
// prepArticle removes, plus the boilerplate marks of the build step. It
// works bottom-up so each decision sees its subtree after the removals.
type cleaner struct {
	s      *scorer
	title  string
	topLen int
	// reasons, when not nil, records why each node was removed (debugging)
	reasons map[*node]string
	// ignoreNegative is set when most of the article's paragraph text sits
	// under elements with negative class names (page builders name every
	// block "widget"): the names then tell nothing.
	ignoreNegative bool
	// seen is the text met so far in document order, and before the text
	// ahead of the element shouldRemove is asked about
	seen, before int
}

// negativeShare is the share of the parts' paragraph text that sits under
// elements with a negative class weight.
func negativeShare(parts []*node) float64 {
	total, neg := 0.0, 0.0
	var f func(n *node)
	f = func(n *node) {
		if classWeight(n) < 0 {
			neg += n.mass
			return
		}
		for _, k := range n.kids {
			if k.tag != 0 {
				f(k)
			}
		}
	}
	for _, p := range parts {
		total += p.mass
		for _, k := range p.kids {
			if k.tag != 0 {
				f(k)
			}
		}
	}
	if total == 0 {
		return 0
	}
	return neg / total
}

func (c *cleaner) clean(n *node, isTop bool, inFigure bool, inTable bool) live {
	var l live
	if n.isText() {
		l.text = n.textLen
		l.links = n.linkLen
		l.commas = n.commas
		c.seen += n.textLen
		return l
	}
	if n.tag == atom.Img {
		l.img = 1
		return l
	}
	before := c.seen
	l.inputs = n.inputs - sumInputs(n)
	l.embed = n.embeds - sumEmbeds(n)
	fig := inFigure || n.tag == atom.Figure
	tab := inTable || n.tag == atom.Table
	for _, k := range n.kids {
		if k.removed {
			continue
		}
		kl := c.clean(k, false, fig, tab)
		if k.removed {
			continue
		}
		l.add(kl)
	}
	switch n.tag {
	case atom.P:
		l.p++
	case atom.Li:
		l.li++
		l.liText = l.text
	}
	if isHeading(n.tag) {
		l.headingText = l.text
		if l.text > 0 && l.links*2 > l.text {
			l.linkedHeads++
		}
	}
	if n.positive {
		l.positive = true
	}
	if isTop {
		return l
	}
	c.before = before
	if r := c.shouldRemove(n, &l, inFigure, inTable); r != "" {
		n.removed = true
		if c.reasons != nil {
			c.reasons[n] = r
		}
	}
	return l
}

// holdsCore reports whether n is or wraps the scorer's core container.
func (c *cleaner) holdsCore(n *node) bool {
	core := c.s.core
	return core != nil && (n == core || isAncestor(n, core))
}

func sumInputs(n *node) int {
	s := 0
	for _, k := range n.kids {
		if k.tag != 0 {
			s += k.inputs
		}
	}
	return s
}

func sumEmbeds(n *node) int {
	s := 0
	for _, k := range n.kids {
		if k.tag != 0 {
			s += k.embeds
		}
	}
	return s
}

// spaceOnly tells an element whose content is a space or a line break.
func spaceOnly(n *node) bool {
	for _, k := range n.kids {
		if !k.isText() && k.tag != atom.Br {
			return false
		}
	}
	return len(n.kids) > 0
}

// shouldRemove returns why n goes (a short reason, for debugging), or "" to
// keep it.
func (c *cleaner) shouldRemove(n *node, l *live, inFigure, inTable bool) string {
	if l.text == 0 {
		// an inline element holding a space or a line break alone keeps
		// the words beside it apart ("Martin<strong> </strong>Parr")
		if n.tag != atom.Br && n.tag != atom.Hr && l.img == 0 && !(!isBlock(n.tag) && spaceOnly(n)) {
			return "empty"
		}
		return ""
	}
	if r, decided := c.byKind(n, l, inTable); decided {
		return r
	}
	if c.s.flags&flagCleanConditionally == 0 {
		return ""
	}
	switch n.tag {
	case atom.Div, atom.Section, atom.Table, atom.Ul, atom.Ol, atom.Form, atom.Fieldset, atom.Header, atom.Dl:
	default:
		return ""
	}
	if n.tag == atom.Table && isDataTable(n) {
		return ""
	}
	return c.conditionally(n, l, inFigure)
}

// byKind decides on n by its marks, its tag and its text alone: decided
// is false when none of those settles it.
func (c *cleaner) byKind(n *node, l *live, inTable bool) (reason string, decided bool) {
	if n.boiler && !l.positive && l.text*2 < c.topLen && !c.holdsCore(n) && !boiledProse(n, l) {
		return "boilerplate", true
	}
	if c.s.flags&flagStripUnlikely != 0 && n.unlikely && !inTable && !l.positive && !contentHeavy(l) && !bodyHeading(n, l, c.before) {
		return "unlikely", true
	}
	switch {
	case n.tag == atom.Figcaption:
		return "caption", true
	case n.tag == atom.H1 && !sectionH1(l, c.before):
		return "h1", true
	case isHeading(n.tag):
		return c.heading(n), true
	case n.tag == atom.Header && l.p < 3 && !sectionHeader(l, c.before):
		return "header", true
	case l.text < 40 && reAdText.MatchString(n.textOf()):
		return "ad-label", true
	}
	// share bars and similar, however they are named
	if name := strings.ToLower(n.class + n.markID()); l.text < shareThreshold && (strings.Contains(name, "share") || strings.Contains(name, "social")) && !l.positive {
		return "share", true
	}
	return "", false
}

// heading tells why a heading other than h1 goes, or "": its class
// weight, or it repeats the title.
func (c *cleaner) heading(n *node) string {
	if c.s.flags&flagWeightClasses != 0 && !c.ignoreNegative && classWeight(n) < 0 {
		return "heading-class"
	}
	if c.title != "" && c.before < titleRepeatAfter && similarTitle(n.textOf(), c.title) {
		return "title-repeat"
	}
	return ""
}

// conditionally is Readability's conditional cleaning of a container: its
// class weight, and then its images, list items, inputs, links and embeds
// against its paragraphs.
func (c *cleaner) conditionally(n *node, l *live, inFigure bool) string {
	isList := n.tag == atom.Ul || n.tag == atom.Ol
	if !isList && l.text > 0 && float64(l.liText)/float64(l.text) > 0.9 {
		isList = true
	}
	weight := c.weight(n)
	if weight < 0 && !contentHeavy(l) {
		return "class-weight"
	}
	if l.commas >= 10 {
		return ""
	}
	why := conditionalReason(l, isList, weight, inFigure)
	if isList && why != "" && gallery(n, l) {
		return ""
	}
	if why == "links" && (linkedParagraph(n, l) || announcedLinksOnly(n, l) || itemText(n, l)) {
		return ""
	}
	if why == "images" && isList && iconList(l) {
		return ""
	}
	if why != "" {
		return "cond-" + why
	}
	return ""
}

// iconList tells a list whose items carry an icon each (a tick before
// every point), not a gallery or a list of teasers: an image at most to
// an item, links under a fifth of its text and 20 characters of text an
// item at least. A teaser's thumbnail comes with a linked headline.
func iconList(l *live) bool {
	return l.li > 0 && l.img <= l.li && l.links*5 < l.text && l.text >= 20*l.li
}

// linkedParagraph tells a container of one paragraph, or of bare text,
// whose sentences carry their links ("Studies show that … are effective
// at stimulating weight loss", "For more options, see X and Y."): most of
// its text its own, 60 characters of it at least, ending as a sentence
// does, and no copyright notice.
func linkedParagraph(n *node, l *live) bool {
	if l.p > 1 || l.li > 0 || l.headingText > 0 || l.text-l.links < 60 || l.links*2 >= l.text {
		return false
	}
	t := n.textOf()
	return sentenceEnd(t) && !reCopy.MatchString(t)
}

// weight is n's class weight as the conditional cleaning reads it.
func (c *cleaner) weight(n *node) float64 {
	if c.s.flags&flagWeightClasses == 0 {
		return 0
	}
	weight := classWeight(n)
	if weight < 0 && c.ignoreNegative {
		weight = 0
	}
	if n.positive {
		weight += 25
	}
	return weight
}

// conditionalReason is what a container's counts say against it, or "".
func conditionalReason(l *live, isList bool, weight float64, inFigure bool) string {
	p := l.p
	img := l.img
	li := l.li - 100
	ld := 0.0
	if l.text > 0 {
		ld = float64(l.links) / float64(l.text)
	}
	headingDensity := 0.0
	if l.text > 0 {
		headingDensity = float64(l.headingText) / float64(l.text)
	}
	switch {
	case !inFigure && img > 1 && float64(p)/float64(img) < 0.5 && (l.text-l.links < 200 || img > 3):
		return "images"
	case !isList && li > p:
		return "list"
	case l.inputs > p/3:
		return "inputs"
	case !isList && headingDensity < 0.9 && l.text < 25 && (img == 0 || img > 2) && ld > 0:
		return "short"
	case !isList && weight < 25 && ld > 0.2 && !linkedProse(l), weight >= 25 && ld > 0.5:
		return "links"
	case l.embed == 1 && l.text < 75, l.embed > 1:
		return "embeds"
	}
	return ""
}

// gallery tells a list of images, one to an item: kept whatever its counts.
func gallery(n *node, l *live) bool {
	for _, k := range n.kids {
		if k.tag != 0 && elementKids(k) > 1 {
			return false
		}
	}
	return l.li == l.img
}

// sectionHeader tells a <header> that heads a section of the body, not
// the article: page builders wrap each section's heading in one
// ("<header><h2>2. Myth: …</h2></header>"), with a kicker over it at
// times ("<header><div>Step 2</div><h3>…</h3></header>"). It holds a
// heading that is no link and at most a short kicker, and body text
// stands before it.
func sectionHeader(l *live, before int) bool {
	if before < sectionHeaderAfter || l.text == 0 || l.linkedHeads > 0 || l.links > 0 && l.headingText < l.text {
		return false
	}
	// a kicker over the heading ("Step 2") may share the header
	return l.headingText == l.text || l.p == 0 && l.headingText*2 >= l.text && l.text <= sectionHeaderKicker
}

// sectionH1 tells an <h1> that titles a section of the body: some sites
// mark every section's title so ("Day 1", "Day 2"). Body text stands
// before it and it is no link; one that repeats the title goes as a
// heading does.
func sectionH1(l *live, before int) bool {
	return before >= sectionH1After && l.text > 0 && l.links*2 < l.text
}

// titleRepeatAfter is the body text after which a heading that repeats
// the title is a section's: a roundup heads its list of picks with its
// own title ("The Best Camping Kettles" after the intro of "The Best Camping
// Kettles of 2026").
const titleRepeatAfter = 400

// sectionH1After is the body text before an <h1> that titles a section: a
// deck printed as an <h1> under the first paragraph is the header's.
const sectionH1After = 500

// bodyHeading tells a heading among the body's paragraphs, after some of
// its text, that is no link: a section's title, whatever its class says
// (Substack names every one "header-anchor-post", and "header" is one of
// Readability's unlikely names).
func bodyHeading(n *node, l *live, before int) bool {
	return isHeading(n.tag) && n.tag != atom.H1 && before >= sectionHeaderAfter && l.text > 0 && l.links*2 < l.text
}

// sectionHeaderKicker is the most text a section's header with a kicker
// holds.
const sectionHeaderKicker = 200

// sectionHeaderAfter is the body text that must come before a section's
// <header>: a header at the top is the article's (kicker, headline).
const sectionHeaderAfter = 200

func isDataTable(n *node) bool {
	if strings.EqualFold(n.attr("role"), "presentation") || n.attr("datatable") == "0" {
		return false
	}
	if n.attr("summary") != "" {
		return true
	}
	rows, cols := 0, 0
	hasHead := false
	var f func(m *node) bool
	f = func(m *node) bool {
		for _, k := range m.kids {
			switch k.tag {
			case atom.Table:
				return false // nested tables: layout
			case atom.Caption, atom.Thead, atom.Tfoot, atom.Th, atom.Colgroup, atom.Col:
				hasHead = true
			case atom.Tr:
				rows++
				c := 0
				for _, cell := range k.kids {
					if cell.tag == atom.Td || cell.tag == atom.Th {
						c++
					}
				}
				if c > cols {
					cols = c
				}
			}
			if k.tag != 0 && !f(k) {
				return false
			}
		}
		return true
	}
	if !f(n) {
		return false
	}
	if hasHead {
		return true
	}
	if rows == 1 || cols == 1 {
		return false
	}
	return rows >= 10 || cols > 4 || rows*cols > 10
}

// similarTitle reports whether a heading repeats the article title.
func similarTitle(h, title string) bool {
	return similarNorm(h, normWords(title))
}

// similarNorm is similarTitle with the title's words already folded.
func similarNorm(h, b string) bool {
	if b == "" {
		return false
	}
	a := normWords(h)
	if a == "" {
		return false
	}
	if a == b {
		return true
	}
	if len(a) > 20 && (strings.Contains(b, a) || strings.Contains(a, b) && len(b) > len(a)*2/3) {
		return true
	}
	return false
}

func normWords(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		// as strings.ToLower would, rune by rune, without its copy
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		if isWordRune(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// contentHeavy tells a subtree that reads like article text (paragraphs,
// few links) whatever its class names say.
func contentHeavy(l *live) bool {
	if l.text == 0 {
		return false
	}
	ld := float64(l.links) / float64(l.text)
	return ld < 0.1 && (l.p >= 2 || l.text >= 300)
}

// linkedProse tells whether a block with many links is still prose: several
// paragraphs with a good deal of text of their own besides the links (a
// section whose sentences name their sources, a card that describes what it
// links to at length), unlike a teaser list, whose text is mostly its links
// and whose headlines are links.
func linkedProse(l *live) bool {
	return l.p >= 2 && l.text-l.links >= 250 && l.links*2 < l.text && l.linkedHeads == 0
}

// boiledProse tells whether an element named like boilerplate is the
// article's prose all the same: paragraphs with almost no links, more
// than a related-stories box or a newsletter call has (publishers wrap a
// section of the body in "related-articles" markup). Readers' comments,
// which are prose too, stay boilerplate.
func boiledProse(n *node, l *live) bool {
	if l.p < 3 || l.text < 400 || l.links*20 > l.text {
		return false
	}
	name := strings.ToLower(n.class + " " + n.id)
	if strings.Contains(name, "comment") {
		return false
	}
	return strings.Contains(name, "related") || strings.Contains(name, "read-more") || strings.Contains(name, "readmore") || strings.Contains(name, "see-also") || strings.Contains(name, "also-read")
}

// reReadingList is an announcement of the site's other pages ("Readers
// new to the project found the following pages helpful:"), whose list is no part of the article.
var reReadingList = regexp.MustCompile(`(?i)\b(pages?|posts?|articles?|stories|reading|helpful|resources|guides?)\b`)

// announcedLinksOnly tells a section whose links are the items of lists
// its own sentences announce ("Several fixes were sent for review this
// month:" over a list of linked fixes): left out, its links are under a fifth of
// its text, as prose's are. The lists are the article's, as the block
// filter keeps such a list.
func announcedLinksOnly(n *node, l *live) bool {
	if l.text < 200 || l.text-l.links < 150 {
		return false
	}
	listed := 0
	announced := false
	var walk func(m *node)
	walk = func(m *node) {
		for _, k := range m.kids {
			switch {
			case k.removed:
			case k.isText():
				if strings.TrimSpace(k.text) != "" {
					announced = false
				}
			case k.tag == atom.Ul || k.tag == atom.Ol:
				if announced {
					listed += k.linkLen
				}
				announced = false
			case k.tag == atom.P || isHeading(k.tag):
				t := k.textOf()
				announced = announces(t) && !reReadingList.MatchString(t)
			default:
				walk(k)
			}
		}
	}
	walk(n)
	return listed > 0 && (l.links-listed)*5 < l.text
}

// itemText tells the text of a list item wrapped in a container of its
// own ("<li><div><a>Harbour Expo</a> – 4–6 May, Quayside</div></li>"): a
// linked name with its details, the links under half its text, is the
// list's point, not a box of links.
func itemText(n *node, l *live) bool {
	return n.parent != nil && n.parent.tag == atom.Li && l.headingText == 0 && l.links*2 < l.text
}
