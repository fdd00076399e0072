package story

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kabarnews/kabar/internal/gnews"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

// Store is what the Assigner needs of kabar's store (store.Store has it).
type Store interface {
	store.StoryStore
	Post(ctx context.Context, id int64) (*model.Post, error)
}

// Assigner puts each new post in a story: an existing one or a new one. It
// keeps an in-memory index of the posts of the last Config.Window, built
// from the store on first use and caught up with other processes' posts
// every Config.Refresh, and records every decision in the store, which
// stays the truth. Safe for concurrent use (calls are serialised).
type Assigner struct {
	st  Store
	cfg Config
	// Now is the clock (default time.Now); it only guards the index against
	// posts dated in the future.
	Now func() time.Time

	mu          sync.Mutex
	idx         *index
	pending     map[string]int64 // keys of assignments decided, not yet written
	loaded      bool
	hw          int64 // the highest assignment Seq the index has seen
	lastRefresh time.Time
}

// NewAssigner returns an Assigner on st; zero fields of cfg take their
// defaults (DefaultConfig).
func NewAssigner(st Store, cfg Config) *Assigner {
	cfg = cfg.withDefaults()
	return &Assigner{st: st, cfg: cfg, Now: time.Now, idx: newIndex(cfg), pending: map[string]int64{}}
}

// Config is the configuration in use, defaults filled in.
func (a *Assigner) Config() Config { return a.cfg }

// catchUpSlack: on PostgreSQL an assignment's Seq is handed out before its
// transaction commits, so Seq 11 may be visible before 10. Catching up
// re-reads this many Seqs below the highest seen (known posts are skipped).
const catchUpSlack = 64

// Load builds the index from the store: the posts with a story published
// within Config.Window of the newest one. Assign calls it on first use; call
// it at start to pay the cost before the first post.
func (a *Assigner) Load(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.load(ctx)
}

func (a *Assigner) load(ctx context.Context) error {
	a.idx = newIndex(a.cfg)
	a.hw = 0
	latest, err := a.st.Stories(ctx, store.StoryQuery{Limit: 1})
	if err != nil {
		return fmt.Errorf("story index: %w", err)
	}
	if len(latest) > 0 {
		since := latest[0].LastPublished.Add(-a.cfg.Window)
		posts, err := a.st.StoryPosts(ctx, since, a.cfg.MaxIndexPosts)
		if err != nil {
			return fmt.Errorf("story index: %w", err)
		}
		for i := range posts {
			sp := &posts[i]
			f := a.cfg.featuresOf(&sp.Post)
			a.idx.sign(&f)
			a.idx.add(sp.Link.PostID, sp.Link.StoryID, sp.Link.CopyOf, a.indexTime(sp.Post.Published), f)
			a.hw = max(a.hw, sp.Link.Seq)
		}
		// Assignments beyond the window still count for the high-water mark.
		if err := a.catchUp(ctx); err != nil {
			return err
		}
	}
	a.loaded = true
	a.lastRefresh = a.Now()
	return nil
}

// catchUp adds the posts other processes assigned since the index last
// looked.
func (a *Assigner) catchUp(ctx context.Context) error {
	for {
		links, err := a.st.StoryLinksAfter(ctx, max(a.hw-catchUpSlack, 0), 1000)
		if err != nil {
			return fmt.Errorf("story index: catch up: %w", err)
		}
		advanced := false
		for _, l := range links {
			if l.Seq > a.hw {
				a.hw, advanced = l.Seq, true
			}
			if _, ok := a.idx.has(l.PostID); ok {
				continue
			}
			p, err := a.st.Post(ctx, l.PostID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("story index: catch up: %w", err)
			}
			if !p.Published.Before(a.idx.newest.Add(-a.cfg.Window)) {
				f := a.cfg.featuresOf(p)
				a.idx.sign(&f)
				a.idx.add(l.PostID, l.StoryID, l.CopyOf, a.indexTime(p.Published), f)
			}
		}
		if len(links) < 1000 || !advanced {
			return nil
		}
	}
}

// indexTime is a post's time for the index: its publication time, but
// never more than a day ahead of the clock (a wrong date must not push the
// window past every other post).
func (a *Assigner) indexTime(t time.Time) time.Time {
	if limit := a.Now().Add(24 * time.Hour); t.After(limit) {
		return limit
	}
	return t
}

