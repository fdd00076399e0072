package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// The owner's pages under /admin: sign-in, feeds, the moderation queue,
// posts (re-extract) and settings. Every page needs a session; every form
// carries the CSRF token and is checked like the comment form.

const adminPageSize = 50

func (s *Server) adminRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /admin", s.admin(s.handleAdminHome))
	m.HandleFunc("GET /admin/{$}", s.admin(s.handleAdminHome))
	m.HandleFunc("GET /admin/login", s.handle(s.handleLoginForm))
	m.HandleFunc("POST /admin/login", s.handle(s.handleLogin))
	m.HandleFunc("POST /admin/logout", s.adminPost(s.handleLogout))
	m.HandleFunc("POST /admin/logout-everywhere", s.adminPost(s.handleLogoutEverywhere))
	m.HandleFunc("GET /admin/feeds", s.admin(s.handleAdminFeeds))
	m.HandleFunc("POST /admin/feeds", s.adminPost(s.handleAdminAddFeed))
	m.HandleFunc("POST /admin/feeds/{id}/{action}", s.adminPost(s.handleAdminFeedAction))
	m.HandleFunc("GET /admin/feeds.opml", s.admin(s.handleAdminOPML))
	m.HandleFunc("POST /admin/feeds/import", s.adminUpload(s.handleAdminImportOPML))
	m.HandleFunc("GET /admin/comments", s.admin(s.handleAdminComments))
	m.HandleFunc("POST /admin/comments/{id}/{action}", s.adminPost(s.handleAdminCommentAction))
	m.HandleFunc("POST /admin/comments/bulk", s.adminPost(s.handleAdminCommentsBulk))
	m.HandleFunc("GET /admin/posts", s.admin(s.handleAdminPosts))
	m.HandleFunc("POST /admin/posts/{id}/reextract", s.adminPost(s.handleAdminReextract))
	m.HandleFunc("GET /admin/settings", s.admin(s.handleAdminSettings))
	m.HandleFunc("POST /admin/settings", s.adminPost(s.handleAdminSaveSettings))
	m.HandleFunc("POST /admin/tokens", s.adminPost(s.handleAdminNewToken))
	m.HandleFunc("POST /admin/tokens/{id}/delete", s.adminPost(s.handleAdminDeleteToken))
}

// adminPage is what every admin template sees.
type adminPage struct {
	*view
	Heading   string
	Notice    string
	Error     string
	CSRFToken string
	Section   string
	Nav       []navLink
}

type navLink struct {
	Name, URL string
	Current   bool
}

// adminHandler is an admin page's handler; the error it returns is
// answered by fail, as handle does.
type adminHandler func(w http.ResponseWriter, r *http.Request, p *adminPage) error

// admin serves a page to a signed-in owner, sending anyone else to sign in.
func (s *Server) admin(h adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.sessionUser(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if u == nil {
			http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err := h(w, r, s.newAdminPage(w, r, u)); err != nil {
			s.fail(w, r, err)
		}
	}
}

// adminPost guards an admin form: CSRF and cross-origin checks first (403),
// then the session.
func (s *Server) adminPost(h adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsePost(w, r) {
			return
		}
		u, err := s.sessionUser(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if u == nil {
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		}
		if err := h(w, r, s.newAdminPage(w, r, u)); err != nil {
			s.fail(w, r, err)
		}
	}
}

// parsePost reads a posted form and checks its CSRF token, answering 4xx
// itself.
func (s *Server) parsePost(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentBody)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "bad_request")
		return false
	}
	if ok := s.validCSRF(r); s.cop.Check(r) != nil || !ok {
		s.renderError(w, r, http.StatusForbidden, "forbidden")
		return false
	}
	return true
}

