package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Stories: the reports of one event grouped by internal/story. Readers get
// /stories (and the home page, when the owner chose so in /admin/settings),
// /story/{id} with every report newest first, and its feed at
// /story/{id}/feed (Atom; ?alt=rss, ?alt=json). The API has GET
// /api/stories and GET /api/stories/{id}. A story merged into another
// redirects there (308).

// settingHomeStories is the setting that makes the home page list stories.
const settingHomeStories = "site.home_stories"

func (s *Server) storyRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /stories", s.handle(s.handleStories))
	m.HandleFunc("GET /story/{id}", s.handle(s.handleStory))
	m.HandleFunc("GET /story/{id}/feed", s.handle(s.handleStoryFeed))
}

func storyPath(id int64) string { return "/story/" + strconv.FormatInt(id, 10) }

// storyPage is /story/{id}.
type storyPage struct {
	*view
	Story   *store.Story
	Heading string
	Summary string
	Reports []storyReport
	FeedURL string
}

// storyReport is one report of a story as the page shows it.
type storyReport struct {
	Title     string
	URL       string // the post on this site
	Original  string // the publisher's page
	Publisher string
	PubURL    string
	Published time.Time
	// CopyOf is the publisher (or title) of the report this one copies;
	// empty for its own reporting.
	CopyOf    string
	CopyOfURL string
	// Also are the other sites that published the very same text (items
	// that led to this post).
	Also []alsoLink
	// Excerpt is the report's first paragraph; Lang its language when it
	// differs from the page's.
	Excerpt, Lang string
	Image         *imgLink
}

type alsoLink struct {
	Publisher, URL string
}

// storyID reads the {id} of a story path; ok is false (and a 404 served)
// for anything but a positive integer.
func (s *Server) storyID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != raw {
		s.notFound(w, r)
		return 0, false
	}
	return id, true
}

// lookupStory finds a story. For an unknown story it answers 404, for a
// story merged into another the redirect, itself, and returns no story;
// the store's error is returned, for the handler to return.
func (s *Server) lookupStory(w http.ResponseWriter, r *http.Request, id int64, suffix string) (*store.Story, error) {
	st, err := s.st.Story(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return nil, nil
	case err != nil:
		return nil, err
	case st.MergedInto != 0:
		target := storyPath(st.MergedInto) + suffix
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
		return nil, nil
	}
	return st, nil
}

func (s *Server) handleStory(w http.ResponseWriter, r *http.Request) error {
	id, ok := s.storyID(w, r)
	if !ok {
		return nil
	}
	st, err := s.lookupStory(w, r, id, "")
	if st == nil {
		return err
	}
	reports, err := s.st.StoryReports(r.Context(), id)
	if err != nil {
		return err
	}
	v := s.newView(r)
	v.Title = st.Title
	p := &storyPage{view: v, Story: st, Heading: st.Title, FeedURL: storyPath(id) + "/feed"}
	p.Reports = s.storyReports(r.Context(), v, reports)
	publishers := map[string]bool{}
	for _, rep := range p.Reports {
		publishers[rep.Publisher] = true
		for _, a := range rep.Also {
			publishers[a.Publisher] = true
		}
	}
	delete(publishers, "")
	p.Summary = v.storySummary(len(reports), len(publishers), st)
	s.withSidebar(r, v)
	v.Feeds = append(feedLinks(p.FeedURL, v.T("feed.story")+" — "+st.Title), v.Feeds...)
	s.render(w, http.StatusOK, "story", p)
	return nil
}

