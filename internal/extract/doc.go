// Package extract turns a news page into an article: the body's text blocks
// in reading order plus the page's metadata.
//
// First the page is slimmed: one pass of the tokenizer copies it minus what
// is never content (the text of scripts, but JSON-LD and the streamed
// rendering's moves, of styles, noscript, iframes and textareas; the
// insides of templates; comments; attribute values over 2 KiB) and stops
// copying content after 3 MiB of markup, 1 MiB of text or 40 000 elements,
// keeping only meta, link and JSON-LD after that point. Only the copy is
// parsed, so an extraction's memory is bounded whatever the page (a parsed
// element costs some 400 bytes): see slim.go. A page of 128 KiB or less is
// parsed as it is: its tree is small whatever it holds, the tree building
// drops what slim would have, and the tokenizer's second pass cost about a
// seventh of such a page's time.
//
// The method, in one parse and a few walks over the extractor's own tree:
//
//  0. Resolve. Pages streamed by React's server rendering park their
//     content in hidden <div id="S:n"> segments that scripts move into
//     <template id="B:n"> boundaries; resolveStreaming does the move so the
//     body sits where a reader sees it.
//
//  1. Build. golang.org/x/net/html parses the page once; a light copy of the
//     tree keeps only what can be content (script, style, nav, forms'
//     controls, media and small hidden elements are dropped) and carries
//     per-node statistics computed bottom-up: text length, link text,
//     commas, counts of paragraphs, list items, images, inputs and embeds,
//     and the text of boilerplate-marked subtrees. Class, id and role
//     values mark nodes as unlikely (Readability's patterns), boilerplate
//     (share, social, related, newsletter, cookie, promo, ads, comments,
//     captions, bylines, breadcrumbs, ...) or body-like (article-body,
//     entry-content, itemprop=articleBody, ...); the patterns run once per
//     distinct class name (cached across pages). Metadata (meta tags,
//     JSON-LD, <time>, <h1>, <title>, canonical, amphtml, rel=author and
//     byline-named elements) is gathered on the same walk.
//
//  2. Site rule. When rules/<site>.json names the page's host, its strip
//     selectors remove elements first and its keep selectors name the
//     body's containers; the generic method runs when keep finds nothing.
//
//  3. Score (Readability). Paragraphs - <p>, <pre>, subheadings, containers
//     of inline text and runs of text split by <br><br> - of 25 characters or
//     more score 1 + commas + length/100 (at most 3) for their parent, half
//     for the grandparent and less further up; containers start from their
//     tag and class weight, and end multiplied by one minus their link
//     density. The best candidate moves up to a common ancestor of close
//     rivals or to a better-scoring parent, takes siblings that score well
//     by their own paragraph text (not a class name the whole page shares)
//     or read like paragraphs (not a deck parted from the body by a byline
//     or date line), and finally widens to an ancestor that holds
//     clearly more paragraph and list text, when that ancestor is mostly
//     such text once its boilerplate-marked parts are set aside and what it
//     adds is not mostly links (bodies split over sibling sections, cards
//     of a guide).
//
//  4. Clean. Bottom-up inside the chosen nodes, with statistics that see the
//     removals below: boilerplate-marked and unlikely elements (never the
//     wrappers of the scored container), captions, <h1> and title repeats,
//     small headers, ad labels, share bars, and Readability's conditional
//     cleaning of divs, lists, tables and forms (link density, image and
//     form-field ratios, embeds). Elements that read like article text
//     survive a bad class name, and when most of the body sits under
//     negative class names (page builders call every block a widget) the
//     names are not held against it.
//
//  5. Collect and filter. Text blocks are cut at block elements and at every
//     <br>; a data table's row is one line, its cells joined by " | ".
//     A "Comments" heading ends the article, as do "comments are closed"
//     and readers' posts stamped "Posted by: name on time". A kicker or
//     deck before the byline or date line at the top is the header's.
//     Embedded widgets' lines go with the other lines of their small box
//     (players' notices, "Listen to this article", "Follow X on
//     WhatsApp", podcast and newsletter calls). Generic furniture goes
//     wherever it stands (ad labels, "Read more:"/"Baca juga:" teasers with
//     links, link-only blocks, bylines, label lines like "Tags:", date-only
//     lines, page markers like "Page 2 of 3") and at the edges (credits,
//     datelines, copyright, short unpunctuated scraps; a live blog keeps its
//     leading time stamp).
//
// When the result is shorter than 500 characters, scoring runs again with
// fewer rules (unlikely stripping, class weights, conditional cleaning),
// like Readability; a laxer attempt must give clearly more text to win.
// JSON-LD articleBody stands in when the markup gives much less than it.
//
// Metadata. The title is the visible headline: the short block whose words
// best match a reference title (og:title, JSON-LD headline, <title> and its
// pieces, never the site's own name nor a domain name or section before
// the headline), preferring headings and blocks just before the body, and
// a heading that opens a <title> holding headline and deck; a section's
// label (kicker) a <title> names yields to the headline under it, a deck
// or an agency's credit line is none; else the metadata title; else the
// headline-like block nearest before the body (or the page's <h1> a little
// further up, or a headline-like line opening the body). Mojibake (UTF-8
// read as Latin-1) is repaired. A body that starts with the title loses
// it. A headline printed from the <title> loses a trailing site or domain
// name, and takes the declared title's quotes and dashes when the words
// are the same.
// Times keep the zone the page gave (so that the day is the page's day);
// the published time comes from JSON-LD and meta tags and is settled
// against the dates the page shows by its headline and byline, read with
// their labels ("Published", "Updated", in several languages; numeric
// dates day first but on US pages), not from prose: see settleDates.
// Authors come from JSON-LD (references in a @graph resolved) or meta
// tags when they name people, else from twitter:label "Written by",
// rel=author, byline-named elements, a name after an "Author" label, a
// link to an author's page or a "By ..." line by the headline, and last an
// organisation JSON-LD names; bylines lose roles ("By X, Political
// Editor") and keep several names. See docs/extract.md.
// Language comes from <html lang>, og:locale or content-language, else from
// the text: English and Indonesian by their function words, others by
// whatlanggo, restricted to common languages.
//
// Explain tells, block by block, what was kept or dropped and why; `kabar
// extract --explain` prints it. tools/extracteval and the bench module
// (make bench-extract) measure the package against the open evaluation sets.
package extract
