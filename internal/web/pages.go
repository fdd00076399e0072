package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// excerptRunes caps an excerpt; a long lead paragraph would otherwise turn
// a listing into the articles themselves.
const excerptRunes = 300

// listPage is every listing: home, label, month, search and publisher.
type listPage struct {
	*view
	Heading  string
	Intro    string
	Posts    []postSummary
	Empty    string
	NewerURL string
	OlderURL string
	// Search is set on the search page, to fill the search form.
	Search bool
	// Help explains the query language under a search's results.
	Help string
	// Setup tells the owner of a site without feeds how to add one.
	Setup *setupHelp
}

// setupHelp is the empty home page's advice to its owner.
type setupHelp struct {
	AdminURL string
	Command  string
}

type postSummary struct {
	Title     template.HTML // escaped, with search terms in <mark>
	URL       string
	Publisher string
	PubURL    string
	Published time.Time
	Excerpt   template.HTML
	Comments  string
	// Lang is the post's language when it differs from the page's.
	Lang string
	// More links a home entry's story: "and N more reports".
	More, StoryURL string
	// Image is the post's thumbnail, nil for none.
	Image *imgLink
}

// pageNumber reads ?page=; ok is false for anything but a positive integer.
func pageNumber(r *http.Request) (int, bool) {
	raw := r.URL.Query().Get("page")
	if raw == "" {
		return 1, true
	}
	n, err := strconv.Atoi(raw)
	return n, err == nil && n >= 1 && n <= 1<<20
}

// pager sets the newer/older links of page n of a listing of total posts,
// keeping the request's other parameters (q, hl).
func (p *listPage) pager(r *http.Request, n, size, total int) {
	link := func(page int) string {
		q := r.URL.Query()
		q.Del("page")
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		return u.String()
	}
	if n > 1 {
		p.NewerURL = link(n - 1)
	}
	if n*size < total {
		p.OlderURL = link(n + 1)
	}
	if n > 1 {
		page := p.view.N("home.page", n)
		if p.Title != "" {
			p.Title += " — " + page
		} else {
			p.Title = page
		}
		p.Heading += " — " + page
	}
}

// summaries turns posts into listing entries with their comment counts.
func (s *Server) summaries(r *http.Request, v *view, posts []model.Post) ([]postSummary, error) {
	return summariesWith(v, posts, s.extras(r.Context(), postIDs(posts)))
}

// postExtras are what a summary shows of its post besides the post: the
// count of its comments and its image.
type postExtras struct {
	counts map[int64]int
	imgs   map[int64]*postImage
	err    error
}

// extras asks for the comment counts and images of the posts named by
// ids, both at once.
func (s *Server) extras(ctx context.Context, ids []int64) postExtras {
	var e postExtras
	e.imgs, e.err = s.imagesBeside(ctx, ids, func(ids []int64) (err error) {
		e.counts, err = s.st.CommentCounts(ctx, ids)
		return err
	})
	return e
}

// summariesWith makes posts' summaries with their extras.
func summariesWith(v *view, posts []model.Post, e postExtras) ([]postSummary, error) {
	if e.err != nil {
		return nil, e.err
	}
	out := make([]postSummary, len(posts))
	for i := range posts {
		p := &posts[i]
		out[i] = postSummary{
			Title:     template.HTML(template.HTMLEscapeString(p.Title)),
			URL:       v.Link(p.Path()),
			Publisher: p.Publisher,
			PubURL:    v.Link(publisherPath(p.Publisher)),
			Published: p.Published,
			Excerpt:   template.HTML(template.HTMLEscapeString(excerpt(p))),
			Comments:  v.commentCount(e.counts[p.ID]),
			Lang:      v.otherLang(p.Language),
		}
		if im := e.imgs[p.ID]; im != nil {
			out[i].Image = im.Thumb
		}
	}
	return out, nil
}

// imagesBeside asks for the images of the posts named by ids
// (postImagesByID) while ask asks the database its own question of them:
// on PostgreSQL each is a round trip, and a listing waits for both.
func (s *Server) imagesBeside(ctx context.Context, ids []int64, ask func(ids []int64) error) (map[int64]*postImage, error) {
	imgsc := make(chan map[int64]*postImage, 1)
	go func() { imgsc <- s.postImagesByID(ctx, ids) }()
	err := ask(ids)
	return <-imgsc, err
}

