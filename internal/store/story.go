package store

import (
	"context"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// Story is one event with every report of it that kabar stored: posts
// grouped by internal/story.
type Story struct {
	ID int64
	// Title is the title of the report that started the story; LeadPostID
	// that report.
	Title      string
	LeadPostID int64
	// Posts counts the story's posts; Copies those that copy another of
	// its posts.
	Posts  int
	Copies int
	// FirstPublished and LastPublished are the publication times of the
	// story's oldest and newest reports.
	FirstPublished time.Time
	LastPublished  time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// MergedInto is the story this one turned out to be (MergeStories):
	// its posts are there now. 0 for a live story.
	MergedInto int64
}

// Story evidence: why a post was put in its story.
const (
	EvidenceNew    = "new"    // it started the story
	EvidenceGNews  = "gnews"  // Google News grouped it there (related coverage, Full Coverage page)
	EvidenceCopy   = "copy"   // it copies a report of the story
	EvidenceExact  = "exact"  // its text equals a report's of the story
	EvidenceText   = "text"   // its title and lead resemble the story's reports
	EvidenceManual = "manual" // the owner put it there
)

// StoryLink is a post's place in its story.
type StoryLink struct {
	PostID  int64
	StoryID int64
	// CopyOf is the post of the story whose text this one copies, 0 for
	// the post's own reporting.
	CopyOf int64
	// Score is how sure the assignment was (0..1): similarity of words
	// for EvidenceText, containment for copies, 1 for Google News.
	Score    float64
	Evidence string
	// Seq orders assignments across every process: it only grows, so a
	// process catches up on others' assignments with StoryLinksAfter.
	Seq int64
}

// StoryAssignment is what AssignStory records for one post.
type StoryAssignment struct {
	StoryLink
	// Published is the post's publication time, kept on the story.
	Published time.Time
	// Title is a new story's title (the post's).
	Title string
	// Keys are the story's evidence keys this post brings (its own article
	// ID and URL, the related coverage and Full Coverage page of the item
	// that led to it); the first story to record a key keeps it.
	Keys []string
}

// StoryQuery selects stories, newest report first. MinPosts > 1 leaves
// out stories of fewer posts.
type StoryQuery struct {
	MinPosts int
	Limit    int
	Offset   int
}

// StoryReport is one report of a story: the post, its place in the story,
// and the items that led to it (several when one text was reached through
// several links or published by several sites).
type StoryReport struct {
	Post  model.Post
	Link  StoryLink
	Items []model.Item
}

// StoryPost is a post with its story link, for rebuilding the in-memory
// story index.
type StoryPost struct {
	Post model.Post
	Link StoryLink
}

// StoryStore keeps stories: which story each post belongs to, which posts
// copy which, and the evidence keys (Google News article IDs, canonical
// URLs, Full Coverage pages) that tie later reports to a story.
type StoryStore interface {
	// AssignStory puts a post in a story, creating the story when
	// a.StoryID is 0, and records a.Keys for the story. A post is in one
	// story, once: when it already has one (another process was first),
	// nothing changes but the keys, which are recorded for the stored
	// story; a is overwritten with the stored link and created is false.
	// a.StoryID and a.Seq are set either way (a story merged away is
	// followed to the one it was merged into). ErrNotFound for an unknown
	// post or story.
	AssignStory(ctx context.Context, a *StoryAssignment) (created bool, err error)
	// StoryKeys finds the stories that hold any of keys: key → story ID.
	StoryKeys(ctx context.Context, keys []string) (map[string]int64, error)
	// AddStoryKeys records keys for a story; keys already held stay with
	// their story.
	AddStoryKeys(ctx context.Context, storyID int64, keys []string) error
	// MergeStories moves every post and key of story from into story into
	// and leaves from pointing there (MergedInto; stories merged into from
	// before point to into too). A story merged away takes no more posts:
	// AssignStory and AddStoryKeys follow MergedInto.
	MergeStories(ctx context.Context, from, into int64) error
	// RerootCopies makes newRoot the original of oldRoot's copies (oldRoot
	// included): a copy turned out to be published first.
	RerootCopies(ctx context.Context, oldRoot, newRoot int64) error

	// PostStory is a post's story link; ErrNotFound when it has none.
	PostStory(ctx context.Context, postID int64) (*StoryLink, error)
	Story(ctx context.Context, id int64) (*Story, error)
	// Stories lists live stories (not merged away) by their newest report,
	// newest first.
	Stories(ctx context.Context, q StoryQuery) ([]Story, error)
	CountStories(ctx context.Context, q StoryQuery) (int, error)
	// StoryReports lists a story's reports, newest first, each with the
	// items that led to it (oldest first). ErrNotFound for an unknown story;
	// none for a story merged away.
	StoryReports(ctx context.Context, storyID int64) ([]StoryReport, error)

	// StoryPosts lists the posts published at or after since that have a
	// story, oldest first, at most limit (<= 0: all), for the index.
	StoryPosts(ctx context.Context, since time.Time, limit int) ([]StoryPost, error)
	// StoryLinksAfter lists the story links with Seq > seq, in Seq order,
	// at most limit (<= 0: all).
	StoryLinksAfter(ctx context.Context, seq int64, limit int) ([]StoryLink, error)
}
