package extract

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/atom"
)

// The title is the headline a reader sees on the page. Metadata titles
// (og:title, JSON-LD headline, <title>) are often rewritten for search and
// social sites or carry the site's name, so they serve as references: the
// visible text block whose words best match one of them is the title. When
// none matches, the metadata title stands in, and when the page has none,
// the last headline-like block before the article's first paragraph.

// titleNamed tells a class or id naming a headline.
func titleNamed(v string) bool {
	l := strings.ToLower(v)
	return strings.Contains(l, "title") || strings.Contains(l, "head") || strings.Contains(l, "hdr") || strings.Contains(l, "subject")
}

// title ranks: how much an element looks like a headline
const (
	rankH1 = iota
	rankH2
	rankTitleClass
	rankBold
	rankPlain
)

type titleCand struct {
	sim    float64 // how well it matched a reference (choose's answer)
	nlinks int     // links in the block
	text   string
	links  bool // mostly link text
	rank   int
	order  int // index of its block among all the page's blocks
}

// titlePage holds the page's text blocks as title candidates.
type titlePage struct {
	cands   []titleCand
	prefix  []string // every block's first characters, by order
	buf     strings.Builder
	rank    int
	chars   int // characters of the block in the buffer
	nlinks  int // links in it
	linked  int // of which in links
	nblocks int

	dayFirst bool // the page writes "08/01/2008" for 8 January
}

// maxTitleBlocks bounds the work on huge pages.
const maxTitleBlocks = 3000

func (t *titlePage) flush() {
	if t.buf.Len() == 0 {
		return
	}
	s := decodeLeftover(collapse(t.buf.String()))
	t.buf.Reset()
	r := t.rank
	t.rank = rankPlain
	links := t.linked*2 > t.chars
	nlinks := t.nlinks
	t.chars, t.linked, t.nlinks = 0, 0, 0
	if s == "" || t.nblocks >= maxTitleBlocks {
		return
	}
	order := t.nblocks
	t.nblocks++
	p := s
	if len(p) > 40 {
		p = p[:40]
	}
	t.prefix = append(t.prefix, p)
	if len(s) <= 400 {
		t.cands = append(t.cands, titleCand{text: s, rank: r, order: order, links: links, nlinks: nlinks})
	}
}

func (t *titlePage) walk(n *node, rank int) {
	for _, k := range n.kids {
		if k.isText() {
			t.buf.WriteString(k.text)
			t.chars += k.textLen
			t.linked += k.linkLen
			if rank < t.rank {
				t.rank = rank
			}
			continue
		}
		if k.tag == atom.Img || k.textLen == 0 {
			if k.tag == atom.Br || k.tag == atom.Hr {
				t.flush()
			}
			continue
		}
		r := rank
		switch {
		case k.tag == atom.H1:
			r = rankH1
		case k.tag == atom.H2 || k.tag == atom.H3:
			r = min(r, rankH2)
		case k.textLen <= 300 && (k.class != "" || k.id != "") && titleNamed(k.class+" "+k.id):
			r = min(r, rankTitleClass)
		case k.tag == atom.B || k.tag == atom.Strong || k.tag == atom.Font || k.tag == atom.Big:
			r = min(r, rankBold)
		}
		block := isBlock(k.tag)
		if block {
			t.flush()
		}
		if k.tag == atom.A {
			t.nlinks++
		}
		t.walk(k, r)
		if block {
			t.flush()
		}
	}
}

func titleCandidates(body *node) *titlePage {
	t := &titlePage{rank: rankPlain}
	t.walk(body, rankPlain)
	t.flush()
	return t
}

// pageTitle is the page's <title>, unless a broken page swallowed its
// scripts into it.
func pageTitle(info *pageInfo) string {
	if len(info.titleText) > 400 {
		return ""
	}
	return info.titleText
}

