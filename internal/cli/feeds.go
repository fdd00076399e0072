package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

func init() {
	addCommand(command{"feeds", "add, list or remove feeds (feeds add URL | feeds list | feeds rm ID)", runFeeds})
}

func runFeeds(ctx context.Context, env *Env, global *flags, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: kabar feeds add URL | feeds list [--json] | feeds rm ID", errUsage)
	}
	switch args[0] {
	case "add":
		return feedsAdd(ctx, env, global, args[1:])
	case "list", "ls":
		return feedsList(ctx, env, global, args[1:])
	case "rm", "remove":
		return feedsRm(ctx, env, global, args[1:])
	}
	return fmt.Errorf("%w: unknown feeds command %q", errUsage, args[0])
}

func feedsAdd(ctx context.Context, env *Env, global *flags, args []string) error {
	f := sub(env, global, "feeds add", "feeds add URL")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("%w: feeds add takes one URL", errUsage)
	}
	raw := f.Arg(0)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer b.Close()
	feed := &model.Feed{URL: raw}
	if err := b.AddFeed(ctx, feed); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d\t%s\n", feed.ID, feed.URL)
	return nil
}

func feedsList(ctx context.Context, env *Env, global *flags, args []string) error {
	f := sub(env, global, "feeds list", "feeds list [--json]")
	asJSON := f.Bool("json", false, "one JSON object a line")
	if err := f.Parse(args); err != nil {
		return err
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer b.Close()
	feeds, err := b.Feeds(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "ID\tURL\tTITLE\tITEMS done/waiting/failed\tERRORS\tLAST POLL\tNEXT POLL\tLAST ERROR")
	}
	for _, fd := range feeds {
		counts, err := b.ItemCounts(ctx, fd.ID)
		if err != nil {
			return err
		}
		if *asJSON {
			if err := enc.Encode(map[string]any{
				"id": fd.ID, "url": fd.URL, "title": fd.Title, "paused": fd.Paused,
				"items": counts, "error_count": fd.ErrorCount, "last_error": fd.LastError,
				"last_polled_at": jsonTime(fd.LastPolledAt), "next_poll_at": jsonTime(fd.NextPollAt),
			}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d/%d\t%d\t%s\t%s\t%s\n", fd.ID, fd.URL, fd.Title,
			counts[model.ItemDone], counts[model.ItemNew], counts[model.ItemFailed],
			fd.ErrorCount, showTime(fd.LastPolledAt), showTime(fd.NextPollAt), fd.LastError)
	}
	return tw.Flush()
}

func feedsRm(ctx context.Context, env *Env, global *flags, args []string) error {
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
	defer b.Close()
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
