package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kabarnews/kabar/internal/blog"
	"github.com/kabarnews/kabar/internal/images"
)

// runBlogImport moves a blog in: a Blogger or WordPress export becomes
// posts at their old addresses, pages, labels and comments.
func runBlogImport(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	opts := append([]string{optAllow, optImageDir}, fetchOpts...)
	f := sub(env, global, "import", "import [--format blogger|wordpress] [--fetch-images] [--old-url URL] BLOG.xml", opts...)
	format := f.String("format", "", "the export's platform, blogger or wordpress (default: told from the file)")
	fetchImages := f.Bool("fetch-images", false, "fetch each post's first image into the site's image store (default: images stay links to where they are)")
	oldURL := f.String("old-url", "", "the blog's old address (https://name.blogspot.com), for exports that do not say it")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("%w: import takes one export file (BLOG.xml, or - for standard input)", errUsage)
	}
	switch *format {
	case "", blog.Blogger, blog.WordPress:
	default:
		return fmt.Errorf("%w: --format %q: want blogger or wordpress", errUsage, *format)
	}
	if *oldURL != "" && !isHTTPURL(*oldURL) {
		return fmt.Errorf("%w: --old-url %q: want the blog's address, such as https://name.blogspot.com", errUsage, *oldURL)
	}
	var in io.Reader = env.Stdin
	name := f.Arg(0)
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return err
		}
		defer func() { _ = file.Close() }() // opened to read: nothing to lose
		in = file
	}
	ex, err := blog.Parse(in, *format)
	if err != nil {
		// A broken export is refused whole: its last entry may be cut in
		// the middle, and a half post must not go live.
		return fmt.Errorf("%s: %w; nothing was imported", name, err)
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	im := &blog.Importer{Store: b, BaseURL: strings.TrimRight(*oldURL, "/")}
	if *fetchImages {
		fc, err := newFetcher(f)
		if err != nil {
			return err
		}
		defer closeAfter(&err, fc)
		im.Images = &images.Maker{Fetch: fc, Store: b, Dir: f.get(optImageDir)}
	}
	posts, pages, comments := ex.Total()
	fmt.Fprintf(env.Stdout, "%s: %s export (%s) of %q: %d published posts, %d pages, %d comments\n",
		name, ex.Format, ex.Dialect, ex.Title, posts, pages, comments)
	sum, err := im.Import(ctx, ex)
	fmt.Fprintln(env.Stdout, sum)
	fmt.Fprintf(env.Stdout, "skipped: %s\n", ex.SkippedSummary())
	for _, fail := range sum.ImageFailures {
		fmt.Fprintf(env.Stderr, "image not fetched: %s\n", fail)
	}
	return err
}
