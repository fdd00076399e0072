package extract

import (
	"regexp"
	"strings"

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
	baseHref  string
	times     []string // <time datetime> in document order
	h1s       []string
	authorRel string // text of the first <a rel=author> / itemprop=author element
}

var (
	// Readability's patterns for class and id values.
	reUnlikely = regexp.MustCompile(`(?i)-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote`)
	reMaybe    = regexp.MustCompile(`(?i)and|article|body|column|content|main|shadow`)
	reNegative = regexp.MustCompile(`(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget`)
	rePositive = regexp.MustCompile(`(?i)article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story`)
	// reBoiler marks elements that are boilerplate wherever they sit, as
	// long as they are not themselves the article body.
	reBoiler    = regexp.MustCompile(`(?i)comment(?:s|[^a-z]|$|text|body|list|area|form|section|wrap|even|odd|item|thread|container|block|data|count)|(?:^|[^a-z])(?:share|sharing|social|related|newsletter|subscri|signup|sign-up|cookie|consent|gdpr|promo|advert|ads?(?:$|[^a-z]|slot|unit|box|wrap|container|banner|label)|sponsor|caption|credit|byline|breadcrumb|outbrain|taboola|recommend|read-?more|more-?stories|toolbar|disclaimer|author-?(?:bio|box|info|card)|about-?(?:the-)?author|tags?(?:$|[^a-z]|list|cloud|links)|(?:entry|post|article|story)-?meta|dateline|timestamp|sr-only|visually-?hidden|screen-reader|offscreen|print-?only|skip-?link|paywall|inline-?(?:promo|related|ad)|trending|most-?(?:read|popular)|also-?read|see-?also|follow-?us)`)
	reBodyClass = regexp.MustCompile(`(?i)article-?body|articlebody|story-?body|entry-?content|post-?(?:content|body)|article-?content|article-?text|story-?content|body-?text|main-?content|content-?body|article__body|story__body|rich-?text|text-?body`)
)

var boilerRoles = map[string]bool{
	"navigation": true, "menu": true, "menubar": true, "complementary": true,
	"contentinfo": true, "alert": true, "alertdialog": true, "dialog": true,
	"search": true, "banner": true, "toolbar": true,
}

// build converts the parsed page into the extractor's tree, dropping what is
// never content and gathering metadata on the way.
func build(doc *html.Node, info *pageInfo) *node {
	root := &node{tag: atom.Html, tagName: "html"}
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
					// keep one separator so that inline words do not glue
					if len(parent.kids) > 0 && c.Data != "" {
						parent.kids = append(parent.kids, &node{text: " ", parent: parent})
					}
					continue
				}
				t := &node{text: c.Data, parent: parent, textLen: n, commas: commas}
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
					parent.kids = append(parent.kids, &node{tag: atom.Img, tagName: "img", attrs: c.Attr, parent: parent, imgCount: 1})
					continue
				}
				hidden := isHidden(c)
				if dropTag(c.DataAtom) {
					switch c.DataAtom {
					case atom.Input, atom.Textarea, atom.Select:
						// form fields (Readability's input count; buttons and
						// hidden fields say nothing about a block)
						if !hidden {
							parent.inputs++
						}
					case atom.Iframe, atom.Object, atom.Embed, atom.Video, atom.Audio:
						parent.embeds++
					case atom.Head:
						walk(c, nil, false)
					}
					continue
				}
				name := c.Data
				if c.DataAtom != 0 {
					name = c.DataAtom.String()
				}
				n := &node{tag: c.DataAtom, tagName: name, attrs: c.Attr, parent: parent}
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
				classify(n)
				walk(c, n, inLink || n.tag == atom.A)
				// roll the statistics up
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

// classify sets the unlikely/boiler/positive marks from class, id and role.
func classify(n *node) {
	if p := n.parent; p != nil {
		n.inBoiler = p.boiler || p.inBoiler
	}
	match := n.class + " " + n.id
	role := strings.ToLower(n.attr("role"))
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
	if boilerRoles[role] {
		n.unlikely, n.boiler = true, true
	}
	inBoiler := n.inBoiler
	ip := n.attr("itemprop")
	if !inBoiler && (ip == "articleBody" || ip == "text" || reBodyClass.MatchString(match)) {
		n.positive = true
		n.unlikely, n.boiler = false, false
		return
	}
	if strings.TrimSpace(match) == "" {
		return
	}
	if reUnlikely.MatchString(match) && !reMaybe.MatchString(match) {
		n.unlikely = true
	}
	if reBoiler.MatchString(match) {
		n.boiler = true
	}
}

// classWeight is Readability's class/id weight.
func classWeight(n *node) float64 {
	w := 0.0
	if n.class != "" {
		if reNegative.MatchString(n.class) {
			w -= 25
		}
		if rePositive.MatchString(n.class) {
			w += 25
		}
	}
	if n.id != "" {
		if reNegative.MatchString(n.id) {
			w -= 25
		}
		if rePositive.MatchString(n.id) {
			w += 25
		}
	}
	return w
}

func collectMeta(c *html.Node, info *pageInfo) {
	switch c.DataAtom {
	case atom.Html:
		for _, a := range c.Attr {
			if a.Key == "lang" || (a.Key == "xml:lang" && info.htmlLang == "") {
				info.htmlLang = a.Val
			}
		}
	case atom.Title:
		if info.titleText == "" && c.FirstChild != nil {
			info.titleText = collapse(textContent(c))
		}
	case atom.Meta:
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
			case "charset":
			}
		}
		if key != "" && hasContent {
			content = strings.TrimSpace(content)
			if _, ok := info.metas[key]; !ok && content != "" {
				info.metas[key] = content
			}
		}
	case atom.Link:
		rel, href := "", ""
		for _, a := range c.Attr {
			switch a.Key {
			case "rel":
				rel = strings.ToLower(a.Val)
			case "href":
				href = a.Val
			}
		}
		if rel == "canonical" && info.canonical == "" {
			info.canonical = strings.TrimSpace(href)
		}
	case atom.Base:
		for _, a := range c.Attr {
			if a.Key == "href" && info.baseHref == "" {
				info.baseHref = strings.TrimSpace(a.Val)
			}
		}
	case atom.Script:
		for _, a := range c.Attr {
			if a.Key == "type" && strings.Contains(strings.ToLower(a.Val), "ld+json") {
				info.jsonld = append(info.jsonld, textContent(c))
			}
		}
	case atom.Time:
		for _, a := range c.Attr {
			if a.Key == "datetime" {
				info.times = append(info.times, a.Val)
			}
		}
	case atom.H1:
		if len(info.h1s) < 3 {
			if t := collapse(textContent(c)); t != "" {
				info.h1s = append(info.h1s, t)
			}
		}
	case atom.A, atom.Span, atom.Div, atom.P:
		if info.authorRel != "" {
			return
		}
		for _, a := range c.Attr {
			if (a.Key == "rel" && a.Val == "author") || (a.Key == "itemprop" && a.Val == "author") {
				if t := collapse(textContent(c)); t != "" && len(t) < 80 {
					info.authorRel = t
				}
			}
		}
	}
	// itemprop values on non-meta elements (datePublished on <span content=..>)
	if c.DataAtom != atom.Meta {
		var ip, content string
		for _, a := range c.Attr {
			switch a.Key {
			case "itemprop":
				ip = a.Val
			case "content", "datetime":
				content = a.Val
			}
		}
		if ip != "" && content != "" {
			k := strings.ToLower(ip)
			if _, ok := info.metas[k]; !ok {
				info.metas[k] = strings.TrimSpace(content)
			}
		}
	}
}

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
