package extract

import (
	"bytes"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/kabarnews/kabar/internal/model"
)

// ErrNoArticle is returned when a page holds no plausible article body.
var ErrNoArticle = errors.New("extract: no article body found")

// minArticleChars is the body length under which Extract tries again with
// fewer of the strict rules (Readability's char threshold).
const minArticleChars = 500

// Extract turns an HTML page (already UTF-8) into an article: its body's
// text blocks in reading order plus the page's metadata. pageURL resolves
// relative URLs and may be empty. When no body is found the error is
// ErrNoArticle and the article, if not nil, carries the metadata alone.
func Extract(page []byte, pageURL string) (*model.Article, error) {
	return extract(page, pageURL, nil)
}

// Explain extracts the page as Extract does and tells how: the scoring
// attempts and every block kept or dropped, with the reason. The error is
// ErrNoArticle (with an Explanation) when the page has no body.
func Explain(page []byte, pageURL string) (*Explanation, error) {
	ex := &Explanation{URL: pageURL, Chosen: -1}
	art, err := extract(page, pageURL, ex)
	ex.Article = art
	return ex, err
}

func extract(page []byte, pageURL string, ex *Explanation) (*model.Article, error) {
	if len(bytes.TrimSpace(page)) == 0 {
		return nil, ErrNoArticle
	}
	// only the slimmed copy of a large page is parsed (see slim); a small
	// page's tree is small whatever it holds, and parsing it directly
	// saves a pass of the tokenizer
	src := page
	if !parseDirectly(page) {
		sl := slim(page)
		if ex != nil {
			ex.Cut = sl.String()
		}
		src = sl.page
	}
	doc, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, ErrNoArticle
	}
	if hasStreaming(src) {
		resolveStreaming(doc)
	}
	src = nil
	info := &pageInfo{metas: map[string]string{}}
	root := build(doc, info)

	base := baseURL(pageURL, info.baseHref)
	ld := parseJSONLD(info.jsonld)
	art := &model.Article{}
	body := root
	for _, k := range root.kids {
		if k.tag == atom.Body {
			body = k
			break
		}
	}
	fillMeta(art, info, ld, base)
	rule := applyRule(root, base, ex)
	art.Paragraphs = extractBody(root, body, art.Title, ld.body, ex, rule)
	tp := titleCandidates(body)
	host := ""
	if base != nil {
		host = base.Hostname()
	}
	tp.dayFirst = dayFirstLocale(host, info.htmlLang, info.metas["og:locale"], info.metas["content-language"])
	art.Title = fixMojibake(pickTitle(tp, info, ld, art.SiteName, base, art.Paragraphs))
	og := parseTime(info.metas["article:published_time"])
	if og.IsZero() {
		og = parseTime(info.metas["og:published_time"])
	}
	tp.settleDates(art, pageZone(info, ld), sameDay(og, art.Published))
	if art.Published.IsZero() {
		art.Published = art.Modified // a page that shows only when it was updated
	}
	if art.Author == "" && len(art.Paragraphs) > 0 {
		art.Author = tp.visibleByline(tp.start(art.Paragraphs[0]))
	}
	if art.Author == "" {
		art.Author = boxAuthor(art.Paragraphs)
	}
	if art.Author == "" {
		art.Author = ownerAuthor(ld, metaGetter(info.metas), art.SiteName)
	}
	trimHeadlineAndBio(art, ex)
	if len(art.Paragraphs) == 0 {
		return art, ErrNoArticle
	}
	if art.Language == "" {
		art.Language = detectLanguage(art.Paragraphs)
	}
	if art.Description == "" {
		art.Description = truncate(art.Paragraphs[0], 300)
	}
	return art, nil
}

// baseURL is the page's address, resolved against its <base href>; nil
// when neither gives an absolute one.
func baseURL(pageURL, baseHref string) *url.URL {
	base, _ := url.Parse(pageURL)
	if base != nil && !base.IsAbs() {
		base = nil
	}
	if baseHref == "" {
		return base
	}
	b, err := url.Parse(baseHref)
	switch {
	case err != nil:
	case base != nil:
		base = base.ResolveReference(b)
	case b.IsAbs():
		base = b
	}
	return base
}

// applyRule detaches what the site's rule strips, and returns the rule
// (nil when the site has none).
func applyRule(root *node, base *url.URL, ex *Explanation) *Rule {
	if base == nil {
		return nil
	}
	rule := ruleFor(base.Hostname())
	if rule == nil {
		return nil
	}
	for _, n := range rule.toStrip(root) {
		if ex != nil {
			ex.Stripped = append(ex.Stripped, Decision{Reason: "rule", Path: n.path(), Text: n.rawText()})
		}
		detach(n)
	}
	if ex != nil {
		ex.Rule = rule.Name
	}
	return rule
}

