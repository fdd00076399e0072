package extract

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/atom"
)

// block is one paragraph of output in the making.
type block struct {
	text    string
	textLen int
	linkLen int
	heading bool
	li      bool
	quote   bool
	seq     int // index of its Decision when tracing, else -1
	// box is the outermost small container (under the part walked) the
	// block sits in, or nil: a widget's other lines share its box
	box *node
}

type collector struct {
	blocks  []block
	buf     strings.Builder
	linkLen int
	heading bool
	li      bool
	quote   int
	olItem  int // number of the <li> about to be walked inside an <ol>
	tr      *tracer
	tables  map[*node]bool // isDataTable, by table
	box     *node
	depth   int
}

// dataRow tells a row of a data table whose cells hold inline text only.
func (c *collector) dataRow(tr *node) bool {
	cells := 0
	for _, k := range tr.kids {
		switch k.tag {
		case atom.Td, atom.Th:
			if k.hasBlock {
				return false
			}
			cells++
		}
	}
	if cells < 2 {
		return false
	}
	t := tr.parent
	for t != nil && t.tag != atom.Table {
		t = t.parent
	}
	if t == nil {
		return false
	}
	if v, ok := c.tables[t]; ok {
		return v
	}
	if c.tables == nil {
		c.tables = map[*node]bool{}
	}
	v := isDataTable(t)
	c.tables[t] = v
	return v
}

func (c *collector) flush() {
	t := collapse(c.buf.String())
	if t != "" {
		n, _ := textStats(t)
		seq := -1
		if c.tr != nil {
			seq = c.tr.add(Decision{Kept: true, Text: t})
		}
		c.blocks = append(c.blocks, block{text: t, textLen: n, linkLen: c.linkLen, heading: c.heading, li: c.li, quote: c.quote > 0, seq: seq, box: c.box})
	}
	c.buf.Reset()
	c.linkLen = 0
	c.heading = false
	c.li = false
}

func (c *collector) walk(n *node, inLink bool, heading bool, li bool) {
	if n.removed {
		if c.tr != nil {
			c.traceRemoved(n)
		}
		return
	}
	if n.isText() {
		c.text(n, inLink, heading, li)
		return
	}
	switch n.tag {
	case atom.Br, atom.Hr:
		c.flush()
		return
	case atom.Img:
		return
	}
	if n.tag == atom.Tr && c.dataRow(n) {
		c.row(n, inLink, heading, li)
		return
	}
	block := isBlock(n.tag)
	if block {
		c.flush()
	}
	if n.tag == atom.Blockquote {
		c.quote++
	}
	c.number(n)
	h := heading || isHeading(n.tag)
	l := li || n.tag == atom.Li || n.tag == atom.Dd || n.tag == atom.Dt
	opened := false
	if block && c.box == nil && c.depth > 0 && n.textLen <= maxBox && isBoxTag(n.tag) {
		c.box, opened = n, true
	}
	c.depth++
	c.kids(n, inLink || n.tag == atom.A, h, l)
	c.depth--
	if opened {
		c.flush()
		c.box = nil
	}
	c.olItem = 0
	if n.tag == atom.Blockquote {
		c.quote--
	}
	if block {
		c.flush()
	}
}

// number starts an ordered list's item with its number, as a reader sees
// it.
func (c *collector) number(n *node) {
	if n.tag == atom.Li && c.olItem > 0 && n.textLen > 0 {
		c.buf.WriteString(strconv.Itoa(c.olItem) + ". ")
	}
}

// text adds a text node to the block being collected.
func (c *collector) text(n *node, inLink, heading, li bool) {
	c.buf.WriteString(n.text)
	if inLink {
		c.linkLen += n.textLen
	}
	if heading {
		c.heading = true
	}
	if li {
		c.li = true
	}
}

// row collects a data table's row, which reads as one line: cell | cell
// | cell.
func (c *collector) row(n *node, inLink, heading, li bool) {
	c.flush()
	first := true
	for _, k := range n.kids {
		if k.tag != atom.Td && k.tag != atom.Th || k.removed {
			continue
		}
		if !first {
			c.buf.WriteString(" | ")
		}
		first = false
		for _, kk := range k.kids {
			c.walk(kk, inLink, heading, li)
		}
	}
	c.flush()
}

