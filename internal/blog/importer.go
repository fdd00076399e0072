package blog

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kabarnews/kabar/internal/extract"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/sanitize"
	"github.com/kabarnews/kabar/internal/store"
)

// Store is what an import writes to.
type Store interface {
	SavePost(ctx context.Context, p *model.Post) (bool, error)
	store.BlogStore
}

// ImageSaver fetches a post's lead image into the image store
// (*images.Maker is one).
type ImageSaver interface {
	Save(ctx context.Context, postID int64, imageURL, proxy string) error
}

// Importer stores an export's posts, pages and comments.
type Importer struct {
	Store Store
	// Images, when set, fetches each new post's first image as its lead
	// image; otherwise images stay links to where they are.
	Images ImageSaver
	// BaseURL is the blog's old address, for exports that do not name it
	// (Blogger's 2020 export); it makes old paths into the posts' original
	// addresses.
	BaseURL string
}

// Summary counts what an import did.
type Summary struct {
	Posts, PostsKnown       int // stored now, there already
	Pages, PagesKnown       int
	Comments, CommentsKnown int
	Labels                  int // labels given to posts
	OldPaths                int // old addresses that now redirect
	Images, ImageErrors     int
	// ImageFailures names the first images that could not be fetched.
	ImageFailures []string
}

func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "imported %d posts (%d there already), %d pages (%d there already), %d comments (%d there already)",
		s.Posts, s.PostsKnown, s.Pages, s.PagesKnown, s.Comments, s.CommentsKnown)
	fmt.Fprintf(&b, "; %d labels given; %d old addresses redirect", s.Labels, s.OldPaths)
	if s.Images > 0 || s.ImageErrors > 0 {
		fmt.Fprintf(&b, "; %d images fetched, %d failed", s.Images, s.ImageErrors)
	}
	return b.String()
}

// Import stores ex. It is idempotent: posts are known by their original
// address, pages by their slug and comments by their platform ID, so a
// second import of the same export adds nothing.
func (im *Importer) Import(ctx context.Context, ex *Export) (Summary, error) {
	var sum Summary
	base := strings.TrimRight(firstNonEmpty(im.BaseURL, ex.URL), "/")
	for i := range ex.Posts {
		if err := im.post(ctx, base, &ex.Posts[i], &sum); err != nil {
			return sum, fmt.Errorf("post %q (%s): %w", ex.Posts[i].Title, ex.Posts[i].Path, err)
		}
	}
	for i := range ex.Pages {
		if err := im.page(ctx, &ex.Pages[i], &sum); err != nil {
			return sum, fmt.Errorf("page %q (%s): %w", ex.Pages[i].Title, ex.Pages[i].Path, err)
		}
	}
	return sum, nil
}

// newPost makes the post of entry e, its text sanitized, its date and slug
// filled in where the export lacks them.
func newPost(base string, e *Entry) (*model.Post, error) {
	paras := cleanParagraphs(e.HTML)
	p := &model.Post{
		Title:      sanitize.Text(e.Title),
		Author:     sanitize.Text(e.Author),
		Published:  e.Published,
		Paragraphs: paras,
		SourceURL:  originalURL(e, base),
		ArticleID:  e.SourceID,
		// Search stems words by the post's language, and exports carry
		// none per post: it is read from the text, as for a page that
		// declares none.
		Language: extract.DetectLanguage(paras),
	}
	if len(paras) > 0 {
		p.Description = cut(paras[0], 300)
	}
	if imgs := Images(e.HTML); len(imgs) > 0 {
		p.Image = imgs[0]
	}
	// Blogger's path is kept as it was; WordPress's slug moves under
	// kabar's /YYYY/MM/.
	year, month, slug, blogPath := splitBloggerPath(e.Path)
	if p.Published.IsZero() {
		// An export that lost a post's date still has its edit time, or
		// at least the month in its address.
		p.Published = e.Updated
		if p.Published.IsZero() && blogPath {
			p.Published = time.Date(year, time.Month(month), 1, 12, 0, 0, 0, time.UTC)
		}
		if p.Published.IsZero() {
			return nil, errors.New("the export gives it no date; add a <published> time to its entry")
		}
	}
	if !blogPath {
		slug = e.Slug
	}
	if !goodSlug(slug) {
		slug = model.Slugify(firstNonEmpty(slug, p.Title))
	}
	p.Slug = slug
	if p.Title == "" {
		p.Title = firstNonEmpty(cut(firstNonEmpty(paras...), 80), slug)
	}
	return p, nil
}

