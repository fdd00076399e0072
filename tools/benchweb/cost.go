package main

import (
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
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

// costs sends n requests of each kind to each server, one at a time, and
// returns the CPU per request of each, by kind. Every server answers the
// same paths, in two passes whose order of servers alternates, so that
// neither is always the first to read a page from disk. The servers run
// without their page cache (serve's flags), so each request is rendered.
func costs(procs []*kabarProc, t *targets, n int, seed uint64) ([]map[string]time.Duration, error) {
	c := &http.Client{Timeout: time.Minute}
	out := make([]map[string]time.Duration, len(procs))
	for i := range out {
		out[i] = map[string]time.Duration{}
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
				before, err := proc.CPU(k.pid)
				if err != nil {
					return nil, err
				}
				for _, p := range paths {
					res, err := c.Get("http://" + k.addr + p)
					if err != nil {
						return nil, err
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						log.Printf("benchweb: cost: %s: status %d", p, res.StatusCode)
					}
				}
				after, err := proc.CPU(k.pid)
				if err != nil {
					return nil, err
				}
				out[i][kind] += (after - before) / time.Duration(2*n)
			}
		}
	}
	return out, nil
}

// reportCosts prints the cost table: kabar's CPU per request by kind and,
// with a baseline, the baseline's and the ratio.
func reportCosts(w io.Writer, cs []map[string]time.Duration, n int, baseline string) {
	fmt.Fprintf(w, "\nCPU per request, %d requests of each kind sent one at a time, twice, without the page cache (user + system time of the process):\n", n)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if len(cs) > 1 {
		fmt.Fprintf(tw, "kind\tkabar\tbaseline\tkabar/baseline\t\n")
	} else {
		fmt.Fprintf(tw, "kind\tkabar\t\n")
	}
	for _, kind := range costKinds() {
		if len(cs) > 1 {
			ratio := "–"
			if b := cs[1][kind]; b > 0 {
				ratio = fmt.Sprintf("%.2f×", float64(cs[0][kind])/float64(b))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", kind, fmtDur(cs[0][kind]), fmtDur(cs[1][kind]), ratio)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t\n", kind, fmtDur(cs[0][kind]))
		}
	}
	tw.Flush()
	if baseline != "" {
		fmt.Fprintf(w, "baseline: %s\n", baseline)
	}
}
