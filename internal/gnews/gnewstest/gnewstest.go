// Package gnewstest is a fake of the two Google News endpoints that online
// link resolution uses, for tests: the article page
// (/articles/<ID>, /rss/articles/<ID>) carrying data-n-a-sg and data-n-a-ts,
// and the batchexecute endpoint (/_/DotsSplashUi/data/batchexecute)
// answering garturlreq calls. It listens on 127.0.0.1 only.
//
// Replies are built from real ones (embedded from testdata: the success
// reply with an AMP URL, the [3] error reply, the escaped-'=' payload) and
// from the shapes public decoders document. The fake checks what a real
// client must send: a form-encoded f.req whose calls carry the signature
// and timestamp of the article's page; a call with a wrong signature gets
// the error envelope, as Google's would.
//
// Its handlers ignore the errors of their writes: a reply cut short shows
// as a failure in the client under test.
package gnewstest

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Real replies and payloads (see testdata/README.md).
var (
	//go:embed testdata/response_success_with_amp_2026_pubfile-55706560259.txt
	SuccessWithAMPReply string
	//go:embed testdata/response_error_generic_2024-08_ssujitx-readme.txt
	ErrorReply string
	//go:embed testdata/payload_fragment_escaped_equals_2026-08-31_pubfile-68312333450.txt
	escapedEqualsPayload string
)

// EscapedEqualsPayload is the payload captured with '=' sent as \u003d, as it
// sits inside the outer JSON string (one more level of escaping).
var EscapedEqualsPayload = strings.TrimSpace(escapedEqualsPayload)

// The pairing the success reply comes with: a real new-form ID and the URLs
// its reply holds.
const (
	SuccessID     = "CBMilAFBVV95cUxQMVBUVVVMeHJycWcwWTBoSzM5WDdlR1h1VWx0TkNrZVBLME1rbzMyeWZrX1JYZVp4WUVKdWRFUEZFazJQMHZwWDVkWmJPNlQ3WDhlVFl0Y2JCWFZ1WWs4eElHTUNjZXdGNUNBZGotdEFOTldiRE5UTVdHM016MzZDcGZJRnZEblQwQU95NDdXek5qbmF60gGaAUFVX3lxTE9famRKZWZUdVdqNFQyclNudldyTWhMWjl0M3hvenFYSFpJalVENVhIelBNV3ZTUHRSaEFhTVZSWEstNjdPbkpNeEFzQW44b1lmU2FqTmNabFJoVGdHckUzYTJNNjcwZk9IZlNvQ2lJLS0xNDNPZGQyOEhBNkQxY2NwSGY2VXJHN2ZZNUtFbVVrZlhyRjUtWkVqM0E"
	SuccessURL    = "https://www.eleconomista.com.mx/opinion/fibra-danhos-pagara-dividendo-20260224-801518.html"
	SuccessAMPURL = "https://www.eleconomista.com.mx/amp/opinion/fibra-danhos-pagara-dividendo-20260224-801518.html"
	// EscapedEqualsURL is what EscapedEqualsPayload decodes to.
	EscapedEqualsURL = "https://www.legacy.com/us/obituaries/name/james-rushton-obituary?id=62306633"
)

// Reply says how batchexecute answers calls for an article.
type Reply int

const (
	// ReplyOK: ["garturlres", URL, 1(, AMPURL)].
	ReplyOK Reply = iota
	// ReplyError: a null payload with [3] in slot 5, like ErrorReply.
	ReplyError
	// ReplyNoURL: ["garturlres", null, 1].
	ReplyNoURL
	// ReplyRawPayload: Article.RawPayload, written as is inside the
	// envelope's JSON string (it must be escaped for that already).
	ReplyRawPayload
	// ReplyRaw: Article.RawReply as the whole response body (a call for
	// this article must then be alone in its request).
	ReplyRaw
	// ReplyMissing: no envelope for this call.
	ReplyMissing
)

// Article is one article ID the fake knows.
type Article struct {
	ID          string
	URL, AMPURL string
	Reply       Reply
	RawPayload  string
	RawReply    string
	// Sig and TS are what its page carries; defaults derive from ID.
	Sig string
	TS  int64
	// PageStatus, when not 0 or 200, is the status both article pages
	// answer with (404: the article is gone).
	PageStatus int
	// RSSOnly: /articles/<ID> answers 404 and only /rss/articles/<ID> has
	// the page.
	RSSOnly bool
	// Nested puts the attributes deeper and in another order
	// (<c-wiz><section><div data-n-a-ts … data-n-a-sg …>).
	Nested bool
	// NoSignature serves a page without the attributes (a consent page).
	NoSignature bool
	// Redirect, when set, makes the pages redirect there (as Google did
	// before July 2024).
	Redirect string
}

// Call is one garturlreq call as the fake received it.
type Call struct {
	Tag          string
	ID           string
	TS           int64
	Sig          string
	HL, GL, CEID string
}

