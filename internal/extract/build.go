package extract

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageInfo is what the single walk over the parsed page gathers besides the
// body tree: everything the metadata step reads.
type pageInfo struct {
	htmlLang  string
	titleText string
	metas     map[string]string // lower-cased name/property/itemprop -> first content
	jsonld    []string
	canonical string
	amp       string // <link rel="amphtml">
	baseHref  string
	times     []string // <time datetime> in document order
	h1s       []string
	authorRel string // text of the first <a rel=author> / itemprop=author element
	// authorHints are short texts of elements named like bylines
	// (class or id author, byline, writer), in document order
	authorHints []string
	// authorLinks are the texts of links to an author's page (/author/x)
	authorLinks []string
	// authorLabelled are the texts that follow a label like "Written by"
	authorLabelled []string
	classes        *classCache
}

var (
	// reBoiler marks elements that are boilerplate wherever they sit, as
	// long as they are not themselves the article body.
	reBoiler = regexp.MustCompile(`comment(?:s|[^a-z]|$|text|body|list|area|form|section|wrap|even|odd|item|thread|container|block|data|count)|(?:^|[^a-z])(?:share|sharing|social|related|newsletter|subscri|signup|sign-up|cookie|consent|gdpr|promo|advert|ads?(?:$|[^a-z]|slot|unit|box|wrap|container|banner|label)|sponsor|caption|credit|byline|breadcrumb|outbrain|taboola|recommend|read-?more|more-?stories|toolbar|tool-?tip|disclaimer|author-?(?:bio|box|info|card)|about-?(?:the-)?author|tags?(?:$|[^a-z]|list|cloud|links)|(?:entry|post|article|story)-?meta|dateline|timestamp|sr-only|visually-?hidden|screen-reader|offscreen|print-?only|skip-?link|paywall|inline-?(?:promo|related|ad)|trending|most-?(?:read|popular)|also-?read|see-?also|follow-?us|twitter-tweet|instagram-media|tiktok-embed|fb-post|reddit-embed|bluesky-embed|(?:video|audio|media|podcast)-?player|text-?to-?speech|(?:^|[^a-z])(?:poll|survey)(?:s|question|-?widget|-?box|-?container)?(?:$|[^a-z]))`)
)

// Readability's class patterns as word lists (substring tests are many
// times faster than the equivalent alternations).
var (
	unlikelyWords  = strings.Split("-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote", "|")
	maybeWords     = strings.Split("and|article|body|column|content|main|shadow", "|")
	negativeWords  = strings.Split("-ad-|hidden|banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget", "|")
	positiveWords  = strings.Split("article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story", "|")
	bodyClassWords = strings.Split("article-body|articlebody|story-body|storybody|entry-content|entrycontent|post-content|postcontent|post-body|postbody|article-content|articlecontent|article-text|articletext|story-content|storycontent|body-text|bodytext|main-content|maincontent|content-body|contentbody|article__body|story__body|rich-text|richtext|text-body|textbody", "|")
	// the words reBoiler wants at the start of a name or after a non-letter
	boilerStarts = strings.Split("shar|social|related|newsletter|subscri|sign|cookie|consent|gdpr|promo|advert|ad|sponsor|caption|credit|byline|breadcrumb|outbrain|taboola|recommend|read|more|tool|disclaimer|author|about|tag|entry|post|article|story|dateline|timestamp|sr-only|visually|screen-reader|offscreen|print|skip|paywall|inline|trending|most|also|see|follow|twitter|instagram|tiktok|fb|reddit|bluesky|video|audio|media|podcast|text|poll|survey", "|")
)

// The bits of what a class name holds, as classWords finds them.
const (
	holdsBody = 1 << iota
	holdsUnlikely
	holdsMaybe
	holdsNegative
	holdsPositive
	holdsComment
	startsBoiler // one of boilerStarts begins a word
)

type classWord struct {
	w    string
	bits uint8
}

// classWords indexes every word of the lists above by its first byte, so
// that one pass over a name tests them all: at each byte only the few
// words starting with it are compared. A class name is tested once per
// page, and the pages of a set hold tens of thousands of distinct names.
var classWords = func() *[256][]classWord {
	var ix [256][]classWord
	add := func(words []string, bits uint8) {
		for _, w := range words {
			ix[w[0]] = append(ix[w[0]], classWord{w, bits})
		}
	}
	add(bodyClassWords, holdsBody)
	add(unlikelyWords, holdsUnlikely)
	add(maybeWords, holdsMaybe)
	add(negativeWords, holdsNegative)
	add(positiveWords, holdsPositive)
	add([]string{"comment"}, holdsComment)
	add(boilerStarts, startsBoiler)
	return &ix
}()

