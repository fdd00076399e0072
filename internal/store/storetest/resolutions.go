package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

func init() {
	register("ResolutionsAreFinalOnceResolved", testResolutions)
	register("DeferredItemsWait", testDeferItem)
	register("ItemsKeepRelatedCoverage", testItemRelated)
	register("PollAdaptsAndDisables", testPollPolicy)
}

func testResolutions(t *testing.T, s store.Store) {
	id := "CBMiWkFVX3lxTE1LVFlq"
	if _, err := s.Resolution(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	retry := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		if err := s.SaveResolution(ctx, &model.Resolution{ArticleID: id, Error: "rate limited", RetryAfter: retry}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Resolution(ctx, id)
	if err != nil || got.OK() || got.Attempts != 2 || !got.RetryAfter.Equal(retry) || got.Error != "rate limited" {
		t.Fatalf("after two failures: %+v %v", got, err)
	}
	ok := &model.Resolution{ArticleID: id, URL: "https://publisher.example/a", AMPURL: "https://publisher.example/amp/a"}
	if err := s.SaveResolution(ctx, ok); err != nil {
		t.Fatal(err)
	}
	// A later failure (another process, a stale job) never erases a URL.
	if err := s.SaveResolution(ctx, &model.Resolution{ArticleID: id, Error: "late failure", Permanent: true}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Resolution(ctx, id)
	if err != nil || !got.OK() || got.URL != ok.URL || got.AMPURL != ok.AMPURL || got.Error != "" || got.Permanent {
		t.Fatalf("resolved id changed: %+v %v", got, err)
	}
}

func testDeferItem(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en")
	it := mustItem(t, s, f.ID, "new-form")
	until := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	if err := s.DeferItem(ctx, it.ID, until, "needs online resolution"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Item(ctx, it.ID)
	if got.Status != model.ItemWaiting || !got.NextAttemptAt.Equal(until) || got.Attempts != 1 || got.Error != "needs online resolution" {
		t.Fatalf("deferred item = %+v", got)
	}
	if unfinished, _ := s.UnfinishedItems(ctx, f.ID); len(unfinished) != 1 {
		t.Fatalf("a waiting item is unfinished: %+v", unfinished)
	}
	if counts, _ := s.ItemCounts(ctx, f.ID); counts[model.ItemWaiting] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	// A done item is never put back to waiting.
	p := post(it, "https://publisher.example/x", "")
	if _, err := s.SavePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.DeferItem(ctx, it.ID, until, "late"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Item(ctx, it.ID); got.Status != model.ItemDone {
		t.Fatalf("done item deferred: %+v", got)
	}
}

func testItemRelated(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en")
	it := &model.Item{FeedID: f.ID, GUID: "g", StoryURL: "https://news.google.com/stories/CAAqNggKIjBDQklTSGpvSmMzUnZjbmt0TXpZd1NoRUtEd2pjcHNPV0N4RWtfaVhQSGRXdEl5Z0FQAQ?oc=5",
		Related: []model.Link{{Title: "Other report", URL: "https://news.google.com/rss/articles/CBMi", Publisher: "Other Paper"}}}
	if _, err := s.UpsertItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	got, err := s.Item(ctx, it.ID)
	if err != nil || got.StoryURL != it.StoryURL || len(got.Related) != 1 || got.Related[0] != it.Related[0] {
		t.Fatalf("item = %+v %v", got, err)
	}
	none := mustItem(t, s, f.ID, "plain")
	if got, _ := s.Item(ctx, none.ID); got.Related != nil || got.StoryURL != "" {
		t.Fatalf("plain item = %+v", got)
	}
}

func testPollPolicy(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/feed.xml")
	at := time.Date(2026, 3, 3, 3, 3, 3, 0, time.UTC)
	err := s.RecordPoll(ctx, f.ID, store.PollResult{At: at, NextPollAt: at.Add(time.Hour), Changed: true, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Feed(ctx, f.ID)
	if got.PollInterval != time.Hour || !got.LastChangedAt.Equal(at) {
		t.Fatalf("after a changed poll: %+v", got)
	}
	later := at.Add(time.Hour)
	if err := s.RecordPoll(ctx, f.ID, store.PollResult{At: later, NextPollAt: later.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Feed(ctx, f.ID); !got.LastChangedAt.Equal(at) || got.PollInterval != time.Hour {
		t.Fatalf("an unchanged poll moved the change time or interval: %+v", got)
	}
	err = s.RecordPoll(ctx, f.ID, store.PollResult{At: later, NextPollAt: later, Err: errors.New("410 Gone"), Disable: "the feed answered 410 Gone"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Feed(ctx, f.ID); got.DisabledReason != "the feed answered 410 Gone" || got.ErrorCount != 1 {
		t.Fatalf("disabled feed = %+v", got)
	}
}
