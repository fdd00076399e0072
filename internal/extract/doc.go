// Package extract turns a news page into an article: the body's text blocks
// in reading order plus the page's metadata.
//
// The method, in one pass over one parse:
//
//  1. Build. golang.org/x/net/html parses the page once; a light copy of the
//     tree keeps only what can be content (script, style, nav, forms'
//     controls, media and small hidden elements are dropped) and carries
//     per-node statistics computed bottom-up: text length, link text,
//     commas, counts of paragraphs, list items, images, inputs and embeds.
//     Class, id and role values mark nodes as unlikely (Readability's
//     patterns), boilerplate (share, social, related, newsletter, cookie,
//     promo, ads, comments, captions, bylines, breadcrumbs, ...) or body-like
//     (article-body, entry-content, itemprop=articleBody, ...). Metadata
//     (meta tags, JSON-LD, <time>, <h1>, <title>, canonical) is gathered on
//     the same walk.
//
//  2. Score (Readability). Paragraphs - <p>, <pre>, subheadings, containers
//     of inline text and runs of text split by <br><br> - of 25 characters or
//     more score 1 + commas + length/100 (at most 3) for their parent, half
//     for the grandparent and less further up; containers start from their
//     tag and class weight, and end multiplied by one minus their link
//     density. The best candidate moves up to a common ancestor of close
//     rivals or to a better-scoring parent, takes siblings that score well
//     or read like paragraphs, and finally widens to an ancestor that holds
//     clearly more paragraph text and is itself mostly paragraphs (bodies
//     split over sibling sections).
//
//  3. Clean. Bottom-up inside the chosen nodes, with statistics that see the
//     removals below: boilerplate-marked and unlikely elements, captions,
//     <h1> and title repeats, small headers, ad labels, share bars, and
//     Readability's conditional cleaning of divs, lists, tables and forms
//     (link density, image and input ratios, embeds). Elements that read
//     like article text (paragraphs, few links) survive a bad class name.
//
//  4. Collect and filter. Text blocks are cut at block elements and at every
//     <br>; whitespace is collapsed and entities decoded. A "Comments"
//     heading ends the article. Generic furniture goes wherever it stands
//     (ad labels, "Read more:"/"Baca juga:" teasers with links, link-only
//     blocks, bylines, label lines like "Tags:", date-only lines) and at the
//     edges (credits, datelines, copyright, short unpunctuated scraps).
//
// When the result is shorter than 500 characters, scoring runs again with
// fewer rules (unlikely stripping, class weights, conditional cleaning),
// like Readability; a laxer attempt must give clearly more text to win.
// JSON-LD articleBody stands in when the markup gives much less than it.
// Language comes from <html lang>, og:locale or content-language, else from
// whatlanggo over the text, restricted to common languages. There are no
// per-site rules.
//
// tools/extracteval measures the package against the open evaluation sets.
package extract
