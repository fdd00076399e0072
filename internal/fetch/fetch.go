package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/pace"
)

// Defaults used for zero Config fields.
const (
	DefaultUserAgent     = "kabar/0.1 (+https://github.com/kabarnews/kabar)"
	DefaultTimeout       = 30 * time.Second
	DefaultHeaderTimeout = 15 * time.Second
	DefaultMaxBodyBytes  = 10 << 20
	DefaultMaxRedirects  = 10
	// DefaultHostDelay is the gap DefaultConfig puts between two requests
	// to one host. (A zero Config.HostDelay means no gap.)
	DefaultHostDelay = time.Second
	// RobotsAgent is the product token kabar looks for in robots.txt.
	RobotsAgent = "kabar"
	// DefaultAccept is sent when a Request has no Accept.
	DefaultAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	// DefaultMaxHeaderBytes caps the response header block.
	DefaultMaxHeaderBytes = 1 << 20
	// DefaultMaxCrawlDelay is the longest robots.txt Crawl-delay honoured.
	DefaultMaxCrawlDelay = 30 * time.Second
	// DefaultMinBytesPerSecond and DefaultSlowWindow make the slow-drip
	// rule: a body that brings fewer than rate×window bytes in any window
	// is cut.
	DefaultMinBytesPerSecond = 1024
	DefaultSlowWindow        = 10 * time.Second
	// Retries within one Do call.
	DefaultMaxAttempts    = 3
	DefaultRetryBaseDelay = time.Second
	DefaultRetryMaxDelay  = 30 * time.Second
	DefaultMaxRetryAfter  = 30 * time.Second
	// The per-host circuit breaker.
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = time.Minute
)

// Errors; test them with errors.Is.
var (
	ErrNotInArchive = errors.New("not in archive")
	ErrDisallowed   = errors.New("disallowed by robots.txt")
	// ErrRobotsUnavailable comes with ErrDisallowed when robots.txt could
	// not be had (5xx, 429, network failure): a temporary disallow that a
	// later attempt may pass. The cause is in the chain too.
	ErrRobotsUnavailable   = errors.New("robots.txt unavailable")
	ErrTooLarge            = errors.New("response body too large")
	ErrBlockedAddress      = errors.New("blocked address")
	ErrTooManyRedirects    = errors.New("too many redirects")
	ErrInvalidURL          = errors.New("invalid or unsupported URL")
	ErrUnsupportedEncoding = errors.New("unsupported content encoding")
	// ErrHeaderTooLarge: the response header block passed
	// Config.MaxHeaderBytes.
	ErrHeaderTooLarge = errors.New("response headers too large")
	// ErrTooSlow: the body arrived slower than Config.MinBytesPerSecond
	// over a Config.SlowWindow (a slow drip).
	ErrTooSlow = errors.New("response body too slow")
	// ErrCircuitOpen: nothing is being sent to the host for now, because
	// its circuit breaker opened after repeated failures, or because it
	// asked (Retry-After) for a pause longer than Config.MaxRetryAfter.
	// RetryAfter(err) tells how long that lasts.
	ErrCircuitOpen = errors.New("circuit open")
	// ErrProxy: a proxy setting could not be used (bad URL, scheme).
	ErrProxy = errors.New("bad proxy")
)

// StatusError is returned for an answer that is neither 2xx nor a 304.
type StatusError struct {
	URL        string
	StatusCode int
	// RetryAfter is the server's Retry-After (seconds or date), 0 if none.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return "fetch " + e.URL + ": " + e.status()
}