// postIDs are the IDs of posts, in their order.
func postIDs(posts []model.Post) []int64 {
	ids := make([]int64, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	return ids
}

func (v *view) commentCount(n int) string {
	switch n {
	case 0:
		return v.T("comments.count.none")
	case 1:
		return v.T("comments.count.one")
	}
	return v.N("comments.count.many", n)
}

// listing serves one page of a listing of the posts q selects.
func (s *Server) listing(w http.ResponseWriter, r *http.Request, v *view, p *listPage, q store.ListQuery) error {
	n, ok := pageNumber(r)
	if !ok {
		s.notFound(w, r)
		return nil
	}
	ctx := r.Context()
	var total int
	var err error
	if q.Label == "" && q.Publisher == "" && len(q.Publishers) == 0 && q.Year == 0 {
		total, err = s.count(ctx, "posts", func() (int, error) { return s.st.CountPosts(ctx) })
	} else {
		total, err = s.count(ctx, fmt.Sprintf("list %#v", q), func() (int, error) { return s.st.CountListPosts(ctx, q) })
	}
	if err != nil {
		return err
	}
	size := s.cfg.PageSize
	if n > 1 && (n-1)*size >= total {
		s.notFound(w, r)
		return nil
	}
	q.Limit, q.Offset = size, (n-1)*size
	posts, err := s.st.ListPosts(ctx, q)
	if err != nil {
		return err
	}
	p.view = v
	if p.Posts, err = s.summaries(r, v, posts); err != nil {
		return err
	}
	p.pager(r, n, size, total)
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "list", p)
	return nil
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r)
	if s.cache.settings(r.Context()).HomeStories {
		return s.storiesListing(w, r, v, v.T("home.heading"), 1)
	}
	return s.front(w, r, v)
}

// front serves the home page: the latest posts, a story once (its first
// report, with a link to the others), never a copy beside its original.
func (s *Server) front(w http.ResponseWriter, r *http.Request, v *view) error {
	n, ok := pageNumber(r)
	if !ok {
		s.notFound(w, r)
		return nil
	}
	ctx := r.Context()
	total, err := s.count(ctx, "front", func() (int, error) { return s.st.CountFrontPosts(ctx) })
	if err != nil {
		return err
	}
	size := s.cfg.PageSize
	if n > 1 && (n-1)*size >= total {
		s.notFound(w, r)
		return nil
	}
	front, err := s.st.FrontPosts(ctx, size, (n-1)*size)
	if err != nil {
		return err
	}
	p := &listPage{view: v, Heading: v.T("home.heading"), Empty: v.T("home.empty")}
	posts := make([]model.Post, len(front))
	for i := range front {
		posts[i] = front[i].Post
	}
	if p.Posts, err = s.summaries(r, v, posts); err != nil {
		return err
	}
	for i, f := range front {
		if f.StoryPosts > 1 {
			p.Posts[i].StoryURL = v.Link(storyPath(f.StoryID))
			p.Posts[i].More = v.moreReports(f.StoryPosts - 1)
		}
	}
	if total == 0 {
		feeds, err := s.st.Feeds(ctx)
		if err != nil {
			return err
		}
		if len(feeds) == 0 {
			p.Setup = &setupHelp{AdminURL: v.Link("/admin/feeds"), Command: "kabar feeds add https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en"}
			p.Empty = v.T("home.no_feeds")
		}
	}
	p.pager(r, n, size, total)
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "list", p)
	return nil
}

// moreReports is the home page's "and N more reports".
func (v *view) moreReports(n int) string {
	if n == 1 {
		return v.T("home.more.one")
	}
	return v.N("home.more.many", n)
}

// otherLang is lang when it names a language other than the page's, for a
// lang attribute; "" otherwise.
func (v *view) otherLang(lang string) string {
	if lang == "" {
		return ""
	}
	base, _ := language.Make(lang).Base()
	page, _ := language.Make(v.Lang).Base()
	if base == page {
		return ""
	}
	return lang
}

// excerpt is the post's first paragraph, cut at a word boundary.
func excerpt(p *model.Post) string {
	text := p.Description
	if len(p.Paragraphs) > 0 {
		text = p.Paragraphs[0]
	}
	return cut(text, excerptRunes)
}

