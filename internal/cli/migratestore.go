package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

func init() {
	addCommand(command{"migrate-store", "copy a SQLite database into an empty PostgreSQL one (--from kabar.db --to postgres://…)", runMigrateStore})
}

func runMigrateStore(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "migrate-store", "migrate-store --from kabar.db --to postgres://…")
	from := f.String("from", "", "the SQLite file to copy (left unchanged, apart from being brought to the current migration)")
	to := f.String("to", "", "the PostgreSQL database to copy into (postgres:// URL); its kabar tables must be empty")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("%w: both --from and --to are needed", errUsage)
	}
	if !postgres.IsURL(*to) {
		return fmt.Errorf("%w: --to must be a postgres:// URL", errUsage)
	}
	if postgres.IsURL(*from) {
		return fmt.Errorf("%w: --from must be a SQLite file", errUsage)
	}
	src, err := sqlite.Open(ctx, *from)
	if err != nil {
		return err
	}
	defer closeAfter(&err, src)
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("--to %s: %w", redact(*to), err)
	}
	defer closeAfter(&err, dst)
	reports, err := dst.CopyFromSQLite(ctx, src.DB())
	if err != nil {
		return fmt.Errorf("migrate-store: nothing was copied: %w", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\trows\t")
	var total int64
	for _, r := range reports {
		note := ""
		if r.Derived {
			note = " (rebuilt by PostgreSQL, counts compared)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", r.Table, r.Rows, note)
		total += r.Rows
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "copied %d rows in %d tables from %s to %s; counts verified\n", total, len(reports), *from, redact(*to))
	return nil
}