// kids walks n's children, numbering an ordered list's items.
func (c *collector) kids(n *node, inLink, heading, li bool) {
	item := 0
	for _, k := range n.kids {
		c.olItem = 0
		if n.tag == atom.Ol && k.tag == atom.Li {
			item++
			c.olItem = item
		}
		c.walk(k, inLink, heading, li)
	}
}

// traceRemoved records the removed elements of a subtree the cleaning
// dropped; an element that went because it was left empty stands for its
// removed children.
func (c *collector) traceRemoved(n *node) {
	if n.tag == 0 {
		return
	}
	r := c.tr.reasons[n]
	if r == "" || r == "empty" {
		for _, k := range n.kids {
			if k.removed {
				c.traceRemoved(k)
			}
		}
		return
	}
	if t := n.rawText(); t != "" {
		c.flush()
		c.tr.add(Decision{Reason: r, Path: n.path(), Text: t})
	}
}

var (
	// whole-line junk
	reJunkLine = regexp.MustCompile(`(?i)^[\s\p{P}\p{S}]*(advertisement|advertising|advert|ad|ads|sponsored|sponsored content|iklan|scroll to continue( with content)?|continue reading( below)?|story continues( below)?( advertisement)?|article continues below|(share|email|print|save|tweet|follow)( (this|the) (article|story|page|post))?|share on (facebook|twitter|whatsapp|linkedin|x)|(click|tap) (here|to) .{0,40}|read (more|full story|the full story|next)|more on this story|related (stories|articles|content|coverage|topics|links)|recommended( for you| stories| articles)?|most (read|popular|viewed)|trending( now)?|(sign up|subscribe)( now| today| for free)?|comments?|\d+ comments?|leave a (comment|reply)|(photo|image|picture|video|graphic)s?|watch( now| video)?|listen( now| to this article)?|back to top|top of page|skip to (main )?content|tags?|topics?|image source,? .{0,60}|image caption,? .{0,120}|getty images|reuters|ap|afp|pa|pa media|epa|bbc|\(.{1,40}\))[\s\p{P}\p{S}]*$`)
	// the text embedded widgets show inside a body whatever their names:
	// players' notices and fallbacks, read-aloud buttons, app, podcast,
	// channel and newsletter calls, social embeds' fallback lines, and a
	// "Read more from X:" label whose links went
	reWidgetLine = regexp.MustCompile(`(?i)^[\s\p{P}\p{S}]*(` +
		`please (use|switch to|try) (a |an )?(different|another|modern|newer|up-to-date|supported|chrome|firefox|safari|edge)? ?browser\b.*|` +
		`(this|the) (video|audio|clip|media|content|player|podcast|episode|embed) (can ?not|can't|could not|couldn't|is not|isn't|is no longer|failed to) (be )?(played|play|load|loaded|available|supported|displayed|shown)\b.*|` +
		`(your|this) browser (does not|doesn't|cannot|can't) (support|play)\b.*|` +
		`(to (play|view|watch|see|listen to) this (video|audio|content|media|podcast|episode|embed)|(you need to |please )?(enable|turn on|activate) javascript)\b.*|` +
		`javascript (is )?(required|disabled)\b.*|` +
		`(listen to|hear) (this|the) (article|story|report|piece|post)\b.{0,40}|` +
		`(this|the) (audio|narration|voice|voiceover|audio version)( of this (article|story))? (is|was|has been) (created|generated|produced|read|narrated) (using|with|by)\b.*|` +
		`(follow|join) .{1,40} on (whatsapp|telegram|google news|google discover|instagram|tiktok|youtube|threads|bluesky|facebook|twitter|x)\b.{0,60}|` +
		`(click|tap) (here )?to (subscribe|follow|listen|download)\b.{0,80}|` +
		`subscribe to .{1,60} (wherever|on|via) .{0,40}podcasts?.{0,20}|` +
		`(sign up|subscribe|register) (to|for) (our|the) .{0,50}newsletters?\b.{0,60}|` +
		`(view|see) this post on (instagram|facebook|threads|x|twitter|tiktok)|a post shared by .{1,60}|` +
		`(watch|listen|view) (on|in) (youtube|tiktok|instagram|spotify|apple podcasts|the app)|` +
		`(read|see|watch) more (from|on|about) .{1,40}:|` +
		`(video|audio) (ad )?(feedback|unavailable|loading)|loading (video|audio|player)|` +
		`join (our|the|my) (free |weekly |daily |monthly )?(newsletter|mailing list|email list)\b.{0,80}|stay (connected|in touch) with (me|us)|` +
		`(get|receive) .{0,40} (in|to|straight to|delivered to) your inbox\b.{0,40}|was this (newsletter|email) forwarded to you\b.{0,80}` +
		`)[\s\p{P}\p{S}]*$`)
	// teaser prefixes: a block that starts with them and holds a link
	reTeaser = regexp.MustCompile(`(?i)^[\s\p{P}]*(read more|read also|also read|read next|related|see also|more|baca juga|baca|lihat juga|simak juga|artikel terkait|berita terkait|watch|listen|click here|recommended|you may also like|you might also like|more from|more on|latest|editor'?s pick|also on|don't miss|must read)\b`)
	// "Website: https://…": a label over a link to an address
	reLinkLabel = regexp.MustCompile(`^(\p{Lu}[\p{L}\p{N}&.'’-]*(?: [\p{L}\p{N}&.'’-]+){0,3}):\s+(?i:https?://|www\.)?[\w-]+(\.[\w-]+)+(/\S*)?$`)
	// a caption that ends with its photograph's credit ("The harbour at
	// dawn. Photo by: 'Jane Doe'.")
	reCaptionCredit = regexp.MustCompile(`(?i)[.!?]["'’”]?\s+(photo|image|picture|photograph)s?\s+(by|credit|courtesy of)\s*:?\s*[^.!?]{1,50}[.]?["'’”)]*$`)
	// leading/trailing furniture: bylines, datelines, credits, copyright
	reByline        = regexp.MustCompile(`(?i)^(by|oleh|written by|posted by|reported by|words by|story by|reporting by|editing by|penulis|reporter|editor|author)\b[:\s]`)
	reCredit        = regexp.MustCompile(`(?i)^(photo|image|picture|pic|credit|source|foto|gambar|sumber|caption|illustration|video)s?\b\s*(:|by|credit|source)`)
	reCopy          = regexp.MustCompile(`(?i)(©|\(c\)|copyright|all rights reserved|hak cipta)`)
	reDateline      = regexp.MustCompile(`(?i)^(updated|published|posted|last updated|last modified|first published|diperbarui|dipublikasikan|diterbitkan)?[:\s]*((mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s*)?(\d{1,2}\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januari|februari|maret|mei|juni|juli|agustus|oktober|desember)[a-z]*\.?\s+\d{1,2}?`)
	reCommentsStart = regexp.MustCompile(`(?i)^[\s\p{P}]*(\d+\s+)?(comments?|reader'?s'? comments?|your comments|user comments|comment(s)? on this (story|article)|have your say|leave a (comment|reply)|add (a |your )?comment|post a comment|write a comment|join the (discussion|conversation)|\d+ (responses|replies)|(\d+|one|two|three) (responses|replies|thoughts|comments) (on|to) .*|komentar|tulis komentar|comments (are|have been) (now )?closed( for this (story|article|post))?|(thanks|thank you) for your comments.{0,60}|this (feedback|discussion|thread) is (now )?closed)[\s\p{P}]*(\(\d+\))?[\s\p{P}]*$`)
	reMoreStart     = regexp.MustCompile(`(?i)^[\s\p{P}]*((the )?latest|recent|related|similar|popular|more|other|further|trending|featured|recommended|suggested) (news|posts|articles|stories|reads|reading|blogs?|blog posts|insights|resources|guides)( (that|which) (may|might) interest you| for you)?[\s\p{P}]*$|^[\s\p{P}]*(you (may|might) (also )?(like|enjoy)|read next|keep reading|more from (the|our) blog|from (the|our) blog|more like this)[\s\p{P}]*$`)
	// "More from CFR", "More from Harbour Post:": the site's name after it
	reMoreFrom     = regexp.MustCompile(`^(More|MORE) (from|From|FROM) \p{Lu}[\p{L}\p{N}&'’.-]*( \p{Lu}[\p{L}\p{N}&'’.-]*){0,3}:?$`)
	reCommentStamp = regexp.MustCompile(`(?i)^(posted|written|submitted|comment(ed)?) by:? .{1,60}\b(on|at)\b.*\d`)
	// short lines that are furniture wherever they stand
	reBylineName = regexp.MustCompile(`^(?i:by|oleh|written by|posted by|reported by|words by|story by)\s+(\p{Lu}[\p{L}.'’-]*\s*){1,4}([,|/–—-].{0,60})?$`)
	reLabelLine  = regexp.MustCompile(`(?i)^(tags?|topics?|filed under|categories|category|related topics|keywords|labels|more on|see also|sources?|photo credit|image credit|credit|foto|sumber foto)\s*:`)
	reMailLine   = regexp.MustCompile(`(?i)^(send|e-?mail|mail|forward) (this|to a friend)|^(print|email) (this )?(article|story|page)|^(report|flag) (this|abuse)|^reply$|^(most|more) (popular|read|viewed|commented)`)
	reDateOnly   = regexp.MustCompile(`(?i)^[\p{P}\s]*((updated|published|posted|last updated|diperbarui)[:\s]+)?((mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s*)?(\d{1,2}(st|nd|rd|th)?\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}(st|nd|rd|th)?,?\s+)?\d{4}([\s,]+(at\s+)?\d{1,2}[:.]\d{2}(\s*[ap]\.?m\.?)?(\s*[a-z]{2,4})?)?[\p{P}\s]*$`)
	// multi-page markers: "Page 2 of 3", "Next page", "Pages: 1 | 2 | 3"
	rePager    = regexp.MustCompile(`(?i)^[\s\p{P}]*((page|halaman|seite|página|pagina|страница)\s*\d+\s*(of|dari|von|de|di|из|/)\s*\d+|((next|previous|prev)\s+(page|part)|halaman (berikut|selanjutnya)|nächste seite)\b.{0,80}|(next|prev|previous)\s*[»›>]|pages?\s*:?[\s\d|,.·»«›‹<>-]*|continued on (the )?next page|continue reading on (the )?next page|(go to )?page \d+)[\s\p{P}»›]*$`)
	reClock    = regexp.MustCompile(`(?i)^\d{1,2}[:.]\d{2}(\s*([ap]\.?m\.?|gmt|bst|utc|cet|est|edt|pst|pdt|wib))?$`)
	reTimeOnly = regexp.MustCompile(`(?i)^[\w\s,.:/|-]{0,40}\d{1,2}[:.]\d{2}\s*(am|pm|gmt|bst|utc|est|edt|pst|pdt|wib|wita|wit|et|pt|ct)?\b[\w\s,.:/|()+-]{0,30}$`)
)

