package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

func init() {
	register("Site/LabelsFollowPostsAndFeeds", testLabels)
	register("Site/ListPostsByPublisherAndMonth", testListPosts)
	register("Site/SearchRanksAndHighlights", testSearch)
	register("Site/SearchNamesItsPage", testSearchOnPage)
	register("Site/SearchOddInput", testSearchOddInput)
	register("Site/CommentModeration", testModeration)
	register("Site/UsersAndSessions", testUsersSessions)
	register("Site/APITokens", testTokens)
	register("Site/SettingsAndFeedOptions", testSettings)
}

// sitePost saves a post with the given publisher, language and time.
func sitePost(t *testing.T, s store.Store, feedID int64, title, publisher, lang string, at time.Time, paras ...string) *model.Post {
	t.Helper()
	it := mustItem(t, s, feedID, title)
	p := post(it, "https://publisher.example/"+model.Slugify(title), "")
	p.Title, p.Publisher, p.Language, p.Published = title, publisher, lang, at
	if len(paras) > 0 {
		p.Paragraphs = paras
	}
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatalf("SavePost(%s): %v", title, err)
	}
	return p
}

func labelNames(ls []model.Label) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Kind+":"+l.Name)
	}
	return out
}

func postIDs(ps []model.Post) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func testLabels(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	if err := s.RecordPoll(ctx, f.ID, store.PollResult{At: at, Title: "Belarus news"}); err != nil {
		t.Fatal(err)
	}
	a := sitePost(t, s, f.ID, "First", "Sky News", "en", at)
	b := sitePost(t, s, f.ID, "Second", "Belarus news", "id", at.Add(time.Hour))
	g := mustFeed(t, s, "https://example.com/b.xml")
	c := sitePost(t, s, g.ID, "Third", "Sky News", "", at.Add(2*time.Hour))

	got, err := s.PostLabels(ctx, a.ID)
	if want := []string{"feed:Belarus news", "publisher:Sky News", "language:en"}; err != nil || !slices.Equal(labelNames(got), want) {
		t.Fatalf("PostLabels = %v, %v; want %v", labelNames(got), err, want)
	}
	list, err := s.ListPosts(ctx, store.ListQuery{Label: "Sky News"})
	if err != nil || !slices.Equal(postIDs(list), []int64{c.ID, a.ID}) {
		t.Fatalf("label Sky News = %v, %v", postIDs(list), err)
	}
	// b carries "Belarus news" as its feed and as its publisher: listed once.
	list, _ = s.ListPosts(ctx, store.ListQuery{Label: "Belarus news"})
	if !slices.Equal(postIDs(list), []int64{b.ID, a.ID}) {
		t.Fatalf("label Belarus news = %v", postIDs(list))
	}
	if n, err := s.CountListPosts(ctx, store.ListQuery{Label: "Belarus news"}); err != nil || n != 2 {
		t.Fatalf("count = %d, %v", n, err)
	}
	page, _ := s.ListPosts(ctx, store.ListQuery{Label: "Belarus news", Limit: 1, Offset: 1})
	if !slices.Equal(postIDs(page), []int64{a.ID}) {
		t.Fatalf("second page = %v", postIDs(page))
	}

	// The owner sets a topic: every post of the feed gets it.
	if err := s.SetFeedOptions(ctx, model.FeedOptions{FeedID: f.ID, Topic: "Europe"}); err != nil {
		t.Fatal(err)
	}
	list, _ = s.ListPosts(ctx, store.ListQuery{Label: "Europe"})
	if !slices.Equal(postIDs(list), []int64{b.ID, a.ID}) {
		t.Fatalf("topic label = %v", postIDs(list))
	}
	if err := s.SetFeedOptions(ctx, model.FeedOptions{FeedID: f.ID, Topic: "Europa"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountListPosts(ctx, store.ListQuery{Label: "Europe"}); n != 0 {
		t.Fatalf("old topic still labels %d posts", n)
	}
	// A feed renamed by its next poll renames its label.
	if err := s.RecordPoll(ctx, f.ID, store.PollResult{At: at, Title: "Belarus"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.PostLabels(ctx, a.ID)
	if want := []string{"feed:Belarus", "topic:Europa", "publisher:Sky News", "language:en"}; !slices.Equal(labelNames(got), want) {
		t.Fatalf("after rename: %v, want %v", labelNames(got), want)
	}

	all, err := s.Labels(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Three labels tie on two posts; ties go by name.
	if got := labelNames(all[:3]); !slices.Equal(got, []string{"feed:Belarus", "topic:Europa", "publisher:Sky News"}) || all[2].Count != 2 || all[3].Count != 1 {
		t.Fatalf("most used labels = %+v", all)
	}
	pubs, _ := s.Labels(ctx, model.LabelPublisher, 0)
	if len(pubs) != 2 || pubs[0].Name != "Sky News" || pubs[1].Name != "Belarus news" {
		t.Fatalf("publishers = %+v", pubs)
	}
	langs, _ := s.Labels(ctx, model.LabelLanguage, 1)
	if len(langs) != 1 {
		t.Fatalf("limit ignored: %+v", langs)
	}
}

func testListPosts(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	nov := time.Date(2021, 11, 9, 15, 45, 0, 0, time.UTC)
	a := sitePost(t, s, f.ID, "A", "Sky News", "en", nov)
	b := sitePost(t, s, f.ID, "B", "BBC", "en", nov.Add(time.Hour))
	c := sitePost(t, s, f.ID, "C", "Sky News", "en", nov.AddDate(0, 1, 0))
	d := sitePost(t, s, f.ID, "D", "Sky News", "en", nov.AddDate(1, 0, 0))
	cases := []struct {
		q    store.ListQuery
		want []int64
	}{
		{store.ListQuery{}, []int64{d.ID, c.ID, b.ID, a.ID}},
		{store.ListQuery{Publisher: "Sky News"}, []int64{d.ID, c.ID, a.ID}},
		{store.ListQuery{Publisher: "Sky News", Limit: 1, Offset: 1}, []int64{c.ID}},
		{store.ListQuery{Year: 2021, Month: 11}, []int64{b.ID, a.ID}},
		{store.ListQuery{Year: 2021}, []int64{c.ID, b.ID, a.ID}},
		{store.ListQuery{Publisher: "Nobody"}, nil},
	}
	for _, c := range cases {
		got, err := s.ListPosts(ctx, c.q)
		if err != nil || !slices.Equal(postIDs(got), c.want) {
			t.Errorf("ListPosts(%+v) = %v, %v; want %v", c.q, postIDs(got), err, c.want)
		}
		n, err := s.CountListPosts(ctx, store.ListQuery{Publisher: c.q.Publisher, Year: c.q.Year, Month: c.q.Month})
		if c.q.Limit == 0 && (err != nil || n != len(c.want)) {
			t.Errorf("CountListPosts(%+v) = %d, %v", c.q, n, err)
		}
	}
	months, err := s.ArchiveMonths(ctx)
	want := []store.MonthCount{{Year: 2022, Month: 11, Count: 1}, {Year: 2021, Month: 12, Count: 1}, {Year: 2021, Month: 11, Count: 2}}
	if err != nil || !slices.Equal(months, want) {
		t.Fatalf("ArchiveMonths = %v, %v; want %v", months, err, want)
	}
	if got, _ := s.ListPosts(ctx, store.ListQuery{Year: 2021, Month: 11}); len(got) > 0 && len(got[0].Paragraphs) == 0 {
		t.Fatalf("listed post lacks its text: %+v", got[0])
	}
}

func testSearch(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	body := sitePost(t, s, f.ID, "Border talks continue", "Sky News", "en", at,
		"Officials met on Monday.", "The migrants camped near the frontier while ministers argued about sanctions.")
	title := sitePost(t, s, f.ID, "Migrants reach the frontier", "BBC", "en", at.Add(time.Hour),
		"A short report.")
	sitePost(t, s, f.ID, "Weather", "BBC", "en", at.Add(2*time.Hour), "Sunny with a café breeze.")

	hits, total, err := s.Search(ctx, store.SearchQuery{Text: "migrants frontier"})
	if err != nil || total != 2 || len(hits) != 2 {
		t.Fatalf("Search = %d hits of %d, %v", len(hits), total, err)
	}
	if hits[0].Post.ID != title.ID || hits[1].Post.ID != body.ID {
		t.Fatalf("a title match must rank first: %d, %d", hits[0].Post.ID, hits[1].Post.ID)
	}
	if !strings.Contains(hits[0].Title, store.MarkStart+"Migrants"+store.MarkEnd) {
		t.Errorf("title not highlighted: %q", hits[0].Title)
	}
	if sn := hits[1].Snippet; !strings.Contains(sn, store.MarkStart+"migrants"+store.MarkEnd) ||
		!strings.Contains(sn, store.MarkStart+"frontier"+store.MarkEnd) || strings.Contains(sn, "\n") {
		t.Errorf("snippet %q", sn)
	}
	if hits[1].Post.Title != body.Title || len(hits[1].Post.Paragraphs) != 2 || hits[1].Post.Path() != body.Path() {
		t.Errorf("hit post %+v", hits[1].Post)
	}
	page, total, _ := s.Search(ctx, store.SearchQuery{Text: "migrants", Limit: 1, Offset: 1})
	if total != 2 || len(page) != 1 || page[0].Post.ID != body.ID {
		t.Fatalf("second page: %d of %d", len(page), total)
	}
	// Accents are folded both ways.
	if _, n, _ := s.Search(ctx, store.SearchQuery{Text: "cafe"}); n != 1 {
		t.Errorf("cafe found %d", n)
	}
	if _, n, _ := s.Search(ctx, store.SearchQuery{Text: `"camped near"`}); n != 1 {
		t.Errorf("phrase found %d", n)
	}
	if _, n, _ := s.Search(ctx, store.SearchQuery{Text: `"near camped"`}); n != 0 {
		t.Errorf("reversed phrase found %d", n)
	}
	if _, n, _ := s.Search(ctx, store.SearchQuery{Text: "migrants nothinglikethis"}); n != 0 {
		t.Errorf("every word is required: found %d", n)
	}
}

// testSearchOnPage: OnPage names the page's hits, best first, before the
// search returns.
func testSearchOnPage(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	body := sitePost(t, s, f.ID, "Border talks continue", "Sky News", "en", at,
		"Officials met on Monday.", "The migrants camped near the frontier while ministers argued about sanctions.")
	title := sitePost(t, s, f.ID, "Migrants reach the frontier", "BBC", "en", at.Add(time.Hour), "A short report.")
	for _, c := range []struct {
		q    store.SearchQuery
		want []int64
	}{
		{store.SearchQuery{Text: "migrants frontier"}, []int64{title.ID, body.ID}},
		{store.SearchQuery{Text: "migrants", Limit: 1, Offset: 1}, []int64{body.ID}},
	} {
		var named []int64
		c.q.OnPage = func(ids []int64) { named = ids }
		hits, _, err := s.Search(ctx, c.q)
		if err != nil || len(hits) != len(c.want) {
			t.Fatalf("%q: %d hits, %v", c.q.Text, len(hits), err)
		}
		if !slices.Equal(named, c.want) {
			t.Errorf("%q: OnPage named %v, want %v", c.q.Text, named, c.want)
		}
	}
}

func testSearchOddInput(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	sitePost(t, s, f.ID, "Plain", "X", "en", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "Some text.")
	for _, q := range []string{"", "   ", `"`, `""`, `*`, `AND OR NOT`, `(text`, `text:`, `-text`, `'; DROP TABLE posts; --`,
		`NEAR(a b)`, `^text`, "\x00", `title:text`, strings.Repeat("text ", 100)} {
		hits, n, err := s.Search(ctx, store.SearchQuery{Text: q, Limit: 10})
		if err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
		if len(hits) > n {
			t.Errorf("Search(%q): %d hits of %d", q, len(hits), n)
		}
	}
	if n, _ := s.CountPosts(ctx); n != 1 {
		t.Fatal("posts lost")
	}
}

func testModeration(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/a.xml")
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	p := sitePost(t, s, f.ID, "P", "X", "en", at)
	q := sitePost(t, s, f.ID, "Q", "X", "en", at)
	add := func(postID, parent int64, who, body string, minutes int) *model.Comment {
		t.Helper()
		c := &model.Comment{PostID: postID, ParentID: parent, Name: who, Body: body, CreatedAt: at.Add(time.Duration(minutes) * time.Minute)}
		if err := s.AddCommentBy(ctx, c, "key-"+who); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1 := add(p.ID, 0, "ani", "one", 1)
	c2 := add(p.ID, c1.ID, "budi", "two", 2)
	c3 := add(q.ID, 0, "ani", "three", 3)
	if c1.Status != model.CommentPending {
		t.Fatalf("new comment status %q", c1.Status)
	}
	t.Run("KnownOnceApproved", func(t *testing.T) { checkKnownCommenter(t, s, c1.ID) })
	got, err := s.Comment(ctx, c2.ID)
	if err != nil || got.ParentID != c1.ID || got.Body != "two" || !got.CreatedAt.Equal(c2.CreatedAt) {
		t.Fatalf("Comment = %+v, %v", got, err)
	}
	t.Run("Lists", func(t *testing.T) {
		checkCommentList(t, s, store.CommentQuery{Status: model.CommentPending}, c3.ID, c2.ID)
		checkCommentList(t, s, store.CommentQuery{PostID: p.ID}, c2.ID, c1.ID)
		checkCommentList(t, s, store.CommentQuery{Limit: 1, Offset: 2}, c1.ID)
		if n := countComments(t, s, store.CommentQuery{Status: model.CommentPending}); n != 2 {
			t.Fatalf("pending count %d", n)
		}
	})
	if err := s.SetCommentStatus(ctx, c3.ID, model.CommentSpam); err != nil {
		t.Fatal(err)
	}
	counts, err := s.CommentCounts(ctx, []int64{p.ID, q.ID, 999})
	if err != nil || counts[p.ID] != 1 || counts[q.ID] != 0 || len(counts) != 1 {
		t.Fatalf("CommentCounts = %v, %v", counts, err)
	}
	if err := s.SetCommentStatus(ctx, c1.ID, "bogus"); err == nil {
		t.Fatal("unknown status accepted")
	}
	if err := s.SetCommentStatus(ctx, 999, model.CommentApproved); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown comment: %v", err)
	}
	t.Run("DeleteTakesReplies", func(t *testing.T) { checkDeleteComment(t, s, c1.ID, c2.ID) })
}

// checkKnownCommenter approves the comment of key-ani: its writer becomes
// known, which the empty key never is.
func checkKnownCommenter(t *testing.T, s store.Store, approve int64) {
	if known, err := s.KnownCommenter(ctx, "key-ani"); err != nil || known {
		t.Fatalf("known before approval: %v %v", known, err)
	}
	if err := s.SetCommentStatus(ctx, approve, model.CommentApproved); err != nil {
		t.Fatal(err)
	}
	if known, err := s.KnownCommenter(ctx, "key-ani"); err != nil || !known {
		t.Fatalf("approved commenter not known: %v", err)
	}
	if known, err := s.KnownCommenter(ctx, ""); err != nil || known {
		t.Fatalf("the empty key is known: %v", err)
	}
}

func checkCommentList(t *testing.T, s store.Store, q store.CommentQuery, want ...int64) {
	t.Helper()
	list, err := s.ListComments(ctx, q)
	if err != nil {
		t.Fatalf("ListComments(%+v): %v", q, err)
	}
	if ids := commentIDs(list); !slices.Equal(ids, want) {
		t.Fatalf("ListComments(%+v) = %v, want %v", q, ids, want)
	}
}

func countComments(t *testing.T, s store.Store, q store.CommentQuery) int {
	t.Helper()
	n, err := s.CountComments(ctx, q)
	if err != nil {
		t.Fatalf("CountComments(%+v): %v", q, err)
	}
	return n
}

// checkDeleteComment deletes parent: its reply goes with it.
func checkDeleteComment(t *testing.T, s store.Store, parent, reply int64) {
	if err := s.DeleteComment(ctx, parent); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Comment(ctx, reply); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reply outlived its parent: %v", err)
	}
	if err := s.DeleteComment(ctx, parent); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if n := countComments(t, s, store.CommentQuery{}); n != 1 {
		t.Fatalf("comments left %d", n)
	}
}

func commentIDs(cs []model.Comment) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testUsersSessions(t *testing.T, s store.Store) {
	if n, _ := s.CountUsers(ctx); n != 0 {
		t.Fatalf("fresh store has %d users", n)
	}
	u := &model.User{Name: "owner", PasswordHash: "pbkdf2$1"}
	if err := s.CreateUser(ctx, u); err != nil || u.ID == 0 {
		t.Fatalf("CreateUser: %+v %v", u, err)
	}
	if err := s.CreateUser(ctx, &model.User{Name: "owner", PasswordHash: "x"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate user: %v", err)
	}
	if err := s.SetPassword(ctx, u.ID, "pbkdf2$2"); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByName(ctx, "owner")
	if err != nil || got.ID != u.ID || got.PasswordHash != "pbkdf2$2" {
		t.Fatalf("UserByName = %+v, %v", got, err)
	}
	if _, err := s.UserByName(ctx, "Owner"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("names are exact: %v", err)
	}
	if got, err := s.User(ctx, u.ID); err != nil || got.Name != "owner" {
		t.Fatalf("User = %+v, %v", got, err)
	}
	if err := s.SetPassword(ctx, 999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetPassword of nobody: %v", err)
	}

	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	old := &model.Session{TokenHash: "old", UserID: u.ID, CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	live := &model.Session{TokenHash: "live", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, sess := range []*model.Session{old, live} {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	sess, err := s.Session(ctx, "live", now)
	if err != nil || sess.UserID != u.ID || !sess.ExpiresAt.Equal(live.ExpiresAt) {
		t.Fatalf("Session = %+v, %v", sess, err)
	}
	if _, err := s.Session(ctx, "live", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if _, err := s.Session(ctx, "old", now.Add(-47*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a session expired when another was created must be gone: %v", err)
	}
	if err := s.DeleteSession(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "live", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
	if err := s.DeleteSession(ctx, "live"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if err := s.CreateSession(ctx, &model.Session{TokenHash: "x", UserID: 999, ExpiresAt: now}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session of nobody: %v", err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	u := &model.User{Name: "owner", PasswordHash: "h"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	a := &model.APIToken{UserID: u.ID, Name: "cron", TokenHash: "ha"}
	b := &model.APIToken{UserID: u.ID, Name: "bot", TokenHash: "hb"}
	for _, tok := range []*model.APIToken{a, b} {
		if err := s.CreateToken(ctx, tok); err != nil || tok.ID == 0 {
			t.Fatalf("CreateToken: %+v %v", tok, err)
		}
	}
	if err := s.CreateToken(ctx, &model.APIToken{UserID: u.ID, TokenHash: "ha"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate hash: %v", err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	got, err := s.TokenByHash(ctx, "hb", now)
	if err != nil || got.ID != b.ID || got.Name != "bot" || !got.LastUsed.Equal(now) {
		t.Fatalf("TokenByHash = %+v, %v", got, err)
	}
	if _, err := s.TokenByHash(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	list, _ := s.Tokens(ctx)
	if len(list) != 2 || list[0].ID != a.ID || !list[1].LastUsed.Equal(now) {
		t.Fatalf("Tokens = %+v", list)
	}
	if err := s.DeleteToken(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(ctx, "ha", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token still works: %v", err)
	}
	if err := s.DeleteToken(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
}

func testSettings(t *testing.T, s store.Store) {
	if m, err := s.Settings(ctx); err != nil || len(m) != 0 {
		t.Fatalf("fresh settings %v %v", m, err)
	}
	for i, v := range []string{"off", "on"} {
		if err := s.SetSetting(ctx, "index", v); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, fmt.Sprint("k", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := s.Settings(ctx)
	if len(m) != 3 || m["index"] != "on" || m["k1"] != "v" {
		t.Fatalf("settings %v", m)
	}

	f := mustFeed(t, s, "https://example.com/a.xml")
	if err := s.SetFeedPaused(ctx, f.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Feed(ctx, f.ID); !got.Paused {
		t.Fatal("feed not paused")
	}
	if err := s.SetFeedPaused(ctx, f.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Feed(ctx, f.ID); got.Paused {
		t.Fatal("feed not resumed")
	}
	if err := s.SetFeedPaused(ctx, 999, true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pause unknown feed: %v", err)
	}
	o, err := s.FeedOptions(ctx, f.ID)
	if err != nil || o != (model.FeedOptions{FeedID: f.ID}) {
		t.Fatalf("default options %+v %v", o, err)
	}
	want := model.FeedOptions{FeedID: f.ID, Topic: "Europe", Excerpt: true}
	if err := s.SetFeedOptions(ctx, want); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.FeedOptions(ctx, f.ID); o != want {
		t.Fatalf("options %+v, want %+v", o, want)
	}
	if _, err := s.FeedOptions(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("options of unknown feed: %v", err)
	}
	if err := s.SetFeedOptions(ctx, model.FeedOptions{FeedID: 999}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("set options of unknown feed: %v", err)
	}
	// Options go with their feed.
	if err := s.DeleteFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
}