func (a *Assigner) ready(ctx context.Context) error {
	if !a.loaded {
		return a.load(ctx)
	}
	if a.cfg.Refresh > 0 && a.Now().Sub(a.lastRefresh) >= a.cfg.Refresh {
		a.lastRefresh = a.Now()
		return a.catchUp(ctx)
	}
	return nil
}

// Assign puts a saved post in a story and says which (storyID) and which
// post of it the post copies (copyOf, 0 for its own reporting). Call it
// after every store.SavePost, created or not, with the item that led to
// the post (nil when there is none): an article reached again through
// another feed keeps its story and brings that item's Google News evidence
// to it. Calling it twice for one post is harmless.
//
// The decision, strongest evidence first:
//  1. Google News: the post's own article ID or URL was listed as related
//     coverage of a story, or the item lists reports of a story or names its
//     Full Coverage page: that story.
//  2. Copies: the text equals (after normalising case, spacing and
//     punctuation) or nearly copies (MinHash containment >= CopyThreshold)
//     a post of the last Window: that post's story, marked as a copy.
//  3. Words: the story most similar by its reports' rarity-weighted title
//     words (leads' names confirming), within Window, when the similarity
//     reaches StoryThreshold.
//  4. Otherwise a new story.
//
// Stories found to be one are merged (store.MergeStories) into the larger:
// those Google News puts together, and those a post resembles as much as
// the one it joins when they also resemble each other (MergeThreshold).
// storyID is the story the post ends in.
func (a *Assigner) Assign(ctx context.Context, post *model.Post, item *model.Item) (storyID, copyOf int64, err error) {
	if post == nil || post.ID == 0 {
		return 0, 0, errors.New("story: assign a saved post (it has no ID)")
	}
	// What depends on the post alone is worked out before taking the lock,
	// which serialises the assignments of every worker of the process.
	own, evidence := postKeys(post, item)
	keys := append(append([]string(nil), own...), evidence...)
	f := a.cfg.featuresOf(post)
	a.mu.Lock()
	later, storyID, copyOf, err := a.assignLocked(ctx, post, keys, own, evidence, f)
	a.mu.Unlock()
	if later == nil || err != nil {
		return storyID, copyOf, err
	}
	return later()
}

// assignLocked is Assign under the lock. When the post joins a story the
// index knows, which is the common case, the index takes it at once and
// the store's write is returned as later, to run after the lock is
// released: the lock serialises every worker of the process, and the
// write is a commit (on PostgreSQL, round trips) that others need not
// wait for. Until the write is done, the post's keys are kept in a.pending
// so that the assignments decided meanwhile see them.
func (a *Assigner) assignLocked(ctx context.Context, post *model.Post, keys, own, evidence []string, f features) (later func() (int64, int64, error), storyID, copyOf int64, err error) {
	if err := a.ready(ctx); err != nil {
		return nil, 0, 0, err
	}
	if d, ok := a.idx.has(post.ID); ok {
		if err := a.st.AddStoryKeys(ctx, d.storyID, keys); err != nil {
			return nil, 0, 0, err
		}
		return nil, d.storyID, d.copyOf, nil
	}

	a.idx.sign(&f)
	at := a.indexTime(post.Published)
	m := a.idx.find(&f, at)
	asg, merge, err := a.decide(ctx, post, keys, own, evidence, &m)
	if err != nil {
		return nil, 0, 0, err
	}
	if asg.StoryID == 0 {
		storyID, copyOf, err = a.startStory(ctx, post, asg, at, f)
		return nil, storyID, copyOf, err
	}
	decided := asg.StoryID
	a.idx.add(post.ID, decided, asg.CopyOf, at, f)
	if asg.Evidence == store.EvidenceText {
		a.idx.noteWeak(post.ID, asg.Score)
		if err := a.moveWeak(ctx, decided, f.title); err != nil {
			return nil, 0, 0, err
		}
		// The post ties its story to others it resembles as much: when
		// those stories resemble each other too, they are one story that
		// began twice.
		for _, o := range m.others {
			if a.idx.storySim(decided, o) >= a.cfg.MergeThreshold {
				merge = append(merge, o)
			}
		}
	}
	root, rooted := a.idx.has(asg.CopyOf)
	reroot := asg.CopyOf != 0 && rooted && at.Before(root.published)
	if len(merge) == 0 && !reroot {
		return a.writeLater(ctx, asg, keys), 0, 0, nil
	}
	storyID, copyOf, err = a.joinMerging(ctx, post.ID, asg, merge, reroot)
	return nil, storyID, copyOf, err
}

