// Package pipeline runs kabar's stages for feeds and items: poll a feed, then
// for each item resolve its publisher URL, fetch the page, extract the
// article, sanitize it and save the post.
//
// Each stage is a plain method that a test can call without a queue; the
// River queue in queue.go only decides when a stage runs, never what it does.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/feed"
	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/ops"
	"github.com/kabarnews/kabar/internal/sanitize"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/story"
)

// Fetcher is the part of fetch.Client the pipeline uses.
type Fetcher interface {
	Do(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// Counters tell what a run did; every field is updated atomically.
type Counters struct {
	FeedsPolled  atomic.Int64
	FeedFailures atomic.Int64
	ItemsSeen    atomic.Int64
	PostsNew     atomic.Int64
	ItemFailures atomic.Int64
	ItemsWaiting atomic.Int64
	// StoriesLeft counts posts left waiting for their story at the end of
	// a one-pass run (Queue.WaitIdle).
	StoriesLeft atomic.Int64
}

// Resolver finds the publisher URL of a Google News link, online when the
// link is of the 2024+ opaque form; *gnews.Resolver satisfies it.
type Resolver interface {
	Resolve(ctx context.Context, linkOrID string) (*gnews.Decoded, error)
}

// StoryAssigner puts a saved post into a story of reports of one event;
// *story.Assigner satisfies it.
type StoryAssigner interface {
	Assign(ctx context.Context, post *model.Post, item *model.Item) (storyID, copyOf int64, err error)
}

// Pipeline holds what the stages need.
type Pipeline struct {
	Store Store
	Fetch Fetcher
	// Resolver resolves Google News links; nil decodes offline only, and an
	// item with a 2024+ link then fails with a clear error.
	Resolver Resolver
	Poll     PollPolicy
	// Stories groups posts into stories; nil leaves every post alone.
	Stories StoryAssigner
	// Images keeps posts' lead images; nil keeps none.
	Images  LeadImages
	Log     *slog.Logger
	Now     func() time.Time
	Counter Counters

	proxies sync.Map // feed ID → proxyEntry (feedProxy)
	// started holds when Prepare began on an item (item ID → time.Time),
	// for the time Finish logs; a batch prepares and finishes apart.
	started sync.Map
}

// New returns a pipeline over a store and a fetcher.
func New(st Store, f Fetcher, log *slog.Logger) *Pipeline {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{Store: st, Fetch: f, Log: log, Now: time.Now, Poll: DefaultPollPolicy}
}

// PermanentError marks a failure that retrying will not mend (a 404, an
// article link that needs online resolution, a page without an article).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

func permanent(err error) error { return &PermanentError{Err: err} }

const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

// PollFeed fetches a feed (conditionally), stores its items and returns the
// feed's unfinished items: the new ones, those that failed before and those
// that wait. A disabled feed is not fetched.
func (p *Pipeline) PollFeed(ctx context.Context, feedID int64) ([]model.Item, error) {
	f, err := p.Store.Feed(ctx, feedID)
	if err != nil {
		return nil, err
	}
	if f.DisabledReason != "" {
		return nil, nil
	}
	now := p.Now().UTC()
	started := time.Now()
	p.Counter.FeedsPolled.Add(1)
	items, created, result, err := p.pollFeed(ctx, f)
	result.At, result.Err = now, err
	switch {
	case err != nil:
		p.Counter.FeedFailures.Add(1)
		ops.FeedsPolled.WithLabelValues("error").Inc()
		p.Log.Warn("feed poll failed", "feed", f.ID, "url", f.URL, "err", err)
		result.NextPollAt = now.Add(p.Poll.backoff(f.PollInterval, f.ErrorCount+1, err))
		if isGone(err) {
			result.Disable = "the feed answered 410 Gone; kabar stopped polling it"
		}
	default:
		if created == 0 {
			ops.FeedsPolled.WithLabelValues("not_modified").Inc()
		} else {
			ops.FeedsPolled.WithLabelValues("changed").Inc()
		}
		result.Changed = created > 0
		result.Interval = p.Poll.adapt(f.PollInterval, result.Changed)
		result.NextPollAt = now.Add(jitter(result.Interval))
		// One line a poll, so that a person watching a run sees it work.
		p.Log.Info("feed polled", "feed", f.ID, "title", firstNonEmpty(result.Title, f.Title, f.URL),
			"items", items, "new", created, "took", time.Since(started), "next_poll_in", result.Interval)
	}
	if rerr := p.Store.RecordPoll(ctx, f.ID, result); rerr != nil {
		return nil, errors.Join(err, rerr)
	}
	if err != nil {
		return nil, err
	}
	p.Counter.ItemsSeen.Add(int64(items))
	return p.Store.UnfinishedItems(ctx, f.ID)
}

// pollFeed reports how many items the feed held and how many of them were
// new to kabar.
func (p *Pipeline) pollFeed(ctx context.Context, f *model.Feed) (int, int, store.PollResult, error) {
	res := store.PollResult{ETag: f.ETag, LastModified: f.LastModified}
	resp, err := p.fetch(ctx, fetch.Request{URL: f.URL, ETag: f.ETag, LastModified: f.LastModified,
		Accept: feedAccept, Proxy: f.Proxy})
	if err != nil {
		return 0, 0, res, fmt.Errorf("fetch feed: %w", err)
	}
	if resp.NotModified {
		return 0, 0, res, nil
	}
	parsed, err := feed.Parse(resp.Body, resp.URL)
	if err != nil {
		return 0, 0, res, fmt.Errorf("parse feed: %w", err)
	}
	created := 0
	for i := range parsed.Items {
		it := &parsed.Items[i]
		it.FeedID = f.ID
		it.Title = sanitize.Text(it.Title)
		it.Publisher = sanitize.Text(it.Publisher)
	}
	// One write for the whole poll: on SQLite every transaction is a turn
	// of the single writer that the items' posts wait for.
	created, err = p.Store.UpsertItems(ctx, parsed.Items)
	if err != nil {
		return 0, 0, res, err
	}
	res.Title = sanitize.Text(parsed.Title)
	res.ETag = resp.Header.Get("ETag")
	res.LastModified = resp.Header.Get("Last-Modified")
	return len(parsed.Items), created, res, nil
}

// ProcessItem turns one item into a post. It reports whether a new post was
// made (false when the article was already stored under another item). A
// failure is recorded on the item before it is returned.
func (p *Pipeline) ProcessItem(ctx context.Context, itemID int64) (bool, error) {
	it, err := p.Store.Item(ctx, itemID)
	if err != nil {
		return false, err
	}
	return p.Process(ctx, it)
}

// Process is ProcessItem for an item already read (a claimed batch's).
func (p *Pipeline) Process(ctx context.Context, it *model.Item) (bool, error) {
	post, err := p.Prepare(ctx, it)
	return p.Finish(ctx, it, post, err)
}

// Prepare does an item's work up to its post: the resolution, the fetch,
// the extraction. It returns a nil post and no error when the item is done
// already. Finish stores the post and records the outcome; the two are
// apart so that a batch can prepare all its items and then store their
// posts together (batchWorker).
func (p *Pipeline) Prepare(ctx context.Context, it *model.Item) (*model.Post, error) {
	if it.Status == model.ItemDone {
		return nil, nil
	}
	if it.Status == model.ItemWaiting && it.NextAttemptAt.After(p.Now()) {
		return nil, &DeferError{Until: it.NextAttemptAt, Err: errors.New(it.Error)}
	}
	p.started.Store(it.ID, time.Now())
	if err := p.resolve(ctx, it); err != nil {
		return nil, err
	}
	art, finalURL, err := p.fetchArticle(ctx, it)
	if err != nil {
		return nil, err
	}
	post := buildPost(it, art, finalURL, p.Now())
	// One article reached by several links (tracking parameters, AMP twins,
	// the page's own canonical URL) is one post.
	// The page's final URL (after redirects, or its AMP twin) is the one
	// whose own rel=canonical can be trusted on the same site.
	post.SourceURL = story.Canonical(firstNonEmpty(finalURL, post.SourceURL), art.Canonical)
	return post, nil
}

// Finish stores what Prepare made of an item, post or error: it saves the
// post (marking the item done) and puts it in its story, or records the
// failure or the wait on the item. It reports whether a new post was made
// (false when the article was already stored under another item).
func (p *Pipeline) Finish(ctx context.Context, it *model.Item, post *model.Post, err error) (bool, error) {
	var took time.Duration
	if v, ok := p.started.LoadAndDelete(it.ID); ok {
		took = time.Since(v.(time.Time))
	}
	created := false
	if err == nil && post != nil {
		created, err = p.save(ctx, it, post)
	}
	var wait *DeferError
	if errors.As(err, &wait) {
		p.Counter.ItemsWaiting.Add(1)
		if it.Status == model.ItemWaiting && it.NextAttemptAt.Equal(wait.Until) {
			return false, err // waits already, as recorded
		}
		p.Log.Info("item waits", "item", it.ID, "link", it.Link, "until", wait.Until, "err", wait.Err)
		if derr := p.Store.DeferItem(ctx, it.ID, wait.Until, wait.Err.Error()); derr != nil {
			return false, errors.Join(err, derr)
		}
		return false, err
	}
	if err == nil && post == nil {
		return false, nil // done before
	}
	countItem(created, err)
	if err != nil {
		p.Counter.ItemFailures.Add(1)
		if strings.Contains(err.Error(), it.Link) {
			p.Log.Warn("item failed", "item", it.ID, "took", took, "err", err)
		} else {
			p.Log.Warn("item failed", "item", it.ID, "link", it.Link, "took", took, "err", err)
		}
		if ferr := p.Store.FailItem(ctx, it.ID, err.Error()); ferr != nil {
			return false, errors.Join(err, ferr)
		}
		return false, err
	}
	if created {
		p.Counter.PostsNew.Add(1)
		p.Log.Info("post", "title", post.Title, "publisher", post.Publisher, "took", took, "item", it.ID, "url", post.SourceURL)
		p.leadImage(ctx, post.ID, post.FeedID, post.Image)
	}
	return created, nil
}

func (p *Pipeline) save(ctx context.Context, it *model.Item, post *model.Post) (bool, error) {
	created, err := p.Store.SavePost(ctx, post)
	if err != nil || p.Stories == nil {
		return created, err
	}
	// Created or not: an article reached again brings its item's evidence
	// (related coverage) to the story. A post without a story is still a
	// post, so a failure here does not fail the item: the new post waits
	// for its story in the store (SavePost marked it so, in the
	// transaction that saved it) and AssignWaitingStories assigns it later.
	if _, _, serr := p.Stories.Assign(ctx, post, it); serr != nil {
		p.Log.Warn("story assignment failed; it is retried", "post", post.ID, "err", serr)
	}
	return created, nil
}

// storyBacklogPage is how many waiting posts AssignWaitingStories reads at
// a time.
const storyBacklogPage = 200

// AssignWaitingStories puts in their stories the posts that wait for one
// (store.StoryBacklogStore) and were created before createdBefore: those
// whose assignment after SavePost failed (a full disk, a lost connection,
// a process killed between the two). Each is assigned with the item that
// made it, as the worker would have. It returns how many it assigned and
// the failures; a post that fails stays waiting for the next call. Without
// an assigner it does nothing.
func (p *Pipeline) AssignWaitingStories(ctx context.Context, createdBefore time.Time) (int, error) {
	if p.Stories == nil {
		return 0, nil
	}
	assigned := 0
	for {
		ids, err := p.Store.StorylessPosts(ctx, createdBefore, storyBacklogPage)
		if err != nil {
			return assigned, fmt.Errorf("posts waiting for a story: %w", err)
		}
		var errs []error
		progress := false
		for _, id := range ids {
			if err := p.assignWaiting(ctx, id); err != nil {
				errs = append(errs, err)
				continue
			}
			assigned, progress = assigned+1, true
		}
		// A page that made no progress would be read again as it is.
		if len(ids) < storyBacklogPage || !progress {
			return assigned, errors.Join(errs...)
		}
	}
}

func (p *Pipeline) assignWaiting(ctx context.Context, postID int64) error {
	post, err := p.Store.Post(ctx, postID)
	if err != nil {
		return fmt.Errorf("story of post %d: %w", postID, err)
	}
	var it *model.Item
	if post.ItemID != 0 {
		if it, err = p.Store.Item(ctx, post.ItemID); errors.Is(err, store.ErrNotFound) {
			it = nil // the item is gone; the post's own evidence remains
		} else if err != nil {
			return fmt.Errorf("story of post %d: %w", postID, err)
		}
	}
	if _, _, err := p.Stories.Assign(ctx, post, it); err != nil {
		return fmt.Errorf("story of post %d: %w", postID, err)
	}
	return nil
}

// Reextract fetches a stored post's page again and replaces the post's
// text with what the extractor finds now (web.Reextractor): for a post
// whose first extraction went wrong (a consent wall, a page changed since,
// an older extractor). The title, address and date stay; an article that
// now reads as another post's is refused (store.ErrExists).
func (p *Pipeline) Reextract(ctx context.Context, postID int64) error {
	post, err := p.Store.Post(ctx, postID)
	if err != nil {
		return err
	}
	it := &model.Item{FeedID: post.FeedID, Link: post.ItemLink, Title: post.Title,
		Publisher: post.Publisher, SourceURL: post.SourceURL, AMPURL: post.AMPURL, Published: post.Published}
	art, finalURL, err := p.fetchArticle(ctx, it)
	if err != nil {
		return fmt.Errorf("extract post %d again: %w", postID, err)
	}
	fresh := buildPost(it, art, finalURL, p.Now())
	if len(fresh.Paragraphs) == 0 {
		return fmt.Errorf("extract post %d again: %s holds no article text", postID, post.SourceURL)
	}
	post.Paragraphs, post.ContentHash, post.Truncated = fresh.Paragraphs, fresh.ContentHash, fresh.Truncated
	post.Author = firstNonEmpty(fresh.Author, post.Author)
	post.Language = firstNonEmpty(fresh.Language, post.Language)
	post.Image = firstNonEmpty(fresh.Image, post.Image)
	post.Description = firstNonEmpty(fresh.Description, post.Description)
	return p.Store.UpdatePostText(ctx, post)
}

// resolve finds the publisher's URL of an item once and stores it.
func (p *Pipeline) resolve(ctx context.Context, it *model.Item) error {
	if it.SourceURL != "" {
		return nil
	}
	method := "link"
	switch {
	case gnews.IsLink(it.Link):
		method = "decode"
		d, err := gnews.Decode(it.Link)
		if errors.Is(err, gnews.ErrNewForm) && p.Resolver != nil {
			method = "online"
			d, err = p.Resolver.Resolve(ctx, it.Link)
		}
		if err != nil {
			countResolution(method, err)
			return p.resolveError(it, err)
		}
		it.SourceURL, it.AMPURL = d.URL, d.AMPURL
	default:
		if legacy, ok := gnews.LegacyURL(it.Link); ok {
			method = "legacy"
			it.SourceURL = legacy
		} else {
			it.SourceURL = it.Link
		}
	}
	if u, err := url.Parse(it.SourceURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		err := permanent(fmt.Errorf("item has no usable link: %q", it.SourceURL))
		countResolution(method, err)
		return err
	}
	countResolution(method, nil)
	if method == "link" {
		// Nothing was learnt (the item's own link is the page): every
		// attempt recomputes it, so the write is saved. The writer is the
		// pipeline's bottleneck on SQLite (docs/benchmarks.md).
		return nil
	}
	return p.Store.ResolveItem(ctx, it.ID, it.SourceURL, it.AMPURL)
}

// resolveError turns a failed resolution into a permanent failure or a
// wait: a 2024+ link that Google may still answer waits with backoff (or
// until the time a 429 named), never to be published with a Google URL.
func (p *Pipeline) resolveError(it *model.Item, err error) error {
	err = fmt.Errorf("resolve %s: %w", it.Link, err)
	if errors.Is(err, gnews.ErrNewForm) {
		return permanent(fmt.Errorf("%w (online resolution is off)", err))
	}
	retry, notBefore := gnews.Retryable(err)
	if !retry || errors.Is(err, fetch.ErrNotInArchive) {
		return permanent(err)
	}
	// Google's own word on when to come back wins; otherwise back off.
	until := notBefore
	if until.IsZero() {
		until = p.Now().Add(resolveBackoff(it))
	}
	return &DeferError{Until: until, Err: err}
}

// fetchArticle fetches and extracts the publisher's page, falling back to the
// AMP page when the canonical one fails or holds no article.
func (p *Pipeline) fetchArticle(ctx context.Context, it *model.Item) (*model.Article, string, error) {
	proxy := p.feedProxy(ctx, it.FeedID)
	art, final, err := p.fetchAndExtract(ctx, it.SourceURL, proxy)
	if err == nil && art.AMPURL != "" && it.AMPURL == "" && len(art.Paragraphs) < thinArticle {
		// Too thin to be the article (a consent wall, a teaser): the page's
		// own AMP twin often holds the whole text.
		// The AMP page only lends its text: the article's URL stays the
		// canonical page's.
		if amp, ampFinal, ampErr := p.fetchAndExtract(ctx, art.AMPURL, proxy); ampErr == nil && len(amp.Paragraphs) > len(art.Paragraphs) {
			return fromAMP(amp, ampFinal), final, nil
		}
	}
	if err == nil || it.AMPURL == "" || ctx.Err() != nil {
		return art, final, err
	}
	art, ampFinal, ampErr := p.fetchAndExtract(ctx, it.AMPURL, proxy)
	if ampErr != nil {
		return nil, "", fmt.Errorf("%w (AMP page: %v)", err, ampErr)
	}
	return fromAMP(art, ampFinal), it.SourceURL, nil
}

// fromAMP keeps an AMP page's canonical link only when the page names one
// other than itself: the extractor falls back to the page's own address,
// which for an AMP page is not the article's.
func fromAMP(art *model.Article, ampURL string) *model.Article {
	if art.Canonical == ampURL || art.Canonical == art.AMPURL {
		art.Canonical = ""
	}
	return art
}

func (p *Pipeline) fetchAndExtract(ctx context.Context, pageURL, proxy string) (*model.Article, string, error) {
	resp, err := p.fetch(ctx, fetch.Request{URL: pageURL, Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5", Proxy: proxy})
	if err != nil {
		if isPermanentFetchError(err) {
			err = permanent(err)
		}
		// The fetch client's errors name the URL already ("fetch URL: HTTP
		// status 404"); saying it twice makes a failed item's error hard to
		// read. One that names another URL (a redirect's target) or none
		// (another Fetcher) gets the page's.
		if !strings.Contains(err.Error(), pageURL) {
			err = fmt.Errorf("fetch %s: %w", pageURL, err)
		}
		return nil, "", err
	}
	start := time.Now()
	art, err := extract.Extract(resp.Body, resp.URL)
	observeExtract(start)
	if err != nil {
		return nil, "", permanent(fmt.Errorf("extract %s: %w", resp.URL, err))
	}
	return art, resp.URL, nil
}

// thinArticle is the paragraph count under which a page with an AMP twin is
// tried through its twin.
const thinArticle = 3

// feedProxy is the proxy of the item's feed ("" for none). It is read
// from the store at most every proxyTTL per feed: a poll's items share
// their feed, and reading it for each one cost as much as a tenth of the
// pipeline's store time. A changed proxy is used within proxyTTL.
func (p *Pipeline) feedProxy(ctx context.Context, feedID int64) string {
	if feedID == 0 {
		return ""
	}
	if e, ok := p.proxies.Load(feedID); ok && time.Since(e.(proxyEntry).at) < proxyTTL {
		return e.(proxyEntry).proxy
	}
	f, err := p.Store.Feed(ctx, feedID)
	if err != nil {
		return ""
	}
	p.proxies.Store(feedID, proxyEntry{proxy: f.Proxy, at: time.Now()})
	return f.Proxy
}

const proxyTTL = 30 * time.Second

type proxyEntry struct {
	proxy string
	at    time.Time
}

// isPermanentFetchError tells the failures that another attempt soon would
// only repeat: the page is gone, forbidden to us, or out of reach by policy.
// The fetcher knows which of its errors may pass (a network error, a 5xx, a
// 429, an unreachable robots.txt, an open breaker).
func isPermanentFetchError(err error) bool {
	return !fetch.IsTemporary(err)
}

// buildPost makes the post from what the feed said and what the page held.
// The feed wins for title, publisher and date: for Google News items they are
// Google's cleaned-up values, and the seed layout prints the feed's date.
func buildPost(it *model.Item, art *model.Article, pageURL string, now time.Time) *model.Post {
	paras := make([]string, 0, len(art.Paragraphs))
	for _, para := range art.Paragraphs {
		if t := sanitize.Plain(para); t != "" {
			paras = append(paras, t)
		}
	}
	title := firstNonEmpty(sanitize.Text(it.Title), sanitize.Text(art.Title), it.SourceURL)
	published := it.Published
	if published.IsZero() {
		published = art.Published
	}
	if published.IsZero() {
		published = now
	}
	source := it.SourceURL
	if source == "" {
		source = pageURL
	}
	return limited(&model.Post{
		FeedID:      it.FeedID,
		ItemID:      it.ID,
		Title:       title,
		Author:      sanitize.Text(art.Author),
		Publisher:   firstNonEmpty(it.Publisher, sanitize.Text(art.SiteName), hostOf(source)),
		SourceURL:   source,
		AMPURL:      it.AMPURL,
		ItemLink:    it.Link,
		ArticleID:   firstNonEmpty(it.ArticleID, it.GUID),
		Published:   published.UTC(),
		Language:    art.Language,
		Image:       safeURL(art.Image),
		Description: sanitize.Text(art.Description),
		Paragraphs:  paras,
		ContentHash: contentHash(paras),
	})
}

// contentHash identifies an article's text whatever its spacing and case, so
// the same story under two URLs is stored once.
func contentHash(paras []string) string {
	if len(paras) == 0 {
		return ""
	}
	h := sha256.New()
	for _, p := range paras {
		h.Write([]byte(strings.ToLower(strings.Join(strings.Fields(p), " "))))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.String()
}

func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
