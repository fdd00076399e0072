package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/store"
)

// datasetOptions are export's selection and destination for datasets.
type datasetOptions struct {
	since, until, label, language, story, output *string
}

func datasetFlags(f *flags) *datasetOptions {
	return &datasetOptions{
		since:    f.String("since", "", "datasets: posts published on or after this date (2024-05-01, or an RFC 3339 time)"),
		until:    f.String("until", "", "datasets: posts published before this date (2024-06-01, or an RFC 3339 time)"),
		label:    f.String("label", "", "datasets: posts carrying this label (a topic, publisher or feed label)"),
		language: f.String("language", "", "datasets: posts in this language (en, id…)"),
		story:    f.String("story", "", "datasets: the posts of this story (its ID)"),
		output:   f.String("output", "", "datasets: write to this file instead of standard output; gzip-compressed when it ends in .gz"),
	}
}

func (o *datasetOptions) selects() bool {
	return *o.since != "" || *o.until != "" || *o.label != "" || *o.language != "" || *o.story != "" || *o.output != ""
}

func (o *datasetOptions) query() (store.ExportQuery, error) {
	var q store.ExportQuery
	var err error
	if q.Since, err = parseDay("since", *o.since); err != nil {
		return q, err
	}
	if q.Until, err = parseDay("until", *o.until); err != nil {
		return q, err
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		return q, fmt.Errorf("%w: --until must come after --since", errUsage)
	}
	q.Label, q.Language = strings.TrimSpace(*o.label), strings.ToLower(strings.TrimSpace(*o.language))
	if *o.story != "" {
		if q.StoryID, err = strconv.ParseInt(strings.TrimSpace(*o.story), 10, 64); err != nil || q.StoryID <= 0 {
			return q, fmt.Errorf("%w: --story %q: want a story's ID (a number, as in /story/ID on the site)", errUsage, *o.story)
		}
	}
	return q, nil
}

func parseDay(name, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: --%s %q: want a date such as 2024-05-01 or a time such as 2024-05-01T12:00:00Z", errUsage, name, v)
}

// datasetWriter writes one post after another in a dataset format.
type datasetWriter interface {
	Write(e *store.ExportedPost) error
	// Close ends the dataset (a CSV's last flush) and reports, for the
	// user, anything to know about what was written.
	Close() (note string, err error)
}

// exportDataset streams the posts the options select, in ID order, a page
// at a time, to standard output or --output (gzip-compressed when its
// name ends in .gz; a WARC is then compressed record by record).
func exportDataset(ctx context.Context, env *Env, f *flags, o *datasetOptions,
	newWriter func(w io.Writer, gz bool) datasetWriter) (err error) {
	q, err := o.query()
	if err != nil {
		return err
	}
	b, bs, err := openBulkBackend(ctx, f)
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	var out io.Writer = env.Stdout
	var file *os.File
	if *o.output != "" && *o.output != "-" {
		if file, err = os.Create(*o.output); err != nil {
			return err
		}
		// Closed and checked below once written whole; this close is for
		// the ways out with another error, the one reported.
		defer func() { _ = file.Close() }()
		out = file
	}
	gz := strings.HasSuffix(strings.ToLower(*o.output), ".gz")
	bw := bufio.NewWriterSize(out, 256<<10)
	var zw *gzip.Writer
	dst := io.Writer(bw)
	if gz && f.Lookup("format").Value.String() != "warc" {
		zw = gzip.NewWriter(bw)
		dst = zw
	}
	w := newWriter(dst, gz)
	n := 0
	const page = 500
	for after := int64(0); ; {
		posts, err := bs.ExportPosts(ctx, q, after, page)
		if err != nil {
			return err
		}
		for i := range posts {
			if err := w.Write(&posts[i]); err != nil {
				return err
			}
			n++
		}
		if len(posts) < page {
			break
		}
		after = posts[len(posts)-1].Post.ID
	}
	note, err := w.Close()
	if err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "exported %d posts to %s\n", n, *o.output)
	}
	if note != "" {
		fmt.Fprintln(env.Stderr, note)
	}
	return nil
}

// openBulkBackend opens --db for bulk import and dataset export.
func openBulkBackend(ctx context.Context, f *flags) (*backend, store.BulkStore, error) {
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return nil, nil, err
	}
	bs, ok := b.Store.(store.BulkStore)
	if !ok {
		_ = b.Close() // nothing was written; the refusal is the error to report
		return nil, nil, fmt.Errorf("the %s store cannot import or export in bulk", b.kind)
	}
	return b, bs, nil
}