func (e *StatusError) status() string {
	return fmt.Sprintf("HTTP status %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// Config configures a Client. Zero fields take the defaults above, except
// HostDelay (zero means no gap; DefaultConfig sets DefaultHostDelay) and the
// booleans. For the fields where it is said, a negative value turns the
// feature off. docs/fetch.md describes each setting.
type Config struct {
	UserAgent     string        // default DefaultUserAgent
	Timeout       time.Duration // one request (one hop) incl. body; default 30s
	HeaderTimeout time.Duration // waiting for response headers; default 15s
	// MaxHeaderBytes caps the response header block; default 1 MiB.
	MaxHeaderBytes int64
	MaxBodyBytes   int64 // after decompression; default 10 MiB
	MaxRedirects   int   // default 10; negative: follow none
	// MinBytesPerSecond and SlowWindow are the slow-drip rule: once the
	// headers are in, every SlowWindow must bring at least
	// MinBytesPerSecond×SlowWindow bytes of body, or the fetch fails with
	// ErrTooSlow. Defaults 1024 B/s over 10 s; negative rate: no rule.
	MinBytesPerSecond int64
	SlowWindow        time.Duration

	HostDelay time.Duration // minimum gap between two request starts to one host; 0 = none
	// MaxCrawlDelay caps the robots.txt Crawl-delay honoured (when longer
	// than HostDelay); default 30s; negative: Crawl-delay is ignored.
	MaxCrawlDelay time.Duration
	IgnoreRobots  bool

	// MaxAttempts is how many times one Do call tries a request that
	// failed temporarily (network error, 408, 429, 5xx): default 3; 1 or
	// negative: no retries. Request.MaxAttempts overrides it.
	MaxAttempts int
	// Backoff between attempts is "full jitter": a random wait in
	// [0, min(RetryMaxDelay, RetryBaseDelay×2^(n-1))] before retry n.
	// Defaults 1s and 30s.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// MaxRetryAfter is the longest Retry-After a Do call waits for before
	// trying again; a longer one ends the call at once (the StatusError
	// carries it) and pauses the host for that long. Default 30s.
	MaxRetryAfter time.Duration
	// BreakerThreshold consecutive failures (network errors, timeouts,
	// 429, 5xx) of one host open its circuit breaker: requests to it fail
	// at once with ErrCircuitOpen for BreakerCooldown, then one probe is
	// let through (half-open); its success closes the breaker, its failure
	// opens it again. Defaults 5 and 1 minute; negative threshold: no
	// breaker.
	BreakerThreshold int
	BreakerCooldown  time.Duration

	// AllowAddrs lists address ranges the private-network guard lets through
	// (intranet use, tests on 127.0.0.1). Empty = only public unicast addresses.
	AllowAddrs []netip.Prefix
	// AllowAddrPorts lets exactly these address:port pairs through the guard
	// (a test's fixture server, while a canary on the same address stays
	// refused).
	AllowAddrPorts []netip.AddrPort
	// ProxyFromEnvironment sends requests through the proxies named by
	// HTTP_PROXY, HTTPS_PROXY and NO_PROXY (or their lower-case forms), read
	// once by New. Request.Proxy overrides it per request. See proxy.go for
	// what the guard still checks when a proxy is used.
	ProxyFromEnvironment bool
	Replay               string        // path of a WARC(.gz) archive: answer every request from it, send nothing
	Record               string        // path of a .warc.gz to append every response fetched to
	Resolver             *net.Resolver // optional, for tests (stub resolver)
	// DialControl, if set, runs after the guard accepted an address, on
	// every socket about to connect, proxies included (tests install a
	// recording guard here).
	DialControl func(network, address string, c syscall.RawConn) error
	// Pacer spaces requests per host (see pacer.go); default
	// pace.NewMem(HostDelay).
	Pacer pace.Pacer
}

// DefaultConfig returns a Config with every default filled in, including
// the one-second HostDelay.
func DefaultConfig() Config {
	return Config{
		UserAgent:         DefaultUserAgent,
		Timeout:           DefaultTimeout,
		HeaderTimeout:     DefaultHeaderTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
		MaxBodyBytes:      DefaultMaxBodyBytes,
		MaxRedirects:      DefaultMaxRedirects,
		MinBytesPerSecond: DefaultMinBytesPerSecond,
		SlowWindow:        DefaultSlowWindow,
		HostDelay:         DefaultHostDelay,
		MaxCrawlDelay:     DefaultMaxCrawlDelay,
		MaxAttempts:       DefaultMaxAttempts,
		RetryBaseDelay:    DefaultRetryBaseDelay,
		RetryMaxDelay:     DefaultRetryMaxDelay,
		MaxRetryAfter:     DefaultMaxRetryAfter,
		BreakerThreshold:  DefaultBreakerThreshold,
		BreakerCooldown:   DefaultBreakerCooldown,
	}
}

// Request is one request, a GET unless Method says otherwise. ETag and
// LastModified make it conditional.
type Request struct {
	URL, ETag, LastModified, Accept string
	// Method is GET when empty. A redirect answered with 303 (or 301/302 to a
	// POST, as browsers do) turns the next hop into a body-less GET.
	Method string
	Body   []byte
	// Header holds extra request headers (Content-Type, Cookie…); kabar's own
	// User-Agent, Accept and conditional headers win over them.
	Header http.Header
	// SkipRobots is for calls that are not crawling (an API endpoint asked on
	// behalf of one item): robots.txt is not consulted for them.
	SkipRobots bool
	// MaxAttempts overrides Config.MaxAttempts for this call when > 0.
	MaxAttempts int
	// Proxy is the proxy for this request (a per-feed proxy): an
	// http://, https://, socks5:// or socks5h:// URL, or "direct" for none.
	// Empty: the environment's proxy when Config.ProxyFromEnvironment is
	// set, else none. It is operator configuration and trusted: its address
	// is not checked by the guard (see proxy.go).
	Proxy string
}

// Response is a successful (2xx) or not-modified (304) answer.
type Response struct {
	URL         string      // final URL after redirects
	StatusCode  int         // of the final response
	Header      http.Header // of the final response (Content-Encoding/-Length removed once decoded)
	Body        []byte      // decoded; text types converted to UTF-8
	ContentType string      // media type without params (sniffed when missing)
	Charset     string      // the charset the body was decoded from ("" for non-text)
	NotModified bool        // 304 to a conditional request
}

// Client fetches URLs. It is safe for concurrent use.
type Client struct {
	cfg       Config
	transport http.RoundTripper
	live      *http.Transport // nil in replay mode
	guard     *guard          // nil in replay mode
	pacer     pace.Pacer      // nil in replay mode
	crawl     *pace.Mem       // Crawl-delay spacing when pacer is not a DelayPacer
	breaker   *breaker        // nil in replay mode
	envProxy  func(*url.URL) (*url.URL, error)
	slots     hostSlots
	robots    robotsCache
	rec       *ArchiveWriter
}

// withDefaults fills cfg's zero (and, where documented, negative) fields.
func (cfg Config) withDefaults() Config {
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HeaderTimeout <= 0 {
		cfg.HeaderTimeout = DefaultHeaderTimeout
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	} else if cfg.MaxRedirects < 0 {
		cfg.MaxRedirects = 0
	}
	if cfg.MinBytesPerSecond == 0 {
		cfg.MinBytesPerSecond = DefaultMinBytesPerSecond
	}
	if cfg.SlowWindow <= 0 {
		cfg.SlowWindow = DefaultSlowWindow
	}
	if cfg.MaxCrawlDelay == 0 {
		cfg.MaxCrawlDelay = DefaultMaxCrawlDelay
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	} else if cfg.MaxAttempts < 0 {
		cfg.MaxAttempts = 1
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if cfg.RetryMaxDelay <= 0 {
		cfg.RetryMaxDelay = DefaultRetryMaxDelay
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.BreakerThreshold == 0 {
		cfg.BreakerThreshold = DefaultBreakerThreshold
	}
	if cfg.BreakerCooldown <= 0 {
		cfg.BreakerCooldown = DefaultBreakerCooldown
	}
	return cfg
}

// New returns a Client. With Replay set it loads the archive now and never
// uses the network.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	for _, p := range cfg.AllowAddrs {
		if !p.IsValid() {
			return nil, fmt.Errorf("fetch: invalid AllowAddrs prefix %v", p)
		}
	}
	c := &Client{cfg: cfg}
	if cfg.Replay != "" {
		// Keep records up to the body cap plus room for headers.
		a, err := loadArchive(cfg.Replay, cfg.MaxBodyBytes+1<<20)
		if err != nil {
			return nil, err
		}
		c.transport = &replayTransport{a: a}
	} else {
		c.guard = &guard{allow: cfg.AllowAddrs, allowPort: cfg.AllowAddrPorts, resolver: cfg.Resolver}
		if cfg.ProxyFromEnvironment {
			c.envProxy = environmentProxy()
		}
		c.live = &http.Transport{
			// The proxy, if any, is chosen per request by hop (proxy.go);
			// the guard dials it as trusted and checks the target itself.
			Proxy:                  proxyFromContext,
			DialContext:            c.guard.dialer(cfg.Resolver, cfg.DialControl),
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    10 * time.Second,
			ResponseHeaderTimeout:  cfg.HeaderTimeout,
			ExpectContinueTimeout:  time.Second,
			MaxIdleConns:           100,
			MaxIdleConnsPerHost:    2,
			IdleConnTimeout:        90 * time.Second,
			DisableCompression:     true, // we ask for gzip ourselves and keep raw bodies
			MaxResponseHeaderBytes: cfg.MaxHeaderBytes,
		}
		c.transport = c.live
		c.pacer = cfg.Pacer
		if c.pacer == nil {
			c.pacer = pace.NewMem(cfg.HostDelay)
		}
		if _, ok := c.pacer.(pace.DelayPacer); !ok {
			c.crawl = pace.NewMem(0)
		}
		// With a negative threshold failures never open the breaker, but
		// Retry-After pauses still hold the host.
		c.breaker = newBreaker(cfg.BreakerThreshold, cfg.BreakerCooldown)
	}
	if cfg.Record != "" {
		w, err := appendArchive(cfg.Record)
		if err != nil {
			return nil, err
		}
		c.rec = w
	}
	return c, nil
}

// Close flushes and closes the record archive and idle connections.
func (c *Client) Close() error {
	if c.live != nil {
		c.live.CloseIdleConnections()
	}
	if c.rec != nil {
		return c.rec.Close()
	}
	return nil
}

// Get fetches url.
func (c *Client) Get(ctx context.Context, url string) (*Response, error) {
	return c.Do(ctx, Request{URL: url})
}

// Do fetches r.URL, following redirects. A 2xx answer returns a Response;
// a 304 returns a Response with NotModified set; any other status returns a
// *StatusError. A temporary failure (IsTemporary: network error, timeout,
// slow drip, 408, 429, 5xx) is tried again up to MaxAttempts times in all,
// after a jittered backoff or the server's Retry-After (see retry.go);
// POST and other non-idempotent methods are tried again only when the
// server cannot have acted on them (connection refused, 429, 503).
//
// Every error names the URL once, as "fetch URL: …": the functions below
// return errors that name none (but a redirect's target), and Do adds the
// prefix here. A *StatusError, which names its own URL, is returned as is.
func (c *Client) Do(ctx context.Context, r Request) (resp *Response, err error) {
	defer func() {
		if err != nil {
			err = nameURL(r.URL, err)
		}
	}()
	u, err := c.parseURL(r.URL)
	if err != nil {
		return nil, err
	}
	attempts := c.cfg.MaxAttempts
	if r.MaxAttempts > 0 {
		attempts = r.MaxAttempts
	}
	if c.live == nil {
		attempts = 1 // replay answers the same every time
	}
	h := c.pageHops(r)
	var last error
	for attempt := 1; ; attempt++ {
		resp, err := c.once(ctx, u, h)
		if err == nil {
			return resp, nil
		}
		if last != nil && errors.Is(err, ErrCircuitOpen) {
			// The breaker opened on the failures of this very call: say
			// what they were.
			err = &laterError{err: err, earlier: last, how: "after"}
		}
		last = err
		if attempt >= attempts || !c.retryable(ctx, err, h.method) {
			return nil, err
		}
		wait := c.backoff(attempt)
		if ra := RetryAfter(err); ra > 0 {
			if ra > c.cfg.MaxRetryAfter {
				return nil, err // the host is paused longer than we wait
			}
			wait = ra
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, err // no time left for another attempt
		}
		if err := pace.Sleep(ctx, wait); err != nil {
			return nil, &laterError{err: err, earlier: last, how: "while waiting to retry after"}
		}
	}
}

// nameURL puts the one "fetch URL: " prefix on an error of Do.
func nameURL(raw string, err error) error {
	if se, ok := err.(*StatusError); ok {
		return se
	}
	return fmt.Errorf("fetch %s: %w", strings.TrimSpace(raw), err)
}

// laterError is the error that ended a Do call with the failure of an
// earlier attempt that explains it. Both are in its chain.
type laterError struct {
	err, earlier error
	how          string
}

func (e *laterError) Error() string {
	earlier := e.earlier.Error()
	if se, ok := e.earlier.(*StatusError); ok {
		earlier = se.status() // its URL is the one Do names
	}
	return e.err.Error() + " (" + e.how + ": " + earlier + ")"
}

func (e *laterError) Unwrap() []error { return []error{e.err, e.earlier} }

// once makes one attempt of Do.
func (c *Client) once(ctx context.Context, u *url.URL, h hops) (*Response, error) {
	raw, err := c.follow(ctx, u, h)
	if err != nil {
		return nil, err
	}
	final := raw.url.String()
	if raw.status == http.StatusNotModified {
		return &Response{URL: final, StatusCode: raw.status, Header: raw.header, NotModified: true}, nil
	}
	if raw.status < 200 || raw.status > 299 {
		return nil, &StatusError{URL: final, StatusCode: raw.status, RetryAfter: retryAfter(raw.header)}
	}
	body, decoded, exceeded, err := decodeContent(raw.header, raw.body, c.cfg.MaxBodyBytes)
	if err != nil {
		return nil, redirected(u, raw.url, err)
	}
	if exceeded {
		return nil, redirected(u, raw.url, fmt.Errorf("%w (limit %d bytes after decompression)", ErrTooLarge, c.cfg.MaxBodyBytes))
	}
	h2 := raw.header.Clone()
	if decoded {
		h2.Del("Content-Encoding")
		h2.Del("Content-Length")
	}
	resp := &Response{URL: final, StatusCode: raw.status, Header: h2, Body: body}
	mt, cs := mediaType(h2, body)
	resp.ContentType = mt
	if isTextType(mt) {
		resp.Body, resp.Charset = toUTF8(body, mt, cs)
	}
	return resp, nil
}

func (c *Client) parseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	return checkURL(u, c.guard)
}

// acceptEncoding is what kabar can decode (body.go).
const acceptEncoding = "gzip, deflate, br"

// transportError classifies an error of RoundTrip: the caller's own
// cancellation as is; the header cap as ErrHeaderTooLarge; guard refusals,
// proxy and certificate errors as they are (permanent); anything else
// (timeouts, refused or reset connections, DNS failures other than "no
// such host", broken HTTP) as temporary.
func (c *Client) transportError(ctx, hctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return err
	case strings.Contains(err.Error(), "server response headers exceeded"):
		return fmt.Errorf("%w (limit %d bytes): %v", ErrHeaderTooLarge, c.cfg.MaxHeaderBytes, err)
	case hctx.Err() != nil:
		return &tempError{fmt.Errorf("timeout after %v: %w", c.cfg.Timeout, err)}
	case errors.Is(err, ErrBlockedAddress), errors.Is(err, ErrProxy), errors.Is(err, ErrInvalidURL),
		errors.Is(err, ErrNotInArchive), errors.Is(err, ErrTooLarge), isCertificateError(err), isNoSuchHost(err):
		return err
	}
	return &tempError{err}
}

func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
