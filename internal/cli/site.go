package cli

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/web"
)

// The site's own options. run and serve add them to their flags by listing
// them; a command that does not still reads them from the environment.
var (
	optSiteTitle = register(option{"site-title", "KABAR_SITE_TITLE", "kabar",
		"the site's title (the owner may change it in /admin/settings)"})
	optBaseURL = register(option{"base-url", "KABAR_BASE_URL", "",
		"the site's public address, e.g. https://news.example.org, for links in feeds (default: the address asked)"})
	optSecret = register(option{"secret", "KABAR_SECRET", "",
		"key that signs form tokens; processes serving one site must share it (default: random per process)"})
	optTrustProxy = register(option{"trust-proxy", "KABAR_TRUST_PROXY", "false",
		"take the reader's address from X-Forwarded-For (only behind a reverse proxy that sets it)"})
	optPageCache = register(option{"page-cache-mb", "KABAR_PAGE_CACHE_MB", "64",
		"memory for rendered pages kept for readers, in MB (0: keep none)"})
	optSearchCache = register(option{"search-cache-mb", "KABAR_SEARCH_CACHE_MB", strconv.Itoa(store.RankCacheBytes >> 20),
		"memory for the ranking fields of posts searches have ranked, in MB (0: keep none)"})
)

// siteOptions are newSite's own options, for the commands that serve the
// site to list beside optLang and optTZ (serve, run). Until a command lists
// them, newSite reads them from the environment.
var siteOptions = append([]string{optSiteTitle, optBaseURL, optSecret, optTrustProxy, optPageCache, optSearchCache}, imageOptions...)

// opt reads an option from the command's flags when it has the flag, else
// from the environment, else its default.
func (f *flags) opt(name string) string {
	if v, ok := f.vals[name]; ok {
		return *v
	}
	o := options[name]
	if v := f.env.Getenv(o.env); v != "" {
		return v
	}
	return o.def
}

// newSite builds the site from the command's options; run and serve share
// it. rx, when not nil, lets the owner have a post extracted again; guard,
// when not nil, refuses feeds on addresses the fetcher would refuse (the
// fetcher itself, so that --allow-addr counts).
func newSite(st web.Store, f *flags, rx web.Reextractor, guard web.URLChecker) (http.Handler, error) {
	loc, err := time.LoadLocation(f.opt(optTZ))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", optTZ, err)
	}
	trust, err := strconv.ParseBool(f.opt(optTrustProxy))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", optTrustProxy, err)
	}
	showImages, err := f.imagesOn()
	if err != nil {
		return nil, err
	}
	mb, err := strconv.Atoi(f.opt(optPageCache))
	if err != nil || mb < 0 {
		return nil, fmt.Errorf("--%s %q: want a number of megabytes, 0 or more", optPageCache, f.opt(optPageCache))
	}
	if mb == 0 {
		mb = -1 // web.Config's "none"
	}
	if err := setSearchCache(st, f); err != nil {
		return nil, err
	}
	cfg := web.Config{
		PageCacheBytes: int64(mb) << 20,
		ShowImages:     showImages,
		ImageDir:       f.opt(optImageDir),
		Lang:           f.opt(optLang),
		SiteTitle:      f.opt(optSiteTitle),
		Location:       loc,
		BaseURL:        f.opt(optBaseURL),
		TrustProxy:     trust,
		Logger:         f.logger(),
		Reextract:      rx,
		FeedURLs:       guard,
	}
	if secret := f.opt(optSecret); secret != "" {
		key := sha256.Sum256([]byte("kabar-site\x00" + secret))
		cfg.CSRFKey = key[:]
	}
	return web.New(st, cfg)
}

// rankCacheSetter is what setSearchCache asks of a store; both have it.
type rankCacheSetter interface{ SetRankCacheBytes(n int) }

var (
	_ rankCacheSetter = (*sqlite.Store)(nil)
	_ rankCacheSetter = (*postgres.Store)(nil)
)

// setSearchCache bounds the ranking fields the store keeps for searches
// (store.RankCache) as --search-cache-mb says, before the first search.
func setSearchCache(st web.Store, f *flags) error {
	mb, err := strconv.Atoi(f.opt(optSearchCache))
	if err != nil || mb < 0 {
		return fmt.Errorf("--%s %q: want a number of megabytes, 0 or more", optSearchCache, f.opt(optSearchCache))
	}
	if b, ok := st.(*backend); ok {
		st = b.Store
	}
	if c, ok := st.(rankCacheSetter); ok {
		c.SetRankCacheBytes(mb << 20)
	}
	return nil
}
