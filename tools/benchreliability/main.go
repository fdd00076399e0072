// Command benchreliability is kabar's reliability suite: it drives the
// kabar binary on loopback through hostile feeds, a query-string fuzz of
// every route on both stores, reader comments carrying XSS vectors through
// every output, slow-drip and idle connections, SIGKILL at random moments
// over a large run, a full disk, and pages at the body cap, and prints one
// table: per scenario how many cases were tried, how many failed, how many
// items were lost or duplicated, and the peak RSS of the kabar processes.
// A failed row lists why. The exit code is 1 when any row failed.
//
// `make bench-reliability` runs it; docs/reliability.md describes each
// scenario and keeps the figures.
//
// Every request stays on 127.0.0.0/8: hostile feeds have their outside
// hosts rewritten to a loopback fixture server, and SSRF rows whose host
// would need a DNS answer are left out (kabar's own resolver is the
// system's, which is not on loopback here).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	procfs "github.com/kabarnews/kabar/tools/internal/proc"
)

// config is the suite's command line.
type config struct {
	bin, fixtures, pg, tmp string
	only                   map[string]bool
	keep                   bool

	hostileBound  time.Duration
	hostileRSS    int64
	hugeItems     int
	fuzzBound     time.Duration
	fuzzWorkers   int
	xssMax        int
	conns         int
	connBound     time.Duration
	killItems     int
	kills         int
	killPGItems   int
	killPGKills   int
	diskSize      int
	diskItems     int
	largePages    int
	largeRSS      int64
	searchBound   time.Duration
	finalRunBound time.Duration
}

// row is one line of the table.
type row struct {
	scenario, store string
	tried, failed   int
	lost, dup       int
	peakRSS         int64
	skipped         string
	reasons         []string
	notes           []string
	took            time.Duration
}

func (r *row) fail(format string, a ...any) {
	r.failed++
	r.reason(format, a...)
}

// reason records why a case failed, at most a handful of each kind.
func (r *row) reason(format string, a ...any) {
	if len(r.reasons) < 12 {
		r.reasons = append(r.reasons, fmt.Sprintf(format, a...))
	} else if len(r.reasons) == 12 {
		r.reasons = append(r.reasons, "…")
	}
}

func (r *row) note(format string, a ...any) { r.notes = append(r.notes, fmt.Sprintf(format, a...)) }

func (r *row) rss(v int64) { r.peakRSS = max(r.peakRSS, v) }

func (r *row) bad() bool { return r.skipped == "" && (r.failed > 0 || r.lost > 0 || r.dup > 0) }

