package model

import "time"

// Label kinds: every post is labelled with its feed, the feed's topic (set by
// the owner), its publisher and its language. A label's name is what the
// site shows and links as /search/label/NAME; one name may come from several
// kinds.
const (
	LabelFeed      = "feed"
	LabelTopic     = "topic"
	LabelPublisher = "publisher"
	LabelLanguage  = "language"
)

// Label is a label with the number of posts that carry it.
type Label struct {
	Kind  string
	Name  string
	Count int
}

// FeedOptions are the owner's settings for how a feed's posts are shown.
type FeedOptions struct {
	FeedID int64
	// Topic labels every post of the feed; empty means none.
	Topic string
	// Excerpt shows an excerpt and a "continue at the publisher" link
	// instead of the full text.
	Excerpt bool
}

// User is someone who may sign in to the site's administration.
type User struct {
	ID   int64
	Name string
	// PasswordHash is the encoded key-derivation output, never the password.
	PasswordHash string
	CreatedAt    time.Time
}

// Session is a signed-in browser. Only the hash of its token is stored, so
// a copy of the database does not sign anyone in.
type Session struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken lets a program write through the JSON API on a user's behalf.
// Like a session, only the token's hash is stored.
type APIToken struct {
	ID        int64
	UserID    int64
	Name      string
	TokenHash string
	CreatedAt time.Time
	LastUsed  time.Time
}