// pickTitle chooses the article's title; first is the body's first
// paragraph ("" when there is no body).
func pickTitle(t *titlePage, info *pageInfo, ld ldInfo, site string, base *url.URL, paras []string) string {
	host := ""
	if base != nil {
		host = base.Hostname()
	}
	title := firstOfTrail(dropSiteTail(pickHeadline(t, info, ld, site, base, paras), site, host))
	// the publisher's declared title, when it is the same words, has the
	// publisher's spelling of quotes and dashes (a visible headline is
	// often typeset by a template), and of case when the visible one is
	// in capitals: a headline in sentence case against a title-cased
	// declared one is the publisher's choice
	for _, v := range []string{info.metas["og:title"], ld.headline, info.metas["twitter:title"]} {
		v = collapse(unescape(v))
		if v == title || v == "" {
			continue
		}
		if fv, ft := foldTypography(v), foldTypography(title); fv == ft || !hasLower(title) && hasLower(v) && strings.EqualFold(fv, ft) {
			return v
		}
		// a headline all in lower case ("history of the harbour wall") is a
		// template's styling too; the declared title may go on with its
		// trail ("History of the harbour wall | Origin, Repairs | Site")
		if !hasUpper(title) && hasUpper(v) {
			if i := strings.Index(v, " | "); i > 0 {
				v = v[:i]
			}
			if strings.EqualFold(foldTypography(v), foldTypography(title)) {
				return v
			}
		}
	}
	return title
}

func hasUpper(s string) bool {
	return strings.IndexFunc(s, unicode.IsUpper) >= 0
}

func hasLower(s string) bool {
	return strings.IndexFunc(s, unicode.IsLower) >= 0
}

// firstOfTrail is the headline of a <title> that goes on with a trail of
// sections and the site ("How to help babies sleep | Patient Education |
// Children's Hospital"): two bars or more after a headline of four words
// or more.
func firstOfTrail(title string) string {
	if strings.Count(title, " | ") < 2 {
		return title
	}
	head := title[:strings.Index(title, " | ")]
	if wordCount(head) < 4 {
		return title
	}
	return strings.TrimSpace(head)
}

// typography folds typographic quotes, dashes and ellipses to their
// plain forms.
// hostJoiner joins a host's labels ("news-site.co.uk" to "newssitecouk");
// a replacer is built on its first use, so it is made once.
var hostJoiner = strings.NewReplacer(".", "", "-", "")

var typography = strings.NewReplacer("‘", "'", "’", "'", "‚", "'", "‛", "'", "′", "'", "“", "\"", "”", "\"", "„", "\"", "″", "\"", "–", "-", "—", "-", "―", "-", "−", "-", "…", "...", "--", "-", " ", " ")

func foldTypography(s string) string { return typography.Replace(s) }

// dropSiteTail drops " – Site" or " | example.com" from the end of a
// headline: templates that print the <title> as the page's heading leave
// the site's name in it.
func dropSiteTail(title, site, host string) string {
	locs := reTitleSep.FindAllStringIndex(title, -1)
	if len(locs) == 0 {
		return title
	}
	last := locs[len(locs)-1]
	tail := strings.TrimSpace(title[last[1]:])
	head := strings.TrimSpace(title[:last[0]])
	if wordCount(head) < 2 {
		return title
	}
	if isSiteName(tail, site, host) || reDomainName.MatchString(tail) {
		return dropSiteTail(head, site, host)
	}
	return title
}

var reDomainName = regexp.MustCompile(`(?i)^(?:www\.)?[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.(?:com|org|net|co|io|news|info|co\.uk|gov|edu|[a-z]{2})$`)