// maxBox is the most text a container may hold for its lines to go
// with a widget line among them.
const maxBox = 400

func isBoxTag(t atom.Atom) bool {
	switch t {
	case atom.Div, atom.Aside, atom.Section, atom.Figure, atom.Form:
		return true
	}
	return false
}

// sentenceEnd reports whether s ends like a sentence.
func sentenceEnd(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return r == '"' || r == '\'' || r == '”' || r == '’' || r == ')' || r == '»' || unicode.IsSpace(r)
	})
	if s == "" {
		return false
	}
	switch s[len(s)-1] {
	case '.', '!', '?', ':', ';':
		return true
	}
	return strings.HasSuffix(s, "…") || strings.HasSuffix(s, "。")
}

func wordCount(s string) int {
	n := 0
	in := false
	for _, r := range s {
		if isWordRune(r) {
			if !in {
				n++
			}
			in = true
		} else {
			in = false
		}
	}
	return n
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// filterBlocks drops furniture from the collected blocks; tr, when not
// nil, learns why each dropped block went.
func filterBlocks(blocks []block, title string, tr *tracer) []block {
	blocks = cutTail(blocks, tr)
	// a header inside the chosen container: a kicker or deck that stands
	// before the byline or date line is the header's, not the body's
	ref := newBlockTitle(title)
	if j := headerEnd(blocks, ref); j > 0 {
		for _, d := range blocks[:j] {
			tr.drop(d, "header")
		}
		blocks = blocks[j:]
	}
	reasons, widgets := blockReasons(blocks, ref)
	keepListedLinks(blocks, reasons)
	keepLinkedSentences(blocks, reasons)
	keepListedDates(blocks, reasons)
	keepTitledSections(blocks, reasons)
	out := blocks[:0:0]
	// a list the text announces ("Many patches were sent for review:")
	// is the article's, links or not
	announced := false
	for i, b := range blocks {
		switch {
		case !b.li:
			announced = reasons[i] == "" && announces(b.text)
		case announced && reasons[i] == "links":
			reasons[i] = ""
		}
		if r := reasons[i]; r != "" {
			tr.drop(b, r)
			continue
		}
		if b.box != nil && widgets[b.box] {
			tr.drop(b, "widget")
			continue
		}
		out = append(out, b)
	}
	return trimEnds(out, tr)
}

// cutTail ends the article at a heading over readers' comments or over the
// site's other posts.
func cutTail(blocks []block, tr *tracer) []block {
	// readers' posts stamped one by one ("Posted by: Dom, London on 5:19pm
	// Tue 1 Jan 08"), twice or more, are comments without a heading
	stamps := 0
	total := 0
	for _, b := range blocks {
		if b.textLen < 120 && reCommentStamp.MatchString(b.text) {
			stamps++
		}
		total += b.textLen
	}
	chars := 0
	for i, b := range blocks {
		// a heading over other posts ("Latest News", "Related Posts") in
		// the last part of the text ends the article too: what follows is
		// the site's list of teasers, however it is marked up
		if i >= 2 && chars >= 500 && (chars*2 >= total || datedTeasers(blocks[i+1:])) && b.textLen < 40 && b.linkLen*2 < b.textLen && (reMoreStart.MatchString(b.text) || reMoreFrom.MatchString(b.text)) {
			for _, d := range blocks[i:] {
				tr.drop(d, "more-posts")
			}
			return blocks[:i]
		}
		// a comments heading ends the article: what follows is readers' text
		if i >= 2 && chars >= 300 && b.textLen < 80 && b.linkLen*2 < b.textLen && reCommentsStart.MatchString(b.text) ||
			i >= 2 && chars >= 300 && stamps >= 2 && b.textLen < 120 && reCommentStamp.MatchString(b.text) {
			for _, d := range blocks[i:] {
				tr.drop(d, "comments")
			}
			return blocks[:i]
		}
		chars += b.textLen
	}
	return blocks
}

// datedTeasers tells a list of teasers by their dates: two date lines or
// more among the next blocks (a headline, its date, its summary). Such a
// list under a "Latest News" heading is the site's other posts, however
// much text it holds against the article's.
func datedTeasers(blocks []block) bool {
	dates := 0
	for _, b := range blocks[:min(len(blocks), 9)] {
		if b.textLen <= 40 && reDateOnly.MatchString(b.text) {
			dates++
		}
	}
	return dates >= 2
}

// blockReasons is each block's dropReason, and the small boxes holding a
// widget's line: such a line takes the other lines of its box along
// ("Follow X on WhatsApp" and the call under it).
func blockReasons(blocks []block, ref blockTitle) ([]string, map[*node]bool) {
	var widgets map[*node]bool
	reasons := make([]string, len(blocks))
	for i, b := range blocks {
		reasons[i] = ref.dropReason(b)
		if b.box != nil && reasons[i] == "widget" {
			if widgets == nil {
				widgets = map[*node]bool{}
			}
			widgets[b.box] = true
		}
	}
	return reasons, widgets
}

// keepListedLinks clears the "links" reason of a linked item among a
// list's plain ones: it is one of them, unless the page repeats it (a call
// to act: "Add to Goodreads →").
func keepListedLinks(blocks []block, reasons []string) {
	var seen map[string]int
	for i := 0; i < len(blocks); {
		j := i
		links := 0
		for j < len(blocks) && blocks[j].li {
			if reasons[j] == "links" {
				links++
			}
			j++
		}
		if j-i >= 3 && links > 0 && links*2 < j-i {
			if seen == nil {
				seen = make(map[string]int, len(blocks))
				for _, b := range blocks {
					seen[b.text]++
				}
			}
			for k := i; k < j; k++ {
				if reasons[k] == "links" && seen[blocks[k].text] == 1 {
					reasons[k] = ""
				}
			}
		}
		i = max(j, i+1)
	}
}

// keepLinkedSentences clears the "links" reason of a sentence that is a
// link ("Read our full review.", "You can book the tour here!") standing
// between paragraphs the body keeps: the text points the reader on in its
// own words. A teaser list is headlines, which end with no stop, and a
// call to act is a fragment ("Start Shopping Now").
func keepLinkedSentences(blocks []block, reasons []string) {
	kept := func(j int) bool { return reasons[j] == "" && !blocks[j].heading }
	// after is the index of the last kept block, before whether one came yet
	after := -1
	for j := len(blocks) - 1; j >= 0; j-- {
		if kept(j) {
			after = j
			break
		}
	}
	before := false
	for i, b := range blocks {
		if reasons[i] == "links" && before && i < after && linkedSentence(b.text) {
			reasons[i] = ""
		}
		before = before || kept(i)
	}
}

// keepListedDates clears the "date" reason of date lines when the body
// holds three or more of them, each between lines it keeps: a list of
// events or a timeline, whose dates are its text, not the article's date
// line. A time of day stamps the posts of a teaser list ("Wed, Jan 16
// 2008, 06:54 GMT"), and those stay out.
var reTimeOfDay = regexp.MustCompile(`\d:\d\d`)

func keepListedDates(blocks []block, reasons []string) {
	var at []int
	for i := 1; i+1 < len(blocks); i++ {
		if reasons[i] == "date" && reasons[i-1] == "" && reasons[i+1] == "" && !reTimeOfDay.MatchString(blocks[i].text) {
			at = append(at, i)
		}
	}
	if len(at) < 3 {
		return
	}
	for _, i := range at {
		reasons[i] = ""
	}
}

// linkedSentence tells a line of four words or more that ends with a full
// stop or an exclamation mark.
func linkedSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return r == '"' || r == '\'' || r == '”' || r == '’' || r == ')' || unicode.IsSpace(r)
	})
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") || strings.HasSuffix(s, "...") {
		return false
	}
	return sentenceCased(s)
}