// wordBits tells which lists have a word in the lower-cased name l: the
// holds bits for a word anywhere, startsBoiler for one of boilerStarts at
// the start of l or after a non-letter.
func wordBits(l string) uint8 {
	var bits uint8
	for i := 0; i < len(l); i++ {
		for _, cw := range classWords[l[i]] {
			if !strings.HasPrefix(l[i:], cw.w) {
				continue
			}
			if cw.bits != startsBoiler {
				bits |= cw.bits
			} else if i == 0 || l[i-1] < 'a' || l[i-1] > 'z' {
				bits |= startsBoiler
			}
		}
	}
	return bits
}

var (
	reAuthorNot = regexp.MustCompile(`bio|avatar|image|img|photo|pic|box|desc|about|social|follow|more|title|link-list|posts|archive|card|comment`)
)

// boilerRoles are the ARIA roles of furniture. Not "alert": page builders
// give the callouts of a body ("Note: …") that role, while cookie and
// error notices go by their names.
var boilerRoles = map[string]bool{
	"navigation": true, "menu": true, "menubar": true, "complementary": true,
	"contentinfo": true, "alertdialog": true, "dialog": true,
	"search": true, "banner": true, "toolbar": true, "tooltip": true,
}

// build converts the parsed page into the extractor's tree, dropping what is
// never content and gathering metadata on the way.
func build(doc *html.Node, info *pageInfo) *node {
	if info.classes == nil {
		info.classes = newClassCache()
	}
	root := &node{tag: atom.Html, tagName: "html"}
	var ar nodeArena
	var walk func(h *html.Node, parent *node, inLink bool)
	walk = func(h *html.Node, parent *node, inLink bool) {
		for c := h.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				if parent == nil {
					continue
				}
				n, commas := textStats(c.Data)
				if n == 0 {
					// keep one separator so that inline words do not glue,
					// the only text of an inline element too
					// ("Martin<strong> </strong>Parr")
					if c.Data != "" && (len(parent.kids) > 0 || !isBlock(parent.tag)) {
						sep := ar.new()
						sep.text, sep.parent = " ", parent
						parent.kids = append(parent.kids, sep)
					}
					continue
				}
				t := ar.new()
				t.text, t.parent, t.textLen, t.commas = c.Data, parent, n, commas
				if inLink {
					t.linkLen = n
				}
				parent.kids = append(parent.kids, t)
			case html.ElementNode:
				collectMeta(c, info)
				if c.DataAtom == atom.Html {
					walk(c, root, false)
					continue
				}
				if parent == nil {
					walk(c, nil, inLink)
					continue
				}
				if c.DataAtom == atom.Img {
					parent.imgCount++
					img := ar.new()
					img.tag, img.tagName, img.attrs, img.parent, img.imgCount = atom.Img, "img", c.Attr, parent, 1
					parent.kids = append(parent.kids, img)
					continue
				}
				hidden := isHidden(c)
				if dropTag(c.DataAtom) {
					countDropped(c, parent, hidden)
					if c.DataAtom == atom.Head {
						walk(c, nil, false)
					}
					continue
				}
				n := ar.new()
				n.init(c, parent)
				classify(n, c, info.classes)
				walk(c, n, inLink || n.tag == atom.A)
				n.rollUp()
				// Hidden elements are dropped, except big ones full of
				// paragraphs: streamed server-side renders park the real
				// content in a hidden element that a script later reveals.
				if hidden && (n.pCount < 3 || n.textLen < 500) {
					continue
				}
				if n.tag == atom.Br {
					parent.brs++
				}
				parent.kids = append(parent.kids, n)
			default:
				walk(c, parent, inLink)
			}
		}
	}
	walk(doc, nil, false)
	for _, k := range root.kids {
		root.textLen += k.textLen
		root.linkLen += k.linkLen
		root.commas += k.commas
	}
	return root
}