// pickHeadline chooses the title (see the package comment).
func pickHeadline(t *titlePage, info *pageInfo, ld ldInfo, site string, base *url.URL, paras []string) string {
	first := ""
	if len(paras) > 0 {
		first = paras[0]
	}
	meta := declaredTitle(info, ld)
	page := pageTitle(info)
	host := ""
	if base != nil {
		host = base.Hostname()
	}
	hc := &headlineRefs{site: site, host: host, paras: paras}
	cleaned := hc.usable(cleanTitle(page, site))
	refs := []string{cleaned, hc.usable(cleanTitle(meta, site)), hc.usable(ld.headline), hc.usable(page)}
	start := t.start(first)
	// The headline stands just before the body. A match that stands
	// earlier, before a heading that is right there, is some other block
	// that repeats the <title> (often the site's name, which a <title> may
	// hold alone); and a match that shares no word with the article yields
	// to a nearby block that does.
	near := t.before(start)
	var parts []string
	for _, p := range titleParts(page) {
		if hc.usable(p) != "" {
			parts = append(parts, p)
		}
	}
	if m := t.choose(refs, parts, site, host, start); m.text != "" {
		if h := hc.h1Over(m, info, page, meta, start); h != "" {
			return h
		}
		if k := t.underKicker(m, start); k != "" {
			return k
		}
		return hc.matchOrNear(m, near, start)
	}
	// the page's one <h1>, the declared title reworded ("The 7 Best
	// Sewing Machines for a Beginner" for "Beginner Sewing Machines: Check
	// out My Top 7 Favorites"), is the headline the reader sees
	if h := soleH1(info, meta); h != "" {
		return h
	}
	if tt := cleanTitle(hc.usable(meta), site); tt != "" && (near.text == "" || hc.shares(tt) || !hc.shares(near.text)) {
		return tt
	}
	if near.text != "" {
		return near.text
	}
	if cleaned != "" {
		return cleaned
	}
	if len(info.h1s) > 0 {
		return info.h1s[0]
	}
	if tt := cleanTitle(page, site); tt != "" && !isSiteName(tt, site, host) {
		return tt
	}
	if f := t.first(start); f != "" {
		return f
	}
	return cleanTitle(page, site)
}

// soleH1 is the page's only <h1> when half its words or more are the
// declared title's, or "".
func soleH1(info *pageInfo, meta string) string {
	if len(info.h1s) != 1 || meta == "" {
		return ""
	}
	h := info.h1s[0]
	hw, mw := wordBag(h), wordBag(meta)
	n := bagSize(hw)
	if n < 3 || n > 30 || bagInter(hw, mw)*2 < n {
		return ""
	}
	return h
}

// h1Over is the page's one <h1> when it is the headline over the match
// m: m is that <h1> itself (no nearby block stands for it), or a
// section's heading inside the body; "" otherwise.
func (hc *headlineRefs) h1Over(m titleCand, info *pageInfo, page, meta string, start int) string {
	h := oneH1(info)
	if h == "" || isSiteName(h, hc.site, hc.host) || hc.usable(h) == "" || !echoes(h, page, meta) {
		return ""
	}
	if m.rank == rankH1 && m.text == h || m.rank != rankH1 && start >= 0 && m.order > start {
		return h
	}
	return ""
}

// echoes tells whether h is a headline-long line (four words or more) a
// third of whose words, two at least, are in the <title> or the declared
// title: an <h1> that names the section ("Local Sports Wire") is shorter.
func echoes(h, page, meta string) bool {
	hw := wordBag(h)
	n := bagSize(hw)
	shared := max(bagInter(hw, wordBag(page)), bagInter(hw, wordBag(meta)))
	return n >= 4 && shared >= 2 && shared*3 >= n
}

// oneH1 is the text of the page's <h1> when all its <h1>s say the same,
// or "".
func oneH1(info *pageInfo) string {
	if len(info.h1s) == 0 {
		return ""
	}
	for _, h := range info.h1s[1:] {
		if h != info.h1s[0] {
			return ""
		}
	}
	return info.h1s[0]
}

// declaredTitle is the title the page declares: Open Graph's, Twitter's,
// else JSON-LD's headline.
func declaredTitle(info *pageInfo, ld ldInfo) string {
	for _, k := range []string{"og:title", "twitter:title"} {
		if v := collapse(unescape(info.metas[k])); v != "" {
			return v
		}
	}
	return ld.headline
}

// headlineRefs is what pickHeadline weighs candidates with: the site's
// name and host, and the body's words.
type headlineRefs struct {
	site, host string
	paras      []string
	words      map[string]bool
}

// usable is s, or "" when s is only the site's name: such a reference says
// nothing of the article.
func (hc *headlineRefs) usable(s string) string {
	if isSiteName(s, hc.site, hc.host) {
		return ""
	}
	return s
}

// shares tells whether s has a word of the body. A headline shares words
// with its article; a site's name, which a <title> may hold alone, seldom
// does.
func (hc *headlineRefs) shares(s string) bool {
	if hc.words == nil {
		hc.words = bodyWords(hc.paras)
	}
	for _, w := range strings.Fields(normWords(s)) {
		if hc.words[w] {
			return true
		}
	}
	return false
}

