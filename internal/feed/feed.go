// Package feed parses a feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed) with
// gofeed and adapts its entries to model.Item, with the Google News specifics
// kabar needs: the <source> publisher, the " - Publisher" title suffix, the
// article ID of the link, the publisher URL of legacy links, and the
// related-coverage links and "Full Coverage" page of clustered items.
//
// Parse does no I/O. It expects the body as the server sent it (after
// Content-Encoding, before any charset conversion): an XML feed names its own
// encoding in its prolog and is decoded from that.
//
// Security: Go's encoding/xml never loads DTDs and never expands entities
// declared in one, so billion-laughs and XXE documents come out with the
// entity reference left as literal text ("&lol9;"), without any expansion,
// file read or network access. Descriptions are kept as raw HTML: they are
// untrusted and must be sanitized before they are shown.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
	xhtml "golang.org/x/net/html"

	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/model"
)

// Parsed is a parsed feed document.
type Parsed struct {
	Title string
	// Link is the feed's web page (the channel <link>), resolved against the
	// feed URL when relative.
	Link  string
	Items []model.Item
}

var (
	// ErrNotFeed is wrapped by every error for a document that is not a feed
	// kabar can read: empty, HTML, garbage, or malformed XML/JSON.
	ErrNotFeed = errors.New("not a feed")
	// ErrTooLarge is returned for documents over MaxSize.
	ErrTooLarge = errors.New("feed document too large")
)

// MaxSize is the largest document Parse accepts. The fetcher caps bodies
// lower; this is the parser's own guard.
const MaxSize = 32 << 20

// MaxGUIDLen bounds the GUID (a store key); a longer one is replaced by its hash.
const MaxGUIDLen = 2048

// detectWindow is how much of the document gofeed looks at to find the root
// element (gofeed's detectionPeekSize).
const detectWindow = 4096