func main() {
	var c config
	var only string
	flag.StringVar(&c.bin, "kabar", "bin/kabar", "the kabar binary to test")
	flag.StringVar(&c.fixtures, "fixtures", "", "the hostile-input kit (default: ../shared/fixtures/hostile when found)")
	flag.StringVar(&c.pg, "pg", pgtest.URL(), "PostgreSQL server for the PostgreSQL rows (a fresh schema each; empty: skip them)")
	flag.StringVar(&only, "only", "", "comma-separated scenarios to run (hostile,ssrf,fuzz,xss,conns,kill,disk,large; default all)")
	flag.BoolVar(&c.keep, "keep", false, "keep the databases and logs (their folder is printed)")
	flag.DurationVar(&c.hostileBound, "hostile-bound", 4*time.Minute, "a run --once over one hostile feed must end within this")
	flag.Int64Var(&c.hostileRSS, "hostile-rss", 256, "peak RSS bound of a run --once over one hostile feed, MiB")
	flag.IntVar(&c.hugeItems, "huge-items", 100_000, "items of the generated huge feed")
	flag.DurationVar(&c.fuzzBound, "fuzz-bound", 5*time.Second, "a fuzzed request must be answered within this")
	flag.IntVar(&c.fuzzWorkers, "fuzz-workers", 4, "fuzz requests in flight")
	flag.IntVar(&c.xssMax, "xss", 0, "XSS vectors to post as comments (0: every vector of the kit)")
	flag.IntVar(&c.conns, "conns", 50, "drip-fed POST bodies, and idle keep-alive connections, each")
	flag.DurationVar(&c.connBound, "conn-bound", 0, "a slow or idle connection must be closed by then (0: the largest timeout `kabar serve -h` documents + 10s, or docs/operations.md's 30 s server limits + 15s when it documents none)")
	flag.IntVar(&c.killItems, "kill-items", 10_000, "items of the loopback web the SIGKILL scenario runs over")
	flag.IntVar(&c.kills, "kills", 20, "SIGKILLs at random moments")
	flag.IntVar(&c.killPGItems, "kill-pg-items", 2000, "items of the PostgreSQL SIGKILL scenario (two `kabar work` processes; 0: skip)")
	flag.IntVar(&c.killPGKills, "kill-pg-kills", 10, "SIGKILLs in the PostgreSQL SIGKILL scenario")
	flag.IntVar(&c.diskSize, "disk-mib", 8, "size of the small file system of the full-disk scenario, MiB")
	flag.IntVar(&c.diskItems, "disk-items", 1500, "items of the full-disk scenario")
	flag.IntVar(&c.largePages, "large-pages", 8, "pages at the body cap of the large-page scenario")
	flag.Int64Var(&c.largeRSS, "large-rss", 400, "peak RSS bound of run --once over the large pages, MiB")
	flag.DurationVar(&c.searchBound, "search-bound", time.Second, "a search after the large pages must answer within this")
	flag.DurationVar(&c.finalRunBound, "final-bound", 5*time.Minute, "the run --once that finishes a killed or full-disk run must end within this")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("benchreliability: ")

	if _, err := os.Stat(c.bin); err != nil {
		log.Fatalf("%v (build it with make build)", err)
	}
	if abs, err := filepath.Abs(c.bin); err == nil {
		c.bin = abs
	}
	if c.fixtures == "" {
		for _, d := range []string{"../shared/fixtures/hostile", "../../shared/fixtures/hostile", "/work/shared/fixtures/hostile"} {
			if _, err := os.Stat(filepath.Join(d, "feeds")); err == nil {
				c.fixtures = d
				break
			}
		}
	}
	c.only = map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.only[s] = true
		}
	}
	tmp, err := os.MkdirTemp("", "benchreliability")
	if err != nil {
		log.Fatal(err)
	}
	c.tmp = tmp
	if c.keep {
		fmt.Printf("keeping databases and logs in %s\n", tmp)
	} else {
		defer func() { _ = os.RemoveAll(tmp) }() // leftovers in the temporary folder harm no result
	}
	fmt.Printf("kabar reliability suite: %s, %d CPUs (%s/%s), %s\n", c.bin, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format(time.RFC3339))

	type scenario struct {
		name string
		run  func(*config) []*row
	}
	all := []scenario{
		{"hostile", runHostile},
		{"ssrf", runSSRF},
		{"fuzz", runFuzz},
		{"xss", runXSS},
		{"conns", runConns},
		{"kill", runKill},
		{"disk", runDisk},
		{"large", runLarge},
	}
	var rows []*row
	for _, s := range all {
		if len(c.only) > 0 && !c.only[s.name] {
			continue
		}
		start := time.Now()
		fmt.Printf("\n== %s\n", s.name)
		got := s.run(&c)
		for _, r := range got {
			if r.took == 0 {
				r.took = time.Since(start) / time.Duration(len(got))
			}
			fmt.Printf("   %s [%s]: tried %d, failed %d, lost %d, duplicated %d, peak RSS %s (%s)%s\n", r.scenario, r.store,
				r.tried, r.failed, r.lost, r.dup, mib(r.peakRSS), r.took.Round(time.Second), skippedNote(r))
		}
		rows = append(rows, got...)
	}
	failed := printTable(os.Stdout, rows)
	if failed {
		// os.Exit skips the deferred clean-up.
		if !c.keep {
			_ = os.RemoveAll(tmp) // leftovers in the temporary folder harm no result
		}
		os.Exit(1)
	}
}

