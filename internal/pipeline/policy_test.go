package pipeline

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/model"
)

// stubResolver answers online resolutions from a table; it stands in for
// Google, which tests cannot reach (internal/gnews tests the real resolver
// against a fake of Google's endpoints).
type stubResolver struct {
	answers map[string]func() (*gnews.Decoded, error)
	calls   int
}

func (r *stubResolver) Resolve(_ context.Context, link string) (*gnews.Decoded, error) {
	r.calls++
	if f, ok := r.answers[link]; ok {
		return f()
	}
	return nil, &gnews.ResolveError{Err: gnews.ErrNoURL}
}

func TestNewFormLinksWaitThenResolve(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	now := p.Now()
	blockedUntil := now.Add(time.Hour)
	limited := true
	res := &stubResolver{answers: map[string]func() (*gnews.Decoded, error){
		newIDRSS: func() (*gnews.Decoded, error) {
			if limited {
				return nil, &gnews.RateLimitedError{Until: blockedUntil}
			}
			return &gnews.Decoded{Kind: gnews.KindNew, URL: pageURL}, nil
		},
	}}
	p.Resolver = res
	web.page(feedURL, "application/rss+xml", gnFeed(newIDRSS))
	web.page(pageURL, "text/html", readFile(t, "article.html"))
	f := addFeed(t, st, feedURL)
	items, err := p.PollFeed(ctx, f.ID)
	if err != nil || len(items) != 1 {
		t.Fatal(items, err)
	}
	_, err = p.ProcessItem(ctx, items[0].ID)
	var wait *DeferError
	if !errors.As(err, &wait) || !wait.Until.Equal(blockedUntil) {
		t.Fatalf("rate-limited resolution: %v", err)
	}
	got, _ := st.Item(ctx, items[0].ID)
	if got.Status != model.ItemWaiting || !got.NextAttemptAt.Equal(blockedUntil) || got.SourceURL != "" {
		t.Fatalf("item = %+v", got)
	}
	if n, _ := st.CountPosts(ctx); n != 0 {
		t.Fatal("an unresolved item was published")
	}
	// Before its time the item is not even tried.
	if _, err := p.ProcessItem(ctx, got.ID); !errors.As(err, &wait) || res.calls != 1 {
		t.Fatalf("early retry: %v, resolver calls %d", err, res.calls)
	}
	// After its time it resolves, and the post carries the publisher URL.
	limited = false
	p.Now = func() time.Time { return blockedUntil.Add(time.Second) }
	if created, err := p.ProcessItem(ctx, got.ID); err != nil || !created {
		t.Fatalf("after the wait: %v %v", created, err)
	}
	posts, _ := st.Posts(ctx, storeQueryAll)
	if len(posts) != 1 || posts[0].SourceURL != pageURL || posts[0].ItemLink != newIDRSS {
		t.Fatalf("posts = %+v", posts)
	}
}

func TestPermanentResolutionFailureIsFinal(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	p.Resolver = &stubResolver{} // answers "no URL" for everything
	web.page(feedURL, "application/rss+xml", gnFeed(newIDRSS))
	f := addFeed(t, st, feedURL)
	items, _ := p.PollFeed(ctx, f.ID)
	_, err := p.ProcessItem(ctx, items[0].ID)
	var perm *PermanentError
	if !errors.As(err, &perm) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := st.Item(ctx, items[0].ID); got.Status != model.ItemFailed {
		t.Fatalf("item = %+v", got)
	}
}

func TestFeedPollIntervalAdapts(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	web.page(feedURL, "application/rss+xml", gnFeed(gnLink))
	f := addFeed(t, st, feedURL) // 15 minutes by default
	if _, err := p.PollFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Feed(ctx, f.ID)
	if got.PollInterval != 7*time.Minute+30*time.Second || got.LastChangedAt.IsZero() {
		t.Fatalf("after new items: interval %v, changed %v", got.PollInterval, got.LastChangedAt)
	}
	// Nothing new: the interval grows by half, within the policy's bounds.
	for range 20 {
		if _, err := p.PollFeed(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = st.Feed(ctx, f.ID)
	if got.PollInterval != DefaultPollPolicy.Max {
		t.Fatalf("quiet feed interval = %v, want the maximum %v", got.PollInterval, DefaultPollPolicy.Max)
	}
	wantNext := p.Now().Add(DefaultPollPolicy.Max)
	if d := got.NextPollAt.Sub(wantNext); d < -DefaultPollPolicy.Max/5 || d > DefaultPollPolicy.Max/5 {
		t.Fatalf("next poll %v, want about %v", got.NextPollAt, wantNext)
	}
}

func TestFailingFeedBacksOffAndGoneFeedIsDisabled(t *testing.T) {
	ctx := context.Background()
	p, st, web := newTestPipeline(t)
	f := addFeed(t, st, feedURL)
	web.errs[feedURL] = &fetch.StatusError{URL: feedURL, StatusCode: http.StatusServiceUnavailable}
	var last time.Duration
	for i := 1; i <= 3; i++ {
		if _, err := p.PollFeed(ctx, f.ID); err == nil {
			t.Fatal("a 503 feed polled fine")
		}
		got, _ := st.Feed(ctx, f.ID)
		wait := got.NextPollAt.Sub(p.Now())
		if got.ErrorCount != i || wait <= last*6/5 {
			t.Fatalf("failure %d: errors %d, next poll in %v (previous %v)", i, got.ErrorCount, wait, last)
		}
		last = wait
	}
	web.errs[feedURL] = &fetch.StatusError{URL: feedURL, StatusCode: http.StatusGone}
	if _, err := p.PollFeed(ctx, f.ID); err == nil {
		t.Fatal("a 410 feed polled fine")
	}
	got, _ := st.Feed(ctx, f.ID)
	if got.DisabledReason == "" {
		t.Fatalf("410 did not disable the feed: %+v", got)
	}
	polls := web.fetched(feedURL)
	if items, err := p.PollFeed(ctx, f.ID); err != nil || items != nil || web.fetched(feedURL) != polls {
		t.Fatalf("a disabled feed was fetched again: %v %v", items, err)
	}
}