// trimHeadlineAndBio drops the headline at the top of the body, which is
// not part of it, and the author's short biography that closes many posts
// ("Jane Doe is a finance writer who..."): it is about the writer, not the
// story.
func trimHeadlineAndBio(art *model.Article, ex *Explanation) {
	for len(art.Paragraphs) > 1 && normWords(art.Paragraphs[0]) == normWords(art.Title) {
		art.Paragraphs = art.Paragraphs[1:]
		if ex != nil {
			ex.dropFirstKept("title")
		}
	}
	if from, to := authorBox(art.Paragraphs, art.Author); from >= 0 {
		if ex != nil {
			for _, p := range art.Paragraphs[from:to] {
				ex.dropKept(p, "author-bio")
			}
		}
		art.Paragraphs = append(art.Paragraphs[:from], art.Paragraphs[to:]...)
	}
	if from := aboutBox(art.Paragraphs); from >= 0 {
		if ex != nil {
			for _, p := range art.Paragraphs[from:] {
				ex.dropKept(p, "author-box")
			}
		}
		art.Paragraphs = art.Paragraphs[:from]
	}
	if from := nameBox(art.Paragraphs, art.Author); from >= 0 {
		if ex != nil {
			for _, p := range art.Paragraphs[from:] {
				ex.dropKept(p, "author-box")
			}
		}
		art.Paragraphs = art.Paragraphs[:from]
	}
}

// slimFrom is the page size above which only slim's copy is parsed. A
// page under it makes a tree of a few megabytes at most; the tests set it
// to 0 to check that both ways give the same article.
var slimFrom = 128 << 10

// A larger page is parsed directly too when it has few elements: a modern
// page's bytes are mostly scripts, styles and attributes, which become a
// handful of nodes, while slim's pass over them costs a third of the
// parse. What a tree costs is its nodes (each tag makes at most an element
// node and the text after it), so counting '<' bounds it without a
// tokenizer; slim still takes pages beyond directMaxBytes, whose text or
// attributes alone would be copied several times.
const (
	directMaxBytes = 2 << 20
	directMaxTags  = 12_000
)

func parseDirectly(page []byte) bool {
	if len(page) <= slimFrom {
		return true
	}
	return slimFrom > 0 && len(page) <= directMaxBytes && bytes.Count(page, []byte{'<'}) <= directMaxTags
}

// attempts are the scoring passes, strictest first; the next runs when the
// body found is under minArticleChars.
var attempts = []int{
	flagStripUnlikely | flagWeightClasses | flagCleanConditionally,
	flagWeightClasses | flagCleanConditionally,
	flagCleanConditionally,
	0,
}

// ruleBody is the body the site's rule keeps, or nil.
func ruleBody(body *node, title string, ex *Explanation, rule *Rule) []string {
	if rule == nil {
		return nil
	}
	var tr *tracer
	if ex != nil {
		tr = &tracer{reasons: map[*node]string{}}
	}
	blocks := rule.keepBlocks(body, title, tr)
	if len(blocks) == 0 {
		return nil
	}
	if ex != nil {
		ex.Source, ex.Blocks = "rule", tr.items
	}
	paras := make([]string, 0, len(blocks))
	for _, b := range blocks {
		paras = append(paras, b.text)
	}
	return paras
}

// attemptOf is what --explain shows of one scoring attempt.
func attemptOf(s *scorer, flags int, top *node, parts []*node) Attempt {
	a := Attempt{Mode: modeName(flags)}
	for _, c := range s.candidates[:min(len(s.candidates), 5)] {
		a.Candidates = append(a.Candidates, Candidate{Path: c.path(), Score: c.score})
	}
	if top != nil {
		a.Top = top.path()
		for _, p := range parts {
			a.Parts = append(a.Parts, p.path())
		}
	}
	return a
}

// collectParts cleans the chosen parts and filters their blocks.
func collectParts(s *scorer, top *node, parts []*node, title string, tr *tracer) []block {
	c := &cleaner{s: s, title: title, topLen: top.textLen}
	c.ignoreNegative = s.flags&flagWeightClasses != 0 && negativeShare(parts) > 0.5
	col := &collector{tr: tr}
	if tr != nil {
		c.reasons = tr.reasons
	}
	for _, p := range parts {
		c.clean(p, true, false, false)
		col.walk(p, false, false, false)
		col.flush()
	}
	return filterBlocks(col.blocks, title, tr)
}

