package gnews

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/pace"
)

// Online resolution of 2024+ ("new form") article IDs, the only way to get
// their publisher URL: Google keeps the mapping server side.
//
//  1. GET the article page, BaseURL/articles/<ID> (falling back to
//     BaseURL/rss/articles/<ID>), and read data-n-a-sg (signature) and
//     data-n-a-ts (timestamp) from it.
//  2. POST f.req=[[["Fbv4je","<garturlreq …>",null,"generic"]]] to
//     BaseURL/_/DotsSplashUi/data/batchexecute (several calls in one POST,
//     tagged "1", "2", …, when resolving several IDs).
//  3. Parse the reply: )]}' then JSON whose wrb.fr envelope holds, as a JSON
//     string, ["garturlres","<URL>",1,"<AMP URL>"].
//
// Every request goes through a Doer (kabar's fetch.Client: private-network
// guard, size caps, per-host pacing, WARC record/replay) with SkipRobots set:
// these are two API calls made on behalf of one feed item the user
// subscribed to, the same calls Google's own page makes when a reader opens
// the link, not crawling; and a robots.txt fetch would spend one more
// request of a very small rate budget. Resolutions are paced by a pace.Pacer
// (default one every DefaultInterval); a 429 stops all resolution until its
// Retry-After (or DefaultBackoff) and is returned as a *RateLimitedError.
// Final answers go to a Cache. See docs/gnews.md.

