package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/model"
)

func init() {
	addCommand(command{"feeds", "add, list or remove feeds (feeds add URL | feeds add --gnews-search QUERY … | feeds list | feeds rm ID | feeds import FILE.opml | feeds export)", runFeeds})
}

func runFeeds(ctx context.Context, env *Env, global *flags, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: kabar feeds add URL | feeds add --gnews-search QUERY|--gnews-topic TOPIC|--gnews-geo PLACE|--gnews-top [--hl LANG --gl COUNTRY] | feeds list [--json] | feeds rm ID | feeds import FILE.opml | feeds export", errUsage)
	}
	switch args[0] {
	case "add":
		return feedsAdd(ctx, env, global, args[1:])
	case "list", "ls":
		return feedsList(ctx, env, global, args[1:])
	case "rm", "remove":
		return feedsRm(ctx, env, global, args[1:])
	case "import":
		return feedsImport(ctx, env, global, args[1:])
	case "export":
		return feedsExport(ctx, env, global, args[1:])
	}
	return fmt.Errorf("%w: unknown feeds command %q", errUsage, args[0])
}

var (
	optHL = register(option{"hl", "KABAR_GNEWS_HL", "",
		"Google News interface language, e.g. id, en-US, pt-BR (default from --gl, else en-US)"})
	optGL = register(option{"gl", "KABAR_GNEWS_GL", "",
		"Google News country, e.g. ID, US, BR (default from --hl)"})
	optCEID = register(option{"ceid", "KABAR_GNEWS_CEID", "",
		"Google News edition COUNTRY:language, e.g. BR:pt-419 (default derived from --hl and --gl)"})
)

const feedsAddUsage = "feeds add [--no-check] [--allow-addr CIDR] [--proxy URL] URL\n       kabar feeds add (--gnews-search QUERY | --gnews-topic TOPIC | --gnews-geo PLACE | --gnews-top) [--hl LANG] [--gl COUNTRY] [--ceid COUNTRY:LANG]"

func feedsAdd(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "feeds add", feedsAddUsage,
		append([]string{optHL, optGL, optCEID, optReplay, optAllow}, fetchOpts...)...)
	noCheck := f.Bool("no-check", false, "add the feed without fetching it first")
	search := f.String("gnews-search", "", "add the Google News search feed for this query (operators such as when:7d, site:, intitle:, OR, -term work)")
	topic := f.String("gnews-topic", "", "add a Google News section feed: "+strings.Join(gnews.Topics, "|")+", or a topic ID (CAAq…) or news.google.com/topics/… URL")
	geo := f.String("gnews-geo", "", "add the Google News local feed for a place (any language: Jakarta, São Paulo, Київ)")
	top := f.Bool("gnews-top", false, "add the Google News top stories feed")
	proxy := f.String("proxy", "", "fetch this feed and its articles through this HTTP proxy (http://host:port)")
	if err := f.Parse(args); err != nil {
		return err
	}
	kinds, kind := 0, ""
	var edition []string // edition options given on the command line
	f.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "gnews-search", "gnews-topic", "gnews-geo", "gnews-top":
			kinds, kind = kinds+1, fl.Name
		case optHL, optGL, optCEID:
			edition = append(edition, "--"+fl.Name)
		}
	})
	var raw string
	switch {
	case kinds == 0:
		if len(edition) > 0 {
			return fmt.Errorf("%w: %s only go with --gnews-search, --gnews-topic, --gnews-geo or --gnews-top", errUsage, strings.Join(edition, ", "))
		}
		if f.NArg() != 1 {
			return fmt.Errorf("%w: feeds add takes one URL", errUsage)
		}
		raw = f.Arg(0)
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an http(s) URL", raw)
		}
	case kinds > 1:
		return fmt.Errorf("%w: give one of --gnews-search, --gnews-topic, --gnews-geo, --gnews-top", errUsage)
	case f.NArg() != 0:
		return fmt.Errorf("%w: a Google News feed is built from its options; drop %q or the --gnews option", errUsage, f.Arg(0))
	default:
		value := map[string]string{"gnews-search": *search, "gnews-topic": *topic, "gnews-geo": *geo}[kind]
		if raw, err = gnewsFeedURL(f, kind, value, *top); err != nil {
			return err
		}
	}
	if *proxy != "" {
		if _, err := fetch.ParseProxy(*proxy); err != nil {
			return fmt.Errorf("%w: --proxy: %v", errUsage, err)
		}
	}
	// A feed given by its URL is fetched once, so that a typo, a web page
	// or a 404 is found now rather than in the log of a later run. Google
	// News feeds are built by kabar from its options and are not asked.
	if kinds == 0 && !*noCheck {
		if err := checkFeed(ctx, env, f, raw, *proxy); err != nil {
			return err
		}
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	feed := &model.Feed{URL: raw, Proxy: *proxy}
	if err := b.AddFeed(ctx, feed); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d\t%s\n", feed.ID, feed.URL)
	return nil
}

