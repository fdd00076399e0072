package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// fillStore puts rows in every table kabar has: feeds with options, items
// (done, failed, waiting), posts (with labels), comments with replies and
// moderation, resolutions, users, sessions, API tokens and settings.
func fillStore(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	for f := 0; f < 3; f++ {
		feed := &model.Feed{URL: fmt.Sprintf("https://news.example/%d.xml", f), Title: fmt.Sprintf("Feed %d", f)}
		must(t, s.AddFeed(ctx, feed))
		must(t, s.RecordPoll(ctx, feed.ID, store.PollResult{At: at, NextPollAt: at.Add(time.Hour), Title: feed.Title, ETag: `"e"`, Changed: true}))
		must(t, s.SetFeedOptions(ctx, model.FeedOptions{FeedID: feed.ID, Topic: fmt.Sprintf("Topic %d", f), Excerpt: f == 1}))
		for i := 0; i < 20; i++ {
			it := &model.Item{FeedID: feed.ID, GUID: fmt.Sprintf("g%d", i), Link: fmt.Sprintf("https://pub%d.example/a/%d", f, i),
				Title: fmt.Sprintf("Über Łódź %d-%d", f, i), Publisher: "Pub", Description: "<p>raw</p>",
				Published: at.Add(time.Duration(i) * time.Hour), Related: []model.Link{{Title: "other", URL: "https://x.example/"}}}
			_, err := s.UpsertItem(ctx, it)
			must(t, err)
			switch i % 4 {
			case 0, 1:
				p := &model.Post{FeedID: feed.ID, ItemID: it.ID, Title: it.Title, SourceURL: it.Link, Publisher: "Pub",
					Language: "de", Published: it.Published, ContentHash: fmt.Sprintf("h%d-%d", f, i),
					Paragraphs: []string{"Erster Absatz über Łódź.", fmt.Sprintf("Zweiter %d.", i)}}
				_, err := s.SavePost(ctx, p)
				must(t, err)
				c := &model.Comment{PostID: p.ID, Name: "Ani", Body: "Menarik.", Status: model.CommentApproved, CreatedAt: at}
				must(t, s.AddCommentBy(ctx, c, "browser-1"))
				must(t, s.AddComment(ctx, &model.Comment{PostID: p.ID, ParentID: c.ID, Name: "Budi", Body: "Setuju.", CreatedAt: at.Add(time.Minute)}))
			case 2:
				must(t, s.FailItem(ctx, it.ID, "fetch: timeout"))
			case 3:
				must(t, s.DeferItem(ctx, it.ID, at.Add(24*time.Hour), "waiting for resolution"))
			}
		}
	}
	must(t, s.SaveResolution(ctx, &model.Resolution{ArticleID: "CBMiAAA", URL: "https://pub.example/r", ResolvedAt: at}))
	must(t, s.SaveResolution(ctx, &model.Resolution{ArticleID: "CBMiBBB", Error: "no URL", Permanent: true, ResolvedAt: at}))
	u := &model.User{Name: "owner", PasswordHash: "argon2id$x", CreatedAt: at}
	must(t, s.CreateUser(ctx, u))
	must(t, s.CreateSession(ctx, &model.Session{TokenHash: "sess-hash", UserID: u.ID, CreatedAt: at, ExpiresAt: time.Now().Add(time.Hour)}))
	must(t, s.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "bot", TokenHash: "tok-hash", CreatedAt: at}))
	must(t, s.SetSetting(ctx, "site.title", "Kabar Łódź"))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// migrate-store copies a SQLite database into PostgreSQL: every table,