// Doer sends one request; *fetch.Client satisfies it. It must return a
// *fetch.StatusError for an answer that is not 2xx (that is how a 429 and
// its Retry-After are seen).
type Doer interface {
	Do(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// DefaultBaseURL is Google News.
const DefaultBaseURL = "https://news.google.com"

// DefaultBatchSize is how many IDs one batchexecute POST carries at most,
// and DefaultMaxBatchDelay how long a signature may wait for the others.
const (
	DefaultBatchSize     = 5
	DefaultMaxBatchDelay = 30 * time.Second
)

// Options configure a Resolver. Zero fields take the defaults.
type Options struct {
	// BaseURL replaces https://news.google.com (tests point it at a fake).
	BaseURL string
	// Pacer spaces resolutions (see PaceKey); default pace.NewMem(Interval).
	Pacer pace.Pacer
	// Interval is the default pacer's spacing: 0 means DefaultInterval, a
	// negative value no spacing. Ignored when Pacer is set.
	Interval time.Duration
	// Cache keeps final answers; nil caches nothing.
	Cache Cache
	// BatchSize is the most IDs one POST carries; default DefaultBatchSize,
	// 1 disables batching.
	BatchSize int
	// MaxBatchDelay is the most a signature waits for the rest of its batch
	// (the pacer spaces the article pages): older ones are sent without
	// waiting for more. Default DefaultMaxBatchDelay.
	MaxBatchDelay time.Duration
	// Locale fills hl/gl/ceid of requests when the link does not carry
	// them; default DefaultLocale.
	Locale Locale
	// Backoff is how long to keep away after a 429 without Retry-After;
	// default DefaultBackoff.
	Backoff time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Log receives warnings (cache errors, batching turned off); default
	// discards them.
	Log *slog.Logger
}

// Resolver resolves Google News links, offline when the ID holds the URL and
// online for the 2024+ form. It is safe for concurrent use.
type Resolver struct {
	doer       Doer
	base       string
	baseHost   string // host[:port] of base, lower case
	pacer      pace.Pacer
	cache      Cache
	batchSize  int
	batchDelay time.Duration
	locale     Locale
	backoff    time.Duration
	now        func() time.Time
	log        *slog.Logger

	noBatch atomic.Bool // a batched POST failed where single ones worked

	mu           sync.Mutex
	blockedUntil time.Time
}

// NewResolver returns a Resolver sending its requests through d.
func NewResolver(d Doer, o Options) (*Resolver, error) {
	if d == nil {
		return nil, errors.New("gnews: NewResolver needs a Doer")
	}
	base := strings.TrimRight(strings.TrimSpace(o.BaseURL), "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("gnews: base URL %q is not an http(s) URL without query", o.BaseURL)
	}
	r := &Resolver{
		doer: d, base: base, baseHost: strings.ToLower(u.Host),
		pacer: o.Pacer, cache: o.Cache, batchSize: o.BatchSize, batchDelay: o.MaxBatchDelay, locale: o.Locale,
		backoff: o.Backoff, now: o.Now, log: o.Log,
	}
	if r.pacer == nil {
		iv := o.Interval
		if iv == 0 {
			iv = DefaultInterval
		}
		r.pacer = pace.NewMem(iv)
	}
	if r.batchSize <= 0 {
		r.batchSize = DefaultBatchSize
	}
	if r.batchDelay <= 0 {
		r.batchDelay = DefaultMaxBatchDelay
	}
	if r.locale.HL == "" {
		r.locale.HL = DefaultLocale.HL
	}
	if r.locale.GL == "" {
		r.locale.GL = DefaultLocale.GL
	}
	if r.locale.CEID == "" {
		r.locale.CEID = r.locale.GL + ":" + editionLanguage(r.locale.HL, r.locale.GL)
	}
	if r.backoff <= 0 {
		r.backoff = DefaultBackoff
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// Result is the outcome for one input of ResolveAll.
type Result struct {
	Input string
	// Decoded is as Decode returns it, with URL and AMPURL filled in for a
	// resolved new-form ID; nil for a malformed input.
	Decoded *Decoded
	// Err is nil when Decoded.URL is the publisher's URL. Otherwise it is
	// Decode's *Error, a *ResolveError or a *RateLimitedError (see Retryable).
	Err error
	// Cached: the answer (URL or permanent failure) came from the Cache.
	Cached bool
}

// Resolve returns the publisher URL of a Google News link or article ID. An
// old-form ID is decoded offline; a new-form ID is looked up in the cache,
// then resolved online. Errors are as in Result.Err.
func (r *Resolver) Resolve(ctx context.Context, linkOrID string) (*Decoded, error) {
	res := r.ResolveAll(ctx, []string{linkOrID})
	return res[0].Decoded, res[0].Err
}

// ResolveAll resolves several links or IDs, carrying up to BatchSize new-form
// IDs in one batchexecute POST (each still needs its own article page). The
// results are in input order; an ID given twice is resolved once.
func (r *Resolver) ResolveAll(ctx context.Context, inputs []string) []Result {
	out := make([]Result, len(inputs))
	where := map[string][]int{} // new-form ID -> indexes in out
	var order []string
	locales := map[string]Locale{}
	for i, in := range inputs {
		d, err := Decode(in)
		out[i] = Result{Input: in, Decoded: d, Err: err}
		if !errors.Is(err, ErrNewForm) || d == nil {
			continue
		}
		if _, seen := where[d.ID]; !seen {
			order = append(order, d.ID)
			locales[d.ID] = r.localeOf(in)
		}
		where[d.ID] = append(where[d.ID], i)
	}
	set := func(id string, o outcome, cached bool) {
		for _, i := range where[id] {
			d := *out[i].Decoded
			d.URL, d.AMPURL = o.url, o.amp
			out[i].Decoded, out[i].Err, out[i].Cached = &d, o.err, cached
		}
	}

	var todo []string
	for _, id := range order {
		if o, ok := r.cached(ctx, id); ok {
			set(id, o, true)
			continue
		}
		todo = append(todo, id)
	}
	for len(todo) > 0 {
		n := r.batchSize
		if r.noBatch.Load() {
			n = 1
		}
		n = min(n, len(todo))
		batch := todo[:n]
		got, stop := r.resolveBatch(ctx, batch, locales)
		for _, id := range batch {
			if o, ok := got[id]; ok {
				// An answer had is kept even if ctx ended meanwhile.
				r.remember(context.WithoutCancel(ctx), id, o)
				set(id, o, false)
			}
		}
		if stop != nil {
			for _, id := range todo {
				if _, ok := got[id]; !ok {
					set(id, outcome{err: stopErr(id, stop)}, false)
				}
			}
			break
		}
		todo = todo[n:]
	}
	return out
}

// outcome is the answer for one ID.
type outcome struct {
	url, amp string
	err      error
}

// stopErr is the error an ID gets when resolution stopped before reaching
// it: the *RateLimitedError itself, or the context error wrapped as a
// temporary ResolveError.
func stopErr(id string, stop error) error {
	var rl *RateLimitedError
	if errors.As(stop, &rl) {
		return rl
	}
	return &ResolveError{ID: id, Err: stop, Retry: true}
}

func (r *Resolver) cached(ctx context.Context, id string) (outcome, bool) {
	if r.cache == nil {
		return outcome{}, false
	}
	e, ok, err := r.cache.Get(ctx, id)
	if err != nil {
		r.log.Warn("gnews: cache lookup failed; resolving again", "id", abbrev(id, 40), "err", err)
		return outcome{}, false
	}
	if !ok {
		return outcome{}, false
	}
	if e.Failure != "" {
		return outcome{err: &ResolveError{ID: id, Err: failureErr(e.Failure), Detail: strings.TrimSpace(e.Detail + " (cached)")}}, true
	}
	if !usableURL(e.URL) {
		return outcome{}, false // a bad entry: ask again rather than trust it
	}
	return outcome{url: e.URL, amp: e.AMPURL}, true
}

// remember puts final answers (a URL, or a permanent failure) in the cache.
func (r *Resolver) remember(ctx context.Context, id string, o outcome) {
	if r.cache == nil {
		return
	}
	e := Entry{URL: o.url, AMPURL: o.amp, At: r.now().UTC()}
	if o.err != nil {
		var re *ResolveError
		if !errors.As(o.err, &re) || re.Retry {
			return
		}
		e = Entry{Failure: failureCode(re.Err), Detail: re.Detail, At: e.At}
	}
	if err := r.cache.Put(ctx, id, e); err != nil {
		r.log.Warn("gnews: cache store failed", "id", abbrev(id, 40), "err", err)
	}
}

// resolveBatch resolves ids with one article page each and as few POSTs as
// it can: one, unless the signatures in hand grow older than MaxBatchDelay
// while the pacer holds the next page back, in which case those are sent
// first. It returns an outcome per ID it reached; stop, when not nil, is a
// *RateLimitedError or a context error that ended the work early.
func (r *Resolver) resolveBatch(ctx context.Context, ids []string, locales map[string]Locale) (map[string]outcome, error) {
	got := make(map[string]outcome, len(ids))
	var calls []call
	var firstAt time.Time
	for _, id := range ids {
		if err := r.checkBlocked(); err != nil {
			return got, err
		}
		if err := r.pacer.Wait(ctx, PaceKey); err != nil {
			var held *pace.HeldError
			if errors.As(err, &held) {
				err = &RateLimitedError{Until: held.Until, Detail: "held off after an earlier 429"}
			}
			var rl *RateLimitedError
			if errors.As(err, &rl) {
				r.noteBlocked(rl.Until)
			}
			return got, err
		}
		if len(calls) > 0 && r.now().Sub(firstAt) >= r.batchDelay {
			if stop := r.flush(ctx, calls, got); stop != nil {
				return got, stop
			}
			calls = nil
		}
		p, direct, err := r.fetchParams(ctx, id)
		if err != nil {
			if isStop(err) {
				return got, err
			}
			got[id] = outcome{err: err}
			continue
		}
		if direct != "" { // the page redirected straight to the publisher
			got[id] = outcome{url: direct}
			continue
		}
		if len(calls) == 0 {
			firstAt = r.now()
		}
		calls = append(calls, call{id: id, ts: p.ts, sig: p.sig, locale: locales[id]})
	}
	return got, r.flush(ctx, calls, got)
}

// flush POSTs calls and records their outcomes in got. When every call of a
// batch failed the same way, it tries them one by one (the signatures are
// in hand) before blaming the IDs, and turns batching off if that worked.
func (r *Resolver) flush(ctx context.Context, calls []call, got map[string]outcome) error {
	if len(calls) == 0 {
		return nil
	}
	res, stop := r.post(ctx, calls)
	for id, o := range res {
		got[id] = o
	}
	if stop != nil || len(calls) == 1 || !wholeBatchFailed(calls, res) {
		return stop
	}
	worked := false
	for _, c := range calls {
		one, stop := r.post(ctx, []call{c})
		for id, o := range one {
			got[id] = o
			if o.err == nil {
				worked = true
			}
		}
		if stop != nil {
			return stop
		}
	}
	if worked && !r.noBatch.Swap(true) {
		r.log.Warn("gnews: batched batchexecute requests failed where single ones worked; batching turned off")
	}
	return nil
}

// wholeBatchFailed reports whether no call got an answer that depends on the
// ID (a URL or a permanent no-URL): all were error envelopes or bad replies.
func wholeBatchFailed(calls []call, res map[string]outcome) bool {
	for _, c := range calls {
		o := res[c.id]
		if o.err == nil || !(errors.Is(o.err, ErrErrorReply) || errors.Is(o.err, ErrBadReply)) {
			return false
		}
	}
	return true
}

func isStop(err error) bool {
	var rl *RateLimitedError
	return errors.As(err, &rl) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// fetchParams gets the article page and its signature. When Google
// redirects the page to a non-Google site (as it did before July 2024), that
// site's URL is the answer and direct is set.
func (r *Resolver) fetchParams(ctx context.Context, id string) (p pageParams, direct string, err error) {
	pages := []string{r.base + "/articles/" + id, r.base + "/rss/articles/" + id}
	var errs []error
	for _, page := range pages {
		resp, ferr := r.doer.Do(ctx, fetch.Request{
			URL:        page,
			Accept:     "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
			SkipRobots: true,
			// No retries inside the fetcher: retrying against Google's
			// rate limit prolongs it. The pipeline retries, paced.
			MaxAttempts: 1,
		})
		if ferr != nil {
			if rl := r.rateLimited(ctx, ferr, page); rl != nil {
				return p, "", rl
			}
			if ctx.Err() != nil {
				return p, "", ctx.Err()
			}
			errs = append(errs, pageError(id, page, ferr))
			continue
		}
		if final := resp.URL; final != "" && r.offsite(final) && usableURL(final) {
			return p, final, nil
		}
		if p, ok := scrapeParams(resp.Body, id); ok {
			return p, "", nil
		}
		errs = append(errs, &ResolveError{ID: id, Err: ErrNoSignature, Retry: true, Detail: "GET " + resp.URL})
	}
	// Permanent only when every page said the article is gone.
	for _, e := range errs {
		if !errors.Is(e, ErrArticleGone) {
			return p, "", e
		}
	}
	return p, "", errs[len(errs)-1]
}

func pageError(id, page string, err error) error {
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.StatusCode == http.StatusNotFound || se.StatusCode == http.StatusGone) {
		return &ResolveError{ID: id, Err: ErrArticleGone, Detail: fmt.Sprintf("GET %s: HTTP %d", page, se.StatusCode)}
	}
	return &ResolveError{ID: id, Err: err, Retry: true}
}

// post sends calls in one batchexecute request and reads an outcome for each.
func (r *Resolver) post(ctx context.Context, calls []call) (map[string]outcome, error) {
	res := make(map[string]outcome, len(calls))
	failAll := func(err error, retry bool, detail string) {
		for _, c := range calls {
			res[c.id] = outcome{err: &ResolveError{ID: c.id, Err: err, Retry: retry, Detail: detail}}
		}
	}
	body, err := requestBody(calls)
	if err != nil {
		failAll(ErrBadReply, true, "building the request: "+err.Error())
		return res, nil
	}
	endpoint := r.base + batchexecutePath
	if err := r.checkBlocked(); err != nil {
		return res, err
	}
	resp, err := r.doer.Do(ctx, fetch.Request{
		URL:    endpoint,
		Method: http.MethodPost,
		Body:   body,
		Accept: "*/*",
		Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded;charset=UTF-8"},
			"Referer":      {r.base + "/"},
		},
		SkipRobots:  true,
		MaxAttempts: 1,
	})
	if err != nil {
		if rl := r.rateLimited(ctx, err, endpoint); rl != nil {
			return res, rl
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		failAll(err, true, "POST batchexecute")
		return res, nil
	}
	answers, err := parseReply(resp.Body)
	if err != nil {
		failAll(ErrBadReply, true, err.Error())
		return res, nil
	}
	byTag := map[string]answer{}
	for _, a := range answers {
		if _, dup := byTag[a.tag]; !dup {
			byTag[a.tag] = a
		}
	}
	for i, c := range calls {
		a, ok := byTag[envelopeTag(i, len(calls))]
		switch {
		case ok:
		case len(calls) == 1 && len(answers) > 0:
			a, ok = answers[0], true // some replies tag the one envelope ""
		case len(answers) == len(calls) && answers[i].tag == "":
			a, ok = answers[i], true // untagged envelopes, in order
		}
		if !ok {
			res[c.id] = outcome{err: &ResolveError{ID: c.id, Err: ErrBadReply, Retry: true, Detail: "no Fbv4je envelope for this ID"}}
			continue
		}
		res[c.id] = answerOutcome(c.id, a)
	}
	return res, nil
}

// answerOutcome turns one envelope into a URL or a typed error.
func answerOutcome(id string, a answer) outcome {
	fail := func(err error, retry bool, detail string) outcome {
		return outcome{err: &ResolveError{ID: id, Err: err, Retry: retry, Detail: detail}}
	}
	if !a.hasPayload {
		if a.errCode != "" {
			return fail(ErrErrorReply, true, "error "+a.errCode)
		}
		return fail(ErrBadReply, true, "envelope without payload or error")
	}
	g, ok := parsePayload(a.payload)
	if !ok {
		return fail(ErrBadReply, true, "payload is not a garturlres array: "+abbrev(a.payload, 80))
	}
	if g.url == "" {
		return fail(ErrNoURL, false, "garturlres without a URL")
	}
	if !usableURL(g.url) {
		return fail(ErrNoURL, false, "garturlres URL is not a publisher URL: "+abbrev(g.url, 120))
	}
	o := outcome{url: g.url}
	if usableURL(g.amp) {
		o.amp = g.amp
	}
	return o
}

// usableURL: an absolute http(s) URL that is not a Google page.
func usableURL(s string) bool {
	if !isHTTPURL(s) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return !isGoogleHost(u.Hostname())
}

func isGoogleHost(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	return strings.HasPrefix(h, "google.") || strings.Contains(h, ".google.")
}

// offsite reports whether a page fetch ended away from Google News.
func (r *Resolver) offsite(final string) bool {
	u, err := url.Parse(final)
	if err != nil {
		return false
	}
	return strings.ToLower(u.Host) != r.baseHost && !isGoogleHost(u.Hostname())
}

// rateLimited turns a 429 into a *RateLimitedError and holds everything off
// until its end. The fetcher's open circuit for the host (it stopped
// sending after repeated failures or a long Retry-After) stops resolution
// the same way, for as long as the fetcher says.
func (r *Resolver) rateLimited(ctx context.Context, err error, where string) *RateLimitedError {
	if errors.Is(err, fetch.ErrCircuitOpen) {
		wait := fetch.RetryAfter(err)
		if wait <= 0 {
			wait = time.Minute
		}
		until := r.now().Add(min(wait, MaxBackoff))
		r.noteBlocked(until)
		return &RateLimitedError{Until: until, Detail: "the fetcher holds requests to " + where + " back (circuit open)"}
	}
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests {
		return nil
	}
	wait := se.RetryAfter
	detail := "HTTP 429 from " + where
	if wait <= 0 {
		wait = r.backoff
		detail += ", no Retry-After"
	} else {
		detail += ", Retry-After " + wait.String()
	}
	wait = min(wait, MaxBackoff)
	until := r.now().Add(wait)
	r.noteBlocked(until)
	if b, ok := r.pacer.(pace.Blocker); ok {
		if berr := b.Block(context.WithoutCancel(ctx), PaceKey, until); berr != nil {
			r.log.Warn("gnews: could not share the 429 back-off", "err", berr)
		}
	}
	return &RateLimitedError{Until: until, Detail: detail}
}

func (r *Resolver) noteBlocked(until time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if until.After(r.blockedUntil) {
		r.blockedUntil = until
	}
}

func (r *Resolver) checkBlocked() error {
	r.mu.Lock()
	until := r.blockedUntil
	r.mu.Unlock()
	if r.now().Before(until) {
		return &RateLimitedError{Until: until, Detail: "held off after a 429"}
	}
	return nil
}

// BlockedUntil returns the end of the current 429 back-off (zero if none).
func (r *Resolver) BlockedUntil() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.now().Before(r.blockedUntil) {
		return r.blockedUntil
	}
	return time.Time{}
}

// localeOf takes hl, gl and ceid from a link's query (web links carry
// them), the Resolver's locale otherwise.
func (r *Resolver) localeOf(linkOrID string) Locale {
	l := r.locale
	i := strings.IndexByte(linkOrID, '?')
	if i < 0 {
		return l
	}
	q, err := url.ParseQuery(linkOrID[i+1:])
	if err != nil {
		return l
	}
	hl, gl, ceid := q.Get("hl"), strings.ToUpper(q.Get("gl")), q.Get("ceid")
	if validHL(hl) && validGL(gl) {
		l = Locale{HL: hl, GL: gl, CEID: gl + ":" + editionLanguage(hl, gl)}
		if validCEID(ceid) {
			l.CEID = ceid
		}
	}
	return l
}