// Parse parses body, fetched from feedURL, into items. feedURL is used to
// resolve relative links; it may be empty.
//
// Each item has FeedID 0 (the caller sets it) and Status model.ItemNew. Items
// are in document order; an item whose GUID repeats an earlier one's is
// dropped, as the feed says they are the same item.
func Parse(body []byte, feedURL string) (*Parsed, error) {
	if len(body) > MaxSize {
		return nil, fmt.Errorf("feed: %w: %d bytes (limit %d)", ErrTooLarge, len(body), MaxSize)
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM))
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("feed: %w: empty document", ErrNotFeed)
	}
	body = repairXML(body)

	prefix := body
	if len(prefix) > detectWindow {
		prefix = prefix[:detectWindow]
	}
	typ := gofeed.DetectFeedType(bytes.NewReader(prefix))
	if typ == gofeed.FeedTypeJSON && !isJSONFeed(trimmed) {
		typ = gofeed.FeedTypeUnknown
	}
	if typ == gofeed.FeedTypeUnknown {
		return nil, fmt.Errorf("feed: %w: %s", ErrNotFeed, describe(trimmed))
	}

	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	f, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("feed: %w: malformed %s: %v", ErrNotFeed, typeName(typ), err)
	}

	base := parseBase(feedURL)
	out := &Parsed{
		Title: plainTitle(f.Title),
		Link:  resolveLink(base, f.Link),
	}
	var rssItems []*rss.Item
	if rf, ok := f.OriginalFeed().(*rss.Feed); ok && len(rf.Items) == len(f.Items) {
		rssItems = rf.Items
	}
	feedIsGoogle := isGoogleFeed(base, f)

	seen := make(map[string]bool, len(f.Items))
	out.Items = make([]model.Item, 0, len(f.Items))
	for i, fi := range f.Items {
		if fi == nil {
			continue
		}
		var ri *rss.Item
		if rssItems != nil {
			ri = rssItems[i]
		}
		it := adapt(fi, ri, base, feedIsGoogle)
		if seen[it.GUID] {
			continue
		}
		seen[it.GUID] = true
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// adapt turns one gofeed item (and, for RSS, its original) into a model.Item.
func adapt(fi *gofeed.Item, ri *rss.Item, base *url.URL, feedIsGoogle bool) model.Item {
	it := model.Item{
		Title:       plainTitle(fi.Title),
		Description: cleanText(fi.Description),
		Status:      model.ItemNew,
	}
	if it.Description == "" {
		it.Description = cleanText(fi.Content)
	}

	rawGUID := cleanText(strings.TrimSpace(fi.GUID))
	permalink := true
	if ri != nil {
		if ri.GUID != nil {
			rawGUID = cleanText(strings.TrimSpace(ri.GUID.Value))
			permalink = !strings.EqualFold(strings.TrimSpace(ri.GUID.IsPermalink), "false")
		}
		if ri.Source != nil {
			it.Publisher = cleanLine(ri.Source.Title)
			it.PublisherURL = resolveLink(base, ri.Source.URL)
		}
	}

	it.Link = resolveLink(base, fi.Link)
	if it.Link == "" {
		for _, l := range fi.Links {
			if it.Link = resolveLink(base, l); it.Link != "" {
				break
			}
		}
	}
	if it.Link == "" && permalink && rawGUID != "" {
		// RSS: a guid that is a permalink is the item's URL.
		if u := resolveLink(nil, rawGUID); u != "" {
			it.Link = u
		}
	}

	if t := firstTime(fi.PublishedParsed, fi.UpdatedParsed); !t.IsZero() {
		it.Published = t.UTC()
	}

	switch {
	case rawGUID != "":
		it.GUID = rawGUID
	case it.Link != "":
		it.GUID = it.Link
	default:
		it.GUID = hashGUID(it.Title, fi, it.Published)
	}
	if len(it.GUID) > MaxGUIDLen {
		// Keep store keys small whatever a feed puts in its guid.
		sum := sha256.Sum256([]byte(it.GUID))
		it.GUID = "sha256:" + hex.EncodeToString(sum[:16])
	}

	id, isGoogle := gnews.ArticleID(it.Link)
	if isGoogle {
		it.ArticleID = id
	} else {
		it.ArticleID = it.GUID
	}
	if src, ok := gnews.LegacyURL(it.Link); ok {
		isGoogle = true
		it.SourceURL = src
	}
	if isGoogle || feedIsGoogle {
		googleTitle(&it)
		it.Related, it.StoryURL = coverage(it.Description, base, it.Link, it.ArticleID)
	}
	return it
}

// MaxRelated bounds the related-coverage links kept per item (Google lists
// up to about five).
const MaxRelated = 20

// coverage reads a Google News description for the other reports of the
// same story and the story's "Full Coverage" page. Clustered feeds (top
// stories, topics) describe an item as
//
//	<ol><li><a href="…">Headline</a>&nbsp;&nbsp;<font color="#6f6f6f">Publisher</font></li>…
//	<li><strong><a href="https://news.google.com/stories/…">View Full Coverage on Google News</a></strong></li></ol>
//
// whose first <li> is the item itself; 2022 feeds had the item's <a>, its
// <font> and the <strong><a> to /stories/ without a list; search feeds only
// the item's <a>. Related links come from <li> entries (the item itself
// left out, repeats dropped, links kept as the feed wrote them, so that
// Google News article IDs in them identify the reports); the Full Coverage
// link is recognised by its news.google.com/stories/ URL, whatever the
// language of its text.
func coverage(desc string, base *url.URL, self, selfID string) (related []model.Link, story string) {
	if !strings.Contains(desc, "<a") && !strings.Contains(desc, "<A") {
		return nil, ""
	}
	z := xhtml.NewTokenizer(strings.NewReader(desc))
	c := &coverageReader{base: base, self: self, selfID: selfID, seen: map[string]bool{}}
	for {
		switch tt := z.Next(); tt {
		case xhtml.ErrorToken:
			c.finish()
			return c.related, c.story
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			c.start(z, tt == xhtml.StartTagToken)
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			c.end(string(name))
		case xhtml.TextToken:
			c.text(z.Text())
		}
	}
}

// coverageReader reads the related links of one description, a token at a
// time.
type coverageReader struct {
	base         *url.URL
	self, selfID string
	related      []model.Link
	story        string
	seen         map[string]bool
	cur          *model.Link // the <li>'s link being read
	inLI, inA    bool
	inFont       bool
	title, label strings.Builder
}

// finish keeps the link being read, unless it is the item itself, a
// repeat, or one too many.
func (c *coverageReader) finish() {
	if c.cur == nil {
		return
	}
	c.cur.Title = cleanLine(c.title.String())
	c.cur.Publisher = cleanLine(c.label.String())
	id, _ := gnews.ArticleID(c.cur.URL)
	isSelf := c.cur.URL == c.self || (id != "" && id == c.selfID)
	if !isSelf && !c.seen[c.cur.URL] && len(c.related) < MaxRelated {
		c.seen[c.cur.URL] = true
		c.related = append(c.related, *c.cur)
	}
	c.cur = nil
	c.title.Reset()
	c.label.Reset()
}

// start reads a start tag; open is false for a self-closing one.
func (c *coverageReader) start(z *xhtml.Tokenizer, open bool) {
	name, hasAttr := z.TagName()
	switch string(name) {
	case "li":
		c.finish()
		c.inLI = true
	case "a":
		link := resolveLink(c.base, tagAttr(z, hasAttr, "href"))
		switch {
		case link == "":
		case isStoryLink(link):
			if c.story == "" {
				c.story = link
			}
		case c.inLI && c.cur == nil:
			c.cur = &model.Link{URL: link}
			c.inA = open
		}
	case "font":
		if color, ok := tagAttrOK(z, hasAttr, "color"); ok && strings.EqualFold(strings.TrimSpace(color), "#6f6f6f") {
			c.inFont = c.cur != nil && !c.inA && open
		}
	}
}

func (c *coverageReader) end(name string) {
	switch name {
	case "a":
		c.inA = false
	case "font":
		c.inFont = false
	case "li", "ol", "ul":
		c.finish()
		c.inLI = false
	}
}

func (c *coverageReader) text(b []byte) {
	switch {
	case c.inA && c.cur != nil && c.title.Len() < 1024:
		c.title.Write(b)
	case c.inFont && c.label.Len() < 256:
		c.label.Write(b)
	}
}

// tagAttr is the value of the current tag's last attribute named key ("" if
// none), reading all of its attributes.
func tagAttr(z *xhtml.Tokenizer, hasAttr bool, key string) string {
	v, _ := tagAttrOK(z, hasAttr, key)
	return v
}

func tagAttrOK(z *xhtml.Tokenizer, hasAttr bool, key string) (value string, ok bool) {
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		if string(k) == key {
			value, ok = string(v), true
		}
	}
	return value, ok
}

