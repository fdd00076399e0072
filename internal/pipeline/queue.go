package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/kabarnews/kabar/internal/model"
)

// activeStates are the job states in which a second job for the same feed or
// item would only duplicate work. Completed jobs are left out on purpose: a
// feed polled yesterday must be pollable again today.
var activeStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// PollArgs asks for one poll of a feed.
type PollArgs struct {
	FeedID int64 `json:"feed_id"`
}

// Kind names the job in the queue's table.
func (PollArgs) Kind() string { return "poll_feed" }

// InsertOpts keeps one pending poll per feed.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queuePoll, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
}

// ItemArgs asks for one item to be made into a post.
type ItemArgs struct {
	ItemID int64 `json:"item_id"`
}

// Kind names the job in the queue's table.
func (ItemArgs) Kind() string { return "process_item" }

// InsertOpts keeps one pending job per item.
func (ItemArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueItems, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
}

// BatchArgs asks for several items of one poll to be made into posts, one
// after another, by one job: a queue job costs several writes of its own
// (insert, fetch, completion), which on SQLite's single writer cost more
// than the post itself (docs/benchmarks.md). Batches are not unique: the
// items are claimed when the job starts (store.ItemStore.ClaimItems), so two
// batches that share an item never both work on it.
type BatchArgs struct {
	ItemIDs []int64 `json:"item_ids"`
}

// Kind names the job in the queue's table.
func (BatchArgs) Kind() string { return "process_items" }

// InsertOpts puts batches on the items queue.
func (BatchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queueItems} }

// scheduleArgs is the periodic job that enqueues polls of the feeds that are
// due; it runs only in the long-running mode.
type scheduleArgs struct{}

func (scheduleArgs) Kind() string { return "schedule_polls" }

const (
	queuePoll  = "poll"
	queueItems = "items"
)

// Options tune a Queue.
type Options struct {
	// Workers is how many items are processed at once (default 4). Politeness
	// is enforced by the fetcher per host, so more workers help only when
	// items come from many hosts.
	Workers int
	// Batch is the most items one job processes (default 16). A poll's
	// items are spread over at least Workers jobs when there are that many
	// items, so that a small poll still uses every worker.
	Batch int
	// Once makes every job a single attempt: a failed item is recorded on the
	// item and picked up again by the next run instead of being retried now.
	Once bool
	// ScheduleEvery is how often the long-running mode looks for due feeds.
	ScheduleEvery time.Duration
	// JobTimeout bounds one job (default 10 minutes: a job may wait its turn
	// for a busy host before it fetches).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken to
	// belong to a dead process and handed to another worker (default 15
	// minutes; must exceed JobTimeout). River's rescuer looks every 30 s.
	RescueAfter time.Duration
	// Retention, when positive, prunes raw data older than this: the feed
	// descriptions of done items (hourly), and cancelled and discarded
	// jobs. Completed jobs go after a day whatever it says. Posts, items'
	// state and comments are always kept.
	Retention time.Duration
	// PruneEvery is how often retention runs (default 1 hour).
	PruneEvery time.Duration
	// Heartbeat is how often the process records that it lives (default
	// 10 s); the running jobs of a process silent for six beats are
	// handed back to the queue at once (liveness.go), long before
	// RescueAfter.
	Heartbeat time.Duration
	Logger    *slog.Logger
}

const (
	defaultBatch       = 16
	defaultJobTimeout  = 10 * time.Minute
	defaultRescueAfter = 15 * time.Minute
)

// Queue runs the pipeline's stages as River jobs on any River driver.
type Queue[TTx any] struct {
	client *river.Client[TTx]
	p      *Pipeline
	opt    Options

	// id is the River client's ID, under which the process beats.
	id       string
	started  bool
	bgCancel context.CancelFunc
	quit     chan struct{}
	quitOnce sync.Once
	bgDone   chan struct{}
}

// Migrate creates or updates River's tables.
func Migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("queue migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("queue migrate: %w", err)
	}
	return nil
}