// cut shortens text to about n runes at a word boundary.
func cut(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	c := text[:runeOffset(text, n)]
	if i := strings.LastIndexByte(c, ' '); i > 0 {
		c = c[:i]
	}
	return strings.TrimRight(c, " ,;:.") + "…"
}

// runeOffset is the byte offset of the n-th rune of s.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

type postPage struct {
	*view
	Post          *model.Post
	GoogleNewsURL string
	PublisherURL  string
	Labels        []labelLink
	// Story links to the post's story when it has other reports.
	Story *postStory
	// Excerpt is set when the feed shows excerpts: the page shows it and
	// sends the reader to the publisher for the rest.
	Excerpt         string
	Threads         []thread
	CommentsHeading string
	CommentsFeed    string
	Pending         bool
	Published       bool // the reader's comment went straight out
	FormAction      string
	CSRFToken       string
	Form            commentForm
	ReplyTo         *model.Comment
	CancelReplyURL  string
	// Own are the reader's comments that await moderation.
	Own []model.Comment
	// PostLang is the post's language when it differs from the page's.
	PostLang string
	// Newer and Older are the posts published next to this one.
	Newer, Older *adjacentLink
	// Image is the post's lead image, nil for none.
	Image *postImage
}

type adjacentLink struct {
	Title, URL string
}

// thread is a comment with its replies; replies go one level deep.
type thread struct {
	model.Comment
	ReplyURL string
	Replies  []model.Comment
}

func (s *Server) handlePost(w http.ResponseWriter, r *http.Request) error {
	post, err := s.lookupPost(w, r)
	if post == nil {
		return err
	}
	v := s.newView(r)
	form := commentForm{}
	if id, err := strconv.ParseInt(r.URL.Query().Get("reply"), 10, 64); err == nil {
		form.Parent = id
	}
	q := r.URL.Query().Get("comment")
	return s.renderPost(w, r, v, http.StatusOK, post, form, q == "pending", q == "published")
}

// lookupPost finds the post named by the request's path. When there is
// none it answers 404 itself and returns no post; the store's error is
// returned, for the handler to return.
func (s *Server) lookupPost(w http.ResponseWriter, r *http.Request) (*model.Post, error) {
	year, month, slug, ok := parsePostPath(r.PathValue("year"), r.PathValue("month"), r.PathValue("file"))
	if !ok {
		s.notFound(w, r)
		return nil, nil
	}
	post, err := s.st.PostByPath(r.Context(), year, month, slug)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, nil
	}
	return post, err
}

// parsePostPath checks the parts of /YYYY/MM/slug.html strictly, so that
// /2021/1/x.html or /2021/11/x does not become a second address of a post.
func parsePostPath(y, m, file string) (year, month int, slug string, ok bool) {
	slug, found := strings.CutSuffix(file, ".html")
	if !found || slug == "" {
		return 0, 0, "", false
	}
	year, month, ok = parseYearMonth(y, m)
	if !ok {
		return 0, 0, "", false
	}
	return year, month, slug, true
}

// parseYearMonth checks a path's YYYY and MM.
func parseYearMonth(y, m string) (year, month int, ok bool) {
	if len(y) != 4 || len(m) != 2 || !allDigits(y) || !allDigits(m) {
		return 0, 0, false
	}
	year, _ = strconv.Atoi(y)
	month, _ = strconv.Atoi(m)
	if year < 1 || month < 1 || month > 12 {
		return 0, 0, false
	}
	return year, month, true
}

func allDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func (s *Server) renderPost(w http.ResponseWriter, r *http.Request, v *view, status int, post *model.Post, form commentForm, pending, published bool) error {
	ctx := r.Context()
	comments, err := s.st.Comments(ctx, post.ID, true)
	if err != nil {
		return err
	}
	labels, err := s.st.PostLabels(ctx, post.ID)
	if err != nil {
		return err
	}
	v.Title = post.Title
	set := s.cache.settings(ctx)
	// The text is the publisher's; the original, not this copy, is the one
	// search engines should list, unless the owner says otherwise.
	v.Canonical = post.SourceURL
	base := s.baseURL(r)
	if set.CanonicalSelf || v.Canonical == "" {
		v.Canonical = base + post.Path()
	}
	desc := excerpt(post)
	if desc != "" {
		v.Description = desc
	}
	v.OG = &openGraph{Type: "article", Title: post.Title, Description: desc, URL: base + post.Path(),
		SiteName: v.SiteTitle, Locale: ogLocale(v.Lang), Published: post.Published.UTC().Format(time.RFC3339),
		Author: firstOf(post.Author, post.Publisher)}
	// The preview's image is the site's own copy: a link shared anywhere
	// makes readers' apps ask this site, never the publisher.
	img := s.postImageOf(ctx, post)
	if img != nil {
		v.OG.Image = base + img.Wide.URL
	}
	newer, older, err := s.st.AdjacentPosts(ctx, post)
	if err != nil {
		return err
	}
	p := &postPage{
		view:          v,
		Post:          post,
		GoogleNewsURL: googleNewsLink(post.ItemLink),
		Pending:       pending,
		Published:     published,
		FormAction:    v.Link(post.Path()) + "#comment-form",
		CSRFToken:     s.csrfToken(w, r),
		Form:          form,
		CommentsFeed:  "/feeds/" + strconv.FormatInt(post.ID, 10) + "/comments/default",
		PostLang:      v.otherLang(post.Language),
		Image:         img,
	}
	if newer != nil {
		p.Newer = &adjacentLink{Title: newer.Title, URL: v.Link(newer.Path())}
	}
	if older != nil {
		p.Older = &adjacentLink{Title: older.Title, URL: v.Link(older.Path())}
	}
	if post.Publisher != "" {
		p.PublisherURL = v.Link(publisherPath(post.Publisher))
	}
	for _, l := range labels {
		p.Labels = append(p.Labels, labelLink{Name: v.LabelName(l), URL: v.Link(labelPath(l.Name))})
	}
	if s.cache.feedOptions(ctx, post.FeedID).Excerpt {
		p.Excerpt = excerpt(post)
	}
	p.Story = s.storyLinkOf(ctx, v, post.ID)
	p.Threads = threads(comments, func(id int64) string {
		return v.Link(post.Path()+"?reply="+strconv.FormatInt(id, 10)) + "#comment-form"
	})
	for i := range p.Threads {
		if p.Threads[i].ID == form.Parent {
			p.ReplyTo = &p.Threads[i].Comment
			p.CancelReplyURL = v.Link(post.Path()) + "#comment-form"
		}
	}
	if p.ReplyTo == nil {
		p.Form.Parent = 0
	}
	p.Own = s.ownPending(r, post.ID)
	if p.Form.Name == "" && p.Form.Website == "" && p.Form.Errors == nil {
		p.Form.Name, p.Form.Website = remembered(r)
	}
	switch len(comments) {
	case 0:
		p.CommentsHeading = v.T("comments.none")
	case 1:
		p.CommentsHeading = v.T("comments.one")
	default:
		p.CommentsHeading = v.N("comments.many", len(comments))
	}
	s.withSidebar(r, v)
	v.Feeds = append(v.Feeds, feedLink{Type: "application/atom+xml", Title: v.T("feed.comments") + " — " + post.Title, URL: p.CommentsFeed})
	// The page carries a token bound to this reader's cookie, so no shared
	// cache may keep it.
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, status, "post", p)
	return nil
}

// threads groups comments (oldest first) into top-level comments with their
// replies. A reply whose parent is not shown is shown on its own.
func threads(comments []model.Comment, replyURL func(int64) string) []thread {
	var out []thread
	index := map[int64]int{}
	for _, c := range comments {
		if i, ok := index[c.ParentID]; ok && c.ParentID != 0 {
			out[i].Replies = append(out[i].Replies, c)
			continue
		}
		index[c.ID] = len(out)
		out = append(out, thread{Comment: c, ReplyURL: replyURL(c.ID)})
	}
	return out
}

// ogLocale is a page language as Open Graph writes locales.
func ogLocale(lang string) string {
	switch lang {
	case "id":
		return "id_ID"
	case "en":
		return "en_US"
	}
	return lang
}

// googleNewsLink returns link when it points at Google News, else "".
func googleNewsLink(link string) string {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host != "news.google.com" {
		return ""
	}
	return link
}