// counts verified, and the copy reads back the same through the store.
func TestMigrateStoreCopiesEverything(t *testing.T) {
	skipIfShort(t, "copies a filled store to PostgreSQL")
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "kabar.db")
	src, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, src)
	src.Close()
	url := pgtest.Schema(t)

	code, out, errOut := kabar(t, "migrate-store", "--from", dbPath, "--to", url)
	if code != 0 {
		t.Fatalf("migrate-store: %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("migrate-store:\n%s", out)
	for _, table := range []string{"feeds", "items", "posts", "comments", "gnews_resolutions", "users", "sessions",
		"api_tokens", "settings", "feed_options", "post_labels"} {
		if !strings.Contains(out, table) {
			t.Errorf("report does not mention %s", table)
		}
	}
	if !strings.Contains(out, "counts verified") {
		t.Errorf("no verification in the report")
	}

	src, _ = sqlite.Open(ctx, dbPath)
	defer src.Close()
	dst, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	same := func(what string, a, b any, errA, errB error) {
		t.Helper()
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v / %v", what, errA, errB)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differ:\nsqlite   %+v\npostgres %+v", what, a, b)
		}
	}
	fa, ea := src.Feeds(ctx)
	fb, eb := dst.Feeds(ctx)
	same("feeds", fa, fb, ea, eb)
	pa, ea := src.Posts(ctx, store.PostQuery{})
	pb, eb := dst.Posts(ctx, store.PostQuery{})
	same("posts", pa, pb, ea, eb)
	for _, f := range fa {
		ia, ea := src.UnfinishedItems(ctx, f.ID)
		ib, eb := dst.UnfinishedItems(ctx, f.ID)
		same("unfinished items", ia, ib, ea, eb)
		ca, ea := src.ItemCounts(ctx, f.ID)
		cb, eb := dst.ItemCounts(ctx, f.ID)
		same("item counts", ca, cb, ea, eb)
		oa, ea := src.FeedOptions(ctx, f.ID)
		ob, eb := dst.FeedOptions(ctx, f.ID)
		same("feed options", oa, ob, ea, eb)
	}
	for _, p := range pa[:3] {
		ca, ea := src.Comments(ctx, p.ID, false)
		cb, eb := dst.Comments(ctx, p.ID, false)
		same("comments", ca, cb, ea, eb)
		la, ea := src.PostLabels(ctx, p.ID)
		lb, eb := dst.PostLabels(ctx, p.ID)
		same("labels", la, lb, ea, eb)
	}
	for _, id := range []string{"CBMiAAA", "CBMiBBB"} {
		ra, ea := src.Resolution(ctx, id)
		rb, eb := dst.Resolution(ctx, id)
		same("resolution", ra, rb, ea, eb)
	}
	ua, ea := src.UserByName(ctx, "owner")
	ub, eb := dst.UserByName(ctx, "owner")
	same("user", ua, ub, ea, eb)
	sa, ea := src.Settings(ctx)
	sb, eb := dst.Settings(ctx)
	same("settings", sa, sb, ea, eb)
	if _, err := dst.Session(ctx, "sess-hash", time.Now()); err != nil {
		t.Errorf("session not copied: %v", err)
	}
	if hits, n, err := dst.Search(ctx, store.SearchQuery{Text: "lodz", Limit: 5}); err != nil || n == 0 || len(hits) == 0 {
		t.Errorf("search on the copy: %d hits, %v", n, err)
	}

	// New rows get IDs after the copied ones.
	f := &model.Feed{URL: "https://after.example/feed.xml"}
	if err := dst.AddFeed(ctx, f); err != nil || f.ID <= fa[len(fa)-1].ID {
		t.Fatalf("feed added after the copy: id %d, %v", f.ID, err)
	}
	// A second copy into a database that is not empty is refused whole.
	code, _, errOut = kabar(t, "migrate-store", "--from", dbPath, "--to", url)
	if code == 0 || !strings.Contains(errOut, "not empty") {
		t.Fatalf("second copy: %d %s", code, errOut)
	}
	if n, _ := dst.CountPosts(ctx); n != len(pa) {
		t.Fatalf("posts after the refused copy: %d", n)
	}
	if code, _, _ := kabar(t, "migrate-store", "--from", dbPath); code != 2 {
		t.Fatalf("missing --to: exit %d", code)
	}
}

// kabar --db postgres://… run --once does the whole job in one process, as
// on SQLite, and migrate brings a database up to date.
func TestRunOnceAndMigrateOnPostgres(t *testing.T) {
	skipIfShort(t, "runs kabar end to end on PostgreSQL")
	url := pgtest.Schema(t)
	code, out, errOut := kabar(t, "--db", url, "migrate")
	if code != 0 || !strings.Contains(out, "postgres") || !strings.Contains(out, "job queue up to date") {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	if code, out, errOut = kabar(t, "--db", url, "migrate"); code != 0 {
		t.Fatalf("second migrate: %d %s %s", code, out, errOut)
	}
	web := startLoopWeb(t)
	for _, u := range web.FeedURLs() {
		if code, _, errOut := kabar(t, "--db", url, "feeds", "add", u); code != 0 {
			t.Fatalf("feeds add: %s", errOut)
		}
	}
	code, out, errOut = kabar(t, "--db", url, "run", "--once", "--allow-addr", "127.0.0.0/8", "--host-delay", "0")
	if code != 0 {
		t.Fatalf("run --once: %d %s %s", code, out, errOut)
	}
	want := fmt.Sprintf("feeds polled %d, items seen %d, posts new %d, failures 0", len(web.FeedURLs()), web.Items, web.Articles)
	if strings.TrimSpace(out) != want {
		t.Fatalf("run --once printed %q, want %q", out, want)
	}
}
