// Package bulk imports news archives (WARC files, such as Common Crawl's
// CC-NEWS) in bulk: every HTML response record becomes a post through the
// pipeline's extraction, canonical URL, copy detection and story
// assignment, without the per-item job queue.
//
// The work is a bounded pipeline: one goroutine reads and decompresses
// records, one worker per CPU parses and extracts them, and the caller's
// goroutine puts the results back in archive order and stores them in
// batches, one transaction per batch, which also records the place of the
// first record not yet stored. A killed import started again resumes
// there, and since a stored article is never stored twice (the store
// deduplicates by URL and text), every article is stored once. Story
// assignment runs beside, fed with each batch's new posts; a post not yet
// assigned when the process dies waits in the store for the next run.
package bulk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/textproto"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/story"
)

// StoryAssigner puts saved posts in their stories, a batch at a time;
// *story.Assigner is one.
type StoryAssigner interface {
	AssignBatch(ctx context.Context, posts []*model.Post, failed func(*model.Post, error)) (assigned int)
}

// StoryPreparer is a StoryAssigner that can work out beforehand what a
// post's assignment needs of the post alone (*story.Assigner is one). The
// import's workers then do that work in parallel, beside the extraction,
// and the goroutine that assigns, one post after another, does only the
// part that depends on the stories before.
type StoryPreparer interface {
	StoryAssigner
	Prepare(post *model.Post) *story.Prepared
	AssignBatchPrepared(ctx context.Context, posts []*story.Prepared, failed func(*model.Post, error)) (assigned int)
}

// Options tune an import. Zero fields take defaults.
type Options struct {
	// Workers extract pages in parallel (default: one per CPU).
	Workers int
	// BatchPosts and BatchRecords bound a transaction: it is written when
	// either is reached, or after BatchEvery.
	BatchPosts   int
	BatchRecords int
	BatchEvery   time.Duration
	// MaxBlock is the largest record read (default 16 MiB); larger ones
	// are skipped.
	MaxBlock int64
	// InFlight bounds the bytes of records read and not yet stored
	// (default 64 MiB): the memory an import takes does not grow with the
	// archive.
	InFlight int64
	// MinChars is the article text under which a page is not an article
	// (default 200 bytes).
	MinChars int
	Filter   *Filter
	Shard    Shard
	// Stories, when set, puts each new post in its story.
	Stories StoryAssigner
	Log     *slog.Logger
	Now     func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.BatchPosts <= 0 {
		o.BatchPosts = 500
	}
	if o.BatchRecords <= 0 {
		o.BatchRecords = 5000
	}
	if o.BatchEvery <= 0 {
		// Each commit rewrites the pages of every index and of the
		// full-text index that the batch touched: fewer, larger batches
		// write each page fewer times. A killed import redoes at most
		// this much work.
		o.BatchEvery = 10 * time.Second
	}
	if o.MaxBlock <= 0 {
		o.MaxBlock = 16 << 20
	}
	if o.InFlight <= 0 {
		o.InFlight = 64 << 20
	}
	if o.MinChars <= 0 {
		o.MinChars = 200
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Stats count what an import did; fields are safe to read while it runs.
type Stats struct {
	Records    atomic.Int64 // records read (this run)
	Posts      atomic.Int64 // new posts
	Duplicates atomic.Int64 // articles stored before (another record, archive or run)
	Skipped    atomic.Int64
	Stories    atomic.Int64 // new posts put in their story
	// Bytes is the archive bytes read (compressed, as on disk); Resumed
	// those of earlier runs, skipped over by this one.
	Bytes   atomic.Int64
	Resumed atomic.Int64

	mu        sync.Mutex
	reasons   map[string]int64
	truncated []string
}

// Reasons counts the skipped records by reason.
func (s *Stats) Reasons() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.reasons))
	for k, v := range s.reasons {
		out[k] = v
	}
	return out
}

// Truncated lists the archives that ended inside a record, with where.
func (s *Stats) Truncated() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.truncated...)
}

func (s *Stats) skip(reason string) {
	s.Skipped.Add(1)
	s.mu.Lock()
	if s.reasons == nil {
		s.reasons = map[string]int64{}
	}
	s.reasons[reason]++
	s.mu.Unlock()
}