// trimEnds drops leading and trailing furniture; in a live blog (several
// entries stamped with a bare time) a leading time stamps the first entry.
func trimEnds(out []block, tr *tracer) []block {
	live := 0
	for _, b := range out {
		if b.textLen <= 12 && reClock.MatchString(b.text) {
			live++
		}
	}
	for len(out) > 0 && isFurniture(out[0]) && !(live >= 3 && reClock.MatchString(out[0].text)) {
		tr.drop(out[0], "leading")
		out = out[1:]
	}
	for len(out) > 0 && isFurniture(out[len(out)-1]) {
		tr.drop(out[len(out)-1], "trailing")
		out = out[:len(out)-1]
	}
	// a trailing heading introduces nothing
	for len(out) > 0 && out[len(out)-1].heading {
		tr.drop(out[len(out)-1], "trailing")
		out = out[:len(out)-1]
	}
	return out
}

// sentenceCased tells a line of four words or more, fewer than half of
// them capitalised: a sentence, not a title-cased label or heading.
func sentenceCased(s string) bool {
	words, caps := 0, 0
	for _, w := range strings.Fields(s) {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLetter(r) {
			words++
			if unicode.IsUpper(r) {
				caps++
			}
		}
	}
	return words >= 4 && caps*2 < words
}

// announces tells a sentence that ends with a colon, announcing the list
// after it. A label ("Related:", "Read more:") is too short to, and a
// title-cased line ("Related Articles from the Blog:", "Learn More in Our
// Series:") heads a box of the site's other posts.
func announces(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ":") {
		return false
	}
	return sentenceCased(s)
}