// init makes n the element c under parent.
func (n *node) init(c *html.Node, parent *node) {
	name := c.Data
	if c.DataAtom != 0 {
		name = c.DataAtom.String()
	}
	n.tag, n.tagName, n.attrs, n.parent = c.DataAtom, name, c.Attr, parent
	if n.tag == 0 {
		// custom elements: keep them, they behave as containers
		n.tag = atom.Span
		if strings.Contains(name, "-") {
			n.tag = atom.Div
		}
	}
	for _, a := range c.Attr {
		switch a.Key {
		case "class":
			n.class = a.Val
		case "id":
			n.id = a.Val
		}
	}
}

// countDropped counts an element that is never content on its parent:
// form fields (Readability's input count; buttons and hidden fields say
// nothing about a block) and embeds.
func countDropped(c *html.Node, parent *node, hidden bool) {
	switch c.DataAtom {
	case atom.Input, atom.Textarea, atom.Select:
		if !hidden && !checklistBox(c, parent) {
			parent.inputs++
		}
	case atom.Iframe, atom.Object, atom.Embed, atom.Video, atom.Audio:
		parent.embeds++
	}
}

// checklistBox tells a checkbox that ticks a list's item (a checklist in
// the text), which says nothing of a form.
func checklistBox(c *html.Node, parent *node) bool {
	if c.DataAtom != atom.Input {
		return false
	}
	if v, _ := attrValue(c, "type"); !strings.EqualFold(v, "checkbox") {
		return false
	}
	for p, i := parent, 0; p != nil && i < 3; p, i = p.parent, i+1 {
		if p.tag == atom.Li {
			return true
		}
	}
	return false
}

// rollUp sums n's children's statistics into n once they are built.
func (n *node) rollUp() {
	for _, k := range n.kids {
		if k.tag != 0 && (k.hasBlock || isBlock(k.tag)) {
			n.hasBlock = true
		}
		n.textLen += k.textLen
		n.linkLen += k.linkLen
		n.commas += k.commas
		if k.tag != 0 {
			n.pCount += k.pCount
			n.liCount += k.liCount
			if k.tag != atom.Img {
				n.imgCount += k.imgCount
			}
			n.inputs += k.inputs
			n.embeds += k.embeds
		}
	}
	if (n.boiler || n.unlikely) && !n.positive {
		n.junkLen, n.junkLink = n.textLen, n.linkLen
	} else {
		for _, k := range n.kids {
			n.junkLen += k.junkLen
			n.junkLink += k.junkLink
		}
	}
	if n.boiler && !n.positive {
		n.boilLen, n.boilLink = n.textLen, n.linkLen
	} else {
		for _, k := range n.kids {
			n.boilLen += k.boilLen
			n.boilLink += k.boilLink
		}
	}
	switch n.tag {
	case atom.P:
		n.pCount++
	case atom.Li:
		n.liCount++
	}
}

// nodeArena hands out the nodes of one tree from chunks: a page has
// thousands of them, and one allocation a node was a good part of
// building the tree.
type nodeArena struct {
	chunk []node
}

const arenaChunk = 128

func (a *nodeArena) new() *node {
	if len(a.chunk) == cap(a.chunk) {
		a.chunk = make([]node, 0, arenaChunk)
	}
	a.chunk = a.chunk[:len(a.chunk)+1]
	return &a.chunk[len(a.chunk)-1]
}

// tokenMarks are what one class name (or id) matches.
type tokenMarks struct {
	body, unlikely, maybe, boiler, negative, positive bool
}

// classInfo is what one class (or id) value says of an element: the OR of
// its names' marks, Readability's weight, and whether it names a byline.
type classInfo struct {
	weight                        float64
	body, unlikely, maybe, boiler bool
	author                        bool
}

// classCache memoises classInfo for one page. Pages repeat the same class
// values thousands of times, so every pattern runs once per distinct value
// and an element costs one lookup for its class and one for its id; the
// patterns were the costliest part of reading a page.
type classCache struct {
	vals map[string]classInfo
}

func newClassCache() *classCache {
	return &classCache{vals: make(map[string]classInfo, 256)}
}

// tokens holds the marks of the class names seen so far, across pages:
// frameworks and sites reuse their names. It stops growing at maxTokens.
var tokens = struct {
	sync.RWMutex
	m map[string]tokenMarks
}{m: map[string]tokenMarks{}}

const maxTokens = 1 << 16

func token(t string) tokenMarks {
	tokens.RLock()
	m, ok := tokens.m[t]
	tokens.RUnlock()
	if ok {
		return m
	}
	m = markToken(t)
	tokens.Lock()
	if len(tokens.m) < maxTokens {
		tokens.m[strings.Clone(t)] = m
	}
	tokens.Unlock()
	return m
}

