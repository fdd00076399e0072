package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/ops"
	"github.com/kabarnews/kabar/internal/pipeline"
)

func init() {
	addCommand(command{"run", "poll feeds, make posts and serve the site (--once: one pass, then exit)", runRun})
}

func runRun(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "run", "run [--once] [--replay ARCHIVE] [--record ARCHIVE] [--addr HOST:PORT]",
		append(append([]string{optAddr, optLang, optTZ}, siteOptions...), workerOpts...)...)
	once := f.Bool("once", false, "poll every feed once, process every item, print a summary and exit")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
	}
	// On a terminal, run --once shows a progress line; log lines share the
	// terminal with it.
	var pw *progressWriter
	if *once && isTerminal(env.Stderr) {
		pw = &progressWriter{w: env.Stderr}
		env.Stderr = pw
		if isTerminal(env.Stdout) {
			env.Stdout = pw.tee(env.Stdout)
		}
	}
	log := f.logger()
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	adviseBuffers(ctx, b, log)
	w, err := newWorkers(ctx, b, f, log, *once)
	if err != nil {
		return err
	}
	defer closeAfter(&err, w)
	if *once {
		if pw != nil {
			defer startProgress(ctx, pw, b, &w.p.Counter)()
		}
		return runOnce(ctx, env, w.q)
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	site, err := newSite(b, f, w.p, w.fetcher)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.get(optAddr))
	if err != nil {
		return err
	}
	srv := newHTTPServer(ops.Mount(site, b.Ping), defaultServerLimits)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// A context of its own: the signal must not cancel running jobs at once
	// (shutdown gives them the grace period).
	if err := w.q.Start(context.WithoutCancel(ctx)); err != nil {
		_ = srv.Close() // the queue error is the one to report
		return err
	}
	log.Info("kabar running", "addr", "http://"+ln.Addr().String(), "db", redact(f.get(optDB)), "backend", b.kind)

	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	// A second signal during shutdown ends the process the hard way; River
	// rescues whatever was left running.
	stop()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errHTTP := srv.Shutdown(shutdown)
	errQueue := w.shutdown(log)
	return errors.Join(errHTTP, errQueue)
}

func runOnce(ctx context.Context, env *Env, q queue) error {
	if err := q.Start(ctx); err != nil {
		return err
	}
	err := q.PollAll(ctx)
	if err == nil {
		err = q.WaitIdle(ctx)
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if serr := q.Stop(stopCtx); err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	s := q.Summary()
	waiting := ""
	if s.ItemsWaiting > 0 {
		waiting = fmt.Sprintf(", waiting %d", s.ItemsWaiting)
	}
	failures := s.FeedFailures + s.ItemFailures + s.StoriesLeft
	fmt.Fprintf(env.Stdout, "feeds polled %d, items seen %d, posts new %d, failures %d%s\n",
		s.FeedsPolled, s.ItemsSeen, s.PostsNew, failures, waiting)
	if failures > 0 {
		// Scripts and schedulers see it in the exit code. Items that
		// wait for a later time (Google News' pace) are not failures.
		return &onceFailures{s}
	}
	return nil
}

// onceFailures is run --once's error when something failed: the summary
// on stdout says how much, the error on stderr what.
type onceFailures struct{ s pipeline.Summary }

func (e *onceFailures) Error() string {
	var parts []string
	if e.s.FeedFailures > 0 {
		parts = append(parts, fmt.Sprintf("%d feed polls", e.s.FeedFailures))
	}
	if e.s.ItemFailures > 0 {
		parts = append(parts, fmt.Sprintf("%d items", e.s.ItemFailures))
	}
	if e.s.StoriesLeft > 0 {
		parts = append(parts, fmt.Sprintf("the story assignments of %d posts", e.s.StoriesLeft))
	}
	return strings.Join(parts, ", ") + " failed (recorded: the next run tries them again; the log says why)"
}