func skippedNote(r *row) string {
	if r.skipped != "" {
		return " skipped: " + r.skipped
	}
	return ""
}

func mib(b int64) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%d MiB", (b+(1<<20)-1)>>20)
}

// printTable prints the table and the reasons of failed rows, and says
// whether any row failed.
func printTable(w io.Writer, rows []*row) bool {
	fmt.Fprintf(w, "\n%-34s %-10s %7s %7s %6s %10s %9s  %s\n", "scenario", "store", "tried", "failed", "lost", "duplicated", "peak RSS", "result")
	any := false
	for _, r := range rows {
		res := "ok"
		switch {
		case r.skipped != "":
			res = "skipped: " + r.skipped
		case r.bad():
			res, any = "FAILED", true
		}
		fmt.Fprintf(w, "%-34s %-10s %7d %7d %6d %10d %9s  %s\n", r.scenario, r.store, r.tried, r.failed, r.lost, r.dup, mib(r.peakRSS), res)
	}
	for _, r := range rows {
		if len(r.notes) == 0 && (!r.bad() || len(r.reasons) == 0) {
			continue
		}
		fmt.Fprintf(w, "\n%s [%s]:\n", r.scenario, r.store)
		for _, n := range r.notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		if r.bad() {
			for _, s := range r.reasons {
				fmt.Fprintf(w, "  - %s\n", s)
			}
		}
	}
	return any
}

// proc is a kabar process and the peak RSS seen while it ran.
type proc struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	out    *strings.Builder
	mu     sync.Mutex
	peak   int64
	logger *os.File
}

// lockedBuilder lets the process write while the suite reads.
type lockedWriter struct {
	p *proc
	f *os.File
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.p.mu.Lock()
	if l.p.out.Len() < 1<<20 {
		l.p.out.Write(b)
	}
	l.p.mu.Unlock()
	if l.f != nil {
		_, _ = l.f.Write(b) // the log file is a copy for reading later; the output kept above is what the suite checks
	}
	return len(b), nil
}

// start runs kabar with args, its output kept (and copied to logPath when
// given), its VmHWM sampled every 50 ms until it exits (VmHWM only grows,
// so a sample misses at most the last 50 ms of growth).
func start(c *config, logPath string, env []string, args ...string) (*proc, error) {
	p := &proc{cmd: exec.Command(c.bin, args...), done: make(chan struct{}), out: &strings.Builder{}}
	var f *os.File
	if logPath != "" {
		f, _ = os.Create(logPath)
		p.logger = f
	}
	p.cmd.Stdout, p.cmd.Stderr = lockedWriter{p, f}, lockedWriter{p, f}
	p.cmd.Env = append(append(os.Environ(), "KABAR_LOG=text"), env...)
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				if v := procfs.PeakRSS(p.cmd.Process.Pid); v > 0 {
					p.mu.Lock()
					p.peak = max(p.peak, v)
					p.mu.Unlock()
				}
			}
		}
	}()
	go func() {
		// Not the child's rusage: its Maxrss counts this suite's own memory,
		// which the child had until its exec.
		p.err = p.cmd.Wait()
		if f != nil {
			_ = f.Close() // a copy of the output for reading later
		}
		close(p.done)
	}()
	return p, nil
}

// wait waits up to d for the process to exit; past it, it kills the
// process and says so.
func (p *proc) wait(d time.Duration) (timedOut bool) {
	select {
	case <-p.done:
		return false
	case <-time.After(d):
		_ = p.cmd.Process.Kill() // refused only when it has exited meanwhile
		<-p.done
		return true
	}
}