func markToken(t string) tokenMarks {
	l := strings.ToLower(t)
	bits := wordBits(l)
	m := tokenMarks{
		body:     bits&holdsBody != 0,
		unlikely: bits&holdsUnlikely != 0,
		maybe:    bits&holdsMaybe != 0,
		negative: bits&holdsNegative != 0 || l == "hid",
		positive: bits&holdsPositive != 0,
	}
	// the boilerplate pattern is costly: run it on the names that hold
	// one of its words
	if bits&(holdsComment|startsBoiler) != 0 {
		m.boiler = reBoiler.MatchString(l)
	}
	return m
}

// of returns what the class or id value v says; "" says nothing.
func (cc *classCache) of(v string) classInfo {
	if v == "" {
		return classInfo{}
	}
	if ci, ok := cc.vals[v]; ok {
		return ci
	}
	var ci classInfo
	neg, pos := false, false
	for rest := v; len(rest) > 0; {
		t := rest
		i := strings.IndexFunc(rest, unicode.IsSpace)
		if i >= 0 {
			t, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if t == "" || scrollUtility(t) {
			continue
		}
		m := token(withoutHash(t))
		ci.body = ci.body || m.body
		ci.unlikely = ci.unlikely || m.unlikely
		ci.maybe = ci.maybe || m.maybe
		ci.boiler = ci.boiler || m.boiler
		neg = neg || m.negative
		pos = pos || m.positive
	}
	if neg {
		ci.weight -= 25
	}
	if pos {
		ci.weight += 25
	}
	ci.author = authorNamed(v)
	cc.vals[v] = ci
	return ci
}

// withoutHash is t without a generated hash at its end
// ("component_1ad269af0d", "elementor-element-58ad1d2"): six or more hex
// digits, a digit among them, after a dash or an underscore. Read as
// words, such a hash holds "ad" as often as not.
func withoutHash(t string) string {
	i := strings.LastIndexAny(t, "-_")
	if i < 0 || len(t)-i-1 < 6 {
		return t
	}
	digit := false
	for _, r := range t[i+1:] {
		switch {
		case '0' <= r && r <= '9':
			digit = true
		case 'a' <= r && r <= 'f', 'A' <= r && r <= 'F':
		default:
			return t
		}
	}
	if !digit {
		return t
	}
	return t[:i+1]
}

// scrollUtility tells a utility class of a CSS framework that sets how
// the page scrolls to an element ("scroll-mt-[140px]", "md:scroll-pt-8",
// "scroll-smooth", "overflow-x-scroll"): Readability's "scroll" names a
// scrolling box of furniture, these are put on a body's headings.
func scrollUtility(t string) bool {
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		t = t[i+1:]
	}
	switch {
	case strings.HasPrefix(t, "scroll-m"), strings.HasPrefix(t, "scroll-p"):
		// scroll-m-4, scroll-mt-8, scroll-px-2: a side at most, then a value
		s := t[len("scroll-m"):]
		if s != "" && strings.IndexByte("trblxyse", s[0]) >= 0 {
			s = s[1:]
		}
		return len(s) > 1 && s[0] == '-'
	case t == "scroll-smooth", t == "scroll-auto":
		return true
	case strings.HasPrefix(t, "overflow-"):
		return strings.HasSuffix(t, "-scroll")
	}
	return false
}

// classify sets the unlikely/boiler/positive marks from class, id and role,
// and the class weight.
func classify(n *node, c *html.Node, cc *classCache) {
	if p := n.parent; p != nil {
		n.inBoiler = p.boiler || p.inBoiler
	}
	cl, id := cc.of(n.class), cc.of(n.id)
	if (id.boiler || id.unlikely || id.weight < 0) && slugOf(n.id, c) {
		n.anchor, id = true, classInfo{}
	}
	n.cw = cl.weight + id.weight
	switch n.tag {
	case atom.Body, atom.Html, atom.A, atom.Article, atom.Main:
		if n.attr("itemprop") == "articleBody" {
			n.positive = true
		}
		return
	case atom.Footer, atom.Aside:
		n.unlikely, n.boiler = true, true
	case atom.Figcaption:
		n.boiler = true
	}
	if role := n.attr("role"); role != "" && boilerRoles[strings.ToLower(role)] {
		n.unlikely, n.boiler = true, true
	}
	ip := n.attr("itemprop")
	if !n.inBoiler && (ip == "articleBody" || ip == "text" || cl.body || id.body) {
		n.positive = true
		n.unlikely, n.boiler = false, false
		return
	}
	if (cl.unlikely || id.unlikely) && !(cl.maybe || id.maybe) {
		n.unlikely = true
	}
	if cl.boiler || id.boiler {
		n.boiler = true
	}
}