// widgetKeys are words one of which every reWidgetLine match holds: the
// costly pattern runs only on lines that have one.
var widgetKeys = []string{"browser", "video", "audio", "clip", "media", "content", "player", "podcast", "episode", "embed", "javascript", "listen", "hear", "narrat", "voice", "follow", "join", "click", "tap", "subscribe", "sign up", "register", "view", "see", "watch", "read", "loading", "stay", "inbox", "forwarded"}

// widgetStarts are the words a reWidgetLine match can start with, after
// its leading punctuation and symbols.
var widgetStarts = map[string]bool{
	"please": true, "this": true, "the": true, "your": true, "to": true, "you": true,
	"enable": true, "turn": true, "activate": true, "javascript": true, "listen": true,
	"hear": true, "follow": true, "join": true, "click": true, "tap": true,
	"subscribe": true, "sign": true, "register": true, "view": true, "see": true,
	"a": true, "watch": true, "read": true, "video": true, "audio": true,
	"loading": true, "stay": true, "get": true, "receive": true, "was": true,
}

// widgetWords tells whether s may be a widget line: it starts with one of
// widgetStarts and holds one of widgetKeys. A first word that is not plain
// ASCII passes, as case folding may make it one.
func widgetWords(s string) bool {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) && !unicode.IsPunct(r) && !unicode.IsSymbol(r) {
			break
		}
		i += size
	}
	j := i
	for j < len(s) && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') {
		j++
	}
	// a letter beyond ASCII may fold into a keyword (the Kelvin sign into
	// "k", a long s into "s"): the pattern decides
	if (j == len(s) || s[j] < utf8.RuneSelf) && !widgetStarts[strings.ToLower(s[i:j])] {
		return false
	}
	l := strings.ToLower(s)
	for _, k := range widgetKeys {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

// headerEnd is the index of the first block after a byline or date line
// that closes a header at the top of the blocks (at most 3 short blocks
// before it), or 0.
func headerEnd(blocks []block, title blockTitle) int {
	chars := 0
	for i, b := range blocks {
		if i > 4 {
			return 0
		}
		wc := wordCount(b.text)
		if wc <= 15 && !b.heading && (reBylineName.MatchString(b.text) || reByline.MatchString(b.text) || reDateOnly.MatchString(b.text) || reDateline.MatchString(b.text) || reTimeOnly.MatchString(b.text)) {
			if i == 0 {
				return 0
			}
			return i + 1
		}
		if title.dropReason(b) == "" {
			chars += b.textLen
		}
		if chars > 300 || wc > 50 {
			return 0
		}
	}
	return 0
}

// junkWords are the first words of reJunkLine's alternatives: a line
// whose first word is none of them (and no number, no parenthesis) cannot
// match, and most short lines are tested.
var junkWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`advertisement advertising advert ad ads sponsored iklan scroll
		continue story article share email print save tweet follow click tap read more related
		recommended most trending sign subscribe comment comments leave photo photos image images
		picture pictures video videos graphic graphics watch listen back top skip tag tags topic
		topics getty reuters ap afp pa epa bbc`) {
		junkWords[w] = true
	}
}

