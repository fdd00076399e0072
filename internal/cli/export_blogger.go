package cli

import (
	"bufio"
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// A way out: kabar export --format blogger writes the classic Blogger
// export (an Atom feed whose entries are told apart by kind categories),
// which Blogger's own "Import content" reads, and so does kabar import.

// bloggerFlags are export's options for --format blogger.
type bloggerFlags struct {
	blogURL *string
}

func addBloggerFlags(f *flags) bloggerFlags {
	return bloggerFlags{blogURL: f.String("blog-url", "", "with --format blogger: the site's address, for the posts' links (default: --base-url, then http://localhost)")}
}

// Blogger numbers posts and comments in one space; comments get numbers
// past every post's so that no two entries share an ID.
const bloggerCommentIDBase = 1_000_000_000_000

const bloggerKind = "http://schemas.google.com/blogger/2008/kind#"

type bxFeed struct {
	XMLName   xml.Name  `xml:"feed"`
	Xmlns     string    `xml:"xmlns,attr"`
	OpenSrch  string    `xml:"xmlns:openSearch,attr"`
	GD        string    `xml:"xmlns:gd,attr"`
	Thr       string    `xml:"xmlns:thr,attr"`
	ID        string    `xml:"id"`
	Updated   string    `xml:"updated"`
	Title     bxText    `xml:"title"`
	Links     []bxLink  `xml:"link"`
	Author    bxPerson  `xml:"author"`
	Generator bxGen     `xml:"generator"`
	Entries   []bxEntry `xml:"entry"`
}

type bxGen struct {
	Version string `xml:"version,attr"`
	URI     string `xml:"uri,attr"`
	Text    string `xml:",chardata"`
}

type bxText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type bxLink struct {
	Rel   string `xml:"rel,attr"`
	Type  string `xml:"type,attr"`
	Href  string `xml:"href,attr"`
	Title string `xml:"title,attr,omitempty"`
}

type bxPerson struct {
	Name  string `xml:"name"`
	URI   string `xml:"uri,omitempty"`
	Email string `xml:"email"`
}

type bxCategory struct {
	Scheme string `xml:"scheme,attr"`
	Term   string `xml:"term,attr"`
}

type bxReplyTo struct {
	Href   string `xml:"href,attr"`
	Ref    string `xml:"ref,attr"`
	Source string `xml:"source,attr"`
	Type   string `xml:"type,attr"`
}

type bxEntry struct {
	ID         string       `xml:"id"`
	Published  string       `xml:"published"`
	Updated    string       `xml:"updated"`
	Categories []bxCategory `xml:"category"`
	Title      bxText       `xml:"title"`
	Content    bxText       `xml:"content"`
	Links      []bxLink     `xml:"link"`
	Author     bxPerson     `xml:"author"`
	ReplyTo    *bxReplyTo   `xml:"thr:in-reply-to,omitempty"`
	Total      *int         `xml:"thr:total,omitempty"`
}

// writeBloggerExport writes every post with its labels and approved
// comments, and every page, as one classic Blogger export.
func writeBloggerExport(ctx context.Context, out io.Writer, b *backend, bf bloggerFlags, baseURL string) error {
	site := strings.TrimRight(cmp.Or(*bf.blogURL, baseURL, "http://localhost"), "/")
	if !isHTTPURL(site) {
		return fmt.Errorf("%w: --blog-url %q: want the site's address, such as https://news.example.org", errUsage, site)
	}
	settings, err := b.Settings(ctx)
	if err != nil {
		return err
	}
	title := cmp.Or(settings["site.title"], "kabar")
	host := strings.TrimPrefix(strings.TrimPrefix(site, "https://"), "http://")
	blogID := "tag:blogger.com,1999:blog-" + blogNumber(host)
	entryID := func(n int64) string { return blogID + ".post-" + strconv.FormatInt(n, 10) }
	feed := bxFeed{
		Xmlns: "http://www.w3.org/2005/Atom", OpenSrch: "http://a9.com/-/spec/opensearchrss/1.0/",
		GD: "http://schemas.google.com/g/2005", Thr: "http://purl.org/syndication/thread/1.0",
		ID: blogID + ".archive", Updated: bloggerTime(time.Now()),
		Title:     bxText{"text", title},
		Links:     []bxLink{{Rel: "alternate", Type: "text/html", Href: site + "/"}},
		Author:    bxPerson{Name: title, Email: "noreply@blogger.com"},
		Generator: bxGen{Version: "7.00", URI: "http://www.blogger.com", Text: "Blogger"},
	}
	const page = 500
	for offset := 0; ; offset += page {
		posts, err := b.Posts(ctx, store.PostQuery{Limit: page, Offset: offset})
		if err != nil {
			return err
		}
		for i := range posts {
			p := &posts[i]
			labels, err := b.PostLabels(ctx, p.ID)
			if err != nil {
				return err
			}
			comments, err := b.Comments(ctx, p.ID, true)
			if err != nil {
				return err
			}
			url := site + p.Path()
			n := len(comments)
			e := bxEntry{
				ID: entryID(p.ID), Published: bloggerTime(p.Published), Updated: bloggerTime(p.Published),
				Categories: []bxCategory{{Scheme: "http://schemas.google.com/g/2005#kind", Term: bloggerKind + "post"}},
				Title:      bxText{"text", p.Title},
				Content:    bxText{"html", paragraphsHTML(p.Paragraphs, p.Description)},
				Links:      []bxLink{{Rel: "alternate", Type: "text/html", Href: url, Title: p.Title}},
				Author:     bxPerson{Name: p.Author, Email: "noreply@blogger.com"},
				Total:      &n,
			}
			seen := map[string]bool{}
			for _, l := range labels {
				// A post's language is read from its text again on
				// import; as a Blogger label it would come back a topic.
				if l.Kind == model.LabelLanguage {
					continue
				}
				if !seen[l.Name] {
					seen[l.Name] = true
					e.Categories = append(e.Categories, bxCategory{Scheme: "http://www.blogger.com/atom/ns#", Term: l.Name})
				}
			}
			feed.Entries = append(feed.Entries, e)
			pid := strconv.FormatInt(p.ID, 10)
			for _, c := range comments {
				ce := bxEntry{
					ID: entryID(bloggerCommentIDBase + c.ID), Published: bloggerTime(c.CreatedAt), Updated: bloggerTime(c.CreatedAt),
					Categories: []bxCategory{{Scheme: "http://schemas.google.com/g/2005#kind", Term: bloggerKind + "comment"}},
					Title:      bxText{"text", cutText(c.Body, 40)},
					Content:    bxText{"html", strings.ReplaceAll(html.EscapeString(c.Body), "\n", "<br />")},
					Links: []bxLink{{Rel: "alternate", Type: "text/html",
						Href: url + "?showComment=" + strconv.FormatInt(c.CreatedAt.UnixMilli(), 10) + "#c" + strconv.FormatInt(c.ID, 10)}},
					Author:  bxPerson{Name: c.Name, URI: c.Website, Email: "noreply@blogger.com"},
					ReplyTo: &bxReplyTo{Href: url, Ref: entryID(p.ID), Source: "http://www.blogger.com/feeds/" + pid + "/posts/default/" + pid, Type: "text/html"},
				}
				if c.ParentID != 0 {
					ce.Links = append(ce.Links, bxLink{Rel: "related", Type: "application/atom+xml",
						Href: "http://www.blogger.com/feeds/" + pid + "/comments/default/" + strconv.FormatInt(bloggerCommentIDBase+c.ParentID, 10)})
				}
				feed.Entries = append(feed.Entries, ce)
			}
		}
		if len(posts) < page {
			break
		}
	}
	pages, err := b.Pages(ctx)
	if err != nil {
		return err
	}
	for _, pg := range pages {
		feed.Entries = append(feed.Entries, bxEntry{
			ID: blogID + ".page-" + strconv.FormatInt(pg.ID, 10), Published: bloggerTime(pg.Published),
			Updated:    bloggerTime(firstTime(pg.Updated, pg.Published)),
			Categories: []bxCategory{{Scheme: "http://schemas.google.com/g/2005#kind", Term: bloggerKind + "page"}},
			Title:      bxText{"text", pg.Title},
			Content:    bxText{"html", paragraphsHTML(pg.Paragraphs, "")},
			Links:      []bxLink{{Rel: "alternate", Type: "text/html", Href: site + pg.Path(), Title: pg.Title}},
			Author:     bxPerson{Name: pg.Author, Email: "noreply@blogger.com"},
		})
	}
	w := bufio.NewWriter(out)
	w.WriteString("<?xml version='1.0' encoding='UTF-8'?>\n")
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(feed); err != nil {
		return err
	}
	w.WriteString("\n")
	return w.Flush()
}

func paragraphsHTML(paras []string, fallback string) string {
	if len(paras) == 0 && fallback != "" {
		paras = []string{fallback}
	}
	var b strings.Builder
	for _, p := range paras {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	return b.String()
}

func bloggerTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// cutText is the start of a comment, for its entry's title.
func cutText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// blogNumber gives a blog a stable number of its own from its address.
func blogNumber(host string) string {
	h := fnv.New32a()
	h.Write([]byte(host))
	return strconv.FormatUint(uint64(h.Sum32()), 10)
}