// classWeight is Readability's class/id weight, computed when the tree is
// built.
func classWeight(n *node) float64 { return n.cw }

func collectMeta(c *html.Node, info *pageInfo) {
	collectAuthorLabel(c, info)
	switch c.DataAtom {
	case atom.Html:
		for _, a := range c.Attr {
			if a.Key == "lang" || (a.Key == "xml:lang" && info.htmlLang == "") {
				info.htmlLang = a.Val
			}
		}
	case atom.Title:
		if info.titleText == "" && c.FirstChild != nil {
			info.titleText = decodeLeftover(collapse(textContent(c)))
		}
	case atom.Meta:
		collectMetaTag(c, info)
	case atom.Link:
		collectLink(c, info)
	case atom.Base:
		if v, ok := attrValue(c, "href"); ok && info.baseHref == "" {
			info.baseHref = strings.TrimSpace(v)
		}
	case atom.Script:
		if v, ok := attrValue(c, "type"); ok && strings.Contains(strings.ToLower(v), "ld+json") {
			info.jsonld = append(info.jsonld, textContent(c))
		}
	case atom.Time:
		if v, ok := attrValue(c, "datetime"); ok {
			info.times = append(info.times, v)
		}
	case atom.H1:
		collectH1(c, info)
	case atom.A, atom.Span, atom.Div, atom.P, atom.Li, atom.Strong, atom.B, atom.Address, atom.Em, atom.Small, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		collectAuthorHints(c, info)
	}
	if c.DataAtom != atom.Meta {
		collectItemprop(c, info)
	}
}

// collectH1 keeps the texts of the page's first three <h1>.
func collectH1(c *html.Node, info *pageInfo) {
	if len(info.h1s) < 3 {
		if t := decodeLeftover(collapse(textContent(c))); t != "" {
			info.h1s = append(info.h1s, t)
		}
	}
}

// attrValue is the value of c's first attribute named key.
func attrValue(c *html.Node, key string) (string, bool) {
	for _, a := range c.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// collectAuthorLabel takes the name after a label: <h3>Author</h3><p>Jane
// Doe</p>.
func collectAuthorLabel(c *html.Node, info *pageInfo) {
	t := c.FirstChild
	if t == nil || t.Type != html.TextNode || t.NextSibling != nil || len(info.authorLabelled) >= 2 || !maybeAuthorLabel(t.Data) || !reAuthorLabel.MatchString(t.Data) {
		return
	}
	for s := c.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode {
			if v := collapse(textContent(s)); len(v) >= 2 && len(v) <= 60 {
				info.authorLabelled = append(info.authorLabelled, v)
			}
			return
		}
	}
}

// collectMetaTag keeps the first content of each <meta> name, property,
// itemprop or http-equiv.
func collectMetaTag(c *html.Node, info *pageInfo) {
	var key, content string
	hasContent := false
	for _, a := range c.Attr {
		switch a.Key {
		case "name", "property", "itemprop", "http-equiv":
			if key == "" {
				key = strings.ToLower(strings.TrimSpace(a.Val))
			}
		case "content":
			content, hasContent = a.Val, true
		}
	}
	if key == "" || !hasContent {
		return
	}
	content = strings.TrimSpace(content)
	if _, ok := info.metas[key]; !ok && content != "" {
		info.metas[key] = content
	}
}

// collectLink keeps the canonical and AMP addresses.
func collectLink(c *html.Node, info *pageInfo) {
	rel, href := "", ""
	for _, a := range c.Attr {
		switch a.Key {
		case "rel":
			rel = strings.ToLower(a.Val)
		case "href":
			href = a.Val
		}
	}
	switch {
	case rel == "canonical" && info.canonical == "":
		info.canonical = strings.TrimSpace(href)
	case rel == "amphtml" && info.amp == "":
		info.amp = strings.TrimSpace(href)
	}
}

