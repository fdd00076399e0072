package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/pace"
)

// Retries, backoff and the per-host circuit breaker.
//
// A Do call tries a request up to Config.MaxAttempts times when it fails
// temporarily. Between attempts it waits a "full jitter" backoff (a random
// duration between 0 and min(RetryMaxDelay, RetryBaseDelay×2^(n-1))), or
// exactly the server's Retry-After when there is one. A Retry-After longer
// than Config.MaxRetryAfter is not waited for: the call returns the
// StatusError at once (RetryAfter(err) gives the wait, for the scheduler)
// and the host is paused for that long. Nor does a call wait past its
// context's deadline.
//
// Every hop (robots.txt and redirects included) reports to its host's
// breaker: a network error, timeout, slow drip, 429 or retryable 5xx is a
// failure; any other answer a success. Config.BreakerThreshold failures in a
// row open the breaker: for Config.BreakerCooldown every request to the
// host fails at once with ErrCircuitOpen, without touching the network.
// Then the breaker is half-open: one request (the probe) goes through while
// the others keep failing fast; the probe's success closes the breaker, its
// failure opens it for another cool-down. Breaker and pauses live in the
// Client's memory: each process keeps its own.

// IsTemporary reports whether err is a failure that a later attempt may
// not repeat: a network error or timeout, a slow drip, an open circuit, an
// unavailable robots.txt, or the statuses 408, 425, 429 and 5xx (but 501
// and 505). Guard refusals, invalid URLs, robots.txt disallows, caps,
// redirect loops, certificate errors, unknown host names, other 4xx and a
// cancelled context are not temporary; nor is any error it does not know.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	switch {
	case errors.Is(err, ErrCircuitOpen), errors.Is(err, ErrRobotsUnavailable), errors.Is(err, ErrTooSlow):
		return true
	case errors.Is(err, ErrBlockedAddress), errors.Is(err, ErrInvalidURL), errors.Is(err, ErrDisallowed),
		errors.Is(err, ErrTooLarge), errors.Is(err, ErrHeaderTooLarge), errors.Is(err, ErrTooManyRedirects),
		errors.Is(err, ErrUnsupportedEncoding), errors.Is(err, ErrNotInArchive), errors.Is(err, ErrProxy),
		errors.Is(err, context.Canceled):
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusTooManyRequests || temporaryStatus(se.StatusCode)
	}
	var te *tempError
	if errors.As(err, &te) {
		return true
	}
	if isCertificateError(err) || isNoSuchHost(err) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// RetryAfter returns how long to wait before asking again, when err says:
// the server's Retry-After of a StatusError, or what is left of an open
// circuit or a host's pause. 0 when err does not say.
func RetryAfter(err error) time.Duration {
	var ce *circuitError
	if errors.As(err, &ce) {
		if d := time.Until(ce.until); d > 0 {
			return d
		}
		return time.Millisecond
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// temporaryStatus reports the statuses (other than 429) worth another try.
func temporaryStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooEarly:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return code >= 500 && code <= 599
}

// tempError marks a transport or body-reading failure as temporary.
type tempError struct{ err error }

func (e *tempError) Error() string { return e.err.Error() }
func (e *tempError) Unwrap() error { return e.err }

func isCertificateError(err error) bool {
	var (
		ve *tls.CertificateVerificationError
		he x509.HostnameError
		ue x509.UnknownAuthorityError
		ie x509.CertificateInvalidError
	)
	return errors.As(err, &ve) || errors.As(err, &he) || errors.As(err, &ue) || errors.As(err, &ie)
}

func isNoSuchHost(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// retryable reports whether Do may try again after err.
func (c *Client) retryable(ctx context.Context, err error, method string) bool {
	if ctx.Err() != nil || !IsTemporary(err) ||
		errors.Is(err, ErrCircuitOpen) || errors.Is(err, ErrRobotsUnavailable) {
		return false
	}
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	// POST and friends: only when the server cannot have acted on it.
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusTooManyRequests || se.StatusCode == http.StatusServiceUnavailable
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// backoff returns the full-jitter wait before attempt n+1 (n >= 1).
func (c *Client) backoff(n int) time.Duration {
	ceil := c.cfg.RetryBaseDelay
	for i := 1; i < n && ceil < c.cfg.RetryMaxDelay; i++ {
		ceil *= 2
	}
	if ceil > c.cfg.RetryMaxDelay {
		ceil = c.cfg.RetryMaxDelay
	}
	return rand.N(ceil + 1)
}

// circuitError is returned while a host's breaker is open or the host is
// paused; errors.Is(err, ErrCircuitOpen) holds.
type circuitError struct {
	host   string
	until  time.Time
	reason string
}

func (e *circuitError) Error() string {
	return fmt.Sprintf("%s: %s for %s (until %s)", ErrCircuitOpen, e.reason, e.host,
		e.until.UTC().Format(time.RFC3339))
}

func (e *circuitError) Is(target error) bool { return target == ErrCircuitOpen }

type outcome int

const (
	outcomeNone    outcome = iota // nothing learnt about the host (cancelled, refused by the guard)
	outcomeSuccess                // the host answered
	outcomeFailure                // network error, timeout, slow drip, 429, 5xx
)

// failureOutcome judges a failed hop: temporary errors count against the
// host, the rest (the caller's cancellation, guard refusals, caps) do not.
func failureOutcome(ctx context.Context, err error) outcome {
	if ctx.Err() != nil {
		return outcomeNone
	}
	var te *tempError
	if errors.As(err, &te) {
		return outcomeFailure
	}
	return outcomeNone
}

// maxHostPause bounds how long a Retry-After can silence a host.
const maxHostPause = 24 * time.Hour

// breaker keeps, per host, the count of failures in a row, the breaker
// state and any pause a Retry-After asked for. A nil *breaker allows all.
type breaker struct {
	threshold int // <= 0: failures never open the breaker (pauses still apply)
	cooldown  time.Duration
	mu        sync.Mutex
	hosts     map[string]*hostState
}

type hostState struct {
	fails     int
	openUntil time.Time // non-zero: open (until then), then half-open
	probing   bool      // half-open and the probe is out
	paused    time.Time // Retry-After: no request before then
}

// ticket is what allow hands to a hop and done takes back.
type ticket struct{ probe bool }

func newBreaker(threshold int, cooldown time.Duration) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, hosts: make(map[string]*hostState)}
}

// allow lets a hop to host go ahead, waits out a short pause (at most
// maxWait), or fails fast with a *circuitError.
func (b *breaker) allow(ctx context.Context, host string, maxWait time.Duration) (ticket, error) {
	if b == nil {
		return ticket{}, nil
	}
	for {
		b.mu.Lock()
		st := b.hosts[host]
		if st == nil {
			b.mu.Unlock()
			return ticket{}, nil
		}
		now := time.Now()
		if now.Before(st.paused) {
			until := st.paused
			b.mu.Unlock()
			if d := until.Sub(now); d > maxWait {
				return ticket{}, &circuitError{host: host, until: until, reason: "host asked to pause (Retry-After)"}
			}
			if err := pace.Sleep(ctx, until.Sub(now)); err != nil {
				return ticket{}, err
			}
			continue
		}
		defer b.mu.Unlock()
		if st.openUntil.IsZero() {
			return ticket{}, nil
		}
		if now.Before(st.openUntil) {
			return ticket{}, &circuitError{host: host, until: st.openUntil,
				reason: fmt.Sprintf("%d failures in a row", st.fails)}
		}
		if st.probing {
			// Half-open with the probe still out: fail fast until it is
			// back, telling the caller to try again in a moment.
			return ticket{}, &circuitError{host: host, until: now.Add(time.Second), reason: "half-open, probe in flight"}
		}
		st.probing = true
		return ticket{probe: true}, nil
	}
}

// done records the outcome of a hop allowed by allow.
func (b *breaker) done(host string, t ticket, o outcome) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.hosts[host]
	switch o {
	case outcomeSuccess:
		if st != nil {
			st.fails, st.openUntil, st.probing = 0, time.Time{}, false
			if !time.Now().Before(st.paused) {
				delete(b.hosts, host)
			}
		}
	case outcomeFailure:
		if b.threshold <= 0 {
			return
		}
		if st == nil {
			st = &hostState{}
			b.hosts[host] = st
			b.prune()
		}
		st.fails++
		if t.probe || st.fails >= b.threshold {
			st.openUntil = time.Now().Add(b.cooldown)
			st.probing = false
		}
	default:
		if st != nil && t.probe {
			st.probing = false // the probe told nothing: let another one go
		}
	}
}

// pause holds requests to host for d (a Retry-After).
func (b *breaker) pause(host string, d time.Duration) {
	if b == nil || d <= 0 {
		return
	}
	if d > maxHostPause {
		d = maxHostPause
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.hosts[host]
	if st == nil {
		st = &hostState{}
		b.hosts[host] = st
		b.prune()
	}
	if until := time.Now().Add(d); until.After(st.paused) {
		st.paused = until
	}
}

// prune forgets hosts with nothing left to remember, when the map grows.
func (b *breaker) prune() {
	if len(b.hosts) < 4096 {
		return
	}
	now := time.Now()
	for h, st := range b.hosts {
		if now.After(st.paused) && !st.probing && (st.openUntil.IsZero() || now.After(st.openUntil.Add(b.cooldown))) {
			delete(b.hosts, h)
		}
	}
}