// matchOrNear decides between the block that matched a reference and the
// headline-like block just before the body.
func (hc *headlineRefs) matchOrNear(m, near titleCand, start int) string {
	close := start < 0 || m.order >= start-20 && m.order <= start+1
	switch {
	case near.text == "" || near.order == m.order:
		return m.text
	case !hc.shares(m.text) && hc.shares(near.text):
		return near.text
	case m.links && !near.links && near.order > m.order && near.rank <= rankTitleClass && (m.sim < 0.9 || wordCount(m.text) <= 4):
		// a link (menu, breadcrumb) that repeats a section's name;
		// a link that is a whole headline-long title is the
		// article's own (a breadcrumb's last step, a permalink)
		return near.text
	case close || m.sim >= 0.9 && m.rank <= rankH2:
		return m.text
	case near.rank <= rankTitleClass:
		return near.text
	}
	return m.text
}

// underKicker is the headline right under m when m is a section's label
// (a kicker: "SPORTS PLUS", "Evening News Digest") that a <title> naming
// the section matched: the next block, as prominent, a longer line and no
// sentence, up to the body's start; "" otherwise.
func (t *titlePage) underKicker(m titleCand, start int) string {
	if start < 0 || m.order >= start || wordCount(m.text) > 3 {
		return ""
	}
	for _, c := range t.cands {
		if c.order != m.order+1 {
			continue
		}
		wc := wordCount(c.text)
		if c.rank > m.rank || c.rank > rankBold || wc < wordCount(m.text)+3 || wc > 20 || c.nlinks > 0 || c.links ||
			sentenceEnd(c.text) || looksLikeDate(c.text) || reTimeOnly.MatchString(c.text) || junkLine(c.text) ||
			mailLine(c.text) || reBylineName.MatchString(c.text) || reByline.MatchString(c.text) ||
			reCredit.MatchString(c.text) || reAgency.MatchString(c.text) {
			return ""
		}
		return c.text
	}
	return ""
}

// first is the best headline-like block about the body's start, for pages
// that name their title nowhere else: before it, or opening it (a short
// line, no sentence). Links (menus) do not count.
func (t *titlePage) first(start int) string {
	best, bestRank := "", rankPlain+1
	for _, c := range t.cands {
		if start >= 0 && (c.order < start-30 || c.order > start) {
			continue
		}
		wc := wordCount(c.text)
		if wc < 2 || wc > 30 || c.nlinks > 1 || c.links || !hasLongWord(c.text) || looksLikeDate(c.text) ||
			junkLine(c.text) || reBylineName.MatchString(c.text) || reByline.MatchString(c.text) ||
			c.order == start && (sentenceEnd(c.text) || wc > 20) {
			continue
		}
		if c.rank < bestRank {
			best, bestRank = c.text, c.rank
		}
	}
	return best
}

// bodyWords are the content words of the article's first paragraphs.
func bodyWords(paras []string) map[string]bool {
	m := map[string]bool{}
	n := 0
	for _, p := range paras {
		for _, w := range strings.Fields(normWords(p)) {
			if len(w) >= 4 && !stopWords[w] {
				m[w] = true
			}
			n++
		}
		if n > 400 {
			break
		}
	}
	return m
}

var stopWords = map[string]bool{
	"that": true, "with": true, "from": true, "this": true, "have": true, "will": true,
	"were": true, "their": true, "about": true, "would": true, "there": true, "which": true,
	"been": true, "they": true, "when": true, "what": true, "more": true, "news": true,
	"said": true, "also": true, "than": true, "into": true, "after": true, "over": true,
}

// isSiteName reports whether a title only names the site: its name, or
// the words of its host ("Calgary Sun" on calgarysun.com).
func isSiteName(s, site, host string) bool {
	n := normWords(s)
	if n == "" {
		return false
	}
	if site != "" && n == normWords(site) {
		return true
	}
	joined := strings.ReplaceAll(strings.TrimPrefix(n, "the "), " ", "")
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	if host == "" || len(joined) < 4 {
		return false
	}
	hostJoined := hostJoiner.Replace(host)
	label := host
	if i := strings.IndexByte(label, '.'); i > 0 {
		label = label[:i]
	}
	label = strings.ReplaceAll(label, "-", "")
	return joined == label || joined == hostJoined || strings.HasPrefix(hostJoined, joined) && len(joined) >= len(label)
}

