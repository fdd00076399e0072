package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/kabarnews/kabar/internal/pipeline/loopweb"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres"
	"github.com/kabarnews/kabar/internal/store/sqlite"
)

// query runs one SQL statement with int results on either store.
type querier func(ctx context.Context, q string) ([][]any, error)

func openQuerier(ctx context.Context, db string) (store.Store, querier, error) {
	if len(db) > 11 && db[:11] == "postgres://" || len(db) > 13 && db[:13] == "postgresql://" {
		st, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		return st, func(ctx context.Context, q string) ([][]any, error) {
			rows, err := st.Pool().Query(ctx, q)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out [][]any
			for rows.Next() {
				v, err := rows.Values()
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, rows.Err()
		}, nil
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	return st, func(ctx context.Context, q string) ([][]any, error) {
		rows, err := st.DB().QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]any
		for rows.Next() {
			v := make([]any, len(cols))
			ptr := make([]any, len(cols))
			for i := range v {
				ptr[i] = &v[i]
			}
			if err := rows.Scan(ptr...); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}, nil
}

func asInt(v any) int64 {
	switch t := v.(type) {
	case int64:
		return t
	case int32:
		return int64(t)
	case int:
		return int64(t)
	}
	return 0
}

// account counts, over the items a complete run must finish, those lost
// (neither a post nor a recorded failure), those failed, and the posts
// made twice for one page (by source URL or by text).
func account(ctx context.Context, db string, wantItems int) (lost, failed, dup int, finished int, why []string, err error) {
	st, q, err := openQuerier(ctx, db)
	if err != nil {
		return 0, 0, 0, 0, nil, err
	}
	defer func() { _ = st.Close() }() // only read
	rows, err := q(ctx, `SELECT
		(SELECT count(*) FROM items i WHERE i.status = 'done' AND EXISTS (SELECT 1 FROM posts p WHERE p.id = i.post_id)),
		(SELECT count(*) FROM items WHERE status = 'failed' AND error <> ''),
		(SELECT count(*) FROM posts) - (SELECT count(DISTINCT source_url) FROM posts),
		(SELECT count(*) FROM posts WHERE content_hash <> '') - (SELECT count(DISTINCT content_hash) FROM posts WHERE content_hash <> ''),
		(SELECT count(*) FROM items)`)
	if err != nil {
		return 0, 0, 0, 0, nil, err
	}
	r := rows[0]
	done, fail, dupURL, dupText, seen := asInt(r[0]), asInt(r[1]), asInt(r[2]), asInt(r[3]), asInt(r[4])
	lost = max(0, wantItems-int(done)-int(fail))
	if int(seen) < wantItems {
		why = append(why, fmt.Sprintf("%d of %d items never stored", wantItems-int(seen), wantItems))
	}
	if lost > 0 {
		st2, _ := q(ctx, `SELECT status, count(*) FROM items WHERE NOT (status = 'done' AND post_id IS NOT NULL) AND NOT (status = 'failed' AND error <> '') GROUP BY status`)
		for _, s := range st2 {
			why = append(why, fmt.Sprintf("%d items left %v", asInt(s[1]), s[0]))
		}
		// Jobs a killed process held stay 'running' until the queue rescues
		// them; say how many, as that is the usual cause.
		jobs, _ := q(ctx, `SELECT kind, count(*) FROM river_job WHERE state = 'running' GROUP BY kind`)
		for _, j := range jobs {
			why = append(why, fmt.Sprintf("%d %v jobs still 'running' (held by killed processes)", asInt(j[1]), j[0]))
		}
	}
	if fail > 0 {
		errs, _ := q(ctx, `SELECT error, count(*) FROM items WHERE status = 'failed' GROUP BY error ORDER BY count(*) DESC LIMIT 3`)
		for _, e := range errs {
			why = append(why, fmt.Sprintf("%d items failed: %s", asInt(e[1]), clip(fmt.Sprint(e[0]), 120)))
		}
	}
	return lost, int(fail), int(max(dupURL, dupText)), int(done + fail), why, nil
}

// runKill runs kabar over a loopback web and kills it with SIGKILL at
// random moments, restarting it each time, then finishes with run --once
// and counts what was lost or made twice.
func runKill(c *config) []*row {
	rows := []*row{killStore(c, "SQLite", "", c.killItems, c.kills, 1)}
	switch {
	case c.killPGItems <= 0:
	case c.pg == "":
		rows = append(rows, &row{scenario: "kill -9 at random moments", store: "PostgreSQL", skipped: "no -pg server"})
	default:
		rows = append(rows, killStore(c, "PostgreSQL", c.pg, c.killPGItems, c.killPGKills, 2))
	}
	return rows
}

func killStore(c *config, kind, pg string, items, kills, procs int) *row {
	r := &row{scenario: "kill -9 at random moments", store: kind}
	startT := time.Now()
	defer func() { r.took = time.Since(startT) }()
	ctx := context.Background()
	feeds := 20
	web, err := loopweb.Start(loopweb.Config{Hosts: 8, Feeds: feeds, ItemsPerFeed: (items + feeds - 1) / feeds})
	if err != nil {
		r.fail("%v", err)
		return r
	}
	defer web.Close()
	dir := filepath.Join(c.tmp, "kill-"+kind)
	mkdir(dir)
	db := filepath.Join(dir, "kabar.db")
	if pg != "" {
		var drop func()
		db, drop, err = freshSchema(pg)
		if err != nil {
			r.skipped = "PostgreSQL: " + err.Error()
			return r
		}
		defer drop()
	}
	if err := addFeeds(ctx, db, web.FeedURLs()); err != nil {
		r.fail("%v", err)
		return r
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	r.note("%d items on %d loopback hosts; random seed %d", web.Items, 8, seed)
	args := func() []string {
		if pg == "" {
			return []string{"--db", db, "run", "--addr", freeAddr(), "--allow-addr", "127.0.0.0/8", "--host-delay", "0",
				"--retention", "0", "--gnews-online=false"}
		}
		return []string{"--db", db, "work", "--allow-addr", "127.0.0.0/8", "--host-delay", "0", "--retention", "0", "--gnews-online=false"}
	}
	running := make([]*proc, procs)
	startOne := func(i, gen int) {
		p, err := start(c, filepath.Join(dir, fmt.Sprintf("run-%d-%d.log", i, gen)), nil, args()...)
		if err != nil {
			r.fail("start: %v", err)
			return
		}
		running[i] = p
	}
	for i := range running {
		startOne(i, 0)
	}
	var progress []int
	for k := 1; k <= kills; k++ {
		// A moment anywhere from process start-up (migrations, the first
		// polls) to the middle of fetching and storing.
		time.Sleep(time.Duration(300+rng.IntN(3500)) * time.Millisecond)
		i := rng.IntN(procs)
		p := running[i]
		if p == nil {
			startOne(i, k)
			continue
		}
		select {
		case <-p.done:
			if bad, why := p.crashed(); bad {
				r.fail("process crashed before its kill: %s", why)
			} else {
				r.fail("process exited before its kill: %s", p.lastLine())
			}
		default:
		}
		p.kill()
		r.tried++
		r.rss(p.peakRSS())
		_, _, _, fin, _, _ := account(ctx, db, web.Items)
		progress = append(progress, fin)
		startOne(i, k)
	}
	for _, p := range running {
		if p != nil {
			p.kill()
			r.rss(p.peakRSS())
		}
	}
	r.note("items finished at each kill: %v", progress)
	// Finish: one run --once must take every item to its end.
	if !finalRun(c, r, dir, db) {
		return r
	}
	lost, failed, dup, _, why, err := account(ctx, db, web.Items)
	if err != nil {
		r.fail("counting: %v", err)
		return r
	}
	r.lost, r.dup = lost, dup
	// Every page of the loopback web is good: a failed item is a failure.
	r.failed += failed
	for _, w := range why {
		r.reason("%s", w)
	}
	if dup > 0 {
		r.reason("%d posts made twice for one page", dup)
	}
	if pg == "" {
		for _, pr := range checkDB(db, false) {
			if pr != "" {
				r.fail("%s", pr)
			}
		}
	}
	return r
}

// finalRun runs run --once over db to its end and fails r when it does not
// end in time, exits with an error or crashes; false when it could not
// start.
func finalRun(c *config, r *row, dir, db string) bool {
	t0 := time.Now()
	p, err := start(c, filepath.Join(dir, "final.log"), nil, "--db", db, "run", "--once", "--allow-addr", "127.0.0.0/8",
		"--host-delay", "0", "--gnews-online=false")
	if err != nil {
		r.fail("%v", err)
		return false
	}
	if p.wait(c.finalRunBound) {
		r.fail("the final run --once did not end within %s (killed)", c.finalRunBound)
	} else if p.exitCode() != 0 {
		r.fail("the final run --once exited %d: %s", p.exitCode(), p.lastLine())
	} else {
		r.note("final run --once: %s in %s", p.lastLine(), time.Since(t0).Round(time.Second))
	}
	if bad, why := p.crashed(); bad {
		r.fail("the final run --once crashed: %s", why)
	}
	r.rss(p.peakRSS())
	return true
}