// decide works out which story the post joins (StoryID 0: a new one), on
// which evidence, and the stories found to be that one (merge), from the
// keys Google News gave (as stored, or pending) and the index's match m.
// It writes nothing.
func (a *Assigner) decide(ctx context.Context, post *model.Post, keys, own, evidence []string, m *match) (asg *store.StoryAssignment, merge []int64, err error) {
	asg = &store.StoryAssignment{StoryLink: store.StoryLink{PostID: post.ID}, Published: post.Published,
		Title: post.Title, Keys: keys}
	found, err := a.st.StoryKeys(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range keys {
		if id, ok := a.pending[k]; ok {
			if _, stored := found[k]; !stored {
				found[k] = id
			}
		}
	}
	if id := vote(found, own, evidence); id != 0 {
		asg.StoryID, asg.Score, asg.Evidence = id, 1, store.EvidenceGNews
		// Google News grouped these reports: every story holding one of
		// them is this story.
		for _, sid := range found {
			if sid != id && !slices.Contains(merge, sid) {
				merge = append(merge, sid)
			}
		}
	}
	switch {
	case m.copyOf != 0 && (asg.StoryID == 0 || asg.StoryID == m.copyStory):
		asg.CopyOf = m.copyOf
		if asg.StoryID == 0 {
			asg.StoryID, asg.Score, asg.Evidence = m.copyStory, m.copyScore, store.EvidenceCopy
			if m.exact {
				asg.Evidence = store.EvidenceExact
			}
		}
	case asg.StoryID == 0 && m.storyID != 0 && m.score >= a.cfg.StoryThreshold:
		asg.StoryID, asg.Score, asg.Evidence = m.storyID, m.score, store.EvidenceText
	case asg.StoryID == 0:
		asg.Score, asg.Evidence = 1, store.EvidenceNew
	}
	return asg, merge, nil
}

// startStory puts the post in a new story. The store gives the story its
// ID, which the index needs, so it is written under the lock.
func (a *Assigner) startStory(ctx context.Context, post *model.Post, asg *store.StoryAssignment, at time.Time, f features) (storyID, copyOf int64, err error) {
	if _, err := a.st.AssignStory(ctx, asg); err != nil {
		return 0, 0, err
	}
	// asg now holds the stored link, ours or the one another process
	// made.
	a.noteSeq(asg.Seq)
	a.idx.add(post.ID, asg.StoryID, asg.CopyOf, at, f)
	if err := a.moveWeak(ctx, asg.StoryID, f.title); err != nil {
		return 0, 0, err
	}
	return asg.StoryID, asg.CopyOf, nil
}

// writeLater returns the store's write of an assignment the index has
// taken, to run after the lock is released; meanwhile the post's keys
// wait in a.pending, so that the assignments decided before the write see
// them.
func (a *Assigner) writeLater(ctx context.Context, asg *store.StoryAssignment, keys []string) func() (int64, int64, error) {
	decided := asg.StoryID
	for _, k := range keys {
		a.pending[k] = decided
	}
	return func() (int64, int64, error) {
		_, err := a.st.AssignStory(ctx, asg)
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, k := range keys {
			if a.pending[k] == decided {
				delete(a.pending, k)
			}
		}
		if err != nil {
			a.stale()
			return 0, 0, err
		}
		if asg.StoryID != decided {
			a.stale()
		}
		a.noteSeq(asg.Seq)
		return asg.StoryID, asg.CopyOf, nil
	}
}

// joinMerging writes an assignment that merges stories or re-roots
// copies (rare): everything under the lock, in order.
func (a *Assigner) joinMerging(ctx context.Context, postID int64, asg *store.StoryAssignment, merge []int64, reroot bool) (storyID, copyOf int64, err error) {
	decided := asg.StoryID
	if _, err := a.st.AssignStory(ctx, asg); err != nil {
		a.stale()
		return 0, 0, err
	}
	a.noteSeq(asg.Seq)
	if asg.StoryID != decided {
		a.stale()
		return asg.StoryID, asg.CopyOf, nil
	}
	for _, o := range merge {
		if a.idx.size(o) == 0 || a.idx.size(asg.StoryID) == 0 {
			continue // only stories within the window
		}
		from, into := o, asg.StoryID
		if a.idx.size(from) > a.idx.size(into) || a.idx.size(from) == a.idx.size(into) && from < into {
			from, into = into, from
		}
		if err := a.st.MergeStories(ctx, from, into); err != nil {
			return 0, 0, err
		}
		a.idx.merge(from, into)
		asg.StoryID = into
	}
	if reroot {
		// A copy published before its original becomes the original.
		if err := a.st.RerootCopies(ctx, asg.CopyOf, postID); err != nil {
			return 0, 0, err
		}
		a.idx.reroot(asg.CopyOf, postID)
		asg.CopyOf = 0
	}
	return asg.StoryID, asg.CopyOf, nil
}

// mover is what a store needs for a report to leave the story it joined
// on weak evidence (both of kabar's stores have it).
type mover interface {
	MoveStoryPost(ctx context.Context, postID, to int64, score float64, evidence string) error
}

// moveWeak moves to story to the reports that joined another story on
// weak evidence and fit story to better now that a post with these title
// words started or joined it (docs/stories.md, "Weak evidence").
func (a *Assigner) moveWeak(ctx context.Context, to int64, title map[string]float64) error {
	mv, ok := a.st.(mover)
	if !ok {
		return nil
	}
	moves := a.idx.moves(to, title)
	ids := slices.Sorted(maps.Keys(moves))
	for _, id := range ids {
		if err := mv.MoveStoryPost(ctx, id, to, moves[id], store.EvidenceText); err != nil {
			a.stale()
			return err
		}
		a.idx.move(id, to)
	}
	return nil
}

// noteSeq moves the high-water mark of assignments seen on by one.
func (a *Assigner) noteSeq(seq int64) {
	if seq == a.hw+1 {
		a.hw = seq
	}
}

// stale has the index rebuilt from the store on the next call: it took a
// decision that the store did not keep (a refused write, or a post another
// process had put in another story first).
func (a *Assigner) stale() { a.loaded = false }

// vote picks the story the Google News evidence points to: the one holding
// the post's own keys (another report listed this one as related), else the
// one holding most of the item's related reports and Full Coverage page.
// Ties go to the oldest story.
func vote(found map[string]int64, own, evidence []string) int64 {
	pick := func(keys []string) int64 {
		count := map[int64]int{}
		var best int64
		for _, k := range keys {
			id, ok := found[k]
			if !ok {
				continue
			}
			count[id]++
			if best == 0 || count[id] > count[best] || count[id] == count[best] && id < best {
				best = id
			}
		}
		return best
	}
	if id := pick(own); id != 0 {
		return id
	}
	return pick(evidence)
}

// postKeys are a post's evidence keys: its own (its Google News article
// ID, its canonical URL) and those of the item that led to it (the item's
// article ID and URLs, the reports it lists as related coverage, its Full
// Coverage page).
func postKeys(p *model.Post, it *model.Item) (own, evidence []string) {
	seen := map[string]bool{}
	add := func(list *[]string, k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			*list = append(*list, k)
		}
	}
	addLink := func(list *[]string, link string) {
		if link == "" {
			return
		}
		if id, ok := gnews.ArticleID(link); ok {
			add(list, "gn:"+id)
			if d, err := gnews.Decode(link); err == nil && d.URL != "" {
				add(list, URLKey(d.URL))
			}
			return
		}
		if src, ok := gnews.LegacyURL(link); ok {
			link = src
		}
		add(list, URLKey(link))
	}
	add(&own, URLKey(p.SourceURL))
	addLink(&own, p.ItemLink)
	if it != nil {
		addLink(&own, it.Link)
		add(&own, URLKey(it.SourceURL))
		for _, r := range it.Related {
			addLink(&evidence, r.URL)
		}
		add(&evidence, StoryKey(it.StoryURL))
	}
	return own, evidence
}

// URLKey is the evidence key of an article URL: its canonical form.
func URLKey(raw string) string {
	if raw == "" {
		return ""
	}
	c := Canonical(raw, "")
	if u, err := url.Parse(c); err != nil || u.Host == "" {
		return ""
	}
	return "url:" + c
}

// StoryKey is the evidence key of a Google News Full Coverage page
// (news.google.com/stories/ID?…): its ID, whatever the edition's query.
func StoryKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Hostname(), "news.google.com") {
		return ""
	}
	id, ok := strings.CutPrefix(u.Path, "/stories/")
	if !ok || id == "" {
		return ""
	}
	return "gnstory:" + strings.TrimSuffix(id, "/")
}

// IndexSize is the number of posts in the in-memory index.
func (a *Assigner) IndexSize() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.idx.docs)
}
