package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

type xssVector struct {
	ID     string `json:"id"`
	Vector string `json:"vector"`
}

const adminPassword = "reliability-suite-password-1"

// runXSS posts the kit's XSS vectors as reader comments through the
// comment form, approves them as the owner through the API, and checks
// every output that shows comments (post pages, admin pages, every comment
// and post feed in RSS, Atom and JSON, the API) the way a browser or a feed
// reader would read it.
func runXSS(c *config) []*row {
	r := &row{scenario: "comment XSS, every output", store: "SQLite"}
	if c.fixtures == "" {
		r.skipped = "the hostile-input kit was not found (-fixtures)"
		return []*row{r}
	}
	startT := time.Now()
	defer func() { r.took = time.Since(startT) }()
	vectors, err := loadVectors(c)
	if err != nil {
		r.skipped = err.Error()
		return []*row{r}
	}
	dir := filepath.Join(c.tmp, "xss")
	mkdir(dir)
	db := filepath.Join(dir, "kabar.db")
	posts, token, err := xssSetup(c, db, len(vectors))
	if err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	p, base, err := serve(c, db, filepath.Join(dir, "serve.log"), []string{"KABAR_TRUST_PROXY=true"})
	if err != nil {
		r.fail("serve: %v", err)
		return []*row{r}
	}
	defer p.stop(10 * time.Second)

	jar, _ := cookiejar.New(nil) // a nil options cannot fail
	s := &xssSite{r: r, base: base, token: token, baseline: map[string]map[string]int{},
		client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	s.signIn()

	// The outputs, and what each showed before any hostile comment.
	pages := []string{"/", "/admin", "/admin/comments?status=pending", "/admin/comments?status=approved",
		"/admin/comments?status=spam", "/admin/posts"}
	for _, ps := range posts {
		pages = append(pages, ps.Path())
	}
	for _, u := range pages {
		_, _, body := s.get(u)
		s.baseline[u] = pageViolations(body)
	}

	if refused := s.postVectors(posts, vectors); len(refused) > 0 {
		// Vectors the form refused (too many links, too long) still go in,
		// as the store would keep them, so that every output meets every
		// vector.
		if err := storeRefused(db, posts, vectors, refused); err != nil {
			r.fail("storing the refused vectors: %v", err)
		}
		r.note("%d of %d vectors refused by the comment form (links, length) were stored directly", len(refused), len(vectors))
	}
	// The pending queue is what the owner reads first.
	s.checkPaged("pending", 1)
	approved := s.approveAll()
	if approved < len(vectors) {
		r.fail("only %d of %d comments could be approved through the API", approved, len(vectors))
	}
	r.note("%d vectors posted as comments (name and text), %d approved; outputs compared with the same page before the comments", len(vectors), approved)

	for _, u := range pages {
		_, ct, body := s.get(u)
		s.check(u, body, ct)
	}
	s.checkPaged("approved", 2)
	s.checkFeeds(posts)
	for _, u := range []string{"/api/comments?limit=100", fmt.Sprintf("/api/posts/%d/comments", posts[0].ID)} {
		_, ct, _ := s.get(u)
		r.tried++
		if !strings.HasPrefix(ct, "application/json") {
			r.fail("%s served as %q, not JSON", u, ct)
		}
	}
	r.rss(p.peakRSS())
	return []*row{r}
}

// loadVectors reads the kit's XSS vectors, at most -xss-max of them.
func loadVectors(c *config) ([]xssVector, error) {
	b, err := os.ReadFile(filepath.Join(c.fixtures, "xss", "vectors.jsonl"))
	if err != nil {
		return nil, err
	}
	var vectors []xssVector
	for _, line := range bytes.Split(b, []byte("\n")) {
		var v xssVector
		if json.Unmarshal(line, &v) == nil && v.Vector != "" {
			vectors = append(vectors, v)
		}
	}
	if c.xssMax > 0 && len(vectors) > c.xssMax {
		vectors = vectors[:c.xssMax]
	}
	return vectors, nil
}

// xssSetup seeds db with enough posts for the vectors, makes the owner and
// returns the posts and the owner's API token.
func xssSetup(c *config, db string, vectors int) ([]*model.Post, string, error) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, "", err
	}
	// A feed item can hold at most 100 comments (the feeds' cap), so the
	// vectors are spread over enough posts for every one to be in a feed.
	posts, err := seed(ctx, st, max(3, (vectors+89)/90))
	if err = closeAfterWrite(st, err); err != nil {
		return nil, "", fmt.Errorf("seed: %v", err)
	}
	if _, err := kabar(c, adminPassword+"\n", "--db", db, "admin", "create", "owner"); err != nil {
		return nil, "", err
	}
	out, err := kabar(c, "", "--db", db, "admin", "token", "owner")
	if err != nil {
		return nil, "", err
	}
	token := ""
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "kabar_") {
			token = f
		}
	}
	return posts, token, nil
}

