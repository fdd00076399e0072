package pipeline

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/ops"
)

// fetchClass names the outcome of one fetch for ops.FetchResults.
func fetchClass(resp *fetch.Response, err error) string {
	if err == nil {
		if resp != nil && resp.NotModified {
			return "not_modified"
		}
		return "ok"
	}
	var se *fetch.StatusError
	var ne net.Error
	switch {
	case errors.As(err, &se):
		switch {
		case se.StatusCode == http.StatusTooManyRequests:
			return "rate_limited"
		case se.StatusCode >= 500:
			return "http_5xx"
		case se.StatusCode >= 400:
			return "http_4xx"
		}
		return "other"
	case errors.Is(err, fetch.ErrDisallowed):
		return "robots"
	case errors.Is(err, fetch.ErrBlockedAddress):
		return "blocked"
	case errors.Is(err, fetch.ErrTooLarge):
		return "too_large"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &ne):
		return "network"
	}
	return "other"
}

// fetch sends one request and counts its outcome.
func (p *Pipeline) fetch(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	resp, err := p.Fetch.Do(ctx, r)
	ops.FetchResults.WithLabelValues(fetchClass(resp, err)).Inc()
	return resp, err
}

func observeExtract(start time.Time) {
	ops.ExtractSeconds.Observe(time.Since(start).Seconds())
}

func countResolution(method string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	ops.Resolutions.WithLabelValues(method, result).Inc()
}

func countItem(created bool, err error) {
	var perm *PermanentError
	switch {
	case errors.As(err, &perm):
		ops.ItemsProcessed.WithLabelValues("permanent").Inc()
	case err != nil:
		ops.ItemsProcessed.WithLabelValues("failed").Inc()
	case created:
		ops.ItemsProcessed.WithLabelValues("post_new").Inc()
	default:
		ops.ItemsProcessed.WithLabelValues("post_reused").Inc()
	}
}