// Request is one request the fake received.
type Request struct {
	Method, Path string
	Header       http.Header
	Form         string // the raw f.req of a POST
	Calls        []Call
}

// Server is the fake. Its URL is the base URL to give the resolver.
type Server struct {
	*httptest.Server

	mu               sync.Mutex
	articles         map[string]*Article
	rateLimited      bool
	retryAfter       string
	batchUnsupported bool
	requests         []Request
}

// New starts a fake on 127.0.0.1, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{articles: map[string]*Article{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// AddrPort is the fake's address, for fetch.Config.AllowAddrPorts.
func (s *Server) AddrPort() netip.AddrPort {
	return netip.MustParseAddrPort(s.Listener.Addr().String())
}

// Add makes the fake know an article (replacing one with the same ID).
func (s *Server) Add(a Article) {
	if a.Sig == "" {
		a.Sig = DefaultSig(a.ID)
	}
	if a.TS == 0 {
		a.TS = DefaultTS
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.articles[a.ID] = &a
}

// DefaultTS is the timestamp article pages carry unless Article.TS says.
const DefaultTS = 1772798585

// DefaultSig is the 28-character signature the page of id carries unless
// Article.Sig says.
func DefaultSig(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "AZ5r3e" + base64.RawURLEncoding.EncodeToString(sum[:])[:22]
}

// RateLimit makes every request answer 429, with this Retry-After header
// ("" for none), until RateLimit(false, "").
func (s *Server) RateLimit(on bool, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimited, s.retryAfter = on, retryAfter
}

// BatchUnsupported makes a request with several calls answer error
// envelopes for all of them (single calls still work).
func (s *Server) BatchUnsupported(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batchUnsupported = on
}

// Requests returns what the fake received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests were article page GETs and how many
// batchexecute POSTs.
func (s *Server) Count() (pages, posts int) {
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost {
			posts++
		} else {
			pages++
		}
	}
	return pages, posts
}