// storeRefused adds the vectors at refused straight to the store, pending.
func storeRefused(db string, posts []*model.Post, vectors []xssVector, refused []int) error {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	for _, i := range refused {
		err = st.AddComment(ctx, &model.Comment{PostID: posts[i%len(posts)].ID, Name: "Refused by the form", Body: vectors[i].Vector, Status: model.CommentPending})
		if err != nil {
			break
		}
	}
	return closeAfterWrite(st, err)
}

// xssSite is the running site the XSS scenario reads, signed in as the
// owner, and what each output showed before the comments.
type xssSite struct {
	r        *row
	base     string
	token    string
	client   *http.Client
	baseline map[string]map[string]int
}

// get fetches path (with the owner's token for the API) and returns its
// status, type and body; status 0 when it could not be fetched.
func (s *xssSite) get(path string) (int, string, []byte) {
	req, err := http.NewRequest("GET", s.base+path, nil)
	if err != nil {
		return 0, "", nil
	}
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0, "", nil
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<20)) // a cut body is checked as far as it goes
	return res.StatusCode, res.Header.Get("Content-Type"), body
}

// check counts one output and fails the row on any live markup the same
// output did not have before the comments.
func (s *xssSite) check(u string, body []byte, ctype string) {
	s.r.tried++
	if live := outputViolations(body, ctype, s.baseline[u]); len(live) > 0 {
		s.r.fail("%s: %s", u, summarize(live, 4))
	}
}

// signIn signs in as the owner (the login form's token first).
func (s *xssSite) signIn() {
	_, _, page := s.get("/admin/login")
	form := url.Values{"name": {"owner"}, "password": {adminPassword}, "csrf": {formToken(page)}, "next": {"/admin"}}
	res, err := s.client.PostForm(s.base+"/admin/login", form)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		s.r.fail("owner sign-in failed: %v %v", err, statusOf(res))
	}
	if res != nil {
		res.Body.Close()
	}
}

// postVectors posts every vector through the form: the token of a page,
// then the form's minimum time, then one post each from its own address
// (the per-address limit is for people, and X-Forwarded-For is trusted
// here). It returns the vectors the form refused.
func (s *xssSite) postVectors(posts []*model.Post, vectors []xssVector) (refused []int) {
	_, _, page := s.get(posts[0].Path())
	csrf := formToken(page)
	if csrf == "" {
		s.r.fail("no comment form token on %s", posts[0].Path())
	}
	time.Sleep(3500 * time.Millisecond)
	for i, v := range vectors {
		name := []rune(strings.Join(strings.FieldsFunc(v.Vector, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " "))
		if len(name) > 80 {
			name = name[:80]
		}
		if len(name) == 0 {
			name = []rune("x")
		}
		f := url.Values{"name": {string(name)}, "text": {v.Vector}, "csrf": {csrf}}
		req, err := http.NewRequest("POST", s.base+posts[i%len(posts)].Path(), strings.NewReader(f.Encode()))
		if err != nil {
			refused = append(refused, i)
			continue
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("127.%d.%d.%d", 1+i/65536, (i/256)%256, i%256))
		res, err := s.client.Do(req)
		if err != nil || res.StatusCode != http.StatusSeeOther {
			refused = append(refused, i)
		}
		if res != nil {
			_, _ = io.Copy(io.Discard, res.Body) // read to its end so the connection is reused; only the status counts
			res.Body.Close()
		}
	}
	return refused
}

// checkPaged checks the admin comment list of status from page first on,
// up to page 10, as long as a next page is linked.
func (s *xssSite) checkPaged(status string, first int) {
	for n := first; n <= 10; n++ {
		u := fmt.Sprintf("/admin/comments?status=%s&page=%d", status, n)
		code, ct, body := s.get(u)
		if code != 200 {
			break
		}
		s.baseline[u] = s.baseline["/admin/comments?status="+status]
		s.check(u, body, ct)
		if !bytes.Contains(body, []byte("page="+fmt.Sprint(n+1))) {
			break
		}
	}
}

// approveAll approves every pending comment through the API and returns
// how many it approved.
func (s *xssSite) approveAll() int {
	approved := 0
	for round := 0; round < 20; round++ {
		_, _, body := s.get("/api/comments?status=pending&limit=100")
		var list struct {
			Comments []struct {
				ID int64 `json:"id"`
			} `json:"comments"`
		}
		if err := json.Unmarshal(body, &list); err != nil || len(list.Comments) == 0 {
			break
		}
		for _, cm := range list.Comments {
			if s.approve(cm.ID) {
				approved++
			}
		}
	}
	return approved
}

func (s *xssSite) approve(id int64) bool {
	req, err := http.NewRequest("PATCH", fmt.Sprintf("%s/api/comments/%d", s.base, id), strings.NewReader(`{"status":"approved"}`))
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode < 300
}

// checkFeeds checks every comment and post feed, in each format.
func (s *xssSite) checkFeeds(posts []*model.Post) {
	var feeds []string
	for _, alt := range []string{"", "&alt=rss", "&alt=json", "&alt=atom"} {
		feeds = append(feeds, "/feeds/comments/default?max-results=100"+alt, "/feeds/posts/default?max-results=100"+alt)
		for _, ps := range posts {
			feeds = append(feeds, fmt.Sprintf("/feeds/%d/comments/default?max-results=100%s", ps.ID, alt))
		}
	}
	for _, u := range feeds {
		code, ct, body := s.get(u)
		if code != 200 {
			s.r.tried++
			s.r.fail("%s: status %d", u, code)
			continue
		}
		s.check(u, body, ct)
	}
}

func statusOf(res *http.Response) string {
	if res == nil {
		return ""
	}
	return res.Status
}

var tokenRe = regexp.MustCompile(`name="csrf"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrf"`)

func formToken(page []byte) string {
	m := tokenRe.FindSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(string(m[1]) + string(m[2]))
}

// outputViolations checks one output by its type: an HTML page against
// what the same page had before, a feed item by item as a reader would.
func outputViolations(body []byte, ctype string, before map[string]int) []string {
	switch {
	case strings.Contains(ctype, "json"):
		return jsonFeedViolations(body)
	case strings.Contains(ctype, "xml"):
		return xmlFeedViolations(body)
	}
	var out []string
	for sig, n := range pageViolations(body) {
		if n > before[sig] {
			out = append(out, sig)
		}
	}
	return out
}

// pageViolations are the live markup of a whole page, as signatures.
func pageViolations(body []byte) map[string]int {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return map[string]int{"unparsable": 1}
	}
	out := map[string]int{}
	walk(doc, func(s string) { out[s]++ })
	return out
}