// collectAuthorHints keeps the texts of elements that name their author:
// rel or itemprop author, a byline's class or id, a link to an author's
// page.
func collectAuthorHints(c *html.Node, info *pageInfo) {
	for _, a := range c.Attr {
		switch {
		case info.authorRel == "" && ((a.Key == "rel" && a.Val == "author") || (a.Key == "itemprop" && a.Val == "author")):
			if t := collapse(textContent(c)); t != "" && len(t) < 80 {
				info.authorRel = t
			}
		case (a.Key == "class" || a.Key == "id") && len(info.authorHints) < 6 && info.classes.of(a.Val).author:
			if t := collapse(textContent(c)); len(t) >= 2 && len(t) <= 160 {
				info.authorHints = append(info.authorHints, t)
			}
		case a.Key == "href" && c.DataAtom == atom.A && len(info.authorLinks) < 3 && authorPath(a.Val):
			if t := collapse(textContent(c)); len(t) >= 2 && len(t) <= 60 {
				info.authorLinks = append(info.authorLinks, t)
			}
		}
	}
}

// collectItemprop keeps itemprop values on elements other than <meta>
// (datePublished on <span content=..>).
func collectItemprop(c *html.Node, info *pageInfo) {
	var ip, content string
	for _, a := range c.Attr {
		switch a.Key {
		case "itemprop":
			ip = a.Val
		case "content", "datetime":
			content = a.Val
		}
	}
	if ip == "" || content == "" {
		return
	}
	k := strings.ToLower(ip)
	if _, ok := info.metas[k]; !ok {
		info.metas[k] = strings.TrimSpace(content)
	}
}

// authorNamed tells a class or id value naming a byline.
func authorNamed(v string) bool {
	if len(v) < 6 {
		return false
	}
	l := strings.ToLower(v)
	if !strings.Contains(l, "author") && !strings.Contains(l, "byline") && !strings.Contains(l, "writer") && !strings.Contains(l, "contributor") {
		return false
	}
	// an author box's name element names the author, whatever the box
	if reAuthorName.MatchString(l) {
		return true
	}
	return !reAuthorNot.MatchString(l)
}

// maybeAuthorLabel is a cheap test before reAuthorLabel, which would
// otherwise run on every short text of the page: a label is at most 12
// letters and starts like one.
func maybeAuthorLabel(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 2 || len(s) > 12 {
		return false
	}
	switch s[0] | 0x20 {
	case 'a', 'b', 'p', 's', 'w':
		return true
	}
	return false
}

// reAuthorLabel is an element that only labels the author's name after it.
var reAuthorLabel = regexp.MustCompile(`(?i)^\s*(written by|article by|posted by|words by|story by|author|authors|by)\s*:?\s*$`)

// reAuthorPath is the path of an author's page on most publishing systems.
// authorPath tells a link to an author's page. The pattern runs only on
// the links that hold one of its folders: it ran on every link of a page.
func authorPath(href string) bool {
	return (strings.Contains(href, "/author") || strings.Contains(href, "/writer") ||
		strings.Contains(href, "/people/") || strings.Contains(href, "/staff/")) &&
		reAuthorPath.MatchString(href)
}

var reAuthorPath = regexp.MustCompile(`/(?:author|authors|writer|writers|profile/author|people|staff)/[^/?#]+/?(?:$|[?#])`)

var reAuthorName = regexp.MustCompile(`(?:author|byline|writer)[a-z_-]*name`)

func textContent(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	var f func(*html.Node)
	f = func(m *html.Node) {
		for c := m.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
			case html.ElementNode:
				if c.DataAtom == atom.Script || c.DataAtom == atom.Style {
					if n.DataAtom == atom.Script {
						b.WriteString(textContent(c))
					}
					continue
				}
				b.WriteByte(' ')
				f(c)
			}
		}
	}
	f(n)
	return b.String()
}

// slugOf tells whether id is a slug of c's text: its words are the
// text's first words, half of them or more, once a "h-" that WordPress
// puts before its headings' slugs and a number that tells equal slugs
// apart are left out ("h-why-use-social-shopping",
// "key-benefits-of-hr-shared-services-2"). A container named for what it
// holds ("story-comments") is no slug of its text.
func slugOf(id string, c *html.Node) bool {
	parts := strings.FieldsFunc(strings.ToLower(id), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
	if len(parts) > 0 && parts[0] == "h" {
		parts = parts[1:]
	}
	if n := len(parts); n > 0 && strings.Trim(parts[n-1], "0123456789") == "" {
		parts = parts[:n-1]
	}
	if len(parts) < 2 {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(textContent(c)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return len(parts)*2 >= len(words) && len(parts) <= len(words) && slices.Equal(parts, words[:len(parts)])
}
