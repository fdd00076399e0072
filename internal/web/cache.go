package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// cacheTTL bounds how stale the sidebar, the settings and the feeds' options
// may be. Changes made through this process's admin show at once; those made
// by another process behind the same load balancer within cacheTTL.
const cacheTTL = 30 * time.Second

// Setting keys, as stored.
const (
	settingTitle       = "site.title"
	settingDescription = "site.description"
	settingIndex       = "site.index"
	settingTrustKnown  = "comments.trust_known"
	settingLabelNames  = "labels.names"
	settingMenuLabels  = "site.menu_labels"
	settingCanonical   = "site.canonical"
)

// settings are the owner's choices from /admin/settings.
type settings struct {
	Title       string
	Description string
	// Index lets search engines list the site's pages (no noindex).
	Index bool
	// TrustKnown publishes at once a comment from a browser whose earlier
	// comment the owner approved.
	TrustKnown bool
	// HomeStories lists stories on the home page instead of posts.
	HomeStories bool
	// LabelNames are the owner's names for labels: stored name → shown
	// name, from lines "stored = shown".
	LabelNames map[string]string
	// MenuLabels are the labels the header's menu lists, in order.
	MenuLabels []string
	// CanonicalSelf points a post's rel=canonical at this site instead of
	// the original article.
	CanonicalSelf bool
}

func parseSettings(m map[string]string) settings {
	return settings{
		Title:         m[settingTitle],
		Description:   m[settingDescription],
		Index:         m[settingIndex] == "on",
		TrustKnown:    m[settingTrustKnown] == "on",
		HomeStories:   m[settingHomeStories] == "on",
		LabelNames:    parseLabelNames(m[settingLabelNames]),
		MenuLabels:    parseLines(m[settingMenuLabels]),
		CanonicalSelf: m[settingCanonical] == canonicalSelf,
	}
}

// siteCache keeps what nearly every page reads and rarely changes: the
// settings, the sidebar's labels and months, and the feeds' options. A read
// that fails keeps the last good value (or the zero one) and is logged, so a
// busy database slows pages down instead of breaking them.
type siteCache struct {
	st  Store
	now func() time.Time
	log *slog.Logger

	mu       sync.Mutex
	cond     *sync.Cond // signalled when a load ends
	loading  bool
	loaded   bool
	at       time.Time
	set      settings
	labels   []model.Label
	months   []store.MonthCount
	feedOpts map[int64]model.FeedOptions
	// ver counts the loads, so that what is made from a load (the
	// rendered sidebars) knows when it is stale.
	ver int64
	// asked counts the invalidations, done the count the last load began
	// after: a load under way when one came may have read before it.
	asked, done int64
}

func newSiteCache(st Store, now func() time.Time, log *slog.Logger) *siteCache {
	c := &siteCache{st: st, now: now, log: log}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// fresh makes sure the cache is loaded, and current with every change
// named to invalidate. The first load, and the first after an
// invalidation, hold readers back until it ends: what they read then must
// show the change. A load that is only older than cacheTTL is done again
// in the background while readers go on with it: done by the reader that
// found it old, at 100 000 posts on PostgreSQL it held that reader for
// some 50 ms (the labels' and months' counts) every cacheTTL, each time
// the slowest request of the site (docs/benchmarks.md). Called with c.mu
// held; returns with it held.
func (c *siteCache) fresh(ctx context.Context) {
	for c.loading && !c.current() {
		c.cond.Wait()
	}
	if c.current() {
		if !c.loading && c.now().Sub(c.at) >= cacheTTL {
			c.loading = true
			go func() {
				// The reader may be gone before the load ends; a load
				// that hangs must still end, as readers after a write
				// wait for it.
				lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cacheTTL)
				defer cancel()
				c.mu.Lock()
				defer c.mu.Unlock()
				c.load(lctx)
			}()
		}
		return
	}
	c.loading = true
	c.load(ctx)
}

// current reports whether a load has ended since the last invalidation.
func (c *siteCache) current() bool { return c.loaded && c.done == c.asked }

// load reads everything again; the caller has set c.loading. Called with
// c.mu held; returns with it held.
func (c *siteCache) load(ctx context.Context) {
	asked := c.asked
	c.mu.Unlock()
	// The three reads go at once: after a write readers wait for them,
	// and on PostgreSQL at 100 000 posts the labels' counts and the
	// months' took some 29 and 18 ms.
	var m map[string]string
	var labels []model.Label
	var months []store.MonthCount
	var err, err2, err3 error
	var wg sync.WaitGroup
	wg.Go(func() { m, err = c.st.Settings(ctx) })
	wg.Go(func() { labels, err2 = c.st.Labels(ctx, "", sidebarLabels) })
	months, err3 = c.st.ArchiveMonths(ctx)
	wg.Wait()
	c.mu.Lock()
	c.loading = false
	c.cond.Broadcast()
	if err != nil || err2 != nil || err3 != nil {
		// Keep what we had and try again on the next request.
		c.log.Error("web: loading site cache", "settings", err, "labels", err2, "months", err3)
		return
	}
	c.set, c.labels, c.months = parseSettings(m), labels, months
	c.feedOpts = map[int64]model.FeedOptions{}
	c.ver++
	c.at, c.loaded, c.done = c.now(), true, asked
}

func (c *siteCache) settings(ctx context.Context) settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fresh(ctx)
	return c.set
}

// sidebar returns the sidebar's labels and months, and the load they (and
// the settings' names for labels) came from.
func (c *siteCache) sidebar(ctx context.Context) ([]model.Label, []store.MonthCount, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fresh(ctx)
	return c.labels, c.months, c.ver
}

// feedOptions returns a feed's display options; a post without a feed (or
// whose feed is gone) shows its full text.
func (c *siteCache) feedOptions(ctx context.Context, feedID int64) model.FeedOptions {
	if feedID == 0 {
		return model.FeedOptions{}
	}
	c.mu.Lock()
	c.fresh(ctx)
	o, ok := c.feedOpts[feedID]
	c.mu.Unlock()
	if ok {
		return o
	}
	o, err := c.st.FeedOptions(ctx, feedID)
	if err != nil {
		o = model.FeedOptions{FeedID: feedID}
	}
	c.mu.Lock()
	if c.feedOpts != nil {
		c.feedOpts[feedID] = o
	}
	c.mu.Unlock()
	return o
}

// invalidate makes the next request reload everything, after the owner
// changed something.
func (c *siteCache) invalidate() {
	c.mu.Lock()
	c.asked++
	c.mu.Unlock()
}
