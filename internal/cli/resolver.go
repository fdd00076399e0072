package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

var optGNewsOnline = register(option{"gnews-online", "KABAR_GNEWS_ONLINE", "true",
	"resolve 2024+ Google News links through Google (paced by --gnews-interval); false leaves them failed"})

// newPipelineResolver builds the resolver the workers use: Google answers
// are cached in the store (an ID is asked once, ever, by any process) and
// the pace is kept in the database, shared by every process on it. It
// returns nil when online resolution is turned off.
func newPipelineResolver(f *flags, b *backend, fc *fetch.Client) (*gnews.Resolver, error) {
	online, err := strconv.ParseBool(f.get(optGNewsOnline))
	if err != nil {
		return nil, fmt.Errorf("%w: --%s: %v", errUsage, optGNewsOnline, err)
	}
	if !online {
		return nil, nil
	}
	interval, err := f.duration(optGNewsInterval)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if interval == 0 {
		interval = -1 // an explicit 0s means no pacing
	}
	r, err := gnews.NewResolver(fc, gnews.Options{
		BaseURL: f.get(optGNewsBase),
		Pacer:   newGNewsPacer(b, interval),
		Cache:   resolutionCache{b},
		Log:     f.logger(),
	})
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", optGNewsBase, err)
	}
	return r, nil
}

// resolutionCache keeps the resolver's final answers in the store. Only
// final answers reach it: a URL, or Google's word that there is none.
type resolutionCache struct{ st store.ResolutionStore }

func (c resolutionCache) Get(ctx context.Context, id string) (gnews.Entry, bool, error) {
	r, err := c.st.Resolution(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return gnews.Entry{}, false, nil
	}
	if err != nil {
		return gnews.Entry{}, false, err
	}
	switch {
	case r.OK():
		return gnews.Entry{URL: r.URL, AMPURL: r.AMPURL, At: r.ResolvedAt}, true, nil
	case r.Permanent:
		code, detail, _ := strings.Cut(r.Error, ": ")
		return gnews.Entry{Failure: code, Detail: detail, At: r.ResolvedAt}, true, nil
	}
	return gnews.Entry{}, false, nil
}

func (c resolutionCache) Put(ctx context.Context, id string, e gnews.Entry) error {
	r := &model.Resolution{ArticleID: id, URL: e.URL, AMPURL: e.AMPURL, ResolvedAt: e.At}
	if e.Failure != "" {
		r.Permanent = true
		r.Error = e.Failure + ": " + e.Detail
	}
	return c.st.SaveResolution(ctx, r)
}

var _ gnews.Cache = resolutionCache{}