// NewQueue builds a queue whose workers call p's stages.
func NewQueue[TTx any](driver riverdriver.Driver[TTx], p *Pipeline, opt Options) (*Queue[TTx], error) {
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.Batch <= 0 {
		opt.Batch = defaultBatch
	}
	if opt.ScheduleEvery <= 0 {
		opt.ScheduleEvery = 30 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.JobTimeout <= 0 {
		opt.JobTimeout = defaultJobTimeout
	}
	if opt.RescueAfter <= 0 {
		opt.RescueAfter = max(defaultRescueAfter, opt.JobTimeout+time.Minute)
	}
	if opt.RescueAfter <= opt.JobTimeout {
		return nil, fmt.Errorf("queue: RescueAfter (%v) must exceed JobTimeout (%v)", opt.RescueAfter, opt.JobTimeout)
	}
	if opt.PruneEvery <= 0 {
		opt.PruneEvery = time.Hour
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = defaultHeartbeat
	}
	q := &Queue[TTx]{p: p, opt: opt, id: newClientID(), quit: make(chan struct{}), bgDone: make(chan struct{})}
	workers := river.NewWorkers()
	river.AddWorker(workers, &pollWorker[TTx]{q: q})
	river.AddWorker(workers, &itemWorker[TTx]{q: q})
	river.AddWorker(workers, &batchWorker[TTx]{q: q})
	river.AddWorker(workers, &scheduleWorker[TTx]{q: q})
	river.AddWorker(workers, &pruneWorker[TTx]{q: q})
	cfg := &river.Config{
		ID:     q.id,
		Logger: opt.Logger,
		Queues: map[string]river.QueueConfig{
			queuePoll:  {MaxWorkers: 2},
			queueItems: {MaxWorkers: opt.Workers},
		},
		Workers: workers,
		// A job may wait its turn for a busy host before it fetches, so it
		// gets far longer than River's one-minute default; a crashed job is
		// rescued soon after that instead of River's default hour.
		JobTimeout:           opt.JobTimeout,
		RescueStuckJobsAfter: opt.RescueAfter,
		// Without LISTEN/NOTIFY (SQLite) River finds new jobs by polling.
		FetchPollInterval: 200 * time.Millisecond,
		// A finished job makes River fetch more, at most once per cooldown,
		// each fetch filling the free worker slots: with 50 ms a queue of 4
		// workers could not start more than 80 jobs a second, which capped
		// the pipeline well below the extractor's rate (docs/benchmarks.md).
		FetchCooldown: 5 * time.Millisecond,
	}
	if opt.Once {
		cfg.MaxAttempts = 1
	} else {
		cfg.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: 1}
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(opt.ScheduleEvery),
			func() (river.JobArgs, *river.InsertOpts) { return scheduleArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true},
		)}
		if opt.Retention > 0 {
			cfg.CancelledJobRetentionPeriod = opt.Retention
			cfg.DiscardedJobRetentionPeriod = opt.Retention
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
				river.PeriodicInterval(opt.PruneEvery),
				func() (river.JobArgs, *river.InsertOpts) { return pruneArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true},
			))
		}
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.client = client
	return q, nil
}

// Start starts the workers; they run until Stop or ctx ends. In the
// long-running mode it also enqueues the polls of the feeds due now, at
// once: the periodic schedule runs on River's elected leader only, and
// election takes seconds after a start, during which a fresh worker would
// sit idle. Polls are unique while active, so workers starting together
// (or the leader's first schedule) do not poll a feed twice.
//
// The process is registered (liveness.go) before its client claims a job,
// and from then on beats, hands back dead processes' jobs and assigns the
// posts that wait for their story, in the background until Stop.
func (q *Queue[TTx]) Start(ctx context.Context) error {
	if err := q.register(ctx); err != nil {
		return fmt.Errorf("queue: register the process: %w", err)
	}
	if err := q.client.Start(ctx); err != nil {
		return err
	}
	q.started = true
	// Its own context: a stopped process's last beat or sweep is cut
	// short rather than waited for.
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.bgCancel = cancel
	go q.background(bg)
	if !q.opt.Once {
		if err := q.scheduleDue(ctx); err != nil {
			q.p.Log.Warn("scheduling due feeds at start", "err", err)
		}
	}
	return nil
}