func (s *Server) newAdminPage(w http.ResponseWriter, r *http.Request, u *model.User) *adminPage {
	v := s.newView(r)
	v.NoIndex = true
	v.User = u
	p := &adminPage{view: v, CSRFToken: s.csrfToken(w, r)}
	section := strings.Split(strings.TrimPrefix(r.URL.Path, "/admin"), "/")
	if len(section) > 1 {
		p.Section = section[1]
	}
	for _, n := range []string{"", "feeds", "comments", "posts", "settings"} {
		key := n
		if key == "" {
			key = "home"
		}
		p.Nav = append(p.Nav, navLink{Name: v.T("admin.nav." + key), URL: v.Link("/admin/" + n), Current: p.Section == n})
	}
	if done := r.URL.Query().Get("done"); done != "" && isWord(done) {
		p.Notice = v.T("admin.done." + done)
	}
	// Nothing of the owner's pages may be kept by any cache.
	w.Header().Set("Cache-Control", "no-store")
	return p
}

func isWord(s string) bool {
	return len(s) < 40 && strings.IndexFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && r != '_' }) < 0
}

// done redirects after a successful form to where the form came from, with
// a notice.
func (s *Server) done(w http.ResponseWriter, r *http.Request, p *adminPage, path, notice string) {
	u, _ := url.Parse(p.Link(path))
	q := u.Query()
	q.Set("done", notice)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

type loginPage struct {
	*view
	CSRFToken string
	Next      string
	Name      string
	Error     string
	Notice    string
}

// safeNext keeps a post-login redirect on the admin pages.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin"
	}
	return next
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	s.renderLogin(w, r, http.StatusOK, r.URL.Query().Get("next"), "", "", 0)
	return nil
}

