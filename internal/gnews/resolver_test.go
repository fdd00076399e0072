package gnews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/gnews/gnewstest"
	"github.com/kabarnews/kabar/internal/pace"
)

// loopbackOnly is a dial hook that fails the test for any connection
// outside 127.0.0.0/8: no test talks to Google or anything else.
func loopbackOnly(t *testing.T) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !ap.Addr().Unmap().Is4() || !netip.MustParsePrefix("127.0.0.0/8").Contains(ap.Addr().Unmap()) {
			t.Errorf("dial to %s outside 127.0.0.0/8", address)
			return fmt.Errorf("test: refused %s", address)
		}
		return nil
	}
}

// testFetcher is kabar's real fetcher, let through to the given servers only.
func testFetcher(t *testing.T, allow ...netip.AddrPort) *fetch.Client {
	t.Helper()
	c, err := fetch.New(fetch.Config{AllowAddrPorts: allow, DialControl: loopbackOnly(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// newTestResolver points a Resolver at the fake through the real fetcher,
// without pacing (unless o says) and with an in-memory cache.
func newTestResolver(t *testing.T, srv *gnewstest.Server, o Options) (*Resolver, *MemCache) {
	t.Helper()
	cache := NewMemCache()
	o.BaseURL = srv.URL
	if o.Interval == 0 && o.Pacer == nil {
		o.Interval = -1
	}
	if o.Cache == nil {
		o.Cache = cache
	}
	r, err := NewResolver(testFetcher(t, srv.AddrPort()), o)
	if err != nil {
		t.Fatal(err)
	}
	return r, cache
}

func newIDs(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for _, row := range readTSV(t, "new_ids.tsv") {
		ids = append(ids, row["id"])
	}
	if len(ids) < n {
		t.Fatalf("only %d new-form IDs", len(ids))
	}
	return ids[:n]
}

func mustResolveErr(t *testing.T, err error, want error, retry bool) *ResolveError {
	t.Helper()
	var re *ResolveError
	if !errors.As(err, &re) || !errors.Is(err, want) {
		t.Fatalf("err = %v (%T), want a *ResolveError wrapping %v", err, err, want)
	}
	if re.Retry != retry {
		t.Fatalf("Retry = %v, want %v (%v)", re.Retry, retry, err)
	}
	if r, _ := Retryable(err); r != retry {
		t.Fatalf("Retryable = %v, want %v", r, retry)
	}
	return re
}

// TestResolveSuccessFixture resolves the real new-form ID the captured
// success reply belongs to, through kabar's fetcher, and checks what was
// sent: one article page GET, one POST with the exact f.req envelope.
func TestResolveSuccessFixture(t *testing.T) {
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: gnewstest.SuccessID, Reply: gnewstest.ReplyRaw, RawReply: gnewstest.SuccessWithAMPReply})
	r, cache := newTestResolver(t, srv, Options{})
	link := "https://news.google.com/rss/articles/" + gnewstest.SuccessID + "?oc=5"
	d, err := r.Resolve(context.Background(), link)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != KindNew || d.ID != gnewstest.SuccessID || d.URL != gnewstest.SuccessURL || d.AMPURL != gnewstest.SuccessAMPURL {
		t.Fatalf("Resolve = %+v", d)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want a page GET and a POST: %+v", len(reqs), reqs)
	}
	if reqs[0].Method != http.MethodGet || reqs[0].Path != "/articles/"+gnewstest.SuccessID {
		t.Errorf("first request %s %s", reqs[0].Method, reqs[0].Path)
	}
	post := reqs[1]
	if post.Method != http.MethodPost || post.Path != "/_/DotsSplashUi/data/batchexecute" {
		t.Errorf("second request %s %s", post.Method, post.Path)
	}
	if ct := post.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded;charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if ref := post.Header.Get("Referer"); ref != srv.URL+"/" {
		t.Errorf("Referer %q", ref)
	}
	if ua := post.Header.Get("User-Agent"); !strings.HasPrefix(ua, "kabar/") {
		t.Errorf("User-Agent %q: the fetcher's own is expected", ua)
	}
	sig := gnewstest.DefaultSig(gnewstest.SuccessID)
	inner := `["garturlreq",[["en-US","US",["X","X"],null,null,1,1,"US:en",null,1,null,null,null,null,null,0,1],"en-US","US",1,[1,1,1],1,1,null,0,0,null,0],"` +
		gnewstest.SuccessID + `",1772798585,"` + sig + `"]`
	innerJSON, _ := json.Marshal(inner)
	want := `[[["Fbv4je",` + string(innerJSON) + `,null,"generic"]]]`
	if post.Form != want {
		t.Errorf("f.req\n got %s\nwant %s", post.Form, want)
	}
	// Cached: a second resolution sends nothing.
	if cache.Len() != 1 {
		t.Errorf("cache has %d entries", cache.Len())
	}
	res := r.ResolveAll(context.Background(), []string{gnewstest.SuccessID})
	if res[0].Err != nil || !res[0].Cached || res[0].Decoded.URL != gnewstest.SuccessURL || res[0].Decoded.AMPURL != gnewstest.SuccessAMPURL {
		t.Fatalf("second resolution %+v", res[0])
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("second resolution sent %d requests", n-2)
	}
}

func TestResolveErrorReplyFixture(t *testing.T) {
	srv := gnewstest.New(t)
	id := newIDs(t, 1)[0]
	srv.Add(gnewstest.Article{ID: id, Reply: gnewstest.ReplyRaw, RawReply: gnewstest.ErrorReply})
	r, cache := newTestResolver(t, srv, Options{})
	d, err := r.Resolve(context.Background(), id)
	re := mustResolveErr(t, err, ErrErrorReply, true)
	if !strings.Contains(re.Error(), "[3]") || re.ID != id {
		t.Errorf("error %q", re)
	}
	if d == nil || d.Kind != KindNew || d.URL != "" {
		t.Errorf("Decoded %+v", d)
	}
	if cache.Len() != 0 {
		t.Errorf("a temporary failure was cached")
	}
}

// TestResolveEscapedEquals: the payload captured off the wire with '=' as
// \u003d inside the JSON string must come out with its query whole.
func TestResolveEscapedEquals(t *testing.T) {
	srv := gnewstest.New(t)
	id := newIDs(t, 1)[0]
	srv.Add(gnewstest.Article{ID: id, Reply: gnewstest.ReplyRawPayload, RawPayload: gnewstest.EscapedEqualsPayload})
	r, _ := newTestResolver(t, srv, Options{})
	d, err := r.Resolve(context.Background(), id)
	if err != nil || d.URL != gnewstest.EscapedEqualsURL || d.AMPURL != "" {
		t.Fatalf("Resolve = %+v, %v; want %s", d, err, gnewstest.EscapedEqualsURL)
	}
}

func TestResolveNoURL(t *testing.T) {
	srv := gnewstest.New(t)
	ids := newIDs(t, 2)
	srv.Add(gnewstest.Article{ID: ids[0], Reply: gnewstest.ReplyNoURL})
	// A "resolution" to a Google page is no publisher URL either.
	srv.Add(gnewstest.Article{ID: ids[1], URL: "https://news.google.com/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB?hl=en-US"})
	r, cache := newTestResolver(t, srv, Options{BatchSize: 1})
	for _, id := range ids {
		_, err := r.Resolve(context.Background(), id)
		mustResolveErr(t, err, ErrNoURL, false)
	}
	// Permanent: cached, and a second attempt asks nothing.
	if cache.Len() != 2 {
		t.Fatalf("cache has %d entries", cache.Len())
	}
	if e, _, _ := cache.Get(context.Background(), ids[0]); e.Failure != FailureNoURL || e.URL != "" || e.At.IsZero() {
		t.Errorf("cache entry %+v", e)
	}
	before := len(srv.Requests())
	res := r.ResolveAll(context.Background(), ids)
	for _, x := range res {
		if !x.Cached {
			t.Errorf("not from cache: %+v", x)
		}
		mustResolveErr(t, x.Err, ErrNoURL, false)
	}
	if len(srv.Requests()) != before {
		t.Errorf("cached failures were asked again")
	}
}

// TestResolve429 covers Retry-After in seconds, a 429 without it, that
// nothing is sent during the back-off, and that the fetcher does not retry.
func TestResolve429(t *testing.T) {
	for _, c := range []struct {
		retryAfter string
		want       time.Duration
	}{{"120", 120 * time.Second}, {"7", 7 * time.Second}, {"", time.Hour}} {
		t.Run("Retry-After="+c.retryAfter, func(t *testing.T) {
			srv := gnewstest.New(t)
			ids := newIDs(t, 3)
			for _, id := range ids {
				srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/" + id[:12]})
			}
			srv.RateLimit(true, c.retryAfter)
			pacer := pace.NewMem(0)
			r, cache := newTestResolver(t, srv, Options{Pacer: pacer})
			start := time.Now()
			res := r.ResolveAll(context.Background(), ids)
			for i, x := range res {
				var rl *RateLimitedError
				if !errors.As(x.Err, &rl) || !errors.Is(x.Err, ErrRateLimited) {
					t.Fatalf("%d: err = %v, want *RateLimitedError", i, x.Err)
				}
				if d := rl.Until.Sub(start); d < c.want-time.Second || d > c.want+5*time.Second {
					t.Errorf("%d: Until in %v, want %v", i, d, c.want)
				}
				if retry, nb := Retryable(x.Err); !retry || !nb.Equal(rl.Until) {
					t.Errorf("Retryable = %v %v", retry, nb)
				}
			}
			if got := srv.Requests(); len(got) != 1 {
				t.Fatalf("%d requests after a 429, want 1 (no retry, no further IDs)", len(got))
			}
			if cache.Len() != 0 {
				t.Error("a 429 was cached")
			}
			if r.BlockedUntil().IsZero() {
				t.Error("BlockedUntil not set")
			}
			// The pacer was told, so other resolvers sharing it hold off too.
			var held *pace.HeldError
			if err := pacer.Wait(context.Background(), PaceKey); !errors.As(err, &held) || !held.Until.Equal(rl0(t, res).Until) {
				t.Errorf("shared pacer Wait = %v", err)
			}
			// While blocked, nothing is sent even though Google would answer.
			srv.RateLimit(false, "")
			if _, err := r.Resolve(context.Background(), ids[0]); !errors.Is(err, ErrRateLimited) {
				t.Errorf("during back-off: %v", err)
			}
			if got := srv.Requests(); len(got) != 1 {
				t.Errorf("sent %d requests during the back-off", len(got)-1)
			}
		})
	}
}

// TestResolve429OnPost: a 429 on the POST stops the batch too.
func TestResolve429OnPost(t *testing.T) {
	srv := gnewstest.New(t)
	id := newIDs(t, 1)[0]
	srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/a"})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r, _ := newTestResolver(t, srv, Options{Now: func() time.Time { return now }})
	var n atomic.Int32
	// Answer the page, then turn the 429 on before the POST.
	r.doer = doerFunc(func(ctx context.Context, req fetch.Request) (*fetch.Response, error) {
		if n.Add(1) == 2 {
			srv.RateLimit(true, "")
		}
		return testFetcher(t, srv.AddrPort()).Do(ctx, req)
	})
	_, err := r.Resolve(context.Background(), id)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || !rl.Until.Equal(now.Add(time.Hour)) {
		t.Fatalf("err = %v", err)
	}
}

type doerFunc func(ctx context.Context, r fetch.Request) (*fetch.Response, error)

func (f doerFunc) Do(ctx context.Context, r fetch.Request) (*fetch.Response, error) { return f(ctx, r) }

// TestResolveBatch resolves several IDs in one POST (chunked reply, tags
// "1".."n"), keeps input order, decodes old-form links offline, resolves a
// repeated ID once and passes other kinds' errors through.
func TestResolveBatch(t *testing.T) {
	srv := gnewstest.New(t)
	ids := newIDs(t, 4)
	for i, id := range ids {
		a := gnewstest.Article{ID: id, URL: fmt.Sprintf("https://example.com/story/%d?x=1&y=2", i)}
		if i == 1 {
			a.AMPURL = "https://example.com/amp/story/1"
		}
		if i == 2 {
			a.Reply = gnewstest.ReplyNoURL
		}
		srv.Add(a)
	}
	r, cache := newTestResolver(t, srv, Options{BatchSize: 3})
	const old = "https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA?oc=5"
	inputs := []string{
		"https://news.google.com/rss/articles/" + ids[0] + "?oc=5",
		old,
		ids[1],
		"CAIiEP3mC0iuRNhH9bQgc8yLWKsqFggEKg4IACoGCAowl6p7MN-zCTCOvRU",
		"https://news.google.com/read/" + ids[2] + "?hl=en-US&gl=US&ceid=US%3Aen",
		ids[0],
		ids[3],
		"not a link",
	}
	res := r.ResolveAll(context.Background(), inputs)
	if len(res) != len(inputs) {
		t.Fatalf("%d results", len(res))
	}
	check := func(i int, url, amp string) {
		t.Helper()
		if res[i].Err != nil || res[i].Decoded.URL != url || res[i].Decoded.AMPURL != amp || res[i].Input != inputs[i] {
			t.Errorf("%d: %+v %+v", i, res[i], res[i].Decoded)
		}
	}
	check(0, "https://example.com/story/0?x=1&y=2", "")
	check(1, "https://www.mdr.de/video/mdr-videos/a/video-779952.html", "")
	check(2, "https://example.com/story/1?x=1&y=2", "https://example.com/amp/story/1")
	if !errors.Is(res[3].Err, ErrNotArticle) || res[3].Decoded.Kind != KindStory {
		t.Errorf("3: %+v", res[3])
	}
	mustResolveErr(t, res[4].Err, ErrNoURL, false)
	check(5, "https://example.com/story/0?x=1&y=2", "")
	check(6, "https://example.com/story/3?x=1&y=2", "")
	if !errors.Is(res[7].Err, ErrMalformed) || res[7].Decoded != nil {
		t.Errorf("7: %+v", res[7])
	}
	pages, posts := srv.Count()
	if pages != 4 || posts != 2 {
		t.Errorf("%d page GETs and %d POSTs, want 4 and 2 (batches of 3 and 1)", pages, posts)
	}
	reqs := srv.Requests()
	var tags []string
	for _, rq := range reqs {
		for _, c := range rq.Calls {
			tags = append(tags, c.Tag+"="+c.ID[:12])
		}
	}
	want := []string{"1=" + ids[0][:12], "2=" + ids[1][:12], "3=" + ids[2][:12], "generic=" + ids[3][:12]}
	if strings.Join(tags, " ") != strings.Join(want, " ") {
		t.Errorf("calls %v, want %v", tags, want)
	}
	if cache.Len() != 4 {
		t.Errorf("cache has %d entries, want 4 (3 URLs, 1 permanent failure)", cache.Len())
	}
}

// TestResolveBatchFallback: when a batched POST fails as a whole but single
// calls work, the IDs are retried one by one and batching is turned off.
func TestResolveBatchFallback(t *testing.T) {
	srv := gnewstest.New(t)
	srv.BatchUnsupported(true)
	ids := newIDs(t, 5)
	for i, id := range ids {
		srv.Add(gnewstest.Article{ID: id, URL: fmt.Sprintf("https://example.com/%d", i)})
	}
	r, _ := newTestResolver(t, srv, Options{BatchSize: 3})
	res := r.ResolveAll(context.Background(), ids[:3])
	for i, x := range res {
		if x.Err != nil || x.Decoded.URL != fmt.Sprintf("https://example.com/%d", i) {
			t.Errorf("%d: %+v", i, x)
		}
	}
	if _, posts := srv.Count(); posts != 4 {
		t.Errorf("%d POSTs, want 1 batch + 3 singles", posts)
	}
	if !r.noBatch.Load() {
		t.Fatal("batching not turned off")
	}
	res = r.ResolveAll(context.Background(), ids[3:])
	for _, x := range res {
		if x.Err != nil {
			t.Errorf("%+v", x)
		}
	}
	if _, posts := srv.Count(); posts != 6 {
		t.Errorf("%d POSTs, want 2 more singles", posts)
	}
}

func TestResolvePageCases(t *testing.T) {
	publisher := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body>article</body></html>")
	}))
	defer publisher.Close()
	srv := gnewstest.New(t)
	ids := newIDs(t, 6)
	srv.Add(gnewstest.Article{ID: ids[0], URL: "https://example.com/rss-only", RSSOnly: true})
	srv.Add(gnewstest.Article{ID: ids[1], URL: "https://example.com/nested", Nested: true})
	srv.Add(gnewstest.Article{ID: ids[2], PageStatus: http.StatusNotFound})
	srv.Add(gnewstest.Article{ID: ids[3], NoSignature: true})
	srv.Add(gnewstest.Article{ID: ids[4], Redirect: publisher.URL + "/story?id=1"})
	srv.Add(gnewstest.Article{ID: ids[5], PageStatus: http.StatusServiceUnavailable})
	// ids[6] unknown to the fake is the 404 case too; use ids[2].
	cache := NewMemCache()
	r, err := NewResolver(testFetcher(t, srv.AddrPort(), netip.MustParseAddrPort(publisher.Listener.Addr().String())),
		Options{BaseURL: srv.URL, Interval: -1, Cache: cache, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if d, err := r.Resolve(ctx, ids[0]); err != nil || d.URL != "https://example.com/rss-only" {
		t.Errorf("RSS fallback: %+v %v", d, err)
	}
	if d, err := r.Resolve(ctx, ids[1]); err != nil || d.URL != "https://example.com/nested" {
		t.Errorf("nested page: %+v %v", d, err)
	}
	_, err = r.Resolve(ctx, ids[2])
	mustResolveErr(t, err, ErrArticleGone, false)
	if e, ok, _ := cache.Get(ctx, ids[2]); !ok || e.Failure != FailureGone {
		t.Errorf("gone not cached: %+v", e)
	}
	_, err = r.Resolve(ctx, ids[3])
	mustResolveErr(t, err, ErrNoSignature, true)
	if d, err := r.Resolve(ctx, ids[4]); err != nil || d.URL != publisher.URL+"/story?id=1" {
		t.Errorf("redirect: %+v %v", d, err)
	}
	_, err = r.Resolve(ctx, ids[5])
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.StatusCode != 503 {
		t.Errorf("503: %v", err)
	}
	if retry, _ := Retryable(err); !retry {
		t.Errorf("503 not retryable")
	}
	// Only the two good ones, the redirect and the gone one are cached.
	if cache.Len() != 4 {
		t.Errorf("cache has %d entries", cache.Len())
	}
}

func TestResolveMissingEnvelope(t *testing.T) {
	srv := gnewstest.New(t)
	id := newIDs(t, 1)[0]
	srv.Add(gnewstest.Article{ID: id, Reply: gnewstest.ReplyMissing})
	r, _ := newTestResolver(t, srv, Options{})
	_, err := r.Resolve(context.Background(), id)
	mustResolveErr(t, err, ErrBadReply, true)
}

// TestResolveWrongSignature: the fake, like Google, refuses a call whose
// signature is not the page's; a page whose signature changed between page
// GET and POST gives the (temporary) error envelope.
func TestResolveWrongSignature(t *testing.T) {
	srv := gnewstest.New(t)
	id := newIDs(t, 1)[0]
	srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/a"})
	r, _ := newTestResolver(t, srv, Options{})
	var n atomic.Int32
	r.doer = doerFunc(func(ctx context.Context, req fetch.Request) (*fetch.Response, error) {
		if n.Add(1) == 2 {
			srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/a", Sig: "AZ5r3eOTHERSIGNATUREOTHERSIG"})
		}
		return testFetcher(t, srv.AddrPort()).Do(ctx, req)
	})
	_, err := r.Resolve(context.Background(), id)
	mustResolveErr(t, err, ErrErrorReply, true)
}

func TestResolveLocaleFromLink(t *testing.T) {
	srv := gnewstest.New(t)
	ids := newIDs(t, 3)
	for _, id := range ids {
		srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/x"})
	}
	loc, err := NewEdition("id", "ID", "")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := newTestResolver(t, srv, Options{Locale: loc, BatchSize: 1})
	r.ResolveAll(context.Background(), []string{
		"https://news.google.com/read/" + ids[0] + "?hl=pt-BR&gl=BR&ceid=BR:pt-419",
		"https://news.google.com/articles/" + ids[1] + "?hl=de&gl=DE",
		ids[2],
	})
	var got []string
	for _, rq := range srv.Requests() {
		for _, c := range rq.Calls {
			got = append(got, c.HL+"/"+c.GL+"/"+c.CEID)
		}
	}
	want := "pt-BR/BR/BR:pt-419 de/DE/DE:de id/ID/ID:id"
	if strings.Join(got, " ") != want {
		t.Errorf("locales %v, want %s", got, want)
	}
}

// TestResolveOffline: old-form, legacy and non-article inputs never touch
// the network.
func TestResolveOffline(t *testing.T) {
	r, err := NewResolver(doerFunc(func(ctx context.Context, req fetch.Request) (*fetch.Response, error) {
		t.Errorf("network used for %s", req.URL)
		return nil, errors.New("no network")
	}), Options{BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range readTSV(t, "vectors.tsv") {
		if row["kind"] != "old" {
			continue
		}
		d, err := r.Resolve(context.Background(), row["link_or_id"])
		if err != nil || d.URL != row["url"] || d.AMPURL != row["amp_url"] {
			t.Errorf("%s: %+v %v", row["link_or_id"], d, err)
		}
	}
	if d, err := r.Resolve(context.Background(), "http://news.google.com/news/url?sa=t&url=https://example.com/a"); err != nil || d.Kind != KindLegacy {
		t.Errorf("legacy: %+v %v", d, err)
	}
	for _, row := range readTSV(t, "other_ids.tsv") {
		_, err := r.Resolve(context.Background(), row["id"])
		if !errors.Is(err, ErrNotArticle) {
			t.Errorf("%s: %v", row["id"], err)
		}
		if retry, _ := Retryable(err); retry {
			t.Errorf("%s: retryable", row["id"])
		}
	}
}

// TestResolveMinimalDoer: any Doer will do, here a plain http.Client that
// turns non-2xx answers into *fetch.StatusError as the interface asks.
func TestResolveMinimalDoer(t *testing.T) {
	srv := gnewstest.New(t)
	srv.Add(gnewstest.Article{ID: gnewstest.SuccessID, URL: gnewstest.SuccessURL, AMPURL: gnewstest.SuccessAMPURL})
	r, err := NewResolver(minimalDoer{t}, Options{BaseURL: srv.URL, Interval: -1})
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.Resolve(context.Background(), gnewstest.SuccessID)
	if err != nil || d.URL != gnewstest.SuccessURL || d.AMPURL != gnewstest.SuccessAMPURL {
		t.Fatalf("%+v %v", d, err)
	}
}

type minimalDoer struct{ t *testing.T }

func (m minimalDoer) Do(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, strings.NewReader(string(r.Body)))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	dialer := &net.Dialer{Control: loopbackOnly(m.t)}
	c := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode/100 != 2 {
		return nil, &fetch.StatusError{URL: r.URL, StatusCode: resp.StatusCode}
	}
	return &fetch.Response{URL: resp.Request.URL.String(), StatusCode: resp.StatusCode, Header: resp.Header, Body: []byte(b.String())}, nil
}

func TestResolvePacing(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits out the real pace")
	}
	srv := gnewstest.New(t)
	ids := newIDs(t, 3)
	for _, id := range ids {
		srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/x"})
	}
	const iv = 150 * time.Millisecond
	r, _ := newTestResolver(t, srv, Options{Interval: iv})
	start := time.Now()
	res := r.ResolveAll(context.Background(), ids)
	for _, x := range res {
		if x.Err != nil {
			t.Fatal(x.Err)
		}
	}
	if el := time.Since(start); el < 2*iv {
		t.Errorf("3 resolutions took %v, want at least %v", el, 2*iv)
	}
	// A cancelled context stops waiting and says so, temporarily.
	r2, _ := newTestResolver(t, srv, Options{Interval: time.Hour, BatchSize: 1})
	// The deadline falls in the hour-long wait for the second ID; it leaves
	// the first one's two requests ample time on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res = r2.ResolveAll(ctx, []string{ids[0], ids[1]})
	if res[0].Err != nil {
		t.Fatalf("first: %v", res[0].Err)
	}
	if !errors.Is(res[1].Err, context.DeadlineExceeded) {
		t.Fatalf("second: %v", res[1].Err)
	}
	mustResolveErr(t, res[1].Err, context.DeadlineExceeded, true)
}

// TestResolveBatchDelay: with a slow pace, signatures are not kept waiting
// for the rest of their batch beyond MaxBatchDelay.
func TestResolveBatchDelay(t *testing.T) {
	srv := gnewstest.New(t)
	ids := newIDs(t, 3)
	for _, id := range ids {
		srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/x"})
	}
	// The pace is fifty times the batch delay, so that a loaded machine's
	// late timers cannot merge two signatures into one batch.
	r, _ := newTestResolver(t, srv, Options{Interval: 500 * time.Millisecond, MaxBatchDelay: 10 * time.Millisecond, BatchSize: 3})
	for _, x := range r.ResolveAll(context.Background(), ids) {
		if x.Err != nil {
			t.Fatal(x.Err)
		}
	}
	var sizes []int
	for _, rq := range srv.Requests() {
		if rq.Method == http.MethodPost {
			sizes = append(sizes, len(rq.Calls))
		}
	}
	if fmt.Sprint(sizes) != "[1 1 1]" {
		t.Errorf("POST sizes %v, want [1 1 1]", sizes)
	}
}

// TestHeldPacerStopsResolution: a pacer that holds the key off after a 429
// (pace.HeldError, from this process's pace.Mem or the database's shared
// pace) ends resolution with a *RateLimitedError until then, and nothing is
// sent.
// rl0 is the *RateLimitedError of the first result.
func rl0(t *testing.T, res []Result) *RateLimitedError {
	t.Helper()
	var rl *RateLimitedError
	if len(res) == 0 || !errors.As(res[0].Err, &rl) {
		t.Fatalf("no *RateLimitedError in %v", res)
	}
	return rl
}

func TestHeldPacerStopsResolution(t *testing.T) {
	srv := gnewstest.New(t)
	ids := newIDs(t, 2)
	for _, id := range ids {
		srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/" + id[:12]})
	}
	pacer := pace.NewMem(0)
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := pacer.Block(context.Background(), PaceKey, until); err != nil {
		t.Fatal(err)
	}
	r, _ := newTestResolver(t, srv, Options{Pacer: pacer})
	for i, x := range r.ResolveAll(context.Background(), ids) {
		var rl *RateLimitedError
		if !errors.As(x.Err, &rl) || !rl.Until.Equal(until) {
			t.Errorf("%d: err = %v, want a *RateLimitedError until %v", i, x.Err, until)
		}
	}
	if got := srv.Requests(); len(got) != 0 {
		t.Errorf("sent %d requests while held off", len(got))
	}
	if !r.BlockedUntil().Equal(until) {
		t.Errorf("BlockedUntil = %v, want %v", r.BlockedUntil(), until)
	}
}

func TestNewResolverOptions(t *testing.T) {
	d := doerFunc(func(context.Context, fetch.Request) (*fetch.Response, error) { return nil, errors.New("x") })
	if _, err := NewResolver(nil, Options{}); err == nil {
		t.Error("nil Doer accepted")
	}
	for _, base := range []string{"ftp://x", "news.google.com", "https://news.google.com/?q=1", ":"} {
		if _, err := NewResolver(d, Options{BaseURL: base}); err == nil {
			t.Errorf("base %q accepted", base)
		}
	}
	r, err := NewResolver(d, Options{BaseURL: "https://news.google.com/"})
	if err != nil || r.base != "https://news.google.com" || r.batchSize != DefaultBatchSize || r.locale != DefaultLocale || r.backoff != time.Hour {
		t.Errorf("%+v %v", r, err)
	}
	if r, _ := NewResolver(d, Options{}); r.base != DefaultBaseURL {
		t.Errorf("default base %q", r.base)
	}
}

// TestCacheErrors: a failing cache is a miss, and a failing Put still
// returns the answer.
func TestCacheErrors(t *testing.T) {
	srv := gnewstest.New(t)
	id := newIDs(t, 1)[0]
	srv.Add(gnewstest.Article{ID: id, URL: "https://example.com/a"})
	r, _ := newTestResolver(t, srv, Options{Cache: brokenCache{}})
	d, err := r.Resolve(context.Background(), id)
	if err != nil || d.URL != "https://example.com/a" {
		t.Fatalf("%+v %v", d, err)
	}
	// A cached entry that is not a usable URL is not trusted.
	c := NewMemCache()
	_ = c.Put(context.Background(), id, Entry{URL: "javascript:alert(1)"})
	r2, _ := newTestResolver(t, srv, Options{Cache: c})
	if d, err := r2.Resolve(context.Background(), id); err != nil || d.URL != "https://example.com/a" {
		t.Fatalf("%+v %v", d, err)
	}
}

type brokenCache struct{}

func (brokenCache) Get(context.Context, string) (Entry, bool, error) {
	return Entry{}, false, errors.New("db down")
}
func (brokenCache) Put(context.Context, string, Entry) error { return errors.New("db down") }

func TestRetryable(t *testing.T) {
	until := time.Now().Add(time.Minute)
	cases := []struct {
		err   error
		retry bool
		nb    time.Time
	}{
		{nil, false, time.Time{}},
		{&RateLimitedError{Until: until}, true, until},
		{fmt.Errorf("wrapped: %w", &RateLimitedError{Until: until}), true, until},
		{&ResolveError{Err: ErrNoURL}, false, time.Time{}},
		{&ResolveError{Err: ErrBadReply, Retry: true}, true, time.Time{}},
		{&Error{Err: ErrNotArticle}, false, time.Time{}},
		{errors.New("network"), true, time.Time{}},
	}
	for i, c := range cases {
		retry, nb := Retryable(c.err)
		if retry != c.retry || !nb.Equal(c.nb) {
			t.Errorf("%d: Retryable(%v) = %v %v", i, c.err, retry, nb)
		}
	}
	e := &ResolveError{ID: "CBMiabc", Err: ErrNoURL, Detail: "garturlres without a URL"}
	if s := e.Error(); !strings.Contains(s, "permanent") || !strings.Contains(s, "CBMiabc") || !strings.Contains(s, "without a URL") {
		t.Errorf("%q", s)
	}
	rl := &RateLimitedError{Until: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if s := rl.Error(); !strings.Contains(s, "2026-01-01T00:00:00Z") {
		t.Errorf("%q", s)
	}
}
