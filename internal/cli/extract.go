package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/fetch"
)

func init() {
	addCommand(command{"extract", "print the article text of a page (a file or a URL)", runExtract})
}

func runExtract(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "extract", "extract [--url URL] [--json | --explain] [--replay ARCHIVE] FILE_OR_URL",
		optReplay, optRecord, optAllow)
	pageURL := f.String("url", "", "the page's address, for a page read from a file (resolves relative links, selects the site rule)")
	asJSON := f.Bool("json", false, "print every field as JSON")
	explain := f.Bool("explain", false, "show which blocks were kept or dropped and why (to write a site rule)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("%w: extract takes one file or URL", errUsage)
	}
	src := f.Arg(0)
	var body []byte
	if isHTTPURL(src) {
		fetcher, err := newFetcher(f)
		if err != nil {
			return err
		}
		defer closeAfter(&err, fetcher)
		resp, err := fetcher.Get(ctx, src)
		if err != nil {
			return withHint(err)
		}
		body = resp.Body
		if *pageURL == "" {
			*pageURL = resp.URL
		}
	} else {
		raw, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		// A saved page may be in any charset; the extractor reads UTF-8.
		body = fetch.ToUTF8(raw, "")
		if *pageURL == "" {
			if abs, err := filepath.Abs(src); err == nil {
				*pageURL = (&url.URL{Scheme: "file", Path: abs}).String()
			}
		}
	}
	if *explain {
		ex, err := extract.Explain(body, *pageURL)
		if ex != nil {
			fmt.Fprint(env.Stdout, ex.String())
			if ex.Article != nil {
				fmt.Fprintf(env.Stdout, "title: %s\nauthor: %s\npublished: %s\n", ex.Article.Title, ex.Article.Author, pageTime(ex.Article.Published))
			}
		}
		return err
	}
	art, err := extract.Extract(body, *pageURL)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"url": *pageURL, "title": art.Title, "author": art.Author,
			"published": pageTime(art.Published), "modified": pageTime(art.Modified),
			"image": art.Image, "site_name": art.SiteName, "canonical": art.Canonical,
			"amp_url": art.AMPURL, "language": art.Language, "description": art.Description,
			"paragraphs": art.Paragraphs,
		})
	}
	for _, p := range art.Paragraphs {
		fmt.Fprintln(env.Stdout, p)
	}
	return nil
}

// pageTime prints a page's time in the zone the page gave it (RFC 3339),
// null when the page gave none.
func pageTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.RFC3339)
}

func isHTTPURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