func (im *Importer) post(ctx context.Context, base string, e *Entry, sum *Summary) error {
	p, err := newPost(base, e)
	if err != nil {
		return err
	}
	created, err := im.Store.SavePost(ctx, p)
	if err != nil {
		return err
	}
	if created {
		sum.Posts++
	} else {
		sum.PostsKnown++
	}
	// Where the post's old address is not its path here (another time zone
	// put it in another month, its slug was taken, or it came from
	// WordPress), the old address redirects.
	if err := im.oldPaths(ctx, e, p.Path(), p.ID, 0, created, sum); err != nil {
		return err
	}
	var labels []string
	for _, l := range e.Labels {
		if l = sanitize.Text(l); l != "" {
			labels = append(labels, l)
		}
	}
	if err := im.Store.AddPostLabels(ctx, p.ID, labels); err != nil {
		return err
	}
	if created {
		sum.Labels += len(labels)
	}
	ids := map[string]int64{}
	for _, c := range e.Comments {
		kc := &model.Comment{
			PostID:    p.ID,
			ParentID:  ids[c.ParentID],
			Name:      firstNonEmpty(sanitize.Text(c.Author), "Anonymous"),
			Website:   webAddress(c.AuthorURL),
			Body:      cleanText(c.HTML),
			Status:    model.CommentApproved,
			CreatedAt: c.Published,
		}
		if kc.CreatedAt.IsZero() {
			kc.CreatedAt = p.Published
		}
		if kc.Body == "" {
			continue
		}
		created, err := im.Store.AddImportedComment(ctx, c.SourceID, kc)
		if err != nil {
			return err
		}
		ids[c.SourceID] = kc.ID
		if created {
			sum.Comments++
		} else {
			sum.CommentsKnown++
		}
	}
	if created && im.Images != nil && p.Image != "" {
		if err := im.Images.Save(ctx, p.ID, p.Image, ""); err != nil {
			sum.ImageErrors++
			if len(sum.ImageFailures) < 5 {
				sum.ImageFailures = append(sum.ImageFailures, p.Image+": "+err.Error())
			}
		} else {
			sum.Images++
		}
	}
	return nil
}

func (im *Importer) page(ctx context.Context, e *Entry, sum *Summary) error {
	slug := e.Slug
	if !goodSlug(slug) {
		slug = model.Slugify(firstNonEmpty(slug, sanitize.Text(e.Title)))
	}
	pg := &model.Page{
		Slug:       slug,
		Title:      firstNonEmpty(sanitize.Text(e.Title), slug),
		Author:     sanitize.Text(e.Author),
		Paragraphs: cleanParagraphs(e.HTML),
		Published:  e.Published,
		Updated:    e.Updated,
	}
	created, err := im.Store.SavePage(ctx, pg)
	if err != nil {
		return err
	}
	if created {
		sum.Pages++
	} else {
		sum.PagesKnown++
	}
	return im.oldPaths(ctx, e, pg.Path(), 0, pg.ID, created, sum)
}

// oldPaths makes the entry's old addresses that are not its path here
// redirect to it.
func (im *Importer) oldPaths(ctx context.Context, e *Entry, path string, postID, pageID int64, created bool, sum *Summary) error {
	olds := e.OldPaths
	if raw, err := url.PathUnescape(e.Path); e.Path != "" && (err != nil || raw != path) {
		olds = append([]string{e.Path}, olds...)
	}
	for _, old := range olds {
		if err := im.Store.AddOldPath(ctx, old, postID, pageID); err != nil {
			return err
		}
		if created {
			sum.OldPaths++
		}
	}
	return nil
}

// cleanParagraphs is a body's paragraphs as kabar stores any post's:
// plain text, control characters and odd spaces gone.
func cleanParagraphs(src string) []string {
	var out []string
	for _, p := range Paragraphs(src) {
		if p = sanitize.Plain(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func cleanText(src string) string {
	return strings.Join(cleanParagraphs(src), "\n")
}

// splitBloggerPath reads /YYYY/MM/slug.html.
func splitBloggerPath(p string) (year, month int, slug string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) != 2 || !strings.HasSuffix(parts[2], ".html") {
		return 0, 0, "", false
	}
	year, err1 := strconv.Atoi(parts[0])
	month, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || month < 1 || month > 12 {
		return 0, 0, "", false
	}
	slug, err := url.PathUnescape(strings.TrimSuffix(parts[2], ".html"))
	if err != nil {
		return 0, 0, "", false
	}
	return year, month, slug, true
}

// goodSlug reports whether a platform's slug can be a path's file name
// here as it is: letters, digits, - and _ only.
func goodSlug(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// originalURL is the entry's address on the old blog.
func originalURL(e *Entry, base string) string {
	if e.URL != "" {
		return e.URL
	}
	if base != "" && strings.HasPrefix(e.Path, "/") {
		return base + e.Path
	}
	if e.Path != "" {
		return e.Path
	}
	return "urn:blog-import:" + e.SourceID
}

// webAddress keeps a commenter's address only when it is a web address.
func webAddress(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
