package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/kabarnews/kabar/internal/model"
)

func init() {
	addCommand(command{"items", "list the items not done yet, with why each failed (--failed: only failed ones)", runItems})
}

func runItems(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "items", "items [--failed] [--feed ID] [--json]")
	failed := f.Bool("failed", false, "only the items whose last attempt failed, with the reason")
	feedID := f.String("feed", "", "only this feed's items (its ID in feeds list)")
	asJSON := f.Bool("json", false, "one JSON object a line")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
	}
	var only int64
	if *feedID != "" {
		id, err := strconv.ParseInt(*feedID, 10, 64)
		if err != nil || id < 1 {
			return fmt.Errorf("%w: --feed %q is not a feed ID", errUsage, *feedID)
		}
		only = id
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	var feeds []model.Feed
	if only != 0 {
		fd, err := b.Feed(ctx, only)
		if err != nil {
			return fmt.Errorf("feed %d: %w", only, err)
		}
		feeds = []model.Feed{*fd}
	} else if feeds, err = b.Feeds(ctx); err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "ID\tFEED\tSTATUS\tATTEMPTS\tLAST TRY\tLINK\tERROR")
	}
	for _, fd := range feeds {
		items, err := b.UnfinishedItems(ctx, fd.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if *failed && it.Status != model.ItemFailed {
				continue
			}
			if *asJSON {
				if err := enc.Encode(map[string]any{"id": it.ID, "feed": it.FeedID, "status": it.Status,
					"title": it.Title, "link": it.Link, "source_url": it.SourceURL, "attempts": it.Attempts,
					"error": it.Error, "updated_at": jsonTime(it.UpdatedAt), "next_attempt_at": jsonTime(it.NextAttemptAt)}); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%s\t%s\t%s\n", it.ID, it.FeedID, it.Status, it.Attempts,
				showTime(it.UpdatedAt), it.Link, it.Error)
		}
	}
	return tw.Flush()
}

// failedItems are a feed's failed items, most recently tried last.
func failedItems(ctx context.Context, b *backend, feedID int64) ([]model.Item, error) {
	items, err := b.UnfinishedItems(ctx, feedID)
	if err != nil {
		return nil, err
	}
	var out []model.Item
	for _, it := range items {
		if it.Status == model.ItemFailed {
			out = append(out, it)
		}
	}
	return out, nil
}

// latestFailure is the error of the failed item tried last.
func latestFailure(items []model.Item) string {
	var last *model.Item
	for i := range items {
		if last == nil || items[i].UpdatedAt.After(last.UpdatedAt) {
			last = &items[i]
		}
	}
	if last == nil {
		return ""
	}
	return fmt.Sprintf("item %d: %s", last.ID, last.Error)
}
