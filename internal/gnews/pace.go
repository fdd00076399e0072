package gnews

import (
	"errors"
	"fmt"
	"time"
)

// PaceKey is the key the resolver passes to its pace.Pacer's Wait and, when
// it is a pace.Blocker, Block after a 429: one pacer (pace.NewMem, or
// store.SharedPacer shared by every process of one database) can serve the
// fetcher too, since no host name is "gnews:batchexecute". A Wait that
// returns a *pace.HeldError (the key is held off after a 429, here or in
// another process) ends resolution with a *RateLimitedError until then.
const PaceKey = "gnews:batchexecute"

// DefaultInterval is the default pace: at most one resolution (one article
// page plus its share of a batchexecute POST) every 5 seconds. The only
// public measurement (docs/gnews.md) saw a 429 after about 15 quick
// resolutions and none at 70 seconds apart; set a longer interval for volume.
const DefaultInterval = 5 * time.Second

// DefaultBackoff is how long the resolver keeps away after a 429 that came
// without Retry-After. MaxBackoff caps a Retry-After.
const (
	DefaultBackoff = time.Hour
	MaxBackoff     = 24 * time.Hour
)

// Errors of online resolution; test them with errors.Is. Each comes inside
// a *ResolveError that says whether another attempt may succeed, except
// ErrRateLimited, which comes inside a *RateLimitedError.
var (
	// ErrRateLimited: Google answered 429 (now or recently); wait until
	// RateLimitedError.Until.
	ErrRateLimited = errors.New("gnews: Google News is rate-limiting link resolution")
	// ErrNoURL: Google answered the request but gave no usable publisher URL
	// (missing, empty, not http(s), or a Google page). Permanent.
	ErrNoURL = errors.New("gnews: Google's answer holds no publisher URL")
	// ErrArticleGone: the article page answered 404 or 410. Permanent.
	ErrArticleGone = errors.New("gnews: Google News has no page for this article ID")
	// ErrErrorReply: the batchexecute envelope carried an error code instead
	// of a payload (e.g. [3]): the request shape or the signature was
	// refused. Temporary: a new signature, or a fixed kabar, may pass.
	ErrErrorReply = errors.New("gnews: batchexecute answered with an error envelope")
	// ErrNoSignature: the article page carried no data-n-a-sg/data-n-a-ts
	// (a consent or CAPTCHA page, or a changed page). Temporary.
	ErrNoSignature = errors.New("gnews: article page has no signature (data-n-a-sg, data-n-a-ts)")
	// ErrBadReply: the batchexecute reply was not the expected shape, or had
	// no envelope for this ID. Temporary.
	ErrBadReply = errors.New("gnews: unexpected batchexecute reply")
	// ErrNoResolver: online resolution is needed but none is configured.
	ErrNoResolver = errors.New("gnews: no online resolver configured")
)

// ResolveError is returned for a new-form ID that could not be resolved.
type ResolveError struct {
	ID string
	// Err is one of the sentinels above, or the fetch/context error.
	Err error
	// Retry says whether a later attempt may succeed. False means the answer
	// is final (and is cached as such): do not ask Google again.
	Retry bool
	// Detail is extra context, may be empty.
	Detail string
}

func (e *ResolveError) Error() string {
	s := e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Retry {
		s += " (temporary)"
	} else {
		s += " (permanent)"
	}
	if e.ID != "" {
		s += " [id " + abbrev(e.ID, 40) + "]"
	}
	return s
}

func (e *ResolveError) Unwrap() error { return e.Err }

// RateLimitedError says Google is rate-limiting: nothing should be asked
// before Until.
type RateLimitedError struct {
	Until  time.Time
	Detail string
}

func (e *RateLimitedError) Error() string {
	s := fmt.Sprintf("%v: retry after %s", ErrRateLimited, e.Until.UTC().Format(time.RFC3339))
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

func (e *RateLimitedError) Unwrap() error { return ErrRateLimited }

// Retryable tells a caller what to do with an error from Resolve: retry
// reports whether another attempt may succeed, and notBefore, when not zero,
// is the earliest time it may be made (after a 429). Offline decode errors
// (story, video, topic IDs, malformed links) and permanent resolution
// failures give retry false; anything unknown (network, context) gives true.
func Retryable(err error) (retry bool, notBefore time.Time) {
	if err == nil {
		return false, time.Time{}
	}
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		return true, rl.Until
	}
	var re *ResolveError
	if errors.As(err, &re) {
		return re.Retry, time.Time{}
	}
	var de *Error
	if errors.As(err, &de) {
		return false, time.Time{}
	}
	return true, time.Time{}
}
