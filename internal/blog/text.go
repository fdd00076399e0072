package blog

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Paragraphs turns a post's HTML into kabar's text: one plain-text
// paragraph per block, a line break (Blogger writes paragraphs as
// <br /><br />) starting a new one. An image becomes a paragraph naming it
// and its address, so that it stays reachable as a link; scripts, styles
// and embedded frames are dropped. The result is still untrusted text:
// the importer cleans it with sanitize.Plain, and every page escapes it.
func Paragraphs(src string) []string {
	doc, err := html.Parse(strings.NewReader("<body>" + src))
	if err != nil {
		return nil
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		t := strings.Join(strings.Fields(cur.String()), " ")
		if t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Iframe, atom.Object, atom.Embed, atom.Template, atom.Head:
				return
			case atom.Br, atom.Hr:
				flush()
				return
			case atom.Img:
				if src := imgSrc(n); src != "" {
					flush()
					alt := strings.Join(strings.Fields(attr(n, "alt")), " ")
					if alt == "" {
						alt = "Image"
					}
					out = append(out, alt+": "+src)
				}
				return
			}
		}
		block := n.Type == html.ElementNode && blockElement[n.DataAtom]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Td || n.DataAtom == atom.Th) {
			cur.WriteString(" ")
		}
	}
	walk(doc)
	flush()
	return out
}

var blockElement = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Li: true, atom.Blockquote: true, atom.Pre: true,
	atom.Tr: true, atom.Figure: true, atom.Figcaption: true, atom.Section: true,
	atom.Article: true, atom.Header: true, atom.Footer: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Address: true,
	atom.Center: true,
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// imgSrc is an image's address when it is one a reader could follow.
func imgSrc(n *html.Node) string {
	src := attr(n, "src")
	if strings.HasPrefix(src, "//") {
		src = "https:" + src
	}
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return ""
	}
	return src
}

// Images lists the addresses of a body's images, in order.
func Images(src string) []string {
	doc, err := html.Parse(strings.NewReader("<body>" + src))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Img {
			if s := imgSrc(n); s != "" {
				out = append(out, s)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// Text is a comment's HTML as plain text, one line per paragraph.
func Text(src string) string {
	return strings.Join(Paragraphs(src), "\n")
}

var (
	// shortcodes are WordPress's [caption …]…[/caption] and kin: markup
	// for WordPress's own renderer, which would show as bracketed text.
	shortcodes = regexp.MustCompile(`\[/?(caption|wp_caption|gallery|embed|video|audio|playlist)\b[^\]]*\]`)
	blankLines = regexp.MustCompile(`\n\s*\n`)
	blockStart = regexp.MustCompile(`(?i)^<(p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|!--)[\s>/]`)
)

// Autop does what WordPress's wpautop does to a post before showing it:
// text separated by a blank line is a paragraph, a single line break a
// <br />. WordPress stores posts without these, so an export read without
// them would run every paragraph together.
func Autop(src string) string {
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	src = shortcodes.ReplaceAllString(src, "")
	var b strings.Builder
	for _, chunk := range blankLines.Split(src, -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		if blockStart.MatchString(chunk) {
			b.WriteString(chunk + "\n")
			continue
		}
		b.WriteString("<p>" + strings.ReplaceAll(chunk, "\n", "<br />\n") + "</p>\n")
	}
	return b.String()
}
