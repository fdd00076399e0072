package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/ops"
	"github.com/kabarnews/kabar/internal/pipeline"
	"github.com/kabarnews/kabar/internal/story"
)

func init() {
	addCommand(command{"work", "run workers only: poll feeds on their schedule and make posts (no site)", runWork})
	// Every command that runs jobs beats (pipeline/liveness.go).
	workerOpts = append(workerOpts, optHeartbeat)
}

var optHeartbeat = register(option{"heartbeat", "KABAR_HEARTBEAT", "10s",
	"how often a process running jobs records that it lives; the running jobs of one silent for six beats are handed to other workers"})

// workers is a pipeline and its job queue, built from the command's options.
type workers struct {
	q       queue
	p       *pipeline.Pipeline
	fetcher *fetch.Client
	grace   time.Duration
}

func (w *workers) Close() error { return w.fetcher.Close() }

// newWorkers builds the fetcher (paced per host through the database, so
// that every process on it shares one budget per host), the pipeline and the
// queue; the queue's tables are migrated.
func newWorkers(ctx context.Context, b *backend, f *flags, log *slog.Logger, once bool) (*workers, error) {
	tuneGC(f.env.Getenv, log)
	n, err := strconv.Atoi(f.get(optWorkers))
	if err != nil || n < 1 {
		return nil, fmt.Errorf("%w: --workers must be a positive number", errUsage)
	}
	pipeline.LimitMemory(n, f.env.Getenv)
	opt := pipeline.Options{Workers: n, Once: once, Logger: quietLogger(log)}
	if opt.JobTimeout, err = f.duration(optJobTimeout); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if opt.RescueAfter, err = f.duration(optRescueAfter); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if opt.RescueAfter <= opt.JobTimeout {
		return nil, fmt.Errorf("%w: --%s (%v) must exceed --%s (%v)", errUsage, optRescueAfter, opt.RescueAfter, optJobTimeout, opt.JobTimeout)
	}
	if opt.Heartbeat, err = f.duration(optHeartbeat); err != nil || opt.Heartbeat <= 0 {
		return nil, fmt.Errorf("%w: --%s must be a positive duration", errUsage, optHeartbeat)
	}
	if opt.Retention, err = f.days(optRetention); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	grace, err := f.duration(optGrace)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	fetcher, err := newPacedFetcher(f, b)
	if err != nil {
		return nil, err
	}
	p := pipeline.New(b, hintFetcher{fetcher}, log)
	resolver, err := newPipelineResolver(f, b, fetcher)
	if err != nil {
		_ = fetcher.Close() // the error above is the one to report
		return nil, err
	}
	if resolver != nil {
		p.Resolver = resolver
	}
	p.Stories = story.NewAssigner(b, story.Config{})
	if err := withImages(f, p, b, hintFetcher{fetcher}); err != nil {
		_ = fetcher.Close() // the error above is the one to report
		return nil, err
	}
	q, err := b.newQueue(ctx, p, opt)
	if err != nil {
		_ = fetcher.Close() // the error above is the one to report
		return nil, err
	}
	ops.SetQueueDepth(b.QueueDepth)
	return &workers{q: q, p: p, fetcher: fetcher, grace: grace}, nil
}

// shutdown stops the queue: running jobs get the grace period to finish,
// then are cancelled and handed back to the queue for another worker.
func (w *workers) shutdown(log *slog.Logger) error {
	log.Info("stopping: finishing running jobs", "grace", w.grace)
	ctx, cancel := context.WithTimeout(context.Background(), w.grace+20*time.Second)
	defer cancel()
	return w.q.Shutdown(ctx, w.grace)
}

func runWork(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "work", "work [--workers N] [--ops-addr HOST:PORT] [--host-delay D]",
		append(append([]string{optOpsAddr}, workerOpts...), imageOptions...)...)
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
	}
	log := f.logger()
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	w, err := newWorkers(ctx, b, f, log, false)
	if err != nil {
		return err
	}
	defer closeAfter(&err, w)

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	var srv *http.Server
	if addr := f.get(optOpsAddr); addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		srv = newHTTPServer(ops.Mount(nil, b.Ping), defaultServerLimits)
		go func() { served <- srv.Serve(ln) }()
		log.Info("ops endpoints", "addr", "http://"+ln.Addr().String())
	}
	// A context of its own: the signal must not cancel running jobs at once
	// (shutdown gives them the grace period).
	if err := w.q.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	log.Info("kabar working", "db", redact(f.get(optDB)), "backend", b.kind, "workers", f.get(optWorkers))
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	stop()
	errQueue := w.shutdown(log)
	var errHTTP error
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errHTTP = srv.Shutdown(sctx)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, errQueue, errHTTP)
}

// workersGCPercent is the garbage collector's target for processes that run
// the pipeline, unless GOGC says otherwise. Extraction allocates fast while
// the live heap stays small (about 16 MiB), so at Go's default of 100 the
// collector ran some 45 times a second; at 400 the pipeline does 18% more
// items a second for about 55 MiB more memory (docs/benchmarks.md).
const workersGCPercent = 400

func tuneGC(getenv func(string) string, log *slog.Logger) {
	if getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(workersGCPercent)
	log.Debug("garbage collector target set", "gogc", workersGCPercent)
}
