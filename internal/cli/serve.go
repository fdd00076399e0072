package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/ops"
	"github.com/kabarnews/kabar/internal/pipeline"
)

func init() {
	addCommand(command{"serve", "serve the site only", runServe})
}

func runServe(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "serve", "serve [--addr HOST:PORT] [--lang en|id]",
		append([]string{optAddr, optLang, optTZ, optReplay, optRecord, optAllow, optDebugAddr}, siteOptions...)...)
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
	}
	b, err := openBackend(ctx, f.get(optDB))
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	adviseBuffers(ctx, b, f.logger())
	// The site process fetches only when the owner asks for a post to be
	// extracted again; it shares the workers' per-host pace.
	fetcher, err := newPacedFetcher(f, b)
	if err != nil {
		return err
	}
	defer closeAfter(&err, fetcher)
	site, err := newSite(b, f, pipeline.New(b, hintFetcher{fetcher}, f.logger()), fetcher)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.get(optAddr))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ops.SetQueueDepth(b.QueueDepth)
	srv := newHTTPServer(ops.Mount(site, b.Ping), defaultServerLimits)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if addr := f.get(optDebugAddr); addr != "" {
		dbg, err := startDebug(addr)
		if err != nil {
			return err
		}
		defer closeAfter(&err, dbg)
		f.logger().Info("debug endpoints", "addr", "http://"+addr+"/debug/pprof/")
	}
	f.logger().Info("kabar serving", "addr", "http://"+ln.Addr().String(), "db", redact(f.get(optDB)), "backend", b.kind)
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// quietLogger keeps the queue's own chatter to warnings and worse; kabar logs
// what matters about feeds and items itself.
func quietLogger(l *slog.Logger) *slog.Logger {
	return slog.New(levelHandler{slog.LevelWarn, l.Handler()})
}

type levelHandler struct {
	min slog.Level
	slog.Handler
}

func (h levelHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.min }
func (h levelHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return levelHandler{h.min, h.Handler.WithAttrs(a)}
}
func (h levelHandler) WithGroup(n string) slog.Handler {
	return levelHandler{h.min, h.Handler.WithGroup(n)}
}