// junkLine is reJunkLine.MatchString(s), the pattern run only on lines
// that could match.
func junkLine(s string) bool {
	if strings.IndexByte(s, '(') >= 0 {
		return reJunkLine.MatchString(s)
	}
	core := strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if core == "" {
		return false
	}
	var w [16]byte
	n := 0
	for i := 0; i < len(core); i++ {
		c := core[i]
		if c >= utf8.RuneSelf || i == 0 && '0' <= c && c <= '9' {
			// a number, or a letter that folds in ways ASCII does not
			return reJunkLine.MatchString(s)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c < 'a' || c > 'z' {
			break
		}
		if n == len(w) {
			return false
		}
		w[n] = c
		n++
	}
	return junkWords[string(w[:n])] && reJunkLine.MatchString(s)
}

// mailLine is reMailLine.MatchString(s), whose alternatives all start
// with one of a few letters.
func mailLine(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] | 0x20 {
	case 's', 'e', 'm', 'f', 'p', 'r':
		return reMailLine.MatchString(s)
	}
	return s[0] >= utf8.RuneSelf && reMailLine.MatchString(s)
}

// blockTitle is the article's title as dropReason compares blocks with it,
// its words folded and counted once for all the blocks of a page.
type blockTitle struct {
	text  string
	norm  string
	words int
}

