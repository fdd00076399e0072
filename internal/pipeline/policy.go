package pipeline

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// PollPolicy bounds how often a feed is polled. Between the bounds the
// interval adapts: it shrinks when a poll brings new items and grows when the
// feed has not changed, so a busy feed is read often and a quiet one costs
// little. A failing feed backs off exponentially, never past Max.
type PollPolicy struct {
	Min, Max time.Duration
}

// DefaultPollPolicy: a feed is polled at least every 6 hours and at most
// every 5 minutes.
var DefaultPollPolicy = PollPolicy{Min: 5 * time.Minute, Max: 6 * time.Hour}

func (pp PollPolicy) clamp(d time.Duration) time.Duration {
	return min(max(d, pp.Min), pp.Max)
}

// adapt returns the next interval after a successful poll.
func (pp PollPolicy) adapt(cur time.Duration, changed bool) time.Duration {
	if cur <= 0 {
		cur = store.DefaultPollInterval
	}
	if changed {
		return pp.clamp(cur / 2)
	}
	return pp.clamp(cur + cur/2)
}

// backoff returns how long to wait after the n-th failure in a row (n >= 1):
// the interval doubled per failure with jitter, a server's Retry-After if it
// asked for longer, and never more than Max.
func (pp PollPolicy) backoff(cur time.Duration, n int, err error) time.Duration {
	if cur <= 0 {
		cur = pp.Min
	}
	d := cur
	for i := 1; i < n && d < pp.Max; i++ {
		d *= 2
	}
	d = jitter(pp.clamp(d))
	if ra := fetch.RetryAfter(err); ra > d {
		d = min(ra, 24*time.Hour)
	}
	return d
}

// jitter spreads retries of many feeds or items over ±20% so that they do
// not return all at once.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d - d/5 + time.Duration(rand.Int64N(int64(d/5)*2+1))
}

// isGone tells a feed that has been removed for good: polling it stops.
func isGone(err error) bool {
	var se *fetch.StatusError
	return errors.As(err, &se) && se.StatusCode == http.StatusGone
}

// DeferError says an item cannot go on before Until (its Google News link
// awaits online resolution, Google asked us to slow down). The item waits in
// model.ItemWaiting; it is neither lost nor published with a Google URL.
type DeferError struct {
	Until time.Time
	Err   error
}

func (e *DeferError) Error() string {
	return fmt.Sprintf("waiting until %s: %v", e.Until.UTC().Format(time.RFC3339), e.Err)
}

func (e *DeferError) Unwrap() error { return e.Err }

// resolveBackoff is how long an item whose resolution failed in a way that
// may pass waits before the next try: one minute, doubling per attempt, at
// most six hours.
func resolveBackoff(it *model.Item) time.Duration {
	d := time.Minute
	for i := 0; i < it.Attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return jitter(min(d, 6*time.Hour))
}