// fragmentViolations applies the kit's rule to an HTML fragment (a feed's
// item content): parsed in a <body>, alone and followed by a tail that an
// unterminated tag would swallow.
func fragmentViolations(frag string) []string {
	var out []string
	for _, src := range []string{frag, frag + `</div><p title="t">tail</p>`} {
		ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
		nodes, err := html.ParseFragment(strings.NewReader(src), ctx)
		if err != nil {
			return []string{"unparsable"}
		}
		for _, n := range nodes {
			walk(n, func(s string) { out = append(out, s) })
		}
	}
	return out
}

var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true,
	"poster": true, "background": true, "srcset": true, "data": true, "codebase": true, "cite": true, "dynsrc": true, "lowsrc": true}

var dataImage = regexp.MustCompile(`^data:image/(png|gif|jpeg|webp|avif)[;,]`)

// walk reports each element or attribute of the tree that could run
// script or navigate the reader: the kit's rule and its stricter checks.
func walk(n *html.Node, report func(string)) {
	if n.Type == html.ElementNode {
		e := element{n: n, tag: strings.ToLower(n.Data)}
		if e.live() {
			report(e.sig("element") + e.scriptText())
		}
		for _, a := range n.Attr {
			if what := e.liveAttr(a); what != "" {
				report(e.sig(what))
			}
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		walk(ch, report)
	}
}

// element is an HTML element under check, its tag in lower case.
type element struct {
	n   *html.Node
	tag string
}

func (e element) attr(k string) (string, bool) {
	for _, a := range e.n.Attr {
		if strings.EqualFold(a.Key, k) {
			return a.Val, true
		}
	}
	return "", false
}

// sig is a violation's signature: what, and the element with its
// attributes (the ones that change per page left out).
func (e element) sig(what string) string {
	var parts []string
	for _, a := range e.n.Attr {
		if a.Key == "nonce" || a.Key == "value" {
			continue
		}
		parts = append(parts, a.Key+"="+clip(a.Val, 60))
	}
	return what + " <" + e.tag + " " + strings.Join(parts, " ") + ">"
}

// scriptText is the start of a script's text, for its signature.
func (e element) scriptText() string {
	if e.tag != "script" || e.n.FirstChild == nil {
		return ""
	}
	return clip(e.n.FirstChild.Data, 40)
}

// live says whether the element itself can run script or load a page.
func (e element) live() bool {
	switch e.tag {
	case "script":
		// JSON-LD is data, not script.
		typ, _ := e.attr("type")
		text := ""
		if e.n.FirstChild != nil {
			text = e.n.FirstChild.Data
		}
		return !strings.EqualFold(typ, "application/ld+json") || !json.Valid([]byte(text))
	case "iframe", "object", "embed", "base", "frame", "frameset", "applet", "style", "link":
		return true
	case "form":
		// The site's own forms post to its own paths.
		a, _ := e.attr("action")
		return a != "" && !strings.HasPrefix(a, "/")
	case "meta":
		_, ok := e.attr("http-equiv")
		return ok
	case "animate", "set":
		return e.n.Namespace == "svg"
	}
	return false
}

// liveAttr says what is wrong with attribute a ("" when nothing).
func (e element) liveAttr(a html.Attribute) string {
	key := strings.ToLower(a.Key)
	if a.Namespace != "" {
		key = a.Namespace + ":" + key
	}
	val := normURL(a.Val)
	switch {
	case strings.HasPrefix(strings.ToLower(a.Key), "on"):
		return "attribute " + a.Key
	case key == "srcdoc":
		return "attribute srcdoc"
	case strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "vbscript:") || strings.HasPrefix(val, "livescript:"):
		return "script URL in " + a.Key
	case key == "style" && (strings.Contains(val, "expression(") || strings.Contains(val, "javascript:") || strings.Contains(val, "behavior:") || strings.Contains(val, "-moz-binding")):
		return "script in style"
	case urlAttrs[strings.TrimPrefix(key, "xlink:")] || urlAttrs[key]:
		return e.liveURL(a, key, val)
	}
	return ""
}