const batchexecutePath = "/_/DotsSplashUi/data/batchexecute"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()}
	if r.Method == http.MethodPost && r.URL.Path == batchexecutePath {
		if err := r.ParseForm(); err == nil {
			req.Form = r.PostForm.Get("f.req")
		}
	}
	calls, callErr := parseFReq(req.Form)
	req.Calls = calls
	s.mu.Lock()
	s.requests = append(s.requests, req)
	limited, retryAfter := s.rateLimited, s.retryAfter
	s.mu.Unlock()

	if limited {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/rss/articles/"):
		s.page(w, r, strings.TrimPrefix(r.URL.Path, "/rss/articles/"), true)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/articles/"):
		s.page(w, r, strings.TrimPrefix(r.URL.Path, "/articles/"), false)
	case r.URL.Path == batchexecutePath:
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			http.Error(w, "form body expected", http.StatusBadRequest)
			return
		}
		if callErr != nil {
			http.Error(w, "bad f.req: "+callErr.Error(), http.StatusBadRequest)
			return
		}
		s.batchexecute(w, calls)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) article(id string) *Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.articles[id]; ok {
		c := *a
		return &c
	}
	return nil
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, id string, rss bool) {
	a := s.article(id)
	switch {
	case a == nil:
		http.NotFound(w, r)
		return
	case a.PageStatus != 0 && a.PageStatus != http.StatusOK:
		http.Error(w, http.StatusText(a.PageStatus), a.PageStatus)
		return
	case a.RSSOnly && !rss:
		http.NotFound(w, r)
		return
	case a.Redirect != "":
		http.Redirect(w, r, a.Redirect, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch {
	case a.NoSignature:
		_, _ = fmt.Fprint(w, `<!doctype html><html><head><title>Before you continue to Google News</title></head><body><form action="https://consent.google.com/save"><button>Reject all</button></form></body></html>`)
	case a.Nested:
		_, _ = fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Google News</title></head><body><c-wiz jsrenderer="x"><section><div class="m" data-n-a-ts="%d" jsname="y" data-n-a-id="%s" data-n-a-sg="%s"></div></section></c-wiz></body></html>`, a.TS, a.ID, a.Sig)
	default:
		// A decoy first: an element with a signature for another article.
		_, _ = fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Google News</title></head><body><c-wiz jsrenderer="x" jsshadow><div jscontroller="aLI87" data-n-a-sg="AZ5r3eDECOYDECOYDECOYDECOY00" data-n-a-ts="1" data-n-a-id="CBMiDECOY"></div><div jscontroller="aLI87" jsaction="rcuQ6b:npT2md" data-n-a-sg="%s" data-n-a-ts="%d" data-n-a-id="%s" data-n-a-au=""></div></c-wiz><script>AF_initDataCallback({key: 'ds:0'});</script></body></html>`, a.Sig, a.TS, a.ID)
	}
}

// parseFReq reads f.req=[[[rpc, inner, null, tag], …]].
func parseFReq(form string) ([]Call, error) {
	if form == "" {
		return nil, fmt.Errorf("no f.req")
	}
	var outer [][]json.RawMessage
	if err := json.Unmarshal([]byte(form), &outer); err != nil || len(outer) != 1 {
		return nil, fmt.Errorf("f.req is not [[…]]: %v", err)
	}
	var calls []Call
	for _, env := range outer[0] {
		var cols []json.RawMessage
		if err := json.Unmarshal(env, &cols); err != nil || len(cols) < 2 {
			return nil, fmt.Errorf("envelope %s", env)
		}
		var rpc, inner string
		if json.Unmarshal(cols[0], &rpc) != nil || rpc != "Fbv4je" || json.Unmarshal(cols[1], &inner) != nil {
			return nil, fmt.Errorf("envelope is not [\"Fbv4je\", \"<JSON>\", …]: %s", env)
		}
		c := Call{Tag: "generic"}
		if len(cols) > 3 {
			_ = json.Unmarshal(cols[3], &c.Tag)
		}
		var in []json.RawMessage
		if err := json.Unmarshal([]byte(inner), &in); err != nil || len(in) != 5 {
			return nil, fmt.Errorf("inner is not [\"garturlreq\", ctx, id, ts, sig]: %s", inner)
		}
		var name string
		if json.Unmarshal(in[0], &name) != nil || name != "garturlreq" {
			return nil, fmt.Errorf("inner is not a garturlreq: %s", inner)
		}
		var ctx []json.RawMessage
		if err := json.Unmarshal(in[1], &ctx); err != nil || len(ctx) < 3 {
			return nil, fmt.Errorf("garturlreq context: %s", in[1])
		}
		var loc []json.RawMessage
		if json.Unmarshal(ctx[0], &loc) == nil && len(loc) > 7 {
			_ = json.Unmarshal(loc[0], &c.HL)
			_ = json.Unmarshal(loc[1], &c.GL)
			_ = json.Unmarshal(loc[7], &c.CEID)
		}
		if json.Unmarshal(in[2], &c.ID) != nil || json.Unmarshal(in[3], &c.TS) != nil || json.Unmarshal(in[4], &c.Sig) != nil {
			return nil, fmt.Errorf("garturlreq id/ts/sig: %s", inner)
		}
		calls = append(calls, c)
	}
	if len(calls) == 0 {
		return nil, fmt.Errorf("no calls")
	}
	return calls, nil
}

func (s *Server) batchexecute(w http.ResponseWriter, calls []Call) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	s.mu.Lock()
	batchUnsupported := s.batchUnsupported
	s.mu.Unlock()
	if len(calls) == 1 {
		if a := s.article(calls[0].ID); a != nil && a.Reply == ReplyRaw && signed(a, calls[0]) {
			_, _ = fmt.Fprint(w, a.RawReply)
			return
		}
	}
	var rows []string
	for _, c := range calls {
		a := s.article(c.ID)
		switch {
		case batchUnsupported && len(calls) > 1, a == nil, !signed(a, c):
			rows = append(rows, errorRow(c.Tag))
		case a.Reply == ReplyMissing:
		default:
			rows = append(rows, answerRow(a, c.Tag))
		}
	}
	_, _ = fmt.Fprint(w, ")]}'\n\n")
	if len(calls) == 1 {
		// One JSON array, as in the captured single replies.
		rows = append(rows, `["di",20]`, `["af.httprm",19,"-3096564523984356080",33]`)
		_, _ = fmt.Fprint(w, "["+strings.Join(rows, ",")+"]")
		return
	}
	// Several calls: length-prefixed chunks, one envelope each.
	for _, row := range append(rows, `["di",41]`, `["af.httprm",40,"5518213046785416320",29]`, `["e",4,null,null,`+strconv.Itoa(len(rows)*200)+`]`) {
		chunk := "[" + row + "]"
		_, _ = fmt.Fprintf(w, "%d\n%s\n", len(chunk)+1, chunk)
	}
}

func signed(a *Article, c Call) bool { return c.Sig == a.Sig && c.TS == a.TS }

func errorRow(tag string) string {
	return `["wrb.fr","Fbv4je",null,null,null,[3],` + jsonString(tag) + `]`
}

func answerRow(a *Article, tag string) string {
	var payload string
	switch a.Reply {
	case ReplyError, ReplyRaw: // ReplyRaw in a batch cannot be honoured
		return errorRow(tag)
	case ReplyNoURL:
		payload = jsonString(`["garturlres",null,1]`)
	case ReplyRawPayload:
		payload = `"` + a.RawPayload + `"`
	default:
		inner := []any{"garturlres", a.URL, 1}
		if a.AMPURL != "" {
			inner = append(inner, a.AMPURL)
		}
		b, _ := json.Marshal(inner)
		// Google escapes '=' (and '&', as encoding/json does) inside
		// strings: a URL's query arrives as \u003d at this level and
		// \\u003d one level up.
		payload = jsonString(strings.ReplaceAll(string(b), "=", `\u003d`))
	}
	return `["wrb.fr","Fbv4je",` + payload + `,null,null,null,` + jsonString(tag) + `]`
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