func newBlockTitle(title string) blockTitle {
	if title == "" {
		return blockTitle{}
	}
	return blockTitle{text: title, norm: normWords(title), words: wordCount(title)}
}

// dropReason tells why a block is furniture wherever it stands, or "".
func dropReason(b block, title string) string {
	return newBlockTitle(title).dropReason(b)
}

func (title blockTitle) dropReason(b block) string {
	wc := wordCount(b.text)
	if title.text != "" && len(b.text) <= 2*len(title.text)+20 && similarNorm(b.text, title.norm) && wc <= title.words+3 {
		return "title"
	}
	if wc == 0 {
		return "no-words"
	}
	if wc <= 12 && junk(b.text) {
		return "junk"
	}
	if wc <= 30 && !b.heading && widgetWords(b.text) && reWidgetLine.MatchString(b.text) {
		return "widget"
	}
	if wc <= 10 && !b.heading {
		if r := shortLineReason(b.text); r != "" {
			return r
		}
	}
	return linkLineReason(b, wc)
}

// linkLineReason tells why a block goes for what its links or its credit
// make of it (a teaser, a pager, a line of links, a caption), or "".
func linkLineReason(b block, wc int) string {
	if wc <= 40 && !b.li && !b.heading && captionCredit(b.text) {
		return "caption"
	}
	if b.linkLen > 0 && wc <= 40 && reTeaser.MatchString(b.text) && !linkedInPassing(b, wc) {
		return "teaser"
	}
	if wc <= 16 && rePager.MatchString(b.text) && (b.linkLen > 0 || wc <= 6) {
		return "pager"
	}
	if b.textLen > 0 && float64(b.linkLen)/float64(b.textLen) > 0.6 && !b.heading && !labelledLink(b) {
		return "links"
	}
	return ""
}

