package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
)

// maxQueryRunes caps a search; nobody types more, and the backends need not
// see it.
const maxQueryRunes = 200

func (s *Server) handleLabel(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("label")
	if name == "" || !validName(name) {
		s.notFound(w, r)
		return nil
	}
	v := s.newView(r)
	shown := v.LabelName(model.Label{Name: name, Kind: guessKind(name)})
	v.Title = shown
	p := &listPage{Heading: v.loc.Format("label.heading", shown), Empty: v.T("label.empty")}
	v.Feeds = feedLinks("/feeds/posts/default/-/"+url.PathEscape(name), v.T("feed.label")+" "+shown)
	return s.listing(w, r, v, p, store.ListQuery{Label: name})
}

func (s *Server) handlePublisher(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if name == "" || !validName(name) {
		s.notFound(w, r)
		return nil
	}
	names, err := s.publisherNames(r, name)
	if err != nil {
		return err
	}
	v := s.newView(r)
	v.Title = name
	p := &listPage{Heading: v.loc.Format("publisher.heading", name), Empty: v.T("label.empty")}
	v.Feeds = feedLinks("/feeds/posts/default/-/"+url.PathEscape(name), v.T("feed.label")+" "+name)
	q := store.ListQuery{Publisher: name}
	if len(names) > 1 {
		q = store.ListQuery{Publishers: names}
	}
	return s.listing(w, r, v, p, q)
}

// handleMonth lists a month's posts (/2021/11/).
func (s *Server) handleMonth(w http.ResponseWriter, r *http.Request) error {
	y, m := r.PathValue("year"), r.PathValue("month")
	v := s.newView(r)
	q := store.ListQuery{}
	year, month, ok := parseYearMonth(y, m)
	if !ok {
		s.notFound(w, r)
		return nil
	}
	q.Year, q.Month = year, month
	heading := v.loc.MonthYear(year, month)
	v.Title = heading
	return s.listing(w, r, v, &listPage{Heading: v.loc.Format("archive.heading", heading), Empty: v.T("label.empty")}, q)
}

type indexPage struct {
	*view
	Heading string
	Groups  []indexGroup
}

type indexGroup struct {
	Heading string
	Links   []labelLink
}

// handleArchive lists every month that has posts, grouped by year.
func (s *Server) handleArchive(w http.ResponseWriter, r *http.Request) error {
	months, err := s.st.ArchiveMonths(r.Context())
	if err != nil {
		return err
	}
	v := s.newView(r)
	v.Title = v.T("archive.title")
	p := &indexPage{view: v, Heading: v.Title}
	for _, m := range months {
		year := strconv.Itoa(m.Year)
		if len(p.Groups) == 0 || p.Groups[len(p.Groups)-1].Heading != year {
			p.Groups = append(p.Groups, indexGroup{Heading: year})
		}
		g := &p.Groups[len(p.Groups)-1]
		ml := v.month(m)
		g.Links = append(g.Links, labelLink{Name: ml.Name, URL: ml.URL, Count: ml.Count})
	}
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "index", p)
	return nil
}

// handleLabels lists every label, by kind.
func (s *Server) handleLabels(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r)
	v.Title = v.T("labels.title")
	p := &indexPage{view: v, Heading: v.Title}
	for _, kind := range []string{model.LabelTopic, model.LabelFeed, model.LabelPublisher, model.LabelLanguage} {
		labels, err := s.st.Labels(r.Context(), kind, 0)
		if err != nil {
			return err
		}
		if len(labels) == 0 {
			continue
		}
		g := indexGroup{Heading: v.T("labels.kind." + kind)}
		if kind == model.LabelPublisher {
			groups, err := s.publisherGroups(r.Context())
			if err != nil {
				return err
			}
			for _, pg := range groups {
				g.Links = append(g.Links, labelLink{Name: pg.Name, URL: v.Link(publisherPath(pg.Name)), Count: v.Num(pg.Count)})
			}
		} else {
			for _, l := range labels {
				g.Links = append(g.Links, labelLink{Name: v.LabelName(l), URL: v.Link(labelPath(l.Name)), Count: v.Num(l.Count)})
			}
		}
		p.Groups = append(p.Groups, g)
	}
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "index", p)
	return nil
}

// handlePublishers lists every publisher with its number of posts.
func (s *Server) handlePublishers(w http.ResponseWriter, r *http.Request) error {
	groups, err := s.publisherGroups(r.Context())
	if err != nil {
		return err
	}
	v := s.newView(r)
	v.Title = v.T("publishers.title")
	p := &indexPage{view: v, Heading: v.Title}
	g := indexGroup{}
	for _, pg := range groups {
		g.Links = append(g.Links, labelLink{Name: pg.Name, URL: v.Link(publisherPath(pg.Name)), Count: v.Num(pg.Count)})
	}
	if len(g.Links) > 0 {
		p.Groups = append(p.Groups, g)
	}
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "index", p)
	return nil
}