// ldBodyOver is the JSON-LD articleBody, the publisher's own statement of
// the body, when the page's markup gave much less (bestLen characters);
// else nil.
func ldBodyOver(ldBody string, bestLen int, ex *Explanation) []string {
	ldb := ldParagraphs(ldBody)
	if len(ldb) == 0 {
		return nil
	}
	ldLen := 0
	for _, p := range ldb {
		ldLen += len(p)
	}
	if bestLen >= ldLen/3 || ldLen < 200 {
		return nil
	}
	if ex != nil {
		ex.Source = "json-ld"
		ex.Blocks = nil
		for _, p := range ldb {
			ex.Blocks = append(ex.Blocks, Decision{Kept: true, Text: p})
		}
	}
	return ldb
}

func extractBody(root, body *node, title, ldBody string, ex *Explanation, rule *Rule) []string {
	if paras := ruleBody(body, title, ex, rule); paras != nil {
		return paras
	}
	var best []block
	bestLen := -1
	var bestTrace *tracer
	for i, flags := range attempts {
		reset(root)
		s := &scorer{flags: flags}
		top, parts := s.pick(body)
		var tr *tracer
		if ex != nil {
			tr = &tracer{reasons: map[*node]string{}}
			ex.Attempts = append(ex.Attempts, attemptOf(s, flags, top, parts))
		}
		if top == nil {
			continue
		}
		blocks := collectParts(s, top, parts, title, tr)
		n := 0
		for _, b := range blocks {
			n += b.textLen
		}
		if ex != nil {
			ex.Attempts[len(ex.Attempts)-1].Chars = n
		}
		// a later, laxer attempt must give clearly more to be preferred
		if bestLen < 0 || n > bestLen*3/2 {
			best, bestLen, bestTrace = blocks, n, tr
			if ex != nil {
				ex.Chosen = i
			}
		}
		if n >= minArticleChars {
			break
		}
	}
	if ex != nil {
		ex.Source = "markup"
		if bestTrace != nil {
			ex.Blocks = bestTrace.items
		}
	}
	paras := make([]string, 0, len(best))
	for _, b := range best {
		paras = append(paras, b.text)
	}
	if ldb := ldBodyOver(ldBody, bestLen, ex); ldb != nil {
		return ldb
	}
	if bestLen <= 0 {
		return nil
	}
	return paras
}