// start is the order of the block that begins with first; -1 if unknown.
func (t *titlePage) start(first string) int {
	if first == "" {
		return -1
	}
	if len(first) > 40 {
		first = first[:40]
	}
	for i, p := range t.prefix {
		if p == first {
			return i
		}
	}
	return -1
}

// quickOverlap counts the words of s (as normWords cuts them) and how many
// of them are in set, without allocating for each word.
func quickOverlap(s string, set map[string]bool, buf []byte) (n, hits int, _ []byte) {
	buf = buf[:0]
	end := func() {
		if len(buf) > 0 {
			n++
			if set[string(buf)] {
				hits++
			}
			buf = buf[:0]
		}
	}
	for _, r := range s {
		if isWordRune(r) {
			if r < utf8.RuneSelf {
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				buf = append(buf, byte(r))
			} else {
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			}
			continue
		}
		end()
	}
	end()
	return n, hits, buf
}

func wordBag(s string) map[string]int {
	m := map[string]int{}
	for _, w := range strings.Fields(normWords(s)) {
		m[w]++
	}
	return m
}

func bagSize(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

func bagInter(a, b map[string]int) int {
	n := 0
	for w, c := range a {
		n += min(c, b[w])
	}
	return n
}

type titleRef struct {
	text   string
	norm   string // normWords(text)
	bag    map[string]int
	size   int
	weight float64
}

// choose picks the block that best matches a reference title; "" when
// none matches well. refs are whole titles; parts are pieces of the
// <title> cut at its separators, trusted a little less.
// titleRefs are the references with their words: the whole ones, and
// the <title>'s parts of two words or more at a lower weight.
func titleRefs(refs, parts []string) []titleRef {
	var rs []titleRef
	add := func(s string, w float64) {
		if b := wordBag(s); len(b) > 0 {
			rs = append(rs, titleRef{s, normWords(s), b, bagSize(b), w})
		}
	}
	for _, r := range refs {
		add(r, 1)
	}
	for _, p := range parts {
		if wordCount(p) >= 2 {
			add(p, 0.9)
		}
	}
	return rs
}

// refMatch is how well the block c, of words (n of them), matches its
// best reference, and how many words that match counts.
func refMatch(c titleCand, words map[string]int, n int, rs []titleRef) (score float64, matched int) {
	cn := ""
	for _, r := range rs {
		inter := bagInter(words, r.bag)
		if inter*2 < n {
			continue // less than half the block is in the reference
		}
		s := r.weight * min(float64(inter)/float64(n), float64(inter)/float64(r.size))
		m := inter
		// a heading that opens the reference ("Headline, deck -
		// Site", "Film (2006): cast - Site") is its headline, however
		// much else the reference holds
		if inter == n && n >= 3 && c.rank <= rankH2 && r.size > n {
			if cn == "" {
				cn = normWords(c.text)
			}
			if strings.HasPrefix(r.norm, cn+" ") {
				s = max(s, r.weight*(0.9+0.1*float64(n)/float64(r.size)))
				m = r.size // it stands for the whole reference
			}
		}
		if s > score {
			score, matched = s, m
		}
	}
	return score, matched
}

// rankBonus is what a block's look as a headline adds to its match.
func rankBonus(rank int) float64 {
	switch rank {
	case rankH1:
		return 0.2
	case rankH2, rankTitleClass:
		return 0.15
	case rankBold:
		return 0.05
	}
	return 0
}

func (t *titlePage) choose(refs, parts []string, site, host string, start int) titleCand {
	rs := titleRefs(refs, parts)
	if len(rs) == 0 {
		return titleCand{}
	}
	siteN := normWords(site)
	var whole map[string]int // the longest reference's words
	for _, r := range rs {
		if whole == nil || r.size > bagSize(whole) {
			whole = r.bag
		}
	}
	wholeN := bagSize(whole)
	union := map[string]bool{}
	for _, r := range rs {
		for w := range r.bag {
			union[w] = true
		}
	}
	var best titleCand
	bestScore := 0.0
	var buf []byte
	for _, c := range t.cands {
		// most blocks share few words with any reference: skip them
		// before building their bags
		if len(c.text) > 800 {
			continue
		}
		var n, hits int
		n, hits, buf = quickOverlap(c.text, union, buf)
		if n == 0 || n > 60 || hits*2 < n {
			continue
		}
		words := wordBag(c.text)
		n = bagSize(words)
		if n == 0 || n > 60 {
			continue
		}
		if siteN != "" && normWords(c.text) == siteN || isSiteName(c.text, "", host) {
			continue
		}
		score, matched := refMatch(c, words, n, rs)
		if score < 0.5 {
			continue
		}
		sim := score
		score += rankBonus(c.rank)
		score += 0.01*float64(min(matched, 20)) + 0.2*float64(bagInter(words, whole))/float64(wholeN)
		// the headline sits just before the body, or opens it
		if start >= 0 && c.order <= start+1 && c.order >= start-20 {
			score += 0.1
		}
		if score > bestScore {
			best, bestScore = c, score
			best.sim = sim
		}
	}
	if bestScore == 0 {
		return titleCand{}
	}
	best.text = trimToRefs(best.text, rs)
	return best
}

// trimToRefs trims text to the longest reference it holds whole.
func trimToRefs(text string, rs []titleRef) string {
	trimmed := text
	bn := normWords(text)
	for _, r := range rs {
		if normWords(r.text) == bn {
			return text
		}
		t := trimToRef(text, r.text)
		if t == text {
			continue
		}
		// a piece of the <title> is too short a guide, unless what it
		// cuts off is a date
		if r.weight < 1 && !looksLikeDate(strings.Replace(text, t, " ", 1)) {
			continue
		}
		if trimmed == text || len(t) > len(trimmed) {
			trimmed = t
		}
	}
	return trimmed
}

// trimToRef cuts what a block holds around a reference title (a date, a
// section name glued to the headline): when all the reference's words
// appear in the block in a row, only that stretch is kept, with the
// punctuation that hugs it.
func trimToRef(block, ref string) string {
	rw := strings.Fields(normWords(ref))
	if len(rw) == 0 {
		return block
	}
	type span struct {
		w        string
		from, to int
	}
	var bw []span
	start := -1
	for i, r := range block + " " {
		if i < len(block) && isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			bw = append(bw, span{strings.ToLower(block[start:i]), start, i})
			start = -1
		}
	}
	if len(bw) <= len(rw) {
		return block
	}
	for i := 0; i+len(rw) <= len(bw); i++ {
		ok := true
		for j, w := range rw {
			if bw[i+j].w != w {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		from, to := bw[i].from, bw[i+len(rw)-1].to
		for from > 0 && block[from-1] != ' ' {
			from--
		}
		for to < len(block) && block[to] != ' ' {
			to++
		}
		if t := strings.TrimSpace(block[from:to]); to < len(block) && strings.ContainsAny(t[len(t)-1:], ",:;") {
			// the headline goes on past the reference ("Best tutors
			// in 2025, reviewed by a student"): the reference is cut
			return block
		}
		return strings.TrimSpace(block[from:to])
	}
	return block
}

// before returns the headline-like block nearest before the body's first
// block (start); "" when unsure.
func (t *titlePage) before(start int) titleCand {
	if start < 0 {
		return titleCand{}
	}
	var best, plain titleCand
	bestRank := rankPlain
	// a short first block that is no heading (a caption, a kicker) may
	// stand above the headline: then the block after it counts too, if a
	// heading
	shortStart := t.shortStart(start)
	for i := len(t.cands) - 1; i >= 0; i-- {
		c := t.cands[i]
		if !inReachBelow(c, start, shortStart) {
			continue
		}
		if c.order < start-8 {
			// further up only the page's main heading counts, over
			// the lesser blocks nearer
			if c.order < start-30 {
				break
			}
			if c.rank != rankH1 {
				continue
			}
		}
		wc := wordCount(c.text)
		if !headlineLike(c, wc) {
			continue
		}
		// the nearest heading in reach, else the nearest bold block
		if tier := headlineTier(c, wc); tier < bestRank {
			best, bestRank = c, tier
		}
		if plain.text == "" && wc >= 3 && wc <= 20 && !sentenceEnd(c.text) {
			plain = c
		}
	}
	if best.text != "" {
		return best
	}
	return plain
}

// shortStart tells a short first block that is no heading (a caption, a
// kicker): it may stand above the headline.
func (t *titlePage) shortStart(start int) bool {
	for _, c := range t.cands {
		if c.order == start {
			return wordCount(c.text) <= 8 && c.rank > rankTitleClass
		}
	}
	return false
}

// inReachBelow tells a block no further down than a headline can stand:
// before the body, or the body's first block when it is a heading (the
// headline the cleaning did not know to remove), or the block after a
// short first one when it is a heading.
func inReachBelow(c titleCand, start int, shortStart bool) bool {
	if c.order == start+1 && shortStart && c.rank <= rankTitleClass && c.nlinks == 0 && !sentenceEnd(c.text) {
		return true
	}
	return !(c.order > start || c.order == start && (c.rank > rankTitleClass || c.nlinks > 1 || sentenceEnd(c.text)))
}

// headlineLike tells a block of wc words that could be a headline: not
// a date, a time, furniture, a byline, a credit or an agency's line.
func headlineLike(c titleCand, wc int) bool {
	return !(wc < 2 || wc > 30 || !hasLongWord(c.text) || c.links && c.rank > rankH2 || looksLikeDate(c.text) || reTimeOnly.MatchString(c.text) ||
		junkLine(c.text) || reCommentsStart.MatchString(c.text) || mailLine(c.text) ||
		reBylineName.MatchString(c.text) || reByline.MatchString(c.text) || reCredit.MatchString(c.text) || reAgency.MatchString(c.text))
}

// headlineTier is how much a block looks like the headline: a heading's
// rank at best, a bold block's for a name (a byline's, most likely) or a
// long line (a deck).
func headlineTier(c titleCand, wc int) int {
	tier := max(c.rank, rankTitleClass)
	if nameLike(c.text) {
		tier = rankBold
	}
	if wc > 20 && tier < rankBold {
		tier = rankBold
	}
	return tier
}

// reAgency is a line that only credits a news agency, as wire stories
// carry under the headline.
var reAgency = regexp.MustCompile(`(?i)^[\s\p{P}]*(the )?(associated press|press trust of india|reuters|agence france[- ]presse|afp|united press international|upi|canadian press|press association|australian associated press|aap|dpa|deutsche presse-agentur|xinhua|kyodo( news)?|yonhap|ians|pti|ani|antara|bernama|efe|ansa|bloomberg( news)?|(from )?wire (reports|services))[\s\p{P}]*$`)

var dateWords = map[string]bool{
	"jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"january": true, "february": true, "march": true, "april": true, "june": true, "july": true,
	"august": true, "september": true, "october": true, "november": true, "december": true,
	"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "am": true, "pm": true, "gmt": true, "utc": true, "bst": true,
	"est": true, "edt": true, "pst": true, "pdt": true, "ist": true, "hrs": true, "st": true, "nd": true,
	"rd": true, "th": true, "published": true, "updated": true, "last": true, "posted": true,
	"on": true, "at": true, "date": true, "modified": true, "created": true,
}

// looksLikeDate tells a line of dates and times ("Published: December 31
// 2007 00:29 | Last updated: ...", "29 December 2007 (16:00)").
func looksLikeDate(s string) bool {
	other, dated := 0, 0
	for _, w := range strings.Fields(normWords(s)) {
		switch {
		case w[0] >= '0' && w[0] <= '9':
			dated++
		case dateWords[w]:
			if len(w) > 2 {
				dated++
			}
		default:
			other++
		}
	}
	return dated >= 2 && other <= 1
}

// hasLongWord tells a line with a word of three letters or more (not a
// row of "A | A | A" size buttons).
func hasLongWord(s string) bool {
	n := 0
	for _, r := range s {
		if isWordRune(r) {
			n++
			if n >= 3 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

// nameLike tells a short line of capitalised words, like a person's name.
func nameLike(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 3 {
		return false
	}
	for _, w := range f {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) || len(r) > 1 && unicode.IsUpper(r[1]) && len(r) > 3 {
			return false
		}
	}
	return true
}

// titleParts cuts a <title> at its separators.
func titleParts(t string) []string {
	locs := reTitleSep.FindAllStringIndex(t, -1)
	if len(locs) == 0 {
		return nil
	}
	var out []string
	prev := 0
	for _, l := range locs {
		out = append(out, strings.TrimSpace(t[prev:l[0]]))
		prev = l[1]
	}
	return append(out, strings.TrimSpace(t[prev:]))
}
