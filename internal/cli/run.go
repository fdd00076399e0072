package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/pipeline"
)

func init() {
	addCommand(command{"run", "poll feeds, make posts and serve the site (--once: one pass, then exit)", runRun})
}

func runRun(ctx context.Context, env *Env, global *flags, args []string) error {
	f := sub(env, global, "run", "run [--once] [--replay ARCHIVE] [--record ARCHIVE] [--addr HOST:PORT]",
		optAddr, optLang, optTZ, optReplay, optRecord, optAllow, optHostDelay, optWorkers)
	once := f.Bool("once", false, "poll every feed once, process every item, print a summary and exit")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
	}
	workers, err := strconv.Atoi(f.get(optWorkers))
	if err != nil || workers < 1 {
		return fmt.Errorf("%w: --workers must be a positive number", errUsage)
	}
	log := f.logger()
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer b.Close()
	fetcher, err := newFetcher(f)
	if err != nil {
		return err
	}
	defer fetcher.Close()
	p := pipeline.New(b, fetcher, log)
	q, err := b.newQueue(ctx, p, pipeline.Options{Workers: workers, Once: *once, Logger: quietLogger(log)})
	if err != nil {
		return err
	}
	if *once {
		return runOnce(ctx, env, q)
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	site, err := newSite(b, f)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.get(optAddr))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if err := q.Start(ctx); err != nil {
		srv.Close()
		return err
	}
	log.Info("kabar running", "addr", "http://"+ln.Addr().String(), "db", f.get(optDB))

	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	log.Info("stopping: finishing running jobs")
	// A second signal during shutdown ends the process the hard way; River
	// rescues whatever was left running.
	stop()
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errHTTP := srv.Shutdown(shutdown)
	errQueue := q.Stop(shutdown)
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
	fmt.Fprintf(env.Stdout, "feeds polled %d, items seen %d, posts new %d, failures %d\n",
		s.FeedsPolled, s.ItemsSeen, s.PostsNew, s.FeedFailures+s.ItemFailures)
	return nil
}