// Importer imports archives into a store.
type Importer struct {
	st    store.BulkStore
	opt   Options
	Stats Stats

	stories  chan storyBatch
	preparer StoryPreparer // Stories, when it can prepare
	storyWG  sync.WaitGroup
}

// storyBatch is the new posts of a stored batch: prepared (when the
// assigner can) or not.
type storyBatch struct {
	posts    []*model.Post
	prepared []*story.Prepared
}

// NewImporter returns an importer on st. Call Close when done: it waits
// for the story assignments still running.
func NewImporter(st store.BulkStore, opt Options) *Importer {
	im := &Importer{st: st, opt: opt.withDefaults()}
	if im.opt.Stories != nil {
		im.preparer, _ = im.opt.Stories.(StoryPreparer)
		im.stories = make(chan storyBatch, 4)
		im.storyWG.Add(1)
		go im.assignStories()
	}
	return im
}

// assignStories puts new posts in their stories, batch after batch. A
// failure leaves the post waiting in the store (SaveImportBatch marked it)
// for the next run.
func (im *Importer) assignStories() {
	defer im.storyWG.Done()
	failed := func(p *model.Post, err error) {
		im.opt.Log.Warn("story assignment failed; the post waits for the next run", "post", p.ID, "err", err)
	}
	for b := range im.stories {
		var n int
		if b.prepared != nil {
			n = im.preparer.AssignBatchPrepared(context.Background(), b.prepared, failed)
		} else {
			n = im.opt.Stories.AssignBatch(context.Background(), b.posts, failed)
		}
		im.Stats.Stories.Add(int64(n))
	}
}

// Close waits for the story assignments of the posts stored so far.
func (im *Importer) Close() {
	if im.stories != nil {
		close(im.stories)
		im.storyWG.Wait()
		im.stories = nil
	}
}

// Archive is one archive to import.
type Archive struct {
	// Name is what messages call it (the path, or "-").
	Name string
	// Key identifies the archive in the store's progress ("" keeps none:
	// an archive on standard input is read whole each time, and the
	// store's deduplication keeps it from adding anything twice).
	Key string
	// Open opens the archive for reading, at its beginning.
	Open func() (io.ReadCloser, error)
}

// Result is how one archive's import ended.
type Result struct {
	// AlreadyDone: an earlier run imported the whole archive.
	AlreadyDone bool
	// Truncated: the archive ends inside a record (the records before it
	// were imported; a later run with the archive complete goes on).
	Truncated error
}

type job struct {
	seq  int64
	rec  *Record
	skip string
	out  page
	done chan struct{}
	cost int64
}

// Import reads one archive into the store, from where an earlier run
// stopped. A context cancelled stops it after the batch being written.
func (im *Importer) Import(ctx context.Context, a Archive) (Result, error) {
	progress, done, err := im.startProgress(ctx, a)
	if err != nil || done {
		return Result{AlreadyDone: done}, err
	}
	f, err := a.Open()
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	rd, err := NewReader(f, progress.Next, im.opt.MaxBlock)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", a.Name, err)
	}
	im.Stats.Resumed.Add(rd.Compressed())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	r := &importRun{im: im, a: a, progress: progress, budget: semaphore.NewWeighted(im.opt.InFlight)}
	ordered := make(chan *job, 4*im.opt.Workers+16)
	work := make(chan *job, 2*im.opt.Workers)
	go r.read(ctx, rd, ordered, work)
	var wg sync.WaitGroup
	for range im.opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			im.extractJobs(work)
		}()
	}
	defer wg.Wait()
	r.w = im.startWriter(ctx, cancel)
	// end waits for the writer and returns how it fared; this wait is for
	// a panic's way out, with no one to tell.
	defer func() { _ = r.w.finish() }()
	r.collect(ctx, ordered)
	return r.end(ctx)
}

