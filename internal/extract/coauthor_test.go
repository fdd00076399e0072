package extract

import (
	"fmt"
	"testing"
)

// authorPage is an article page with the given head tags and byline.
func authorPage(head, byline string) []byte {
	return []byte(fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><title>Planting garlic in autumn</title>%s</head>
<body><header><nav><a href="/">Home</a> <a href="/blog">Blog</a></nav></header>
<main><article><h1>Planting garlic in autumn</h1>%s
<p>Garlic planted in October has the whole winter to grow roots, and the cloves that go into cold soil come up stronger in spring than any planted after the frost.</p>
<p>Choose the largest cloves from firm bulbs, push each one into loose soil with its pointed end up, and leave a hand's width between them so the bulbs have room.</p>
<p>A layer of straw over the bed keeps the soil from freezing hard and holds back the weeds until the shoots are tall enough to look after themselves.</p>
</article></main><footer><p>Copyright 2025</p></footer></body></html>`, head, byline))
}

// A personal site names its writer as author and as site: the site's name
// is then the author, after every byline. A publication that names itself
// as author gives no author.
func TestOwnerAuthor(t *testing.T) {
	for _, tc := range []struct {
		name, head, byline, want string
	}{
		{"personal site", `<meta property="og:site_name" content="Elena Marsh"><meta name="author" content="Elena Marsh">`, "", "Elena Marsh"},
		{"personal site, JSON-LD", `<meta property="og:site_name" content="Elena van der Berg"><script type="application/ld+json">{"@type":"BlogPosting","author":{"@type":"Person","name":"Elena van der Berg"}}</script>`, "", "Elena van der Berg"},
		{"a byline first", `<meta property="og:site_name" content="Elena Marsh"><meta name="author" content="Elena Marsh">`, `<p class="byline">By Tom Reed</p>`, "Tom Reed"},
		{"a publication", `<meta property="og:site_name" content="Garden News"><meta name="author" content="Garden News">`, "", ""},
		{"a society", `<meta property="og:site_name" content="Allotment Society"><meta name="author" content="Allotment Society">`, "", ""},
		{"a site not named as author", `<meta property="og:site_name" content="Elena Marsh">`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art, err := Extract(authorPage(tc.head, tc.byline), "https://garden.example/blog/garlic")
			if err != nil {
				t.Fatal(err)
			}
			if art.Author != tc.want {
				t.Errorf("author %q, want %q", art.Author, tc.want)
			}
		})
	}
}

// Metadata that has room for one author names the first; the byline on
// the page names them all, and the biographies of all of them are not the
// article's.
func TestCoAuthors(t *testing.T) {
	const meta = `<meta name="author" content="Marta Lind">`
	for _, tc := range []struct {
		name, byline, want string
	}{
		{"three names", `<div class="post-author">Written by <span>Dr Marta Lind</span>, <span>Jon Ek</span>, <span>Sara van den Bosch</span></div>`, "Dr Marta Lind, Jon Ek, Sara van den Bosch"},
		{"two names", `<div class="post-author">By Marta Lind and Jon Ek</div>`, "Marta Lind and Jon Ek"},
		{"a name and a role", `<div class="post-author">By Marta Lind, Master Gardener</div>`, "Marta Lind"},
		{"a name and an outlet", `<div class="post-author">By Marta Lind, Garden Magazine, Jon Ek</div>`, "Marta Lind"},
		{"other people", `<div class="post-author">By Jon Ek and Sara Holm</div>`, "Marta Lind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art, err := Extract(authorPage(meta, tc.byline), "https://garden.example/blog/garlic")
			if err != nil {
				t.Fatal(err)
			}
			if art.Author != tc.want {
				t.Errorf("author %q, want %q", art.Author, tc.want)
			}
		})
	}
}
