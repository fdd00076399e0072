package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/pipeline"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// queue is what the commands need of a pipeline.Queue, whatever its driver.
type queue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Shutdown(ctx context.Context, grace time.Duration) error
	PollAll(ctx context.Context) error
	WaitIdle(ctx context.Context) error
	Summary() pipeline.Summary
}

// backend is an open database: the store, and a way to put a job queue on
// the same database.
type backend struct {
	store.Store
	// kind is "sqlite" or "postgres".
	kind string
	// migrateQueue creates or updates the job queue's tables.
	migrateQueue func(ctx context.Context) error
	// newQueue migrates the queue's tables and builds a queue whose workers
	// run p's stages.
	newQueue func(ctx context.Context, p *pipeline.Pipeline, opt pipeline.Options) (queue, error)
}

// openBackend opens --db: a postgres:// (or postgresql://) URL is a
// PostgreSQL database shared by any number of kabar processes, anything else
// a SQLite file. Both apply kabar's own migrations on open.
func openBackend(ctx context.Context, db string) (*backend, error) {
	if postgres.IsURL(db) {
		st, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("--db %s: %w", redact(db), err)
		}
		driver := riverpgxv5.New(st.Pool())
		migrate := func(ctx context.Context) error {
			// Under the migration lock: processes starting together migrate
			// the queue's tables once.
			return st.Locked(ctx, func(ctx context.Context) error { return pipeline.Migrate(ctx, driver) })
		}
		return &backend{Store: st, kind: "postgres", migrateQueue: migrate,
			newQueue: func(ctx context.Context, p *pipeline.Pipeline, opt pipeline.Options) (queue, error) {
				if err := migrate(ctx); err != nil {
					return nil, err
				}
				return pipeline.NewQueue(driver, p, opt)
			}}, nil
	}
	if err := checkDBFolder(db); err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	driver := riversqlite.New(st.DB())
	migrate := func(ctx context.Context) error { return pipeline.Migrate(ctx, driver) }
	return &backend{Store: st, kind: "sqlite", migrateQueue: migrate,
		newQueue: func(ctx context.Context, p *pipeline.Pipeline, opt pipeline.Options) (queue, error) {
			if err := migrate(ctx); err != nil {
				return nil, err
			}
			return pipeline.NewQueue(driver, p, opt)
		}}, nil
}

// redact hides a password in a database URL before it is printed.
func redact(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.Index(db, "@"); i > 0 {
		if j := strings.Index(db, "://"); j > 0 && j < i {
			return db[:j+3] + "…" + db[i:]
		}
	}
	return db
}

// newFetcher builds the one outbound client from the command's options,
// pacing hosts in this process only.
func newFetcher(f *flags) (*fetch.Client, error) {
	return newPacedFetcher(f, nil)
}

// newPacedFetcher builds the outbound client; with ps, the per-host pace is
// kept in the database (store.SharedPacer), so that every process on it
// shares one politeness budget per host.
func newPacedFetcher(f *flags, ps store.PaceStore) (*fetch.Client, error) {
	cfg := fetch.Config{}
	if err := applyFetchOptions(f, &cfg); err != nil {
		return nil, err
	}
	if _, ok := f.vals[optReplay]; ok {
		cfg.Replay = f.get(optReplay)
	}
	if _, ok := f.vals[optRecord]; ok {
		cfg.Record = f.get(optRecord)
	}
	if _, ok := f.vals[optHostDelay]; ok {
		d, err := f.duration(optHostDelay)
		if err != nil {
			return nil, err
		}
		cfg.HostDelay = d
		if ps != nil {
			cfg.Pacer = newHostPacer(ps, d)
		}
	}
	if _, ok := f.vals[optAllow]; ok {
		allow, err := parseAllowList(f.get(optAllow))
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", optAllow, err)
		}
		cfg.AllowAddrs = append(cfg.AllowAddrs, allow...)
	}
	return fetch.New(cfg)
}

// parseAllowList reads --allow-addr: addresses or CIDR ranges, comma
// separated.
func parseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range splitList(s) {
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR range", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	return out, nil
}

// adviseBuffers tells the owner of a PostgreSQL database whose
// shared_buffers cannot hold what the site reads again and again: there,
// pages wait for the disk once the operating system drops its copy of
// the rest (docs/operations.md, "PostgreSQL's memory").
func adviseBuffers(ctx context.Context, b *backend, log *slog.Logger) {
	fit, ok := b.Store.(interface {
		BufferFit(context.Context) (int64, int64, error)
	})
	if !ok {
		return
	}
	shared, hot, err := fit.BufferFit(ctx)
	switch {
	case err != nil:
		log.Warn("postgres: could not read shared_buffers", "err", err)
	case shared < hot:
		log.Warn("postgres: shared_buffers is smaller than the tables the site reads; pages past it wait for the operating system's cache or the disk (docs/operations.md, PostgreSQL's memory)",
			"shared_buffers_mb", shared>>20, "tables_mb", hot>>20)
	}
}