// startProgress is where an archive's import starts: the progress an
// earlier run stored (done when it imported the whole archive), or none.
func (im *Importer) startProgress(ctx context.Context, a Archive) (progress store.ImportProgress, done bool, err error) {
	progress = store.ImportProgress{Archive: a.Key, Path: a.Name}
	if im.opt.Shard.Count > 1 && a.Key != "" {
		progress.Archive += "#shard=" + im.opt.Shard.String()
	}
	if a.Key == "" {
		return progress, false, nil
	}
	stored, err := im.st.ImportProgress(ctx, progress.Archive)
	if err != nil {
		return progress, false, fmt.Errorf("%s: import progress: %w", a.Name, err)
	}
	if stored.Archive != "" {
		if stored.Done {
			return progress, true, nil
		}
		progress.Next, progress.Records = stored.Next, stored.Records
	}
	return progress, false, nil
}

// extractJobs is a worker: it makes pages of the records sent to it, each
// with its own cache of indexed words.
func (im *Importer) extractJobs(work <-chan *job) {
	var stems search.FieldCache
	for j := range work {
		j.out = im.makePage(j.rec, &stems)
		j.rec.Block = nil
		close(j.done)
	}
}

// importRun is one archive's import under way: the reader's, the
// workers' and the batches' shared state.
type importRun struct {
	im       *Importer
	a        Archive
	progress store.ImportProgress
	// budget bounds the bytes of records read and not yet stored.
	budget *semaphore.Weighted
	// readErr is why the reader stopped (nil at the archive's end); set
	// before it closes its channels.
	readErr error
	w       *batchWriter

	// The batch forming: its posts (and what story assignment prepared
	// of them), the records read since the last batch and when that was.
	batch     []store.ImportedPost
	prepared  []*story.Prepared
	pending   int
	lastFlush time.Time
}

// read reads the records, hands each on in archive order to ordered and
// those worth a worker's time to work, and closes both at the archive's
// end, on an error or when ctx is done.
func (r *importRun) read(ctx context.Context, rd *Reader, ordered, work chan<- *job) {
	defer close(ordered)
	defer close(work)
	last := rd.Compressed()
	for seq := int64(0); ; seq++ {
		j, err := r.next(rd, seq)
		n := rd.Compressed()
		r.im.Stats.Bytes.Add(n - last)
		last = n
		if err != nil {
			if err != io.EOF {
				r.readErr = err
			}
			return
		}
		if j.cost > 0 {
			if err := r.budget.Acquire(ctx, j.cost); err != nil {
				return
			}
		}
		select {
		case ordered <- j:
		case <-ctx.Done():
			return
		}
		if j.skip != "" {
			close(j.done)
			continue
		}
		select {
		case work <- j:
		case <-ctx.Done():
			return
		}
	}
}

// next reads the next record as a job: skipped already (from its
// header), or with its block and what it costs the memory budget.
func (r *importRun) next(rd *Reader, seq int64) (*job, error) {
	var skip string
	rec, err := rd.Next(func(h textproto.MIMEHeader) bool {
		skip = r.im.wanted(h)
		return skip == ""
	})
	if err != nil {
		return nil, err
	}
	if skip == "" && rec.Block == nil {
		skip = SkipTooLarge
	}
	j := &job{seq: seq, rec: rec, skip: skip, done: make(chan struct{})}
	if skip == "" {
		j.cost = min(int64(len(rec.Block))+1, r.im.opt.InFlight)
	}
	return j, nil
}

