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
	b, err := os.ReadFile(filepath.Join(c.fixtures, "xss", "vectors.jsonl"))
	if err != nil {
		r.skipped = err.Error()
		return []*row{r}
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
	ctx := context.Background()
	dir := filepath.Join(c.tmp, "xss")
	os.MkdirAll(dir, 0o755)
	db := filepath.Join(dir, "kabar.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	// A feed item can hold at most 100 comments (the feeds' cap), so the
	// vectors are spread over enough posts for every one to be in a feed.
	nPosts := max(3, (len(vectors)+89)/90)
	posts, err := seed(ctx, st, nPosts)
	st.Close()
	if err != nil {
		r.fail("seed: %v", err)
		return []*row{r}
	}
	if _, err := kabar(c, adminPassword+"\n", "--db", db, "admin", "create", "owner"); err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	out, err := kabar(c, "", "--db", db, "admin", "token", "owner")
	if err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	token := ""
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "kabar_") {
			token = f
		}
	}
	p, base, err := serve(c, db, filepath.Join(dir, "serve.log"), []string{"KABAR_TRUST_PROXY=true"})
	if err != nil {
		r.fail("serve: %v", err)
		return []*row{r}
	}
	defer p.stop(10 * time.Second)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string, []byte) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, "", nil
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<20))
		return res.StatusCode, res.Header.Get("Content-Type"), body
	}
	// Sign in as the owner (the login form's token first).
	_, _, page := get("/admin/login")
	csrf := formToken(page)
	form := url.Values{"name": {"owner"}, "password": {adminPassword}, "csrf": {csrf}, "next": {"/admin"}}
	if res, err := client.PostForm(base+"/admin/login", form); err != nil || res.StatusCode != http.StatusSeeOther {
		r.fail("owner sign-in failed: %v %v", err, statusOf(res))
	} else {
		res.Body.Close()
	}

	// The outputs, and what each showed before any hostile comment.
	pages := []string{"/", "/admin", "/admin/comments?status=pending", "/admin/comments?status=approved",
		"/admin/comments?status=spam", "/admin/posts"}
	for _, ps := range posts {
		pages = append(pages, ps.Path())
	}
	baseline := map[string]map[string]int{}
	for _, u := range pages {
		_, _, body := get(u)
		baseline[u] = pageViolations(body)
	}

	// Post every vector through the form: the token of a page, then the
	// form's minimum time, then one post each from its own address (the
	// per-address limit is for people, and X-Forwarded-For is trusted here).
	_, _, page = get(posts[0].Path())
	csrf = formToken(page)
	if csrf == "" {
		r.fail("no comment form token on %s", posts[0].Path())
	}
	time.Sleep(3500 * time.Millisecond)
	var refused []int
	for i, v := range vectors {
		ps := posts[i%len(posts)]
		name := []rune(strings.Join(strings.FieldsFunc(v.Vector, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " "))
		if len(name) > 80 {
			name = name[:80]
		}
		if len(name) == 0 {
			name = []rune("x")
		}
		f := url.Values{"name": {string(name)}, "text": {v.Vector}, "csrf": {csrf}}
		req, _ := http.NewRequest("POST", base+ps.Path(), strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("127.%d.%d.%d", 1+i/65536, (i/256)%256, i%256))
		res, err := client.Do(req)
		if err != nil || res.StatusCode != http.StatusSeeOther {
			refused = append(refused, i)
		}
		if res != nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	// Vectors the form refused (too many links, too long) still go in, as
	// the store would keep them, so that every output meets every vector.
	if len(refused) > 0 {
		st, err := sqlite.Open(ctx, db)
		if err == nil {
			for _, i := range refused {
				st.AddComment(ctx, &model.Comment{PostID: posts[i%len(posts)].ID, Name: "Refused by the form", Body: vectors[i].Vector, Status: model.CommentPending})
			}
			st.Close()
		}
		r.note("%d of %d vectors refused by the comment form (links, length) were stored directly", len(refused), len(vectors))
	}
	// The pending queue is what the owner reads first.
	check := func(u string, body []byte, ctype string) {
		r.tried++
		live := outputViolations(u, body, ctype, baseline[u])
		if len(live) > 0 {
			r.fail("%s: %s", u, summarize(live, 4))
		}
	}
	for n := 1; n <= 10; n++ {
		u := fmt.Sprintf("/admin/comments?status=pending&page=%d", n)
		code, ct, body := get(u)
		if code != 200 {
			break
		}
		baseline[u] = baseline["/admin/comments?status=pending"]
		check(u, body, ct)
		if !bytes.Contains(body, []byte("page="+fmt.Sprint(n+1))) {
			break
		}
	}
	// Approve them all through the API.
	approved := 0
	for round := 0; round < 20; round++ {
		_, _, body := get("/api/comments?status=pending&limit=100")
		var list struct {
			Comments []struct {
				ID int64 `json:"id"`
			} `json:"comments"`
		}
		json.Unmarshal(body, &list)
		if len(list.Comments) == 0 {
			break
		}
		for _, cm := range list.Comments {
			req, _ := http.NewRequest("PATCH", fmt.Sprintf("%s/api/comments/%d", base, cm.ID), strings.NewReader(`{"status":"approved"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if res, err := client.Do(req); err == nil {
				if res.StatusCode < 300 {
					approved++
				}
				res.Body.Close()
			}
		}
	}
	if approved < len(vectors) {
		r.fail("only %d of %d comments could be approved through the API", approved, len(vectors))
	}
	r.note("%d vectors posted as comments (name and text), %d approved; outputs compared with the same page before the comments", len(vectors), approved)

	for _, u := range pages {
		_, ct, body := get(u)
		check(u, body, ct)
	}
	for n := 2; n <= 10; n++ {
		u := fmt.Sprintf("/admin/comments?status=approved&page=%d", n)
		code, ct, body := get(u)
		if code != 200 {
			break
		}
		baseline[u] = baseline["/admin/comments?status=approved"]
		check(u, body, ct)
		if !bytes.Contains(body, []byte("page="+fmt.Sprint(n+1))) {
			break
		}
	}
	var feeds []string
	for _, alt := range []string{"", "&alt=rss", "&alt=json", "&alt=atom"} {
		feeds = append(feeds, "/feeds/comments/default?max-results=100"+alt, "/feeds/posts/default?max-results=100"+alt)
		for _, ps := range posts {
			feeds = append(feeds, fmt.Sprintf("/feeds/%d/comments/default?max-results=100%s", ps.ID, alt))
		}
	}
	for _, u := range feeds {
		code, ct, body := get(u)
		if code != 200 {
			r.tried++
			r.fail("%s: status %d", u, code)
			continue
		}
		check(u, body, ct)
	}
	for _, u := range []string{"/api/comments?limit=100", fmt.Sprintf("/api/posts/%d/comments", posts[0].ID)} {
		_, ct, _ := get(u)
		r.tried++
		if !strings.HasPrefix(ct, "application/json") {
			r.fail("%s served as %q, not JSON", u, ct)
		}
	}
	r.rss(p.peakRSS())
	return []*row{r}
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
func outputViolations(u string, body []byte, ctype string, before map[string]int) []string {
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
		tag := strings.ToLower(n.Data)
		attr := func(k string) (string, bool) {
			for _, a := range n.Attr {
				if strings.EqualFold(a.Key, k) {
					return a.Val, true
				}
			}
			return "", false
		}
		sig := func(what string) string {
			var parts []string
			for _, a := range n.Attr {
				if a.Key == "nonce" || a.Key == "value" {
					continue
				}
				parts = append(parts, a.Key+"="+clip(a.Val, 60))
			}
			return what + " <" + tag + " " + strings.Join(parts, " ") + ">"
		}
		switch tag {
		case "script":
			typ, _ := attr("type")
			text := ""
			if n.FirstChild != nil {
				text = n.FirstChild.Data
			}
			if strings.EqualFold(typ, "application/ld+json") && json.Valid([]byte(text)) {
				break
			}
			report(sig("element") + clip(text, 40))
		case "iframe", "object", "embed", "base", "frame", "frameset", "applet", "style", "link":
			report(sig("element"))
		case "form":
			// The site's own forms post to its own paths.
			if a, _ := attr("action"); a != "" && !strings.HasPrefix(a, "/") {
				report(sig("element"))
			}
		case "meta":
			if _, ok := attr("http-equiv"); ok {
				report(sig("element"))
			}
		case "animate", "set":
			if n.Namespace == "svg" {
				report(sig("element"))
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			if a.Namespace != "" {
				key = a.Namespace + ":" + key
			}
			val := normURL(a.Val)
			switch {
			case strings.HasPrefix(strings.ToLower(a.Key), "on"):
				report(sig("attribute " + a.Key))
			case key == "srcdoc":
				report(sig("attribute srcdoc"))
			case strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "vbscript:") || strings.HasPrefix(val, "livescript:"):
				report(sig("script URL in " + a.Key))
			case key == "style" && (strings.Contains(val, "expression(") || strings.Contains(val, "javascript:") || strings.Contains(val, "behavior:") || strings.Contains(val, "-moz-binding")):
				report(sig("script in style"))
			case urlAttrs[strings.TrimPrefix(key, "xlink:")] || urlAttrs[key]:
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
						report(sig("script URL in " + a.Key))
					} else if strings.HasPrefix(cv, "data:") && !(tag == "img" && (key == "src" || key == "srcset") && dataImage.MatchString(cv)) {
						report(sig("data URL in " + a.Key))
					}
				}
			}
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		walk(ch, report)
	}
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
