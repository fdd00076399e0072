package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	robotsTTL      = 24 * time.Hour  // RFC 9309: do not use a cached copy longer than a day
	robotsRetryTTL = 5 * time.Minute // how long "unreachable, disallow for now" holds
)

// robotsCache holds one robots.txt verdict per origin (scheme://host:port).
type robotsCache struct {
	mu sync.Mutex
	m  map[string]*robotsEntry
}

type robotsEntry struct {
	ready   chan struct{} // closed once the fields below are set
	rules   *robotsTxt    // nil: allow all
	deny    error         // non-nil: disallow all for now, because of deny
	expires time.Time
}

func robotsOrigin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Scheme + "://" + u.Hostname() + ":" + port
}

// checkRobots returns nil when robots.txt lets RobotsAgent fetch u. proxy
// is the request's Request.Proxy: robots.txt is fetched the same way.
func (c *Client) checkRobots(ctx context.Context, u *url.URL, proxy string) error {
	e, err := c.robotsEntry(ctx, u, proxy)
	if err != nil {
		return fmt.Errorf("robots.txt: %w", err)
	}
	if e.deny != nil {
		return fmt.Errorf("%w: %w: %w", ErrDisallowed, ErrRobotsUnavailable, e.deny)
	}
	if !e.rules.Allowed(RobotsAgent, u.String()) {
		return ErrDisallowed
	}
	return nil
}

func (c *Client) robotsEntry(ctx context.Context, u *url.URL, proxy string) (*robotsEntry, error) {
	key := robotsOrigin(u)
	for {
		c.robots.mu.Lock()
		if c.robots.m == nil {
			c.robots.m = make(map[string]*robotsEntry)
		}
		e := c.robots.m[key]
		if e != nil {
			select {
			case <-e.ready:
				if time.Now().Before(e.expires) {
					c.robots.mu.Unlock()
					return e, nil
				}
				// expired: fetch again below
			default:
				c.robots.mu.Unlock()
				select { // another request is fetching it
				case <-e.ready:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				continue
			}
		}
		if len(c.robots.m) > 4096 {
			now := time.Now()
			for k, old := range c.robots.m {
				select {
				case <-old.ready:
					if now.After(old.expires) {
						delete(c.robots.m, k)
					}
				default:
				}
			}
		}
		e = &robotsEntry{ready: make(chan struct{})}
		c.robots.m[key] = e
		c.robots.mu.Unlock()

		rules, deny, ttl, err := c.fetchRobots(ctx, u, proxy)
		if err != nil {
			c.robots.mu.Lock()
			if c.robots.m[key] == e {
				delete(c.robots.m, key)
			}
			c.robots.mu.Unlock()
			close(e.ready)
			return nil, err
		}
		e.rules, e.deny, e.expires = rules, deny, time.Now().Add(ttl)
		close(e.ready)
		return e, nil
	}
}

// crawlDelay returns the Crawl-delay robots.txt gives kabar on u's origin,
// capped by Config.MaxCrawlDelay; 0 when none is known (yet) or Crawl-delay
// is ignored. It never fetches.
func (c *Client) crawlDelay(u *url.URL) time.Duration {
	if c.cfg.MaxCrawlDelay < 0 {
		return 0
	}
	c.robots.mu.Lock()
	e := c.robots.m[robotsOrigin(u)]
	c.robots.mu.Unlock()
	if e == nil {
		return 0
	}
	select {
	case <-e.ready:
	default:
		return 0
	}
	return min(e.rules.CrawlDelay(RobotsAgent), c.cfg.MaxCrawlDelay)
}

// fetchRobots fetches and judges the robots.txt of u's origin (RFC 9309):
// 2xx is parsed; 4xx (but 429), too many redirects or missing from a replay
// archive allow all; 429, 5xx and network failures disallow all for a few
// minutes. A blocked address or a cancelled context is returned as err and
// not cached.
func (c *Client) fetchRobots(ctx context.Context, u *url.URL, proxy string) (rules *robotsTxt, deny error, ttl time.Duration, err error) {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	raw, err := c.follow(ctx, ru, c.robotsHops(proxy))
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return nil, nil, 0, ctx.Err()
	case errors.Is(err, ErrBlockedAddress), errors.Is(err, ErrCircuitOpen), errors.Is(err, ErrProxy):
		// Not an answer from the host: nothing to cache.
		return nil, nil, 0, err
	case errors.Is(err, ErrNotInArchive), errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrInvalidURL):
		return nil, nil, robotsTTL, nil
	default:
		return nil, err, robotsRetryTTL, nil
	}
	switch s := raw.status; {
	case s >= 200 && s <= 299:
		body, _, _, derr := decodeContent(raw.header, raw.body, robotsMaxBytes)
		if derr != nil {
			return nil, derr, robotsRetryTTL, nil
		}
		return parseRobots(body), nil, robotsTTL, nil
	case s == http.StatusTooManyRequests || s >= 500:
		return nil, fmt.Errorf("HTTP status %d", s), robotsRetryTTL, nil
	case s >= 300 && s <= 499:
		return nil, nil, robotsTTL, nil // unavailable: allow all
	default:
		return nil, fmt.Errorf("HTTP status %d", s), robotsRetryTTL, nil
	}
}
