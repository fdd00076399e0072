package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kabarnews/kabar/tools/internal/proc"
)

// The cost phase: the CPU kabar spends on one request of each kind, sent
// one at a time, read from the kernel's account of the process
// (/proc/PID/stat). Unlike latency, CPU time hardly moves with what else
// the machine runs, so a change's effect shows on a busy machine too; with
// -baseline, another kabar binary answers the same requests on the same
// database in the same run, kind by kind in turn, and the table gives the
// ratio.

// costKinds are the kinds the cost phase measures, in the load's order.
func costKinds() []string {
	var out []string
	for _, m := range mix {
		out = append(out, m.kind)
	}
	return out
}

// cost is the CPU one request of a kind takes: kabar's process's, and
// the database server's for it (PostgreSQL on this machine; 0 otherwise).
type cost struct {
	kabar, db time.Duration
}

// costs sends n requests of each kind to each server, one at a time, and
// returns the CPU per request of each, by kind. Every server answers the
// same paths, in two passes whose order of servers alternates, so that
// neither is always the first to read a page from disk. The servers run
// without their page cache (serve's flags), so each request is rendered.
// db, when not nil, reads the database server's CPU.
func costs(procs []*kabarProc, t *targets, n int, seed uint64, db *dbCPU) ([]map[string]cost, error) {
	ctx := context.Background()
	c := &http.Client{Timeout: time.Minute}
	out := make([]map[string]cost, len(procs))
	for i := range out {
		out[i] = map[string]cost{}
	}
	rng := rand.New(rand.NewPCG(seed, 13))
	for _, kind := range costKinds() {
		paths := make([]string, n)
		for i := range paths {
			for {
				if k, p := t.pick(rng); k == kind {
					paths[i] = p
					break
				}
			}
		}
		for pass := range 2 {
			for j := range procs {
				i := j
				if pass == 1 {
					i = len(procs) - 1 - j
				}
				k := procs[i]
				var dbBefore map[int]time.Duration
				if db != nil {
					var err error
					if dbBefore, err = db.read(ctx); err != nil {
						return nil, err
					}
				}
				before, err := proc.CPU(k.pid)
				if err != nil {
					return nil, err
				}
				for _, p := range paths {
					res, err := c.Get("http://" + k.addr + p)
					if err != nil {
						return nil, err
					}
					if _, err := io.Copy(io.Discard, res.Body); err != nil {
						log.Printf("benchweb: cost: %s: %v", p, err)
					}
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						log.Printf("benchweb: cost: %s: status %d", p, res.StatusCode)
					}
				}
				after, err := proc.CPU(k.pid)
				if err != nil {
					return nil, err
				}
				got := out[i][kind]
				got.kabar += (after - before) / time.Duration(2*n)
				if db != nil {
					got.db += db.since(ctx, dbBefore) / time.Duration(2*n)
				}
				out[i][kind] = got
			}
		}
	}
	return out, nil
}

// reportCosts prints the cost table: kabar's CPU per request by kind and,
// with a baseline, the baseline's and the ratio; with the database's CPU
// (withDB), the same of PostgreSQL's backends.
func reportCosts(w io.Writer, cs []map[string]cost, n int, baseline string, withDB bool) {
	fmt.Fprintf(w, "\nCPU per request, %d requests of each kind sent one at a time, twice, without the page cache (user + system time of the process", n)
	if withDB {
		fmt.Fprintf(w, "; db: of the PostgreSQL backends serving it")
	}
	fmt.Fprintf(w, "):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cols := []string{"kind", "kabar"}
	if withDB {
		cols = append(cols, "db")
	}
	if len(cs) > 1 {
		cols = append(cols, "baseline")
		if withDB {
			cols = append(cols, "baseline db")
		}
		cols = append(cols, "kabar/baseline")
		if withDB {
			cols = append(cols, "db/baseline db", "total/baseline total")
		}
	}
	fmt.Fprintf(tw, "%s\t\n", strings.Join(cols, "\t"))
	ratio := func(a, b time.Duration) string {
		if b <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f×", float64(a)/float64(b))
	}
	for _, kind := range costKinds() {
		k := cs[0][kind]
		row := []string{kind, fmtDur(k.kabar)}
		if withDB {
			row = append(row, fmtDur(k.db))
		}
		if len(cs) > 1 {
			b := cs[1][kind]
			row = append(row, fmtDur(b.kabar))
			if withDB {
				row = append(row, fmtDur(b.db))
			}
			row = append(row, ratio(k.kabar, b.kabar))
			if withDB {
				row = append(row, ratio(k.db, b.db), ratio(k.kabar+k.db, b.kabar+b.db))
			}
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		log.Printf("benchweb: cost table: %v", err)
	}
	if baseline != "" {
		fmt.Fprintf(w, "baseline: %s\n", baseline)
	}
}