// renderLogin shows the sign-in form, with the message errKey ({n}: n) if
// any.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, next, name, errKey string, n int) {
	v := s.newView(r)
	v.NoIndex = true
	v.Title = v.T("admin.login.title")
	p := &loginPage{view: v, CSRFToken: s.csrfToken(w, r), Next: safeNext(next), Name: name}
	if errKey != "" {
		p.Error = v.N(errKey, n)
	}
	// The one notice the form shows: after "sign out everywhere", which
	// lands here.
	if r.URL.Query().Get("done") == "signed_out_everywhere" {
		p.Notice = v.T("admin.done.signed_out_everywhere")
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, status, "admin_login", p)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if !s.parsePost(w, r) {
		return nil
	}
	if !s.allow(w, r, s.loginLimit) {
		return nil
	}
	name := cleanLine(r.PostForm.Get("name"))
	next := r.PostForm.Get("next")
	u, err := s.authenticate(r.Context(), name, r.PostForm.Get("password"))
	var locked errLocked
	if errors.As(err, &locked) {
		// Answered like a wrong password (the same status, for a name that
		// exists or not), with the wait in Retry-After and in words.
		secs := int((locked.retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.renderLogin(w, r, http.StatusUnauthorized, next, name, "admin.login.locked", secs)
		return nil
	}
	if err != nil {
		return err
	}
	ok := false
	if u != nil {
		if ok, err = s.startSession(w, r, u); err != nil {
			return err
		}
	}
	if !ok {
		s.renderLogin(w, r, http.StatusUnauthorized, next, name, "admin.login.wrong", 0)
		return nil
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	if err := s.endSession(w, r, p.User, false); err != nil {
		return err
	}
	http.Redirect(w, r, p.Link("/"), http.StatusSeeOther)
	return nil
}

// handleLogoutEverywhere ends every session of the signed-in user, this
// one included, and revokes the user's API tokens: whoever held a stolen
// session could have made a token with it, so ending sessions alone would
// leave them a way back in.
func (s *Server) handleLogoutEverywhere(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	if err := s.endSession(w, r, p.User, true); err != nil {
		return err
	}
	http.Redirect(w, r, p.Link("/admin/login?done=signed_out_everywhere"), http.StatusSeeOther)
	return nil
}

type adminHome struct {
	*adminPage
	PostCount, PendingCount, FeedCount, FailingCount string
	PendingN, FailingN, PostN, FeedN                 int
}

func (s *Server) handleAdminHome(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	ctx := r.Context()
	posts, err := s.st.CountPosts(ctx)
	if err != nil {
		return err
	}
	pending, err := s.st.CountComments(ctx, store.CommentQuery{Status: model.CommentPending})
	if err != nil {
		return err
	}
	feeds, err := s.st.Feeds(ctx)
	if err != nil {
		return err
	}
	failing := 0
	for _, f := range feeds {
		if f.ErrorCount > 0 {
			failing++
		}
	}
	p.Heading = p.T("admin.home.title")
	p.Title = p.Heading
	s.render(w, http.StatusOK, "admin_home", &adminHome{adminPage: p,
		PostCount: p.Num(posts), PendingCount: p.Num(pending), FeedCount: p.Num(len(feeds)), FailingCount: p.Num(failing),
		PendingN: pending, FailingN: failing, PostN: posts, FeedN: len(feeds)})
	return nil
}

type adminFeeds struct {
	*adminPage
	List []adminFeed
}

type adminFeed struct {
	model.Feed
	Options               model.FeedOptions
	Name                  string // the feed's label as readers see it
	LabelURL              string
	Done, Waiting, Failed string
	LastPolled, NextPoll  string
	ActionURL             string
}

func (s *Server) handleAdminFeeds(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	return s.renderAdminFeeds(w, r, p, http.StatusOK)
}

func (s *Server) renderAdminFeeds(w http.ResponseWriter, r *http.Request, p *adminPage, status int) error {
	ctx := r.Context()
	feeds, err := s.st.Feeds(ctx)
	if err != nil {
		return err
	}
	page := &adminFeeds{adminPage: p}
	p.Heading = p.T("admin.feeds.title")
	p.Title = p.Heading
	for _, f := range feeds {
		counts, err := s.st.ItemCounts(ctx, f.ID)
		if err != nil {
			return err
		}
		opts, err := s.st.FeedOptions(ctx, f.ID)
		if err != nil {
			return err
		}
		name := f.Title
		if name != "" {
			name = p.LabelName(model.Label{Name: f.Title, Kind: model.LabelFeed})
		}
		page.List = append(page.List, adminFeed{
			Feed: f, Options: opts, Name: name, LabelURL: p.Link(labelPath(f.Title)),
			Done: p.Num(counts[model.ItemDone]), Waiting: p.Num(counts[model.ItemNew]), Failed: p.Num(counts[model.ItemFailed]),
			LastPolled: p.maybeDate(f.LastPolledAt), NextPoll: p.maybeDate(f.NextPollAt),
			ActionURL: "/admin/feeds/" + strconv.FormatInt(f.ID, 10) + "/",
		})
	}
	s.render(w, status, "admin_feeds", page)
	return nil
}

func (v *view) maybeDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return v.Date(t)
}

func (s *Server) handleAdminAddFeed(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	raw := strings.TrimSpace(r.PostForm.Get("url"))
	if !validFeedURL(raw) {
		p.Error = p.T("admin.feeds.invalid_url")
		return s.renderAdminFeeds(w, r, p, http.StatusUnprocessableEntity)
	}
	if err := s.refusedFeedURL(raw); err != nil {
		p.Error = p.T("admin.feeds.refused_url")
		return s.renderAdminFeeds(w, r, p, http.StatusUnprocessableEntity)
	}
	f := &model.Feed{URL: raw}
	err := s.st.AddFeed(r.Context(), f)
	if errors.Is(err, store.ErrExists) {
		p.Error = p.T("admin.feeds.exists")
		return s.renderAdminFeeds(w, r, p, http.StatusConflict)
	}
	if err == nil {
		topic := cleanLine(r.PostForm.Get("topic"))
		excerpt := r.PostForm.Get("excerpt") == "on"
		if topic != "" || excerpt {
			err = s.st.SetFeedOptions(r.Context(), model.FeedOptions{FeedID: f.ID, Topic: topic, Excerpt: excerpt})
		}
	}
	if err != nil {
		return err
	}
	s.cache.invalidate()
	s.done(w, r, p, "/admin/feeds", "feed_added")
	return nil
}

func (s *Server) handleAdminFeedAction(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return nil
	}
	ctx := r.Context()
	var notice string
	switch r.PathValue("action") {
	case "pause":
		err, notice = s.st.SetFeedPaused(ctx, id, true), "feed_paused"
	case "resume":
		err, notice = s.st.SetFeedPaused(ctx, id, false), "feed_resumed"
	case "delete":
		if r.PostForm.Get("confirm") != "yes" {
			f, err := s.st.Feed(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				s.notFound(w, r)
				return nil
			} else if err != nil {
				return err
			}
			s.confirm(w, p, p.T("admin.feeds.remove"), p.loc.Format("admin.feeds.remove_confirm", firstOf(f.Title, f.URL)),
				r.URL.Path, nil, "/admin/feeds")
			return nil
		}
		err, notice = s.st.DeleteFeed(ctx, id), "feed_removed"
	case "refresh":
		err, notice = s.st.SetFeedNextPoll(ctx, id, s.cfg.Now()), "feed_refresh"
	case "rename":
		err, notice = s.renameFeed(r, id), "feed_renamed"
	case "options":
		err = s.st.SetFeedOptions(ctx, model.FeedOptions{FeedID: id, Topic: cleanLine(r.PostForm.Get("topic")),
			Excerpt: r.PostForm.Get("excerpt") == "on"})
		notice = "feed_saved"
	default:
		s.notFound(w, r)
		return nil
	}
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	s.cache.invalidate()
	s.done(w, r, p, "/admin/feeds", notice)
	return nil
}

