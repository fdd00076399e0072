package cli

import (
	"context"
	"fmt"
)

func init() {
	addCommand(command{"migrate", "apply kabar's and the job queue's database migrations, then exit", runMigrate})
}

// runMigrate brings the database's schema up to date: kabar's numbered
// migrations (applied on open) and River's. Every other command does the
// same on start, under a lock on PostgreSQL; running it first in a deploy
// keeps the schema change out of the workers' start.
func runMigrate(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "migrate", "migrate")
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
	if err := b.migrateQueue(ctx); err != nil {
		return err
	}
	var versions []int
	if v, ok := b.Store.(interface {
		MigrationVersions(context.Context) ([]int, error)
	}); ok {
		if versions, err = v.MigrationVersions(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "%s %s: kabar migrations %v applied; job queue up to date\n", b.kind, redact(f.get(optDB)), versions)
	return nil
}