// storySummary is the line under a story's title: reports, publishers,
// copies, first and latest report.
func (v *view) storySummary(reports, publishers int, st *store.Story) string {
	parts := []string{v.reportCount(reports)}
	if publishers > 1 {
		parts = append(parts, v.N("story.publishers", publishers))
	}
	if st.Copies == 1 {
		parts = append(parts, v.T("story.copies.one"))
	} else if st.Copies > 1 {
		parts = append(parts, v.N("story.copies.many", st.Copies))
	}
	parts = append(parts, v.T("story.first")+" "+v.Date(st.FirstPublished))
	if st.LastPublished.After(st.FirstPublished) {
		parts = append(parts, v.T("story.latest")+" "+v.Date(st.LastPublished))
	}
	return strings.Join(parts, " · ")
}

func (v *view) reportCount(n int) string {
	if n == 1 {
		return v.T("story.reports.one")
	}
	return v.N("story.reports.many", n)
}

// storyReports turns a story's reports into the page's entries.
func (s *Server) storyReports(ctx context.Context, v *view, reports []store.StoryReport) []storyReport {
	byID := map[int64]*model.Post{}
	posts := make([]model.Post, len(reports))
	for i := range reports {
		byID[reports[i].Post.ID] = &reports[i].Post
		posts[i] = reports[i].Post
	}
	imgs := s.postImages(ctx, posts)
	out := make([]storyReport, 0, len(reports))
	for _, rep := range reports {
		p := &rep.Post
		e := storyReport{
			Title: p.Title, URL: v.Link(p.Path()), Original: p.SourceURL, Publisher: p.Publisher,
			Published: p.Published, Excerpt: excerpt(p), Lang: v.otherLang(p.Language),
		}
		if im := imgs[p.ID]; im != nil {
			e.Image = im.Thumb
		}
		if p.Publisher != "" {
			e.PubURL = v.Link(publisherPath(p.Publisher))
		}
		if rep.Link.CopyOf != 0 {
			e.CopyOf = v.T("story.copy.unknown")
			if orig := byID[rep.Link.CopyOf]; orig != nil {
				e.CopyOf = firstOf(orig.Publisher, orig.Title)
				e.CopyOfURL = v.Link(orig.Path())
			}
		}
		seen := map[string]bool{p.Publisher: true}
		for _, it := range rep.Items {
			if it.Publisher == "" || seen[it.Publisher] {
				continue
			}
			seen[it.Publisher] = true
			e.Also = append(e.Also, alsoLink{Publisher: it.Publisher, URL: firstOf(it.SourceURL, it.Link)})
		}
		out = append(out, e)
	}
	return out
}

// storiesPage is /stories and, when the owner chose so, the home page.
type storiesPage struct {
	*view
	Heading  string
	Stories  []storySummary
	Empty    string
	NewerURL string
	OlderURL string
}

type storySummary struct {
	Title     string
	URL       string
	Reports   string
	Publisher string
	PubURL    string
	Latest    time.Time
	Excerpt   string
	Lang      string // the lead's language when it differs from the page's
	Image     *imgLink
}

func (s *Server) handleStories(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r)
	v.Title = v.T("stories.title")
	return s.storiesListing(w, r, v, v.T("stories.heading"), 2)
}