// renameFeed gives a feed's label the name the owner typed (empty: the
// feed's own title again); the name is kept with the other label names.
func (s *Server) renameFeed(r *http.Request, id int64) error {
	ctx := r.Context()
	f, err := s.st.Feed(ctx, id)
	if err != nil {
		return err
	}
	if f.Title == "" {
		return nil // nothing to rename until the first poll names it
	}
	m, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	names := parseLabelNames(m[settingLabelNames])
	name := cut(cleanLine(r.PostForm.Get("name")), 120)
	if name == "" || name == cleanFeedTitle(f.Title) {
		delete(names, f.Title)
	} else {
		names[f.Title] = name
	}
	return s.st.SetSetting(ctx, settingLabelNames, strings.TrimSpace(labelNamesText(names)))
}

// confirmPage asks before something that cannot be undone; its form posts
// the same fields again with confirm=yes.
type confirmPage struct {
	*adminPage
	Message   string
	Action    string
	Fields    []confirmField
	CancelURL string
	Button    string
}

type confirmField struct{ Name, Value string }

func (s *Server) confirm(w http.ResponseWriter, p *adminPage, button, message, action string, fields url.Values, cancel string) {
	p.Heading = p.T("admin.confirm.title")
	p.Title = p.Heading
	page := &confirmPage{adminPage: p, Message: message, Action: action, CancelURL: p.Link(cancel), Button: button}
	for name, vals := range fields {
		for _, v := range vals {
			page.Fields = append(page.Fields, confirmField{name, v})
		}
	}
	slices.SortFunc(page.Fields, func(a, b confirmField) int { return strings.Compare(a.Name+a.Value, b.Name+b.Value) })
	s.render(w, http.StatusOK, "admin_confirm", page)
}

type adminComments struct {
	*adminPage
	Status   string
	Tabs     []navLink
	Comments []adminComment
	NewerURL string
	OlderURL string
}

type adminComment struct {
	model.Comment
	PostTitle, PostURL, Date, ActionURL string
	// ReplyTo is the name of the comment this one answers.
	ReplyTo, ReplyToURL string
}

var moderationStatuses = []string{model.CommentPending, model.CommentApproved, model.CommentSpam}

