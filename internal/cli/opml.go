package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kabarnews/kabar/internal/feed"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// feedsImport subscribes to every feed of an OPML file. Folders become the
// feeds' topic label. Running it again adds nothing: a feed already there
// is left as it is, except that it gets the file's folder as topic when it
// has none. Feeds are not fetched here (a reader's export may hold hundreds);
// the first run reports the ones that fail.
func feedsImport(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "feeds import", "feeds import FILE.opml (- for standard input)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("%w: feeds import takes one OPML file", errUsage)
	}
	var raw []byte
	if f.Arg(0) == "-" {
		raw, err = io.ReadAll(io.LimitReader(env.Stdin, feed.MaxOPMLSize+1))
	} else {
		raw, err = readLimited(f.Arg(0), feed.MaxOPMLSize+1)
	}
	if err != nil {
		return err
	}
	_, feeds, err := feed.ParseOPML(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Arg(0), err)
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	existing, err := b.Feeds(ctx)
	if err != nil {
		return err
	}
	byURL := map[string]int64{}
	for _, fd := range existing {
		byURL[fd.URL] = fd.ID
	}
	added, kept := 0, 0
	for _, of := range feeds {
		id, ok := byURL[of.URL]
		if !ok {
			fd := &model.Feed{URL: of.URL}
			if err := b.AddFeed(ctx, fd); err != nil && !errors.Is(err, store.ErrExists) {
				return fmt.Errorf("%s: %w (%d feeds added before it)", of.URL, err, added)
			}
			id = fd.ID
			byURL[of.URL] = id
			added++
			fmt.Fprintf(env.Stdout, "%d\t%s\n", id, of.URL)
		} else {
			kept++
		}
		if of.Category == "" || id == 0 {
			continue
		}
		opts, err := b.FeedOptions(ctx, id)
		if err != nil {
			return err
		}
		if opts.Topic == "" {
			opts.FeedID, opts.Topic = id, of.Category
			if err := b.SetFeedOptions(ctx, opts); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(env.Stderr, "kabar feeds import: %d feeds added, %d already subscribed\n", added, kept)
	return nil
}

// feedsExport prints every feed as OPML 2.0, in folders named by their
// topic label, for any feed reader (or another kabar) to import.
func feedsExport(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "feeds export", "feeds export > FILE.opml")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
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
	out := make([]feed.OPMLFeed, 0, len(feeds))
	for _, fd := range feeds {
		opts, err := b.FeedOptions(ctx, fd.ID)
		if err != nil {
			return err
		}
		out = append(out, feed.OPMLFeed{URL: fd.URL, Title: fd.Title, Category: opts.Topic})
	}
	return feed.WriteOPML(env.Stdout, "kabar feeds", time.Now(), out)
}

func readLimited(path string, limit int64) (_ []byte, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer closeAfter(&err, fh)
	return io.ReadAll(io.LimitReader(fh, limit))
}