func ldParagraphs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if strings.Contains(s, "<") && strings.Contains(s, ">") {
		// some publishers put HTML in articleBody
		if doc, err := html.Parse(strings.NewReader(s)); err == nil {
			info := &pageInfo{metas: map[string]string{}}
			r := build(doc, info)
			col := &collector{}
			col.walk(r, false, false, false)
			col.flush()
			var out []string
			for _, b := range col.blocks {
				out = append(out, b.text)
			}
			return out
		}
	}
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if t := collapse(line); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func reset(n *node) {
	n.score, n.scored, n.removed, n.mass = 0, false, false, 0
	for _, k := range n.kids {
		if k.tag != 0 {
			reset(k)
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimSpace(s[:cut]) + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// fillMeta fills the article's metadata from meta tags, JSON-LD and markup.
var reWrittenBy = regexp.MustCompile(`(?i)^\s*(written by|author|authors|by)\s*:?\s*$`)

func fillMeta(a *model.Article, info *pageInfo, ld ldInfo, base *url.URL) {
	get := metaGetter(info.metas)
	a.SiteName = get("og:site_name", "application-name", "twitter:site")
	if a.SiteName == "" {
		a.SiteName = ld.site
	}
	a.SiteName = strings.TrimPrefix(a.SiteName, "@")

	a.Title = get("og:title", "twitter:title")
	if a.Title == "" {
		a.Title = ld.headline
	}
	if a.Title == "" {
		a.Title = get("title", "headline", "dc.title")
	}
	// a first guess, for the body's cleaning; pickTitle has the last word
	a.Title = cleanTitle(a.Title, a.SiteName)
	if a.Title == "" {
		a.Title = cleanTitle(pageTitle(info), a.SiteName)
	}

	a.Author = metaAuthor(info, ld, get, a.SiteName)
	metaDates(a, info, ld, get)

	img := get("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
	if img == "" {
		img = ld.image
	}
	if img == "" {
		img = get("image", "thumbnailurl")
	}
	a.Image = absURL(base, img)

	canon := info.canonical
	if canon == "" {
		canon = get("og:url")
	}
	if canon == "" && base != nil {
		canon = base.String()
	}
	a.Canonical = absURL(base, canon)
	a.AMPURL = absURL(base, info.amp)

	a.Language = normLang(info.htmlLang)
	if a.Language == "" {
		a.Language = normLang(get("og:locale", "content-language", "language", "dc.language", "inlanguage"))
	}
	if a.Language == "" {
		a.Language = normLang(ld.lang)
	}
	a.Description = get("description", "og:description", "twitter:description")
	if a.Description == "" {
		a.Description = ld.description
	}
}

// metaGet returns the first meta value of keys that is set, unescaped and
// collapsed, or "".
type metaGet func(keys ...string) string

func metaGetter(m map[string]string) metaGet {
	return func(keys ...string) string {
		for _, k := range keys {
			if v := m[k]; v != "" {
				return collapse(unescape(v))
			}
		}
		return ""
	}
}

// metaAuthor is the author the metadata and the page's bylines name, in
// order of trust.
func metaAuthor(info *pageInfo, ld ldInfo, get metaGet, site string) string {
	author := ""
	if personLike(ld.author, site) {
		author = ld.author
	}
	if author == "" {
		for _, k := range []string{"author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author"} {
			if v := get(k); personLike(v, site) {
				author = v
				break
			}
		}
	}
	// Slack-style labelled meta ("twitter:label1" = "Written by")
	for i := 1; i <= 4 && author == ""; i++ {
		n := strconv.Itoa(i)
		if reWrittenBy.MatchString(get("twitter:label" + n)) {
			if v := get("twitter:data" + n); personLike(v, site) {
				author = bylineName(v)
			}
		}
	}
	if author != "" {
		author = coAuthors(author, info)
	}
	if author == "" {
		author = bylineName(info.authorRel)
	}
	for _, h := range append(append(info.authorHints, info.authorLabelled...), info.authorLinks...) {
		if author != "" {
			break
		}
		author = bylineName(h)
	}
	if author == "" && personLike(ld.authorOrg, site) && !reOrgName.MatchString(ld.authorOrg) {
		author = ld.authorOrg
	}
	return strings.TrimSpace(reByline.ReplaceAllString(author, ""))
}

var reTwoNames = regexp.MustCompile(`(?i)\s(and|&)\s`)

// coAuthors is the page's byline when it names the metadata's one author
// and others beside: metadata often has room for the first author only
// ("Written by A, B and C" over an author field of "A").
func coAuthors(author string, info *pageInfo) string {
	if strings.Contains(author, ",") {
		return author
	}
	want := normWords(author)
	for _, h := range append(info.authorHints, info.authorLabelled...) {
		// most hints name nobody else: look closer only at those that
		// hold the author's name and something that parts names
		if !strings.Contains(h, author) || !strings.ContainsAny(h, ",;&") && !strings.Contains(h, " and ") {
			continue
		}
		names := bylineName(h)
		parts := reNameSep.Split(names, -1)
		// two parts apart by a comma are as often a name and a role
		// ("Jane Doe, Master Gardener") as two names
		if len(parts) < 2 || len(parts) > 6 || len(parts) == 2 && !reTwoNames.MatchString(names) {
			continue
		}
		named := false
		for _, p := range parts {
			p = stripHonorific(p)
			if hasRole(p) || !fullName(p) {
				named = false // a role or a place among them
				break
			}
			named = named || normWords(p) == want
		}
		if named {
			return names
		}
	}
	return author
}

// ownerAuthor is the author of a personal site: metadata that names as
// author the site itself, when the site's name is a person's. Other sites
// name themselves as author of what their staff wrote, so it comes after
// every byline.
func ownerAuthor(ld ldInfo, get metaGet, site string) string {
	if !fullName(site) {
		return ""
	}
	for _, v := range []string{ld.author, get("author", "article:author", "dc.creator", "twitter:data1")} {
		if v != "" && normWords(v) == normWords(site) {
			return site
		}
	}
	return ""
}

// metaDates sets the publication and modification times the metadata
// gives.
func metaDates(a *model.Article, info *pageInfo, ld ldInfo, get metaGet) {
	for _, v := range []string{ld.published, get("article:published_time", "datepublished", "og:published_time", "published_time", "pubdate", "publishdate", "publish-date", "publish_date", "published-date", "publication_date", "published", "date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date", "dcterms.created", "article.published", "cxenseparse:recs:publishtime")} {
		if t := parseTime(v); !t.IsZero() {
			a.Published = t
			break
		}
	}
	if a.Published.IsZero() {
		for _, v := range info.times {
			if t := parseTime(v); !t.IsZero() {
				a.Published = t
				break
			}
		}
	}
	for _, v := range []string{ld.modified, get("article:modified_time", "datemodified", "og:updated_time", "last-modified", "modified-date", "dcterms.modified")} {
		if t := parseTime(v); !t.IsZero() {
			a.Modified = t
			break
		}
	}
}

// reBioVerb is what follows a writer's name in a biography.
var reBioVerb = regexp.MustCompile(`^(,[^.]{0,80},)?\s+(is|was|has|has been|writes|covers|joined|serves as|holds|studied|lives|loves|explores|specializes|specialises|works as)\s`)