// storiesListing serves one page of stories of at least minPosts reports,
// newest report first. /stories leaves single reports out: they are on
// the home page.
func (s *Server) storiesListing(w http.ResponseWriter, r *http.Request, v *view, heading string, minPosts int) error {
	n, ok := pageNumber(r)
	if !ok {
		s.notFound(w, r)
		return nil
	}
	ctx := r.Context()
	q := store.StoryQuery{MinPosts: minPosts}
	total, err := s.st.CountStories(ctx, q)
	if err != nil {
		return err
	}
	size := s.cfg.PageSize
	if n > 1 && (n-1)*size >= total {
		s.notFound(w, r)
		return nil
	}
	q.Limit, q.Offset = size, (n-1)*size
	stories, err := s.st.Stories(ctx, q)
	if err != nil {
		return err
	}
	p := &storiesPage{view: v, Heading: heading, Empty: v.T("stories.empty")}
	for _, st := range stories {
		e := storySummary{Title: st.Title, URL: v.Link(storyPath(st.ID)), Reports: v.reportCount(st.Posts), Latest: st.LastPublished}
		if lead, err := s.st.Post(ctx, st.LeadPostID); err == nil {
			e.Excerpt = excerpt(lead)
			e.Lang = v.otherLang(lead.Language)
			if im := s.postImageOf(ctx, lead); im != nil {
				e.Image = im.Thumb
			}
			e.Publisher = lead.Publisher
			if lead.Publisher != "" {
				e.PubURL = v.Link(publisherPath(lead.Publisher))
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p.Stories = append(p.Stories, e)
	}
	// The pager of listings, on this page's fields.
	lp := &listPage{view: v, Heading: p.Heading}
	lp.pager(r, n, size, total)
	p.Heading, p.NewerURL, p.OlderURL = lp.Heading, lp.NewerURL, lp.OlderURL
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "stories", p)
	return nil
}

// storyLinkOf is what a post's page says of its story: nothing unless the
// story has other reports.
func (s *Server) storyLinkOf(ctx context.Context, v *view, postID int64) *postStory {
	l, err := s.st.PostStory(ctx, postID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("web: story of post", "post", postID, "err", err)
		}
		return nil
	}
	st, err := s.st.Story(ctx, l.StoryID)
	if err != nil || st.Posts < 2 {
		return nil
	}
	return &postStory{URL: v.Link(storyPath(st.ID)), Text: v.N("post.story", st.Posts)}
}

// postStory is the post page's link to its story.
type postStory struct {
	URL, Text string
}

func (s *Server) handleStoryFeed(w http.ResponseWriter, r *http.Request) error {
	n, ok := feedItems(r)
	if !ok {
		http.Error(w, "max-results must be from 1 to "+strconv.Itoa(feedMaxItems), http.StatusBadRequest)
		return nil
	}
	id, ok := s.storyID(w, r)
	if !ok {
		return nil
	}
	st, err := s.lookupStory(w, r, id, "/feed")
	if st == nil {
		return err
	}
	reports, err := s.st.StoryReports(r.Context(), id)
	if err != nil {
		return err
	}
	v := s.newView(r)
	base := s.baseURL(r)
	f := &outFeed{Title: v.SiteTitle + ": " + st.Title, Lang: v.Lang, HomeURL: base + storyPath(id),
		SelfURL: base + storyPath(id) + "/feed"}
	f.Description = f.Title
	posts := make([]model.Post, min(n, len(reports)))
	for i := range posts {
		posts[i] = reports[i].Post
	}
	imgs := s.postImages(r.Context(), posts)
	for i := range reports[:min(n, len(reports))] {
		p := &reports[i].Post
		e := outEntry{
			ID: base + p.Path(), Title: p.Title, URL: base + p.Path(), ExternalURL: p.SourceURL,
			Author: firstOf(p.Author, p.Publisher, v.SiteTitle), Published: p.Published,
			Summary: excerpt(p), HTML: s.postHTML(r, v, p),
		}
		if p.Publisher != "" {
			e.Tags = []string{p.Publisher}
		}
		e.setImage(base, imgs[p.ID])
		f.Entries = append(f.Entries, e)
		f.Updated = maxTime(f.Updated, p.Published)
	}
	return s.writeFeed(w, r, f)
}

// The API.

type apiStory struct {
	ID             int64    `json:"id"`
	Title          string   `json:"title"`
	URL            string   `json:"url"`
	FeedURL        string   `json:"feed_url"`
	Posts          int      `json:"posts"`
	Copies         int      `json:"copies"`
	FirstPublished string   `json:"first_published"`
	LastPublished  string   `json:"last_published"`
	Lead           *apiPost `json:"lead"`
}

type apiStoryReport struct {
	apiPost
	Publisher string `json:"publisher"`
	// CopyOf is the post this one copies; null for its own reporting.
	CopyOf   *int64  `json:"copy_of"`
	Evidence string  `json:"evidence"`
	Score    float64 `json:"score"`
	// Also lists the other items that led to this post: the same text
	// reached through another link or published by another site.
	Also []apiStoryItem `json:"also"`
}