// stop asks the process to end (SIGTERM), then kills it after grace.
func (p *proc) stop(grace time.Duration) {
	// A process that has exited already refuses the signal; wait says so.
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	p.wait(grace)
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL) // refused only when it has exited already
	p.wait(30 * time.Second)
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *proc) peakRSS() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}

// crashed says whether the process died of a signal it was not sent, or
// panicked, with the first line that says so.
func (p *proc) crashed() (bool, string) {
	out := p.output()
	for _, marker := range []string{"panic:", "fatal error:", "SIGSEGV", "runtime: out of memory"} {
		if i := strings.Index(out, marker); i >= 0 {
			line := out[i:]
			if j := strings.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			return true, line
		}
	}
	if st := p.cmd.ProcessState; st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() != syscall.SIGKILL && ws.Signal() != syscall.SIGTERM {
			return true, "killed by " + ws.Signal().String()
		}
	}
	return false, ""
}

// exitCode is the process's exit code (-1 when killed).
func (p *proc) exitCode() int {
	if p.cmd.ProcessState == nil {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// lastLines is the end of the output, for a reason.
func (p *proc) lastLine() string {
	lines := strings.Split(strings.TrimSpace(p.output()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return clip(l, 200)
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// kabar runs a short kabar command to its end and returns its output.
func kabar(c *config, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "KABAR_LOG=text")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kabar %s: %v: %s", strings.Join(args, " "), err, clip(strings.TrimSpace(string(out)), 300))
	}
	return string(out), nil
}

// freeAddr is a free 127.0.0.1 port.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		log.Fatal(err)
	}
	return addr
}

// serve starts `kabar serve` on db and waits until it answers /healthz.
func serve(c *config, db, logPath string, env []string) (*proc, string, error) {
	addr := freeAddr()
	p, err := start(c, logPath, env, "--db", db, "serve", "--addr", addr)
	if err != nil {
		return nil, "", err
	}
	if err := waitHTTP("http://"+addr+"/healthz", 60*time.Second, p); err != nil {
		p.stop(5 * time.Second)
		return nil, "", fmt.Errorf("%v: %s", err, p.lastLine())
	}
	return p, "http://" + addr, nil
}

// waitHTTP waits until u answers 200, or the process exits, or d passes.
func waitHTTP(u string, d time.Duration, p *proc) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if p != nil {
			select {
			case <-p.done:
				return errors.New("kabar exited before answering")
			default:
			}
		}
		res, err := client.Get(u)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body) // read to its end so the connection is reused; only the status counts
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
	}
	return fmt.Errorf("%s did not answer 200 within %s", u, d)
}

// freshSchema makes an empty schema on the PostgreSQL server and returns a
// URL whose connections use it, and a function that drops it.
func freshSchema(base string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("kabar_rel_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		_ = conn.Close(ctx) // the error above is the one to report
		return "", nil, err
	}
	if err := conn.Close(ctx); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
				log.Printf("drop schema %s: %v", name, err)
			}
			_ = c.Close(ctx) // the schema is dropped or reported above
		}
	}
	return u.String(), drop, nil
}

// summarize counts equal strings: "3× x; 1× y".
func summarize(ss []string, n int) string {
	count := map[string]int{}
	for _, s := range ss {
		count[s]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return count[keys[i]] > count[keys[j]] || count[keys[i]] == count[keys[j]] && keys[i] < keys[j]
	})
	var parts []string
	for i, k := range keys {
		if i == n {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%d× %s", count[k], k))
	}
	return strings.Join(parts, "; ")
}

// mkdir makes a folder under the suite's own temporary folder; when that
// fails no scenario can run.
func mkdir(dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
}

// closeAfterWrite closes a store the suite has just written to, and makes
// its error the step's when the step had none: a seed whose last writes
// were lost would make every later count wrong.
func closeAfterWrite(c io.Closer, err error) error {
	if cerr := c.Close(); err == nil {
		return cerr
	}
	return err
}
