// Package cli is kabar's command line: one file per subcommand, all options
// declared once in the registry below so that every flag also has its
// environment variable and its documentation in one place.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Env is what a command sees of the world; tests fill it with buffers.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	// The process's loggers, one per format (flags.logger): every part of
	// a command logs through one handler, whose lock keeps lines whole on
	// a Stderr that is not safe for concurrent writes.
	logMu sync.Mutex
	logs  map[string]*slog.Logger
}

// option is one setting, reachable as --name and as the environment
// variable env; flags win over the environment, the environment over the
// default.
type option struct {
	name, env, def, usage string
}

var options = map[string]option{}

func register(o option) string {
	options[o.name] = o
	return o.name
}

var (
	optDB = register(option{"db", "KABAR_DB", "kabar.db",
		"database: a SQLite file path, or a postgres:// URL"})
	optAddr = register(option{"addr", "KABAR_ADDR", "127.0.0.1:8080",
		"address the site listens on"})
	optLang = register(option{"lang", "KABAR_LANG", "en",
		"site language: en or id"})
	optTZ = register(option{"tz", "KABAR_TZ", "UTC",
		"time zone the site shows times in (IANA name)"})
	optReplay = register(option{"replay", "KABAR_REPLAY", "",
		"answer every outbound request from this WARC archive; send nothing"})
	optRecord = register(option{"record", "KABAR_RECORD", "",
		"write every response fetched into this .warc.gz archive"})
	optAllow = register(option{"allow-addr", "KABAR_ALLOW_ADDR", "",
		"comma-separated address ranges (CIDR) the fetcher may reach although private, e.g. 10.0.0.0/8"})
	optHostDelay = register(option{"host-delay", "KABAR_HOST_DELAY", "1s",
		"minimum time between two requests to one host"})
	optWorkers = register(option{"workers", "KABAR_WORKERS", "4",
		"items processed at once"})
	optLog = register(option{"log", "KABAR_LOG", "text",
		"log format on stderr: text or json"})
	optJobTimeout = register(option{"job-timeout", "KABAR_JOB_TIMEOUT", "10m",
		"longest time one job (a poll, an item) may run"})
	optRescueAfter = register(option{"rescue-after", "KABAR_RESCUE_AFTER", "15m",
		"a job running longer than this is taken for one of a dead process and run again elsewhere; must exceed --job-timeout"})
	optRetention = register(option{"retention", "KABAR_RETENTION", "30d",
		"prune raw data older than this (items' feed descriptions, cancelled and discarded jobs); posts are kept; 0 keeps everything (e.g. 30d, 720h)"})
	optGrace = register(option{"shutdown-grace", "KABAR_SHUTDOWN_GRACE", "25s",
		"on SIGINT/SIGTERM, how long running jobs may finish before they are handed back to the queue"})
	optOpsAddr = register(option{"ops-addr", "KABAR_OPS_ADDR", "",
		"address for /healthz, /readyz and /metrics of a worker (empty: none)"})
)

// workerOpts are the options of every command that runs jobs.
var workerOpts = append([]string{optReplay, optRecord, optAllow, optHostDelay, optWorkers,
	optJobTimeout, optRescueAfter, optRetention, optGrace, optGNewsOnline, optGNewsInterval, optGNewsBase},
	fetchOpts...)

// flags is a subcommand's flag set bound to the option registry.
type flags struct {
	*flag.FlagSet
	env  *Env
	vals map[string]*string
}

func newFlags(env *Env, name, usage string, opts ...string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	f := &flags{FlagSet: fs, env: env, vals: map[string]*string{}}
	for _, n := range append([]string{optDB}, opts...) {
		o := options[n]
		def := o.def
		if v := env.Getenv(o.env); v != "" {
			def = v
		}
		f.vals[n] = fs.String(n, def, o.usage+" (env "+o.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: kabar %s\n\nOptions:\n", usage)
		fs.PrintDefaults()
	}
	return f
}

func (f *flags) get(name string) string { return *f.vals[name] }

func (f *flags) duration(name string) (time.Duration, error) {
	d, err := time.ParseDuration(f.get(name))
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	return d, nil
}

// days parses a duration that may also be given in days ("30d").
func (f *flags) days(name string) (time.Duration, error) {
	v := strings.TrimSpace(f.get(name))
	if v == "" || v == "0" || v == "off" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("--%s: %q is not a number of days", name, v)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	return f.duration(name)
}

func (f *flags) logger() *slog.Logger {
	format := f.get(optLog)
	env := f.env
	env.logMu.Lock()
	defer env.logMu.Unlock()
	if l, ok := env.logs[format]; ok {
		return l
	}
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	var l *slog.Logger
	if format == "json" {
		l = slog.New(slog.NewJSONHandler(env.Stderr, opts))
	} else {
		l = slog.New(slog.NewTextHandler(env.Stderr, opts))
	}
	if env.logs == nil {
		env.logs = map[string]*slog.Logger{}
	}
	env.logs[format] = l
	return l
}

// errUsage reports a wrong command line; Main prints the usage for it.
var errUsage = errors.New("usage")

type command struct {
	name, summary string
	run           func(ctx context.Context, env *Env, global *flags, args []string) error
}

var commands = map[string]command{}

func addCommand(c command) { commands[c.name] = c }

// Main runs kabar with the given arguments (without the program name) and
// returns the process exit code.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	global := newFlags(env, "kabar", "[--db PATH|postgres://…] COMMAND [ARGS]", optLog)
	global.Usage = func() { printUsage(env.Stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	rest := global.Args()
	if len(rest) == 0 {
		printUsage(env.Stderr)
		return 2
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		if rest[0] == "help" {
			printUsage(env.Stdout)
			return 0
		}
		fmt.Fprintf(env.Stderr, "kabar: unknown command %q\n\n", rest[0])
		printUsage(env.Stderr)
		return 2
	}
	err := cmd.run(ctx, env, global, rest[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "kabar %s: %v\n", cmd.name, err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "kabar %s: %v\n", cmd.name, err)
		return 1
	}
}

// sub makes a subcommand's flag set; the command adds its own flags and
// parses. Options given before the command (kabar --db x.db run) stay in
// force unless repeated after it.
func sub(env *Env, global *flags, name, usage string, opts ...string) *flags {
	f := newFlags(env, name, usage, opts...)
	global.Visit(func(g *flag.Flag) {
		if _, ok := f.vals[g.Name]; ok {
			*f.vals[g.Name] = g.Value.String()
		}
	})
	if _, ok := f.vals[optLog]; !ok {
		f.vals[optLog] = global.vals[optLog]
	}
	return f
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: kabar [--db PATH|postgres://…] COMMAND [ARGS]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'kabar COMMAND -h' for a command's options.")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
