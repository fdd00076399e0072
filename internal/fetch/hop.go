package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// hops is what every hop of one fetch sends and what it keeps of each
// answer. A page request (pageHops) and a robots.txt request (robotsHops)
// each make theirs once; follow and hop then do what it says.
type hops struct {
	method string
	body   []byte
	// header holds every request header but User-Agent, Accept-Encoding
	// and the chain's cookies, which hop sets.
	header http.Header
	proxy  string
	// checkRobots: each hop is checked against its origin's robots.txt.
	checkRobots bool
	// crawlDelay: each hop waits its host's robots.txt Crawl-delay when
	// that is longer than the pace.
	crawlDelay   bool
	maxRedirects int
	// limit caps a 2xx body; tooLarge says whether a longer one fails with
	// ErrTooLarge (a page) or is cut at the limit (robots.txt).
	limit    int64
	tooLarge bool
}

// pageHops is how Do fetches r.
func (c *Client) pageHops(r Request) hops {
	h := make(http.Header, len(r.Header)+3)
	for k, vs := range r.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	// kabar's own Accept and conditional headers win over r.Header.
	accept := r.Accept
	if accept == "" {
		accept = DefaultAccept
	}
	h.Set("Accept", accept)
	if r.ETag != "" {
		h.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		h.Set("If-Modified-Since", r.LastModified)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var body []byte
	if len(r.Body) > 0 {
		body = r.Body
	}
	return hops{
		method:       method,
		body:         body,
		header:       h,
		proxy:        r.Proxy,
		checkRobots:  !c.cfg.IgnoreRobots && !r.SkipRobots,
		crawlDelay:   true,
		maxRedirects: c.cfg.MaxRedirects,
		limit:        c.cfg.MaxBodyBytes,
		tooLarge:     true,
	}
}

// robotsHops is how robots.txt is fetched: a plain GET through the
// request's proxy, itself not checked against robots.txt and not held to
// the Crawl-delay it may set, at most five redirects (RFC 9309: follow at
// least five), and its first robotsMaxBytes kept whatever its length.
func (c *Client) robotsHops(proxy string) hops {
	return hops{
		method:       http.MethodGet,
		header:       http.Header{"Accept": {"text/plain,*/*;q=0.5"}},
		proxy:        proxy,
		maxRedirects: min(c.cfg.MaxRedirects, 5),
		limit:        robotsMaxBytes,
	}
}

// rawResponse is one HTTP answer as received.
type rawResponse struct {
	url    *url.URL
	status int
	header http.Header
	body   []byte // as received: still content-encoded
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// redirected says at which hop of a chain that started at orig an error
// happened, when not at the first.
func redirected(orig, u *url.URL, err error) error {
	if u.String() == orig.String() {
		return err
	}
	return fmt.Errorf("redirected to %s: %w", u, err)
}

// follow fetches u and follows redirects. Every hop is checked like the
// first: URL rules, robots.txt (as h says), the guard, pacing.
func (c *Client) follow(ctx context.Context, u *url.URL, h hops) (*rawResponse, error) {
	orig := u
	jar, _ := cookiejar.New(nil) // cookies live for one redirect chain only
	seen := map[string]bool{}
	for redirects := 0; ; redirects++ {
		if err := c.admitHop(ctx, u, h, jar, seen); err != nil {
			return nil, redirected(orig, u, err)
		}
		raw, err := c.hop(ctx, u, h, jar)
		if err != nil {
			return nil, redirected(orig, u, err)
		}
		loc := raw.header.Get("Location")
		if !isRedirect(raw.status) || loc == "" {
			return raw, nil
		}
		if redirects >= h.maxRedirects {
			return nil, fmt.Errorf("%w (more than %d)", ErrTooManyRedirects, h.maxRedirects)
		}
		next, err := u.Parse(strings.TrimSpace(loc))
		if err != nil {
			return nil, fmt.Errorf("redirect to %q: %w: %v", loc, ErrInvalidURL, err)
		}
		if next, err = checkURL(next, c.guard); err != nil {
			return nil, fmt.Errorf("redirect to %s: %w", loc, err)
		}
		if raw.status == http.StatusSeeOther || (h.method == http.MethodPost && (raw.status == 301 || raw.status == 302)) {
			h.method, h.body = http.MethodGet, nil
		}
		u = next
	}
}

// admitHop refuses a hop that closes a redirect loop (the same URL with the
// same cookies) or that robots.txt disallows.
func (c *Client) admitHop(ctx context.Context, u *url.URL, h hops, jar http.CookieJar, seen map[string]bool) error {
	key := u.String()
	for _, ck := range jar.Cookies(u) {
		key += "\x00" + ck.String()
	}
	if seen[key] {
		return fmt.Errorf("redirect loop: %w", ErrTooManyRedirects)
	}
	seen[key] = true
	if h.checkRobots {
		return c.checkRobots(ctx, u, h.proxy)
	}
	return nil
}

// hop sends one request and reads its body (capped). In live mode it first
// passes the host's breaker, the proxy check, the host's slot and its pace.
func (c *Client) hop(ctx context.Context, u *url.URL, h hops, jar http.CookieJar) (*rawResponse, error) {
	outcome := outcomeNone
	var px *url.URL
	if c.live != nil {
		p, done, err := c.takeTurn(ctx, u, h)
		if err != nil {
			return nil, err
		}
		defer func() { done(outcome) }()
		px = p
	}
	dctx, drip := context.WithCancelCause(ctx)
	defer drip(nil)
	hctx, cancel := context.WithTimeout(dctx, c.cfg.Timeout)
	defer cancel()
	if px != nil {
		hctx = withProxy(hctx, px)
	}
	req, err := c.newRequest(hctx, u, h, jar)
	if err != nil {
		return nil, err
	}
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		err = c.transportError(ctx, hctx, err)
		outcome = failureOutcome(ctx, err)
		return nil, err
	}
	defer resp.Body.Close()
	if cks := resp.Cookies(); len(cks) > 0 {
		jar.SetCookies(u, cks)
	}
	var raw *rawResponse
	raw, outcome, err = c.receive(ctx, hctx, u, h, resp, drip)
	return raw, err
}

// takeTurn waits for u's host: its breaker, the proxy check, its slot (one
// request at a time) and its pace. done, called with what the hop learnt
// of the host, gives the slot back and tells the breaker.
func (c *Client) takeTurn(ctx context.Context, u *url.URL, h hops) (px *url.URL, done func(outcome), err error) {
	host := hostKey(u)
	ticket, err := c.breaker.allow(ctx, host, c.cfg.MaxRetryAfter)
	if err != nil {
		return nil, nil, err
	}
	release := func() {}
	done = func(o outcome) {
		release()
		c.breaker.done(host, ticket, o)
	}
	if px, err = c.proxyFor(ctx, h.proxy, u); err != nil {
		done(outcomeNone)
		return nil, nil, err
	}
	if release, err = c.slots.acquire(ctx, host); err != nil {
		release = func() {}
		done(outcomeNone)
		return nil, nil, err
	}
	if err := c.pace(ctx, u, h.crawlDelay); err != nil {
		done(outcomeNone)
		return nil, nil, err
	}
	return px, done, nil
}

// newRequest builds the request of one hop.
func (c *Client) newRequest(ctx context.Context, u *url.URL, h hops, jar http.CookieJar) (*http.Request, error) {
	var body io.Reader
	if h.body != nil {
		body = bytes.NewReader(h.body)
	}
	req, err := http.NewRequestWithContext(ctx, h.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header = h.header.Clone()
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	for _, ck := range jar.Cookies(u) {
		req.AddCookie(ck)
	}
	return req, nil
}

// receive reads resp's body within h's limit and the slow-drip rule, and
// judges what the answer says of the host.
func (c *Client) receive(ctx, hctx context.Context, u *url.URL, h hops, resp *http.Response, drip context.CancelCauseFunc) (*rawResponse, outcome, error) {
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	limit := h.limit
	if !ok {
		limit = min(limit, 1<<20) // error and redirect bodies are not needed whole
	}
	if ok && h.tooLarge && resp.ContentLength > limit {
		// The host answered; the page is just too big.
		return nil, outcomeSuccess, fmt.Errorf("%w (Content-Length %d, limit %d)", ErrTooLarge, resp.ContentLength, limit)
	}
	var src io.Reader = resp.Body
	if c.live != nil && c.cfg.MinBytesPerSecond > 0 {
		w := watchDrip(resp.Body, c.cfg.MinBytesPerSecond, c.cfg.SlowWindow, drip)
		defer w.stop()
		src = w
	}
	body, exceeded, err := readCapped(src, limit)
	if err != nil {
		err = c.bodyError(ctx, hctx, err)
		return nil, failureOutcome(ctx, err), err
	}
	outcome := outcomeSuccess
	if resp.StatusCode == http.StatusTooManyRequests || temporaryStatus(resp.StatusCode) {
		outcome = outcomeFailure
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if ra := retryAfter(resp.Header); ra > 0 {
			c.breaker.pause(hostKey(u), ra)
		}
	}
	if exceeded && ok && h.tooLarge {
		return nil, outcome, fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, limit)
	}
	if c.rec != nil && !exceeded {
		if err := c.rec.WriteResponse(u.String(), resp.StatusCode, resp.Header, body); err != nil {
			return nil, outcome, fmt.Errorf("record: %w", err)
		}
	}
	return &rawResponse{url: u, status: resp.StatusCode, header: resp.Header, body: body}, outcome, nil
}

// bodyError classifies an error reading a body: the caller's cancellation
// as is, a slow drip, a timeout or a broken connection as temporary.
func (c *Client) bodyError(ctx, hctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("reading body: %w", err)
	case errors.Is(context.Cause(hctx), ErrTooSlow):
		return &tempError{fmt.Errorf("%w: less than %d bytes in %v", ErrTooSlow, dripMin(c.cfg.MinBytesPerSecond, c.cfg.SlowWindow), c.cfg.SlowWindow)}
	case hctx.Err() != nil:
		return &tempError{fmt.Errorf("timeout after %v reading body: %w", c.cfg.Timeout, err)}
	}
	return &tempError{fmt.Errorf("reading body: %w", err)}
}