// gnewsFeedURL builds the Google News feed that option kind (gnews-top,
// gnews-search, gnews-topic or gnews-geo) asks for with value (or top),
// in the edition the command's options name.
func gnewsFeedURL(f *flags, kind, value string, top bool) (string, error) {
	e, err := editionFromFlags(f)
	if err != nil {
		return "", err
	}
	switch kind {
	case "gnews-top":
		if !top {
			return "", fmt.Errorf("%w: --gnews-top=false adds nothing", errUsage)
		}
		return gnews.TopStoriesFeed(e)
	case "gnews-search":
		return gnews.SearchFeed(value, e)
	case "gnews-topic":
		return gnews.TopicFeed(value, e)
	}
	return gnews.GeoFeed(value, e)
}

// editionFromFlags is the Google News edition the --hl, --gl and --ceid
// options (or their environment variables) name.
func editionFromFlags(f *flags) (gnews.Locale, error) {
	e, err := gnews.NewEdition(f.get(optHL), f.get(optGL), f.get(optCEID))
	if err != nil {
		return gnews.Locale{}, fmt.Errorf("--%s/--%s/--%s: %w", optHL, optGL, optCEID, err)
	}
	return e, nil
}

func feedsList(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "feeds list", "feeds list [--json]")
	asJSON := f.Bool("json", false, "one JSON object a line")
	if err := f.Parse(args); err != nil {
		return err
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	feeds, err := b.Feeds(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "ID\tURL\tTITLE\tSTATUS\tITEMS done/new/waiting/failed\tERRORS\tINTERVAL\tLAST POLL\tNEXT POLL\tLAST ERROR")
	}
	for _, fd := range feeds {
		counts, err := b.ItemCounts(ctx, fd.ID)
		if err != nil {
			return err
		}
		var failed []model.Item
		if counts[model.ItemFailed] > 0 {
			if failed, err = failedItems(ctx, b, fd.ID); err != nil {
				return err
			}
		}
		if *asJSON {
			if err := enc.Encode(map[string]any{
				"id": fd.ID, "url": fd.URL, "title": fd.Title, "paused": fd.Paused,
				"status": feedStatus(&fd), "disabled_reason": fd.DisabledReason, "proxy": fd.Proxy,
				"poll_interval": fd.PollInterval.String(),
				"items":         counts, "error_count": fd.ErrorCount, "last_error": fd.LastError,
				"last_polled_at": jsonTime(fd.LastPolledAt), "next_poll_at": jsonTime(fd.NextPollAt),
				"failed_items": failedJSON(failed),
			}); err != nil {
				return err
			}
			continue
		}
		lastErr := fd.LastError
		if fd.DisabledReason != "" {
			lastErr = fd.DisabledReason
		}
		// The feed polls fine but items fail: show the latest item's reason
		// (kabar items --failed lists them all).
		if lastErr == "" && len(failed) > 0 {
			lastErr = latestFailure(failed)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d/%d/%d\t%d\t%s\t%s\t%s\t%s\n", fd.ID, fd.URL, fd.Title, feedStatus(&fd),
			counts[model.ItemDone], counts[model.ItemNew], counts[model.ItemWaiting], counts[model.ItemFailed],
			fd.ErrorCount, fd.PollInterval, showTime(fd.LastPolledAt), showTime(fd.NextPollAt), lastErr)
	}
	return tw.Flush()
}

// failedJSON is a feed's failed items for feeds list --json.
func failedJSON(items []model.Item) []map[string]any {
	out := []map[string]any{}
	for _, it := range items {
		out = append(out, map[string]any{"id": it.ID, "link": it.Link, "error": it.Error, "attempts": it.Attempts})
	}
	return out
}

// feedStatus says whether kabar polls the feed.
func feedStatus(f *model.Feed) string {
	switch {
	case f.DisabledReason != "":
		return "disabled"
	case f.Paused:
		return "paused"
	}
	return "active"
}

func feedsRm(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "feeds rm", "feeds rm ID")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("%w: feeds rm takes one feed ID", errUsage)
	}
	id, err := strconv.ParseInt(f.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not a feed ID", errUsage, f.Arg(0))
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	if err := b.DeleteFeed(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed feed %d\n", id)
	return nil
}

func showTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func jsonTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