// Stop lets running jobs finish (up to ctx's deadline) and stops the workers.
// Jobs that could not finish are never lost: the process beats until its
// client has stopped, and stays registered when jobs were left running,
// so that other processes hand them back a minute after its last beat.
func (q *Queue[TTx]) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	q.stopBackground()
	return q.leave(ctx, err)
}

// Shutdown stops gracefully: no new jobs are fetched and running ones may
// finish for up to grace; those still running then are cancelled, which
// records them as failed attempts and returns them to the queue (retryable)
// for another worker, instead of leaving them to the rescuer.
func (q *Queue[TTx]) Shutdown(ctx context.Context, grace time.Duration) error {
	// The process beats until its client has stopped: a grace period
	// longer than the time after which a silent process counts as dead
	// must not have its running jobs handed to others.
	gctx, cancel := context.WithTimeout(ctx, grace)
	err := q.client.Stop(gctx)
	cancel()
	if err == nil {
		q.stopBackground()
		return q.leave(ctx, nil)
	}
	q.opt.Logger.Warn("jobs still running after the grace period: handing them back", "grace", grace)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	err = q.client.StopAndCancel(cctx)
	q.stopBackground()
	return q.leave(cctx, err)
}

// PollAll enqueues one poll of every feed that is not paused.
func (q *Queue[TTx]) PollAll(ctx context.Context) error {
	feeds, err := q.p.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	var params []river.InsertManyParams
	for _, f := range feeds {
		if !f.Paused && f.DisabledReason == "" {
			params = append(params, river.InsertManyParams{Args: PollArgs{FeedID: f.ID}})
		}
	}
	if len(params) == 0 {
		return nil
	}
	_, err = q.client.InsertMany(ctx, params)
	return err
}

