package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

func init() {
	addCommand(command{"export", "write posts out: every post newest first (--format seed|json|blogger), or a dataset (--format jsonl|csv|warc)", runExport})
}

// SeedTimeLayout is the date line of the seed layout.
const SeedTimeLayout = "2006-01-02 15:04:05Z"

func runExport(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "export", "export [--format seed|json|blogger|jsonl|csv|warc] [--blog-url URL] [--since DATE] [--until DATE] [--label NAME] [--language CODE] [--story ID] [--output FILE[.gz]]", optBaseURL)
	format := f.String("format", "seed", "seed: the plain-text layout of the seed document; json: one object a line; "+
		"blogger: a Blogger export, with labels, comments and pages; "+
		"jsonl, csv: a dataset, one article a line; warc: the articles' pages as a WARC archive")
	ds := datasetFlags(f)
	blogger := addBloggerFlags(f)
	if err := f.Parse(args); err != nil {
		return err
	}
	switch *format {
	case "seed", "json", "blogger":
	case "jsonl":
		return exportDataset(ctx, env, f, ds, newJSONLWriter)
	case "csv":
		return exportDataset(ctx, env, f, ds, newCSVWriter)
	case "warc":
		return exportDataset(ctx, env, f, ds, newWARCWriter)
	default:
		return fmt.Errorf("%w: unknown format %q (seed, json, blogger, jsonl, csv or warc)", errUsage, *format)
	}
	if ds.selects() {
		return fmt.Errorf("%w: --since, --until, --label, --language, --story and --output go with --format jsonl, csv or warc", errUsage)
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	switch *format {
	case "blogger":
		return writeBloggerExport(ctx, env.Stdout, b, blogger, f.get(optBaseURL))
	}
	w := bufio.NewWriter(env.Stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	write := func(p *model.Post) error {
		n++
		if *format == "json" {
			return enc.Encode(postJSON(p))
		}
		if n > 1 {
			// Posts in the seed layout are separated by one empty line.
			if err := w.WriteByte('\n'); err != nil {
				return err
			}
		}
		return WriteSeed(w, p)
	}
	// Pages keep memory flat however many posts there are.
	const page = 500
	for offset := 0; ; offset += page {
		posts, err := b.Posts(ctx, store.PostQuery{Limit: page, Offset: offset})
		if err != nil {
			return err
		}
		for i := range posts {
			if err := write(&posts[i]); err != nil {
				return err
			}
		}
		if len(posts) < page {
			break
		}
	}
	return w.Flush()
}

// WriteSeed writes one post in the seed layout: its paragraphs one a line,
// then the item's link, the publication time in UTC and the article ID.
func WriteSeed(w io.Writer, p *model.Post) error {
	var b strings.Builder
	for _, para := range p.Paragraphs {
		b.WriteString(para)
		b.WriteByte('\n')
	}
	link := p.ItemLink
	if link == "" {
		link = p.SourceURL
	}
	fmt.Fprintf(&b, "%s\n%s\n%s\n", link, p.Published.UTC().Format(SeedTimeLayout), p.ArticleID)
	_, err := io.WriteString(w, b.String())
	return err
}

func postJSON(p *model.Post) map[string]any {
	return map[string]any{
		"id":          p.ID,
		"url":         p.Path(),
		"title":       p.Title,
		"author":      p.Author,
		"publisher":   p.Publisher,
		"source_url":  p.SourceURL,
		"amp_url":     p.AMPURL,
		"item_link":   p.ItemLink,
		"article_id":  p.ArticleID,
		"published":   p.Published.UTC().Format(time.RFC3339),
		"language":    p.Language,
		"image":       p.Image,
		"description": p.Description,
		"paragraphs":  p.Paragraphs,
	}
}
