package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/feed"
	"github.com/kabarnews/kabar/internal/fetch"
)

// feedCheckTimeout bounds feeds add's one fetch: a host that does not
// answer does not hold the command for the fetcher's full retry budget.
const feedCheckTimeout = 20 * time.Second

// feedAccept is what feeds add asks for, as the pipeline does.
const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

// checkFeed fetches a feed about to be added, through the same fetcher and
// guard as the workers (so --allow-addr, --replay and the fetch options
// apply), and refuses what cannot be a feed: an HTTP error such as 404, an
// HTML page (naming the feeds it links, as feed readers do) or a document
// that does not parse as RSS, Atom or JSON Feed. When the feed cannot be
// reached at all (a private address, no network, a timeout), the feed is
// added with a warning: the run that polls it may be given what this
// command was not (--allow-addr, a network), and nothing is lost.
func checkFeed(ctx context.Context, env *Env, f *flags, raw, proxy string) (err error) {
	fc, err := newFetcher(f)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	defer closeAfter(&err, fc)
	ctx, cancel := context.WithTimeout(ctx, feedCheckTimeout)
	defer cancel()
	resp, err := hintFetcher{fc}.Do(ctx, fetch.Request{URL: raw, Accept: feedAccept, Proxy: proxy})
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se) && se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != 429:
		return fmt.Errorf("%s answered %d %s: not added (check the address; --no-check adds it anyway)",
			raw, se.StatusCode, httpStatusText(se.StatusCode))
	case err != nil:
		fmt.Fprintf(env.Stderr, "kabar feeds add: warning: could not fetch the feed to check it: %v\n"+
			"kabar feeds add: adding it unchecked; 'kabar feeds list' will show the error if it persists\n", err)
		return nil
	}
	parsed, perr := feed.Parse(resp.Body, resp.URL)
	if perr == nil {
		fmt.Fprintf(env.Stderr, "kabar feeds add: %s: %q, %d items\n", raw, parsed.Title, len(parsed.Items))
		return nil
	}
	if feed.LooksLikeHTML(resp.Body) {
		alts := feed.Discover(resp.Body, resp.URL)
		if len(alts) == 0 {
			return fmt.Errorf("%s is a web page, not a feed, and it links no feed (<link rel=\"alternate\">): not added", raw)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s is a web page, not a feed: not added. It links these feeds; add one of them:", raw)
		for _, a := range alts {
			b.WriteString("\n  kabar feeds add " + shellQuote(a.URL))
			if a.Title != "" {
				b.WriteString("    # " + a.Title)
			}
		}
		return errors.New(b.String())
	}
	return fmt.Errorf("%s is not a feed kabar can read (%v): not added (--no-check adds it anyway)", raw, perr)
}

func httpStatusText(code int) string {
	return http.StatusText(code)
}

// shellQuote quotes a URL for a command line when it needs it.
func shellQuote(s string) string {
	if strings.ContainsAny(s, "&?;*$ '\"()<>|") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