func (s *Server) handleAdminComments(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	ctx := r.Context()
	status := r.URL.Query().Get("status")
	if status == "" {
		status = model.CommentPending
	}
	n, ok := pageNumber(r)
	if !ok || !isWord(status) {
		s.notFound(w, r)
		return nil
	}
	page := &adminComments{adminPage: p, Status: status}
	p.Heading = p.T("admin.comments.title")
	p.Title = p.Heading
	known := false
	for _, st := range moderationStatuses {
		count, err := s.st.CountComments(ctx, store.CommentQuery{Status: st})
		if err != nil {
			return err
		}
		known = known || st == status
		page.Tabs = append(page.Tabs, navLink{Name: p.T("admin.comments."+st) + " (" + p.Num(count) + ")",
			URL: p.Link("/admin/comments?status=" + st), Current: st == status})
	}
	if !known {
		s.notFound(w, r)
		return nil
	}
	comments, err := s.st.ListComments(ctx, store.CommentQuery{Status: status, Limit: adminPageSize + 1, Offset: (n - 1) * adminPageSize})
	if err != nil {
		return err
	}
	if len(comments) > adminPageSize {
		comments = comments[:adminPageSize]
		page.OlderURL = p.Link("/admin/comments?status=" + status + "&page=" + strconv.Itoa(n+1))
	}
	if n > 1 {
		page.NewerURL = p.Link("/admin/comments?status=" + status + "&page=" + strconv.Itoa(n-1))
	}
	posts := map[int64]*model.Post{}
	for _, c := range comments {
		post, ok := posts[c.PostID]
		if !ok {
			if post, err = s.st.Post(ctx, c.PostID); err != nil {
				return err
			}
			posts[c.PostID] = post
		}
		ac := adminComment{Comment: c, PostTitle: post.Title,
			PostURL: p.Link(post.Path()) + "#c" + strconv.FormatInt(c.ID, 10), Date: p.Date(c.CreatedAt),
			ActionURL: "/admin/comments/" + strconv.FormatInt(c.ID, 10) + "/"}
		if c.ParentID != 0 {
			parent, err := s.st.Comment(ctx, c.ParentID)
			if err == nil {
				ac.ReplyTo = parent.Name
				ac.ReplyToURL = p.Link(post.Path()) + "#c" + strconv.FormatInt(parent.ID, 10)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		page.Comments = append(page.Comments, ac)
	}
	s.render(w, http.StatusOK, "admin_comments", page)
	return nil
}

func (s *Server) handleAdminCommentAction(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return nil
	}
	ctx := r.Context()
	var notice string
	switch r.PathValue("action") {
	case "approve":
		err, notice = s.st.SetCommentStatus(ctx, id, model.CommentApproved), "comment_approved"
	case "spam":
		err, notice = s.st.SetCommentStatus(ctx, id, model.CommentSpam), "comment_spam"
	case "hold":
		err, notice = s.st.SetCommentStatus(ctx, id, model.CommentPending), "comment_held"
	case "delete":
		if r.PostForm.Get("confirm") != "yes" {
			c, err := s.st.Comment(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				s.notFound(w, r)
				return nil
			} else if err != nil {
				return err
			}
			s.confirm(w, p, p.T("admin.comments.delete"), p.loc.Format("admin.comments.delete_confirm", c.Name),
				"/admin/comments/"+strconv.FormatInt(id, 10)+"/delete", url.Values{"status": {r.PostForm.Get("status")}}, "/admin/comments")
			return nil
		}
		err, notice = s.st.DeleteComment(ctx, id), "comment_deleted"
	default:
		s.notFound(w, r)
		return nil
	}
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	back := "/admin/comments"
	if st := r.PostForm.Get("status"); isWord(st) && st != "" {
		back += "?status=" + st
	}
	s.done(w, r, p, back, notice)
	return nil
}

// handleAdminCommentsBulk publishes, marks as spam or deletes the ticked
// comments (deleting after a confirmation).
func (s *Server) handleAdminCommentsBulk(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	ctx := r.Context()
	back := "/admin/comments"
	if st := r.PostForm.Get("status"); isWord(st) && st != "" {
		back += "?status=" + st
	}
	var ids []int64
	for _, raw := range r.PostForm["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			s.renderError(w, r, http.StatusBadRequest, "bad_request")
			return nil
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		s.done(w, r, p, back, "none_selected")
		return nil
	}
	action := r.PostForm.Get("action")
	if action == "delete" && r.PostForm.Get("confirm") != "yes" {
		fields := url.Values{"id": r.PostForm["id"], "action": {"delete"}, "status": {r.PostForm.Get("status")}}
		s.confirm(w, p, p.T("admin.comments.delete"), p.N("admin.comments.bulk_delete_confirm", len(ids)),
			"/admin/comments/bulk", fields, back)
		return nil
	}
	var notice string
	for _, id := range ids {
		var err error
		switch action {
		case "approve":
			err, notice = s.st.SetCommentStatus(ctx, id, model.CommentApproved), "comments_approved"
		case "spam":
			err, notice = s.st.SetCommentStatus(ctx, id, model.CommentSpam), "comments_spam"
		case "delete":
			err, notice = s.st.DeleteComment(ctx, id), "comments_deleted"
		default:
			s.renderError(w, r, http.StatusBadRequest, "bad_request")
			return nil
		}
		// A reply deleted with its parent a moment ago is gone already.
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	s.done(w, r, p, back, notice)
	return nil
}

type adminPosts struct {
	*adminPage
	Posts     []adminPost
	Reextract bool
	NewerURL  string
	OlderURL  string
	// The filter as the form shows it, the feeds to choose from, and what
	// it found.
	Q, Feed, Status, From, To string
	FeedChoices               []adminOption
	Found                     string
	ResetURL                  string
}

type adminOption struct {
	Value, Name string
	Selected    bool
}

type adminPost struct {
	ID                            int64
	Title, URL, Source, Publisher string
	Date, ActionURL, Thin         string
}

// postFilter reads the posts table's filter from the query: ok is false
// for a malformed one.
func postFilter(q url.Values) (store.PostFilter, bool) {
	f := store.PostFilter{Text: cut(cleanLine(q.Get("q")), 200), Status: q.Get("status")}
	if raw := q.Get("feed"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			return f, false
		}
		f.FeedID = id
	}
	if f.Status != "" && f.Status != store.PostFull && f.Status != store.PostThin {
		return f, false
	}
	for _, d := range []struct {
		raw string
		to  *time.Time
		add int
	}{{q.Get("from"), &f.From, 0}, {q.Get("to"), &f.To, 1}} {
		if d.raw == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.raw)
		if err != nil {
			return f, false
		}
		*d.to = t.AddDate(0, 0, d.add) // "to" includes its day
	}
	return f, true
}