// isStoryLink reports a news.google.com/stories/… (Full Coverage) URL.
func isStoryLink(link string) bool {
	u, err := url.Parse(link)
	return err == nil && strings.EqualFold(u.Hostname(), "news.google.com") && strings.HasPrefix(u.Path, "/stories/")
}

// googleTitle strips the " - Publisher" suffix Google News appends to titles,
// but only when it is exactly the publisher's name. Without <source> (legacy
// feeds) the name comes from the description's grey <font> and is trusted
// only when the title ends with it.
func googleTitle(it *model.Item) {
	name := it.Publisher
	if name == "" {
		if name = descriptionPublisher(it.Description); name == "" {
			return
		}
	}
	stripped, ok := stripSuffix(it.Title, name)
	if !ok {
		return
	}
	it.Title = stripped
	if it.Publisher == "" {
		it.Publisher = name
	}
}

func stripSuffix(title, name string) (string, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return title, false
	}
	for _, sep := range []string{" - ", " – ", " — "} {
		if s, ok := strings.CutSuffix(title, sep+name); ok {
			if s = strings.TrimSpace(s); s != "" {
				return s, true
			}
		}
	}
	return title, false
}

// greyFont is the publisher label Google News puts in item descriptions,
// both in legacy (2012) and current feeds.
var greyFont = regexp.MustCompile(`(?is)<font\s+color="?#6f6f6f"?\s*>\s*([^<]{1,200}?)\s*</font\s*>`)

func descriptionPublisher(desc string) string {
	m := greyFont.FindStringSubmatch(desc)
	if m == nil {
		return ""
	}
	return cleanLine(html.UnescapeString(m[1]))
}

func isGoogleFeed(base *url.URL, f *gofeed.Feed) bool {
	if base != nil && strings.EqualFold(base.Hostname(), "news.google.com") {
		return true
	}
	if u, err := url.Parse(strings.TrimSpace(f.Link)); err == nil && strings.EqualFold(u.Hostname(), "news.google.com") {
		return true
	}
	return false
}

func firstTime(ts ...*time.Time) time.Time {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			return *t
		}
	}
	return time.Time{}
}

// hashGUID stands in for a GUID when an item has neither guid nor link.
func hashGUID(title string, fi *gofeed.Item, published time.Time) string {
	date := strings.TrimSpace(fi.Published)
	if !published.IsZero() {
		date = published.Format(time.RFC3339)
	} else if date == "" {
		date = strings.TrimSpace(fi.Updated)
	}
	sum := sha256.Sum256([]byte(title + "\n" + date))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

func parseBase(feedURL string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(feedURL))
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil
	}
	return u
}

// resolveLink trims a link, resolves it against base when it is relative and
// keeps it only when it is an http(s) URL: javascript:, data:, file: and the
// like are dropped. An absolute link is returned exactly as written.
func resolveLink(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" || !utf8.ValidString(link) || strings.ContainsAny(link, "\x00\r\n\t") {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		if base == nil {
			return ""
		}
		u = base.ResolveReference(u)
		link = u.String()
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" {
		return ""
	}
	return link
}

// cleanText makes s valid UTF-8 and removes the C0 control characters other
// than tab, LF and CR (and DEL).
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isBadControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBadControl(r) {
			return -1
		}
		return r
	}, s)
}

func isBadControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}

