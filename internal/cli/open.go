package cli

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/pipeline"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// queue is what the commands need of a pipeline.Queue, whatever its driver.
type queue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	PollAll(ctx context.Context) error
	WaitIdle(ctx context.Context) error
	Summary() pipeline.Summary
}

// backend is an open database: the store, and a way to put a job queue on
// the same database.
type backend struct {
	store.Store
	newQueue func(ctx context.Context, p *pipeline.Pipeline, opt pipeline.Options) (queue, error)
}

func openBackend(ctx context.Context, db string) (*backend, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return nil, fmt.Errorf("--db %s: the PostgreSQL store is not part of this build yet; use a SQLite file", redact(db))
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	return &backend{Store: st, newQueue: func(ctx context.Context, p *pipeline.Pipeline, opt pipeline.Options) (queue, error) {
		driver := riversqlite.New(st.DB())
		if err := pipeline.Migrate(ctx, driver); err != nil {
			return nil, err
		}
		return pipeline.NewQueue(driver, p, opt)
	}}, nil
}

// redact hides a password in a database URL before it is printed.
func redact(db string) string {
	if i := strings.Index(db, "@"); i > 0 {
		if j := strings.Index(db, "://"); j > 0 && j < i {
			return db[:j+3] + "…" + db[i:]
		}
	}
	return db
}

// newFetcher builds the one outbound client from the command's options.
func newFetcher(f *flags) (*fetch.Client, error) {
	cfg := fetch.Config{}
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
	}
	if _, ok := f.vals[optAllow]; ok {
		for _, s := range splitList(f.get(optAllow)) {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				a, aerr := netip.ParseAddr(s)
				if aerr != nil {
					return nil, fmt.Errorf("--%s: %q is neither an address nor a CIDR range", optAllow, s)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			cfg.AllowAddrs = append(cfg.AllowAddrs, p)
		}
	}
	return fetch.New(cfg)
}