func (s *Server) handleAdminPosts(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	return s.renderAdminPosts(w, r, p, http.StatusOK)
}

func (s *Server) renderAdminPosts(w http.ResponseWriter, r *http.Request, p *adminPage, status int) error {
	ctx := r.Context()
	n, ok := pageNumber(r)
	q := r.URL.Query()
	f, ok2 := postFilter(q)
	if !ok || !ok2 {
		s.notFound(w, r)
		return nil
	}
	total, err := s.st.CountFilterPosts(ctx, f)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = adminPageSize, (n-1)*adminPageSize
	posts, err := s.st.FilterPosts(ctx, f)
	if err != nil {
		return err
	}
	feeds, err := s.st.Feeds(ctx)
	if err != nil {
		return err
	}
	page := &adminPosts{adminPage: p, Reextract: s.cfg.Reextract != nil, Q: f.Text, Feed: q.Get("feed"),
		Status: f.Status, From: q.Get("from"), To: q.Get("to"), ResetURL: p.Link("/admin/posts")}
	p.Heading = p.T("admin.posts.title")
	p.Title = p.Heading
	for _, fd := range feeds {
		name := fd.URL
		if fd.Title != "" {
			name = p.LabelName(model.Label{Name: fd.Title, Kind: model.LabelFeed})
		}
		id := strconv.FormatInt(fd.ID, 10)
		page.FeedChoices = append(page.FeedChoices, adminOption{Value: id, Name: name, Selected: id == page.Feed})
	}
	page.Found = p.plural("admin.posts.found", total)
	lp := &listPage{view: p.view}
	lp.pager(r, n, adminPageSize, total)
	page.NewerURL, page.OlderURL = lp.NewerURL, lp.OlderURL
	for _, post := range posts {
		ap := adminPost{ID: post.ID, Title: post.Title, URL: p.Link(post.Path()),
			Source: post.SourceURL, Publisher: post.Publisher, Date: p.Date(post.Published),
			ActionURL: "/admin/posts/" + strconv.FormatInt(post.ID, 10) + "/reextract"}
		if len(post.Paragraphs) == 0 {
			ap.Thin = p.T("admin.posts.thin")
		}
		page.Posts = append(page.Posts, ap)
	}
	s.render(w, status, "admin_posts", page)
	return nil
}