type apiStoryItem struct {
	Publisher string `json:"publisher"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
}

func storyOf(st *store.Story) apiStory {
	return apiStory{ID: st.ID, Title: st.Title, URL: storyPath(st.ID), FeedURL: storyPath(st.ID) + "/feed",
		Posts: st.Posts, Copies: st.Copies,
		FirstPublished: st.FirstPublished.UTC().Format(time.RFC3339),
		LastPublished:  st.LastPublished.UTC().Format(time.RFC3339)}
}

// handleAPIStories lists stories, newest report first; ?min_posts=2 leaves
// out stories of one report.
func (s *Server) handleAPIStories(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, ok := queryInt(q.Get("limit"), apiDefaultLimit, 1, apiMaxLimit)
	offset, ok2 := queryInt(q.Get("offset"), 0, 0, 1<<31-1)
	minPosts, ok3 := queryInt(q.Get("min_posts"), 1, 1, 1<<20)
	if !ok || !ok2 || !ok3 {
		writeAPIError(w, http.StatusBadRequest, "invalid_argument",
			"limit must be from 1 to "+strconv.Itoa(apiMaxLimit)+", offset non-negative, min_posts positive")
		return nil
	}
	ctx := r.Context()
	sq := store.StoryQuery{MinPosts: minPosts, Limit: limit, Offset: offset}
	stories, err := s.st.Stories(ctx, sq)
	if err != nil {
		return err
	}
	total, err := s.st.CountStories(ctx, sq)
	if err != nil {
		return err
	}
	out := struct {
		Stories []apiStory `json:"stories"`
		Total   int        `json:"total"`
	}{Stories: []apiStory{}, Total: total}
	for i := range stories {
		a := storyOf(&stories[i])
		lead, err := s.st.Post(ctx, stories[i].LeadPostID)
		switch {
		case err == nil:
			sum := summaryOf(lead)
			a.Lead = &sum
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		out.Stories = append(out.Stories, a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPIStory is one story with every report, newest first.
func (s *Server) handleAPIStory(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeAPIError(w, http.StatusNotFound, "not_found", "no such story")
		return nil
	}
	ctx := r.Context()
	st, err := s.st.Story(ctx, id)
	if ok, err := found(w, err, "story"); !ok {
		return err
	}
	if st.MergedInto != 0 {
		http.Redirect(w, r, "/api/stories/"+strconv.FormatInt(st.MergedInto, 10), http.StatusPermanentRedirect)
		return nil
	}
	reports, err := s.st.StoryReports(ctx, id)
	if ok, err := found(w, err, "story"); !ok {
		return err
	}
	out := struct {
		apiStory
		Reports []apiStoryReport `json:"reports"`
	}{apiStory: storyOf(st), Reports: []apiStoryReport{}}
	for i := range reports {
		rep := &reports[i]
		if rep.Post.ID == st.LeadPostID {
			sum := summaryOf(&rep.Post)
			out.Lead = &sum
		}
		e := apiStoryReport{apiPost: summaryOf(&rep.Post), Publisher: rep.Post.Publisher,
			Evidence: rep.Link.Evidence, Score: rep.Link.Score, Also: []apiStoryItem{}}
		if rep.Link.CopyOf != 0 {
			c := rep.Link.CopyOf
			e.CopyOf = &c
		}
		for _, it := range rep.Items {
			if it.ID == rep.Post.ItemID {
				continue
			}
			e.Also = append(e.Also, apiStoryItem{Publisher: it.Publisher, Title: it.Title,
				URL: firstOf(it.SourceURL, it.Link), Published: it.Published.UTC().Format(time.RFC3339)})
		}
		out.Reports = append(out.Reports, e)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