// collect takes the jobs in archive order as they are done and hands
// them on to the writer in batches, until the reader stops.
func (r *importRun) collect(ctx context.Context, ordered <-chan *job) {
	r.lastFlush = time.Now()
	for j := range ordered {
		<-j.done
		r.take(j)
		opt := &r.im.opt
		if len(r.batch) >= opt.BatchPosts || r.pending >= opt.BatchRecords || time.Since(r.lastFlush) >= opt.BatchEvery {
			r.flush(false)
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// take adds a done job to the batch forming: its post, or the reason it
// has none.
func (r *importRun) take(j *job) {
	if j.cost > 0 {
		r.budget.Release(j.cost)
	}
	r.im.Stats.Records.Add(1)
	reason := j.skip
	if reason == "" {
		reason = j.out.reason
	}
	if reason != "" {
		r.im.Stats.skip(reason)
	} else {
		r.batch = append(r.batch, store.ImportedPost{Post: *j.out.post, Search: j.out.search, Record: j.rec.Start})
		if r.im.preparer != nil {
			r.prepared = append(r.prepared, j.out.prepared)
		}
	}
	r.progress.Next = j.rec.End
	r.progress.Records++
	r.pending++
}

// flush hands the batch formed to the writer, with the progress it takes
// the archive to (done: to its end).
func (r *importRun) flush(done bool) {
	if len(r.batch) == 0 && r.pending == 0 && !done {
		return
	}
	r.progress.Done = done
	if r.a.Key == "" {
		if len(r.batch) == 0 {
			return
		}
		// An archive without identity (standard input) keeps its
		// progress under "-", never read back.
		r.progress.Archive = "-"
	}
	r.w.writes <- batchWrite{posts: r.batch, prepared: r.prepared, progress: r.progress}
	r.batch, r.prepared, r.pending, r.lastFlush = nil, nil, 0, time.Now()
}

// end stores what was read in order once the reader has stopped (its
// channel is closed or the context is done) and says how the import
// ended.
func (r *importRun) end(ctx context.Context) (Result, error) {
	if r.w.failed.Load() {
		return Result{}, r.w.finish()
	}
	if err := ctx.Err(); err != nil {
		r.flush(false)
		if ferr := r.w.finish(); ferr != nil {
			return Result{}, ferr
		}
		return Result{}, err
	}
	switch {
	case errors.Is(r.readErr, ErrTruncated):
		r.im.Stats.mu.Lock()
		r.im.Stats.truncated = append(r.im.Stats.truncated, fmt.Sprintf("%s: %v", r.a.Name, r.readErr))
		r.im.Stats.mu.Unlock()
		// Not done: the same archive, complete, is read on from here.
		r.flush(false)
		return Result{Truncated: r.readErr}, r.w.finish()
	case r.readErr != nil:
		r.flush(false)
		if ferr := r.w.finish(); ferr != nil {
			return Result{}, errors.Join(r.readErr, ferr)
		}
		return Result{}, fmt.Errorf("%s: %w", r.a.Name, r.readErr)
	}
	r.flush(true)
	return Result{}, r.w.finish()
}

// batchWrite is a batch handed to the writer.
type batchWrite struct {
	posts    []store.ImportedPost
	prepared []*story.Prepared // of posts, when the assigner prepares
	progress store.ImportProgress
}

// batchWriter stores batches by a goroutine of its own, one at a time
// and in order, while the next batch forms: the workers never wait for a
// commit. A batch that fails stops the import, and no batch after it is
// stored (its progress would pass the records of the failed one).
type batchWriter struct {
	im     *Importer
	writes chan batchWrite
	done   chan struct{}
	// err is the failed batch's error, read after done is closed; failed
	// tells it while the writer runs.
	err       error
	failed    atomic.Bool
	closeOnce sync.Once
}

func (im *Importer) startWriter(ctx context.Context, cancel context.CancelFunc) *batchWriter {
	w := &batchWriter{im: im, writes: make(chan batchWrite, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for b := range w.writes {
			if w.err != nil {
				continue
			}
			if err := im.st.SaveImportBatch(context.WithoutCancel(ctx), b.posts, b.progress); err != nil {
				w.err = err
				w.failed.Store(true)
				cancel()
				continue
			}
			im.storedBatch(b)
		}
	}()
	return w
}

// finish waits for the batches handed on and says how the last fared.
func (w *batchWriter) finish() error {
	w.closeOnce.Do(func() { close(w.writes) })
	<-w.done
	return w.err
}

// storedBatch counts a stored batch's posts and hands its new ones on to
// story assignment.
func (im *Importer) storedBatch(b batchWrite) {
	var created storyBatch
	for i := range b.posts {
		ip := &b.posts[i]
		if !ip.Created {
			im.Stats.Duplicates.Add(1)
			continue
		}
		im.Stats.Posts.Add(1)
		// The stored post, with its ID; its text is the one prepared.
		if b.prepared != nil {
			b.prepared[i].Post = &ip.Post
			created.prepared = append(created.prepared, b.prepared[i])
		} else {
			created.posts = append(created.posts, &ip.Post)
		}
	}
	if (len(created.posts) > 0 || len(created.prepared) > 0) && im.stories != nil {
		im.stories <- created
	}
}
