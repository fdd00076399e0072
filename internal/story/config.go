package story

import "time"

// Config holds the settings of story assignment. The zero value of a field
// means its default (DefaultConfig); docs/stories.md explains each and the
// figures they give.
type Config struct {
	// Window is how far apart in publication time two reports of one story
	// may be: a post joins only stories with a report within Window of it,
	// and the in-memory index keeps the last Window of posts. Default 72h.
	Window time.Duration
	// StoryThreshold is the least probability (0..1, the pair scorer's,
	// Model) for a post to join a story without stronger evidence.
	// Default: the model's Join.
	StoryThreshold float64
	// HalfLife is the time decay of word evidence: a post's similarity to
	// a story is halved for every HalfLife between the post and the
	// story's nearest report (none inside the story's span). Reports of
	// one event come in bursts; two bursts a day apart with the same
	// words are more often two events (a court date and its verdict).
	// Default 24h, a news-cycle day, not fitted to the development set
	// (whose stories each arrive within a minute, docs/stories.md);
	// negative: no decay.
	HalfLife time.Duration
	// MergeThreshold is the least similarity of two stories' titles (0..1)
	// for them to be merged when a new post matches both. Default: the
	// model's Merge.
	MergeThreshold float64
	// CopyThreshold is the least estimated containment (0..1) of the
	// shorter text's word shingles in the longer one for two posts to be
	// copies of one text. Default 0.60.
	CopyThreshold float64
	// MinCopyShingles: a text with fewer distinct shingles is never taken
	// for a near copy (short texts share phrases by chance). Default 40.
	MinCopyShingles int
	// MinExactTokens: a text with fewer words is never taken for an exact
	// copy (headline-only posts of a recurring column). Default 25.
	MinExactTokens int
	// LeadWords is how many words of the description and first paragraphs
	// count for story matching, besides the title. Default 60.
	LeadWords int
	// QueryTerms is how many of a post's rarest title words are looked up
	// in the index, and MaxPostings how many stories each word leads to
	// (those that used it last; a word in more than one post in a hundred
	// leads to 16): together they bound the work per post whatever the
	// index's size. Defaults 16 and 64.
	QueryTerms  int
	MaxPostings int
	// Refresh is how often the index catches up with posts assigned by
	// other processes sharing the database. Default 2s; negative: never.
	Refresh time.Duration
	// Model is the pair scorer (nil: the embedded weights.json).
	Model *Model
	// MaxIndexPosts bounds the posts loaded into the index at start.
	// Default 200 000.
	MaxIndexPosts int
}

// DefaultConfig is the configuration the zero Config stands for.
var DefaultConfig = Config{
	Window:          72 * time.Hour,
	StoryThreshold:  defaultModel.Join,
	MergeThreshold:  defaultModel.Merge,
	HalfLife:        24 * time.Hour,
	CopyThreshold:   0.60,
	MinCopyShingles: 40,
	MinExactTokens:  25,
	LeadWords:       60,
	QueryTerms:      16,
	MaxPostings:     64,
	Refresh:         2 * time.Second,
	MaxIndexPosts:   200000,
}

// withDefaults fills the zero fields of c from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig
	if c.Window <= 0 {
		c.Window = d.Window
	}
	if c.Model == nil {
		c.Model = defaultModel
	}
	if c.StoryThreshold <= 0 {
		c.StoryThreshold = c.Model.Join
	}
	if c.HalfLife == 0 {
		c.HalfLife = d.HalfLife
	}
	if c.MergeThreshold <= 0 {
		c.MergeThreshold = c.Model.Merge
	}
	if c.CopyThreshold <= 0 {
		c.CopyThreshold = d.CopyThreshold
	}
	if c.MinCopyShingles <= 0 {
		c.MinCopyShingles = d.MinCopyShingles
	}
	if c.MinExactTokens <= 0 {
		c.MinExactTokens = d.MinExactTokens
	}
	if c.LeadWords <= 0 {
		c.LeadWords = d.LeadWords
	}
	if c.QueryTerms <= 0 {
		c.QueryTerms = d.QueryTerms
	}
	if c.MaxPostings <= 0 {
		c.MaxPostings = d.MaxPostings
	}
	if c.Refresh == 0 {
		c.Refresh = d.Refresh
	}
	if c.MaxIndexPosts <= 0 {
		c.MaxIndexPosts = d.MaxIndexPosts
	}
	return c
}