// WaitIdle returns once no job is waiting or running. Then, every item
// being finished, it assigns the posts that still wait for their story
// (their assignment failed) and counts those it could not
// (Counters.StoriesLeft).
func (q *Queue[TTx]) WaitIdle(ctx context.Context) error {
	params := river.NewJobListParams().States(activeStates...).First(1)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := q.client.JobList(ctx, params)
		if err != nil {
			return err
		}
		if len(res.Jobs) == 0 {
			q.p.Counter.StoriesLeft.Store(int64(q.sweepStories(ctx, time.Now())))
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Summary is what one run did.
type Summary struct {
	FeedsPolled, FeedFailures, ItemsSeen, PostsNew, ItemFailures, ItemsWaiting int64
	// StoriesLeft counts posts left without their story (WaitIdle).
	StoriesLeft int64
}

// Summary reads the pipeline's counters.
func (q *Queue[TTx]) Summary() Summary {
	c := &q.p.Counter
	return Summary{c.FeedsPolled.Load(), c.FeedFailures.Load(), c.ItemsSeen.Load(), c.PostsNew.Load(),
		c.ItemFailures.Load(), c.ItemsWaiting.Load(), c.StoriesLeft.Load()}
}

func (q *Queue[TTx]) enqueueItems(ctx context.Context, items []model.Item) error {
	if len(items) == 0 {
		return nil
	}
	now := q.p.Now()
	var params []river.InsertManyParams
	var ready []int64
	for _, it := range items {
		if it.Status == model.ItemWaiting && it.NextAttemptAt.After(now) {
			if q.opt.Once {
				// Not yet: one pass counts it as waiting, and the next
				// run takes it up once its time has come.
				q.p.Counter.ItemsWaiting.Add(1)
				continue
			}
			// A waiting item's job sleeps in the queue until its time.
			params = append(params, river.InsertManyParams{Args: ItemArgs{ItemID: it.ID},
				InsertOpts: &river.InsertOpts{ScheduledAt: it.NextAttemptAt}})
			continue
		}
		ready = append(ready, it.ID)
	}
	for _, b := range batches(ready, q.opt.Batch, q.opt.Workers) {
		params = append(params, river.InsertManyParams{Args: BatchArgs{ItemIDs: b}})
	}
	if len(params) == 0 {
		return nil
	}
	_, err := q.client.InsertMany(ctx, params)
	return err
}

// batches splits ids into jobs of at most size items, and into at least
// workers jobs when there are that many items: a poll of 20 items on 8
// workers makes 8 jobs of 2 or 3, one of 200 makes 13 of 15 or 16.
func batches(ids []int64, size, workers int) [][]int64 {
	if len(ids) == 0 {
		return nil
	}
	n := max((len(ids)+size-1)/size, min(len(ids), workers))
	out := make([][]int64, 0, n)
	for i := 0; i < n; i++ {
		lo, hi := i*len(ids)/n, (i+1)*len(ids)/n
		out = append(out, ids[lo:hi])
	}
	return out
}

type pollWorker[TTx any] struct {
	river.WorkerDefaults[PollArgs]
	q *Queue[TTx]
}

func (w *pollWorker[TTx]) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	items, err := w.q.p.PollFeed(ctx, job.Args.FeedID)
	if err != nil {
		// The failure is on the feed's row and the schedule polls it again;
		// retrying the job as well would poll twice.
		return river.JobCancel(err)
	}
	return w.q.enqueueItems(ctx, items)
}

// owner names a job as the holder of item claims; a rescued or retried job
// keeps its ID, and so may take its items again at once.
func owner(jobID int64) string { return "job:" + strconv.FormatInt(jobID, 10) }

type itemWorker[TTx any] struct {
	river.WorkerDefaults[ItemArgs]
	q *Queue[TTx]
}

// Work processes one item: a waiting item's job, or a batch's item that
// failed and is retried with River's backoff.
func (w *itemWorker[TTx]) Work(ctx context.Context, job *river.Job[ItemArgs]) error {
	p := w.q.p
	claimed, err := w.q.claim(ctx, []int64{job.Args.ItemID}, owner(job.ID))
	if err != nil {
		return err
	}
	now := p.Now()
	if len(claimed) == 0 {
		// Done, another job works on it, or it waits still.
		it, err := p.Store.Item(ctx, job.Args.ItemID)
		if err != nil {
			return river.JobCancel(err)
		}
		if it.Status == model.ItemWaiting && it.NextAttemptAt.After(now) && !w.q.opt.Once {
			return river.JobSnooze(max(it.NextAttemptAt.Sub(now), time.Second))
		}
		return nil
	}
	_, err = p.Process(ctx, &claimed[0])
	var perm *PermanentError
	if errors.As(err, &perm) {
		return river.JobCancel(err)
	}
	var wait *DeferError
	if errors.As(err, &wait) {
		if w.q.opt.Once {
			// One pass: the item is recorded as waiting and the next run
			// picks it up once its time has come.
			return nil
		}
		// The job sleeps in the queue until the item may go on; snoozing
		// does not count as a failed attempt.
		return river.JobSnooze(max(time.Until(wait.Until), time.Second))
	}
	return err
}

type batchWorker[TTx any] struct {
	river.WorkerDefaults[BatchArgs]
	q *Queue[TTx]
}

// Work claims the batch's free items, prepares them (fetch, extract) one
// after another, then finishes them (stores the posts) all at once: on
// SQLite their posts then reach the single writer together and are
// committed as one group. An item that must wait, or failed in a way worth
// retrying soon, goes on as a job of its own (ItemArgs: snoozed until its
// time, or retried with River's backoff); one that failed for good is
// recorded on the item. When half the job timeout is spent (a slow host),
// the items not yet prepared go to a new batch rather than risk the
// timeout; when the job is stopped, they are released for another job.
func (w *batchWorker[TTx]) Work(ctx context.Context, job *river.Job[BatchArgs]) error {
	q, p := w.q, w.q.p
	start := time.Now()
	me := owner(job.ID)
	items, err := q.claim(ctx, job.Args.ItemIDs, me)
	if err != nil {
		return err
	}
	var follow []river.InsertManyParams
	var stopped error
	posts := make([]*model.Post, 0, len(items))
	errs := make([]error, 0, len(items))
	for i := range items {
		if ctx.Err() != nil || time.Since(start) > q.opt.JobTimeout/2 {
			rest := make([]int64, 0, len(items)-i)
			for _, it := range items[i:] {
				rest = append(rest, it.ID)
			}
			// Free for another job now rather than when the claim runs out.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			err := p.Store.ReleaseItems(rctx, rest, me)
			cancel()
			if ctx.Err() != nil {
				// Shutting down: River returns the job to the queue.
				stopped = errors.Join(ctx.Err(), err)
			} else {
				follow = append(follow, river.InsertManyParams{Args: BatchArgs{ItemIDs: rest}})
			}
			items = items[:i]
			break
		}
		post, err := p.Prepare(ctx, &items[i])
		posts, errs = append(posts, post), append(errs, err)
	}
	// What was prepared is stored even when the job is being stopped: the
	// work is done, and storing it takes a moment.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = p.Finish(fctx, &items[i], posts[i], errs[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if next, ok := q.retry(items[i].ID, err); ok {
			follow = append(follow, next)
		}
	}
	if stopped != nil {
		return stopped
	}
	if len(follow) == 0 {
		return nil
	}
	_, err = q.client.InsertMany(context.WithoutCancel(ctx), follow)
	return err
}