// plainTitle makes a title plain text: tags dropped (Atom type="html"
// titles, CDATA markup), entities decoded (double-escaped "&amp;amp;"), white
// space collapsed. Titles without '<' or '&' only get cleanLine.
func plainTitle(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return cleanLine(s)
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return cleanLine(b.String())
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			tt := z.Token()
			if isRawTextTag(tt.Data) && tt.Type != xhtml.SelfClosingTagToken {
				if tt.Type == xhtml.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			if isBreakTag(tt.Data) {
				b.WriteByte(' ')
			}
		}
	}
}

func isBreakTag(name string) bool {
	switch name {
	case "br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "hr", "blockquote":
		return true
	}
	return false
}

func isRawTextTag(name string) bool {
	switch name {
	case "script", "style", "noscript", "template", "iframe", "textarea", "title", "xmp", "noembed", "noframes":
		return true
	}
	return false
}

// cleanLine is cleanText with white space collapsed to single spaces.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

func typeName(t gofeed.FeedType) string {
	switch t {
	case gofeed.FeedTypeRSS:
		return "RSS"
	case gofeed.FeedTypeAtom:
		return "Atom"
	case gofeed.FeedTypeJSON:
		return "JSON Feed"
	}
	return "feed"
}

// isJSONFeed reports whether a JSON object looks like a JSON Feed: its version
// names jsonfeed.org, or it has an items array. gofeed takes any object (an
// API's {"error": …} reply included) for an empty feed.
func isJSONFeed(b []byte) bool {
	var probe struct {
		Version string          `json:"version"`
		Items   json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return true // let gofeed report the syntax error
	}
	if strings.Contains(probe.Version, "jsonfeed.org/version/") {
		return true
	}
	items := bytes.TrimSpace(probe.Items)
	return len(items) > 0 && items[0] == '['
}

var htmlStart = regexp.MustCompile(`(?i)<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]`)

// describe says what a document that is not a feed looks like, for the error.
func describe(b []byte) string {
	head := b
	if len(head) > detectWindow {
		head = head[:detectWindow]
	}
	switch {
	case htmlStart.Match(head):
		return "an HTML page"
	case head[0] == '<':
		if name := rootName(head); name != "" {
			return "XML whose root element is <" + name + ">, not <rss>, <rdf:RDF> or <feed>"
		}
		return "XML without an rss, rdf or feed root element in its first 4 KiB"
	case head[0] == '{' || head[0] == '[':
		return "JSON that is not a JSON Feed"
	case !utf8.Valid(head):
		return "binary data (compressed, or not text)"
	}
	return "text that is neither XML nor JSON"
}

var rootRE = regexp.MustCompile(`<([A-Za-z_][A-Za-z0-9_.:-]{0,63})[\s/>]`)

func rootName(b []byte) string {
	if m := rootRE.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// repairXML fixes, in an XML document that is (or says it is) UTF-8, what
// would make encoding/xml reject the whole feed for one bad character:
// invalid UTF-8 byte sequences and numeric character references to code
// points XML forbids (&#0;, surrogates, beyond U+10FFFF, overflowing
// numbers), and the non-characters U+FFFE and U+FFFF. All become U+FFFD. Other encodings and JSON are left alone.
func repairXML(body []byte) []byte {
	t := bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), " \t\r\n")
	if len(t) == 0 || t[0] != '<' || !declaresUTF8(t) {
		return body
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	// U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
	for _, nc := range []string{"\uFFFE", "\uFFFF"} {
		if bytes.Contains(body, []byte(nc)) {
			body = bytes.ReplaceAll(body, []byte(nc), []byte("\uFFFD"))
		}
	}
	if bytes.Contains(body, []byte("&#")) {
		body = fixCharRefs(body)
	}
	return body
}

var encodingDecl = regexp.MustCompile(`^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// declaresUTF8 reports whether an XML document is UTF-8: its declaration says
// so or says nothing (the XML default). A UTF-16 document starts with a BOM
// or a NUL byte and is not UTF-8.
func declaresUTF8(t []byte) bool {
	if len(t) > 1 && t[1] == 0 {
		return false
	}
	m := encodingDecl.FindSubmatch(t)
	if m == nil {
		return true
	}
	switch strings.ToLower(string(m[1])) {
	case "utf-8", "utf8":
		return true
	}
	return false
}

var charRef = regexp.MustCompile(`&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));`)

func fixCharRefs(body []byte) []byte {
	return charRef.ReplaceAllFunc(body, func(ref []byte) []byte {
		var v uint64
		var err error
		if ref[2] == 'x' || ref[2] == 'X' {
			v, err = strconv.ParseUint(string(ref[3:len(ref)-1]), 16, 32)
		} else {
			v, err = strconv.ParseUint(string(ref[2:len(ref)-1]), 10, 32)
		}
		if err == nil && xmlChar(rune(v)) {
			return ref
		}
		return []byte("&#xFFFD;")
	})
}

// xmlChar reports whether r is a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