// liveURL checks a URL attribute (each candidate of a srcset): script
// URLs, and data URLs other than an image's picture.
func (e element) liveURL(a html.Attribute, key, val string) string {
	cands := []string{val}
	if key == "srcset" {
		cands = nil
		for _, part := range strings.Split(a.Val, ",") {
			if f := strings.Fields(part); len(f) > 0 {
				cands = append(cands, normURL(f[0]))
			}
		}
	}
	for _, cv := range cands {
		if strings.HasPrefix(cv, "javascript:") || strings.HasPrefix(cv, "vbscript:") {
			return "script URL in " + a.Key
		}
		if strings.HasPrefix(cv, "data:") && !(e.tag == "img" && (key == "src" || key == "srcset") && dataImage.MatchString(cv)) {
			return "data URL in " + a.Key
		}
	}
	return ""
}

// normURL is an attribute value as a browser reads its scheme: leading
// controls and spaces dropped, tabs and newlines removed, lower case.
func normURL(v string) string {
	v = strings.TrimLeftFunc(v, func(r rune) bool { return r <= ' ' })
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	return strings.ToLower(v)
}

// xnode is any XML element, for walking RSS and Atom alike.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Inner   string     `xml:",innerxml"`
	Nodes   []xnode    `xml:",any"`
}

// xmlFeedViolations reads an RSS or Atom feed as a reader does: RSS
// description and content:encoded, and Atom html or xhtml text, are HTML
// once XML-decoded.
func xmlFeedViolations(body []byte) []string {
	var root xnode
	if err := xml.Unmarshal(body, &root); err != nil {
		return []string{"not well-formed XML: " + clip(err.Error(), 80)}
	}
	var out []string
	var visit func(n *xnode)
	visit = func(n *xnode) {
		typ := ""
		for _, a := range n.Attrs {
			if a.Name.Local == "type" {
				typ = a.Value
			}
		}
		switch n.XMLName.Local {
		case "description", "encoded":
			out = append(out, fragmentViolations(n.Text)...)
		case "content", "summary", "title", "subtitle", "rights":
			switch typ {
			case "html", "text/html":
				out = append(out, fragmentViolations(n.Text)...)
			case "xhtml":
				out = append(out, fragmentViolations(n.Inner)...)
			}
		}
		for i := range n.Nodes {
			visit(&n.Nodes[i])
		}
	}
	visit(&root)
	return out
}

func jsonFeedViolations(body []byte) []string {
	var feed struct {
		Items []struct {
			ContentHTML string `json:"content_html"`
			Summary     string `json:"summary"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &feed); err != nil {
		// Not a JSON Feed (the Blogger-style alt=json): its "$t" texts with
		// a "type": "html" sibling are HTML.
		return bloggerJSONViolations(body)
	}
	var out []string
	for _, it := range feed.Items {
		out = append(out, fragmentViolations(it.ContentHTML)...)
	}
	if len(feed.Items) == 0 {
		out = append(out, bloggerJSONViolations(body)...)
	}
	return out
}

func bloggerJSONViolations(body []byte) []string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{"not valid JSON"}
	}
	var out []string
	var visit func(any)
	visit = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			if s, ok := t["$t"].(string); ok && (t["type"] == "html" || t["type"] == "xhtml") {
				out = append(out, fragmentViolations(s)...)
			}
			if s, ok := t["content_html"].(string); ok {
				out = append(out, fragmentViolations(s)...)
			}
			for _, c := range t {
				visit(c)
			}
		case []any:
			for _, c := range t {
				visit(c)
			}
		}
	}
	visit(v)
	return out
}