// claim takes the free items of ids for a job, for as long as a job may run.
func (q *Queue[TTx]) claim(ctx context.Context, ids []int64, owner string) ([]model.Item, error) {
	now := q.p.Now()
	return q.p.Store.ClaimItems(ctx, ids, owner, now, now.Add(q.opt.JobTimeout))
}

// retry is the job that goes on with a batch's item after err: none when
// the item is done or failed for good (or until the next run, in the
// one-pass mode); a snoozed job for one that must wait; a job retried with
// River's backoff for any other failure.
func (q *Queue[TTx]) retry(itemID int64, err error) (river.InsertManyParams, bool) {
	var perm *PermanentError
	var wait *DeferError
	switch {
	case err == nil, errors.As(err, &perm), q.opt.Once:
		return river.InsertManyParams{}, false
	case errors.As(err, &wait):
		return river.InsertManyParams{Args: ItemArgs{ItemID: itemID},
			InsertOpts: &river.InsertOpts{ScheduledAt: wait.Until}}, true
	default:
		return river.InsertManyParams{Args: ItemArgs{ItemID: itemID},
			InsertOpts: &river.InsertOpts{ScheduledAt: q.p.Now().Add(retryFirst)}}, true
	}
}

// retryFirst is how long a batch's failed item waits before its own job
// tries again; River's backoff takes over from there.
const retryFirst = 5 * time.Second

type scheduleWorker[TTx any] struct {
	river.WorkerDefaults[scheduleArgs]
	q *Queue[TTx]
}

func (w *scheduleWorker[TTx]) Work(ctx context.Context, _ *river.Job[scheduleArgs]) error {
	return w.q.scheduleDue(ctx)
}

// scheduleDue enqueues a poll of every feed that is due and not paused.
func (q *Queue[TTx]) scheduleDue(ctx context.Context) error {
	feeds, err := q.p.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	now := q.p.Now()
	var params []river.InsertManyParams
	for _, f := range feeds {
		if !f.Paused && f.DisabledReason == "" && !f.NextPollAt.After(now) {
			params = append(params, river.InsertManyParams{Args: PollArgs{FeedID: f.ID}})
		}
	}
	if len(params) == 0 {
		return nil
	}
	_, err = q.client.InsertMany(ctx, params)
	return err
}

// pruneArgs is the periodic retention job (Options.Retention).
type pruneArgs struct{}

func (pruneArgs) Kind() string { return "prune" }

type pruneWorker[TTx any] struct {
	river.WorkerDefaults[pruneArgs]
	q *Queue[TTx]
}

func (w *pruneWorker[TTx]) Work(ctx context.Context, _ *river.Job[pruneArgs]) error {
	if w.q.opt.Retention <= 0 {
		return nil
	}
	n, err := w.q.p.Store.PruneItems(ctx, w.q.p.Now().Add(-w.q.opt.Retention))
	if err != nil {
		return err
	}
	if n > 0 {
		w.q.p.Log.Info("retention: pruned feed descriptions of done items", "items", n, "older_than", w.q.opt.Retention)
	}
	return nil
}