// guessKind tells a language label from others by its name alone (a
// label's page knows only the name): a short lower-case language code.
func guessKind(name string) string {
	if len(name) >= 2 && len(name) <= 3 && strings.ToLower(name) == name {
		if _, err := language.ParseBase(name); err == nil {
			return model.LabelLanguage
		}
	}
	return ""
}

// searchText reads ?q=, trimmed and capped.
func searchText(r *http.Request) string {
	q := strings.TrimSpace(strings.ToValidUTF8(r.URL.Query().Get("q"), ""))
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = q[:runeOffset(q, maxQueryRunes)]
	}
	return q
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	n, ok := pageNumber(r)
	if !ok {
		s.notFound(w, r)
		return nil
	}
	text := searchText(r)
	v := s.newView(r)
	v.Query = text
	v.Title = v.T("search.title")
	// Search pages are endless and say nothing new: never index them.
	v.NoIndex = true
	p := &listPage{view: v, Search: true, Heading: v.T("search.title")}
	if text == "" {
		p.Intro = v.T("search.prompt")
		s.withSidebar(r, v)
		s.render(w, http.StatusOK, "list", p)
		return nil
	}
	size := s.cfg.PageSize
	// The page's comment counts and images are asked for as soon as the
	// store has ranked its hits, while it reads and marks their posts: on
	// PostgreSQL a round trip less to wait for after the search.
	ctx := r.Context()
	var early chan postExtras
	q := store.SearchQuery{Text: text, Limit: size, Offset: (n - 1) * size, OnPage: func(ids []int64) {
		early = make(chan postExtras, 1)
		go func() { early <- s.extras(ctx, ids) }()
	}}
	hits, total, err := s.st.Search(ctx, q)
	if err != nil {
		return err
	}
	if n > 1 && len(hits) == 0 {
		s.notFound(w, r)
		return nil
	}
	v.Title = v.loc.Format("search.heading", text)
	p.Heading = v.Title
	// "3 posts for “flood”": the query as the reader typed it; none
	// found says so in Empty alone.
	switch parsed := search.Parse(text); {
	case total == 0:
	case total == 1:
		p.Intro = v.loc.Format("search.count.one", text)
	case total > store.SearchCountCap:
		// The stores count up to the cap only (store.SearchCountCap).
		key := "search.count.more"
		if parsed.Empty() {
			key = "search.count.more.newest"
		}
		p.Intro = strings.ReplaceAll(v.N(key, store.SearchCountCap), "{s}", text)
	case parsed.Empty():
		// Filters alone list their posts newest first (store.Store.Search).
		p.Intro = strings.ReplaceAll(v.N("search.count.newest", total), "{s}", text)
	default:
		p.Intro = strings.ReplaceAll(v.N("search.count", total), "{s}", text)
	}
	p.Empty = v.T("search.empty")
	// The query language, folded away under the results and open when
	// nothing was found.
	p.Help = v.T("search.prompt")
	posts := make([]model.Post, len(hits))
	for i := range hits {
		posts[i] = hits[i].Post
	}
	var extras postExtras
	if early != nil {
		extras = <-early
	} else {
		extras = s.extras(ctx, postIDs(posts))
	}
	if p.Posts, err = summariesWith(v, posts, extras); err != nil {
		return err
	}
	for i := range hits {
		p.Posts[i].Title = highlight(hits[i].Title)
		p.Posts[i].Excerpt = highlight(hits[i].Snippet)
	}
	// Pages go as far as the ranked matches do.
	p.pager(r, n, size, min(total, store.SearchWindow))
	v.Feeds = feedLinks("/feeds/posts/default?q="+url.QueryEscape(text), v.T("feed.search")+" "+text)
	s.withSidebar(r, v)
	s.render(w, http.StatusOK, "list", p)
	return nil
}

// highlight escapes text and turns the store's match markers into <mark>.
// The markers are matched strictly in pairs, so stray ones are dropped and
// the markup is always balanced.
func highlight(text string) template.HTML {
	var b strings.Builder
	open := false
	for len(text) > 0 {
		i := strings.IndexAny(text, store.MarkStart+store.MarkEnd)
		if i < 0 {
			b.WriteString(template.HTMLEscapeString(text))
			break
		}
		b.WriteString(template.HTMLEscapeString(text[:i]))
		switch {
		case text[i:i+1] == store.MarkStart && !open:
			b.WriteString("<mark>")
			open = true
		case text[i:i+1] == store.MarkEnd && open:
			b.WriteString("</mark>")
			open = false
		}
		text = text[i+1:]
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}