func (s *Server) handleAdminReextract(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || s.cfg.Reextract == nil {
		s.notFound(w, r)
		return nil
	}
	if _, err := s.st.Post(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil
	}
	if err := s.cfg.Reextract.Reextract(r.Context(), id); err != nil {
		s.log.Warn("web: re-extract", "post", id, "err", err)
		// The owner sees why on the page, not only in the log.
		p.Error = p.loc.Format("admin.posts.reextract_failed", err.Error())
		r.URL.RawQuery = ""
		return s.renderAdminPosts(w, r, p, http.StatusBadGateway)
	}
	s.cache.invalidate()
	s.done(w, r, p, "/admin/posts", "reextracted")
	return nil
}

type adminSettings struct {
	*adminPage
	Settings settings
	Tokens   []adminToken
	NewToken string
	// The text areas' current values.
	MenuLabels, LabelNames string
	// DefaultTitle is the title the site has when the field is empty.
	DefaultTitle, TitleNote string
}

type adminToken struct {
	model.APIToken
	Created, Used, DeleteURL string
}

func (s *Server) handleAdminSettings(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	return s.renderAdminSettings(w, r, p, "")
}

func (s *Server) renderAdminSettings(w http.ResponseWriter, r *http.Request, p *adminPage, newToken string) error {
	m, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	tokens, err := s.st.Tokens(r.Context())
	if err != nil {
		return err
	}
	page := &adminSettings{adminPage: p, Settings: parseSettings(m), NewToken: newToken}
	page.MenuLabels = strings.Join(page.Settings.MenuLabels, "\n")
	page.DefaultTitle = s.cfg.SiteTitle
	page.TitleNote = p.loc.Format("admin.settings.title_default", s.cfg.SiteTitle)
	page.LabelNames = labelNamesText(page.Settings.LabelNames)
	p.Heading = p.T("admin.settings.title")
	p.Title = p.Heading
	for _, t := range tokens {
		page.Tokens = append(page.Tokens, adminToken{APIToken: t, Created: p.Date(t.CreatedAt), Used: p.maybeDate(t.LastUsed),
			DeleteURL: "/admin/tokens/" + strconv.FormatInt(t.ID, 10) + "/delete"})
	}
	s.render(w, http.StatusOK, "admin_settings", page)
	return nil
}

func (s *Server) handleAdminSaveSettings(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	onOff := func(field string) string {
		if r.PostForm.Get(field) == "on" {
			return "on"
		}
		return "off"
	}
	values := map[string]string{
		settingTitle:       cut(cleanLine(r.PostForm.Get("title")), 120),
		settingDescription: cut(cleanLine(r.PostForm.Get("description")), 300),
		settingIndex:       onOff("index"),
		settingTrustKnown:  onOff("trust_known"),
		settingHomeStories: onOff("home_stories"),
		settingLabelNames:  cleanLines(r.PostForm.Get("label_names"), 500),
		settingMenuLabels:  cleanLines(r.PostForm.Get("menu_labels"), maxMenuLabels),
		settingCanonical:   "original",
	}
	if r.PostForm.Get("canonical") == canonicalSelf {
		values[settingCanonical] = canonicalSelf
	}
	for k, v := range values {
		if err := s.st.SetSetting(r.Context(), k, v); err != nil {
			return err
		}
	}
	s.cache.invalidate()
	s.done(w, r, p, "/admin/settings", "settings_saved")
	return nil
}

// handleAdminNewToken makes an API token and shows it on the page it
// answers with, never in a URL: it is shown this once.
func (s *Server) handleAdminNewToken(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	name := cut(cleanLine(r.PostForm.Get("name")), 80)
	token, err := NewAPIToken(r.Context(), s.st, p.User.ID, name)
	if err != nil {
		return err
	}
	p.Notice = p.T("admin.done.token_created")
	return s.renderAdminSettings(w, r, p, token)
}

func (s *Server) handleAdminDeleteToken(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return nil
	}
	if err := s.st.DeleteToken(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil
	} else if err != nil {
		return err
	}
	s.done(w, r, p, "/admin/settings", "token_revoked")
	return nil
}