// junk tells a junk line that is not the text's aside in parentheses.
func junk(s string) bool {
	return junkLine(s) && !parentheticalProse(s)
}

// parentheticalProse tells a line in parentheses that is the text's
// aside, not a credit ("(AP)", "(Editing by Jane Doe)"): it starts in
// lower case ("(includes permits and fees)") or ends as a sentence does
// ("(No, really.)").
func parentheticalProse(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 3 || s[0] != '(' || s[len(s)-1] != ')' {
		return false
	}
	in := strings.TrimSpace(s[1 : len(s)-1])
	if in == "" || strings.ContainsAny(in, "()") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(in)
	if unicode.IsLower(r) {
		return true
	}
	switch in[len(in)-1] {
	case '.', '!', '?':
		return !strings.HasSuffix(in, "...") && wordCount(in) >= 2
	}
	return false
}

// shortLineReason tells a short line that is a byline, a label, a tool,
// a date or a credit, or "".
func shortLineReason(s string) string {
	switch {
	case reBylineName.MatchString(s):
		return "byline"
	case reLabelLine.MatchString(s):
		return "label"
	case mailLine(s):
		return "tool"
	case reDateOnly.MatchString(s):
		return "date"
	case reCredit.MatchString(s) && !sentenceEnd(s):
		return "credit"
	}
	return ""
}

func isFurniture(b block) bool {
	wc := wordCount(b.text)
	if wc > 25 {
		return false
	}
	if reByline.MatchString(b.text) || reCredit.MatchString(b.text) {
		return true
	}
	if wc <= 15 && (reCopy.MatchString(b.text) || reDateline.MatchString(b.text) || reTimeOnly.MatchString(b.text)) {
		return true
	}
	if b.li || b.heading || b.quote {
		return false
	}
	if wc <= 6 && !sentenceEnd(b.text) {
		return true
	}
	return false
}

// labelledLink tells a line that labels the link after it ("Website:
// https://example.org", "Source code: repo-name on GitHub"): a fact of the
// text, like a line of a specification list, not a link line.
func labelledLink(b block) bool {
	if wordCount(b.text) > 16 {
		return false
	}
	m := reLinkLabel.FindStringSubmatch(b.text)
	if m == nil {
		m = reAddressLabel.FindStringSubmatch(b.text)
	}
	if m == nil {
		return false
	}
	return b.textLen-b.linkLen >= len(m[1])
}

// reAddressLabel is a label that names where its link goes ("Website:
// Harbour Trust", "GitHub: the project's repository").
var reAddressLabel = regexp.MustCompile(`^((?i:official )?(?i:website|web site|homepage|home page|github|gitlab|repository|source code|documentation|docs|registration|tickets|download|app store|google play)):\s+\S`)

// keepTitledSections keeps a heading that repeats the title once the body
// has begun: a roundup heads its list of picks with its own title ("The
// Best Camping Kettles" after the intro of "The Best Camping Kettles of
// 2026"), where a
// repeat at the top is the headline printed again. So is one over a
// byline or a date, wherever it stands (a story's headline under the
// captions of its photos).
func keepTitledSections(blocks []block, reasons []string) {
	kept := 0
	for i, b := range blocks {
		switch {
		case reasons[i] == "":
			kept += b.textLen
		case reasons[i] == "title" && b.heading && kept >= titleRepeatAfter && b.linkLen*2 < b.textLen &&
			i+1 < len(blocks) && !isFurniture(blocks[i+1]):
			reasons[i] = ""
		}
	}
}

// linkedInPassing tells a sentence that opens with a teaser's word ("Watch
// the tide tables before you set out: … check the tide times every
// morning", "More detailed advice … can be found in the council's guide") and
// carries a link in passing: links under a third of its text, a dozen
// words or more. A teaser's link is its headline, most of its text.
func linkedInPassing(b block, wc int) bool {
	return wc >= 12 && b.linkLen*3 < b.textLen && sentenceEnd(b.text)
}

// captionCredit tells a caption that ends with its photograph's credit;
// the pattern runs only on lines that name a photograph at all.
func captionCredit(s string) bool {
	if !strings.Contains(s, "hoto") && !strings.Contains(s, "HOTO") && !strings.Contains(s, "mage") && !strings.Contains(s, "MAGE") && !strings.Contains(s, "icture") && !strings.Contains(s, "ICTURE") {
		return false
	}
	return reCaptionCredit.MatchString(s)
}
