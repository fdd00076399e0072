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
	"math"
	"os"
	"slices"
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
	optDebugAddr = register(option{"debug-addr", "KABAR_DEBUG_ADDR", "",
		"loopback address for Go's profiler (/debug/pprof/) and runtime figures (/debug/runtime) of the site process (empty: none)"})
)

// workerOpts are the options of every command that runs jobs.
var workerOpts = append([]string{optReplay, optRecord, optAllow, optHostDelay, optWorkers,
	optJobTimeout, optRescueAfter, optRetention, optGrace, optGNewsOnline, optGNewsInterval, optGNewsBase},
	fetchOpts...)

// flags is a subcommand's flag set bound to the option registry. Every
// command parses with it, so that the whole command line behaves one way:
// flags before or after the positional arguments, --db and --log before or
// after the command, yes/no options given alone (--ignore-robots), values
// checked while parsing, and -h listing every option with its environment
// variable and default.
type flags struct {
	*flag.FlagSet
	env   *Env
	usage string
	vals  map[string]*string
	// pos are the positional arguments, wherever they stood among flags.
	pos []string
	// envErr is an environment variable with a value its option refuses;
	// Parse reports it.
	envErr error
}

// globalOpts are accepted by every command, before or after its name.
var globalOpts = []string{optDB, optLog}

func newFlags(env *Env, name, usage string, opts ...string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	// Help goes to stdout when asked for (-h), a short hint to stderr on a
	// mistake; the flag package's own printing is replaced by Parse's.
	fs.Usage = func() {}
	f := &flags{FlagSet: fs, env: env, usage: usage, vals: map[string]*string{}}
	for _, n := range append(slices.Clone(globalOpts), opts...) {
		if _, ok := f.vals[n]; ok {
			continue
		}
		o := options[n]
		val := o.def
		v := &optionValue{name: n, p: &val, boolean: isBoolOption(n)}
		if e := env.Getenv(o.env); e != "" {
			if err := v.Set(e); err != nil && f.envErr == nil {
				f.envErr = fmt.Errorf("%s=%q: %v", o.env, e, err)
			}
		}
		f.vals[n] = v.p
		fs.Var(v, n, o.usage)
	}
	return f
}

// optionValue is a registry option's flag.Value: the value is kept as text
// (commands read it with get), checked by the option's rule when set.
type optionValue struct {
	name    string
	p       *string
	boolean bool
}

func (v *optionValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return *v.p
}

func (v *optionValue) Set(s string) error {
	if v.boolean {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want true or false")
		}
		s = strconv.FormatBool(b)
	}
	if check := optionChecks[v.name]; check != nil {
		if err := check(s); err != nil {
			return err
		}
	}
	*v.p = s
	return nil
}

// IsBoolFlag lets a yes/no option be given alone: --ignore-robots.
func (v *optionValue) IsBoolFlag() bool { return v != nil && v.boolean }

// isBoolOption tells the yes/no options by their default.
func isBoolOption(name string) bool {
	d := options[name].def
	return d == "true" || d == "false"
}

// Parse parses a command's arguments. Flags may come before, between or
// after the positional arguments (Args); "--" ends the flags. A wrong flag
// or value is a usage error (exit 2); -h prints the command's help on
// stdout and returns flag.ErrHelp.
func (f *flags) Parse(args []string) error {
	if f.envErr != nil {
		fmt.Fprintf(f.env.Stderr, "kabar %s: %v\n", f.Name(), f.envErr)
		return errFlag
	}
	f.pos = nil
	for {
		if err := f.FlagSet.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printHelp(f.env.Stdout)
				return err
			}
			// The flag package has printed what was wrong.
			fmt.Fprintf(f.env.Stderr, "run 'kabar %s -h' for the options\n", f.Name())
			return fmt.Errorf("%w: %w", errFlag, err)
		}
		rest := f.FlagSet.Args()
		if len(rest) == 0 {
			return nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			f.pos = append(f.pos, rest...)
			return nil
		}
		f.pos = append(f.pos, rest[0])
		args = rest[1:]
	}
}

// Args are the positional arguments Parse found.
func (f *flags) Args() []string { return f.pos }

// NArg is len(Args()).
func (f *flags) NArg() int { return len(f.pos) }

// Arg is the i-th positional argument, or "".
func (f *flags) Arg(i int) string {
	if i < 0 || i >= len(f.pos) {
		return ""
	}
	return f.pos[i]
}

// printHelp prints the command's usage line and every option: its
// placeholder, what it does, its environment variable and its default.
func (f *flags) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: kabar %s\n\nOptions:\n", f.usage)
	writeOptions(w, f.FlagSet)
}

func writeOptions(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(fl *flag.Flag) {
		if slices.Contains(hiddenOptions, fl.Name) {
			return
		}
		o, registered := options[fl.Name]
		meta, usage := flag.UnquoteUsage(fl)
		if registered {
			meta = optionMeta(fl.Name)
		}
		line := "  --" + fl.Name
		if meta != "" {
			line += " " + meta
		}
		fmt.Fprintln(w, line)
		fmt.Fprintf(w, "\t%s\n", usage)
		switch {
		case registered && o.def != "":
			fmt.Fprintf(w, "\tenv %s, default %s\n", o.env, o.def)
		case registered:
			fmt.Fprintf(w, "\tenv %s\n", o.env)
		case fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0":
			fmt.Fprintf(w, "\tdefault %s\n", fl.DefValue)
		}
	})
}

// optionMeta is the placeholder help shows after a registry option.
func optionMeta(name string) string {
	if isBoolOption(name) {
		return ""
	}
	if m, ok := optionMetas[name]; ok {
		return m
	}
	return "VALUE"
}

// errFlag is a flag the flag package refused and explained already.
var errFlag = fmt.Errorf("%w: bad flag", errUsage)

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
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: durationAttr(format == "json")}
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

// durationAttr writes durations for their reader: rounded and with a unit
// (25s, 1.234s) in text, a number of seconds in JSON, where nanoseconds
// would be kabar's own unit and no one else's.
func durationAttr(asJSON bool) func([]string, slog.Attr) slog.Attr {
	return func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() != slog.KindDuration {
			return a
		}
		d := a.Value.Duration()
		if asJSON {
			return slog.Float64(a.Key, math.Round(d.Seconds()*1000)/1000)
		}
		return slog.String(a.Key, d.Round(time.Millisecond).String())
	}
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
// returns the process exit code: 0, 1 when kabar failed, 2 for a wrong
// command line.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	global := newFlags(env, "kabar", "[--db PATH|postgres://…] [--log text|json] COMMAND [ARGS]")
	// The global options end at the command's name: stop there.
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" && args[i] != "--" {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		i++
		if fl := global.Lookup(name); fl != nil && !hasValue && !isBoolOption(name) && i < len(args) {
			i++ // the option's value
		}
	}
	if err := global.FlagSet.Parse(args[:i]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(env.Stdout, global)
			return 0
		}
		fmt.Fprintln(env.Stderr, "run 'kabar -h' for the commands and options")
		return 2
	}
	if global.envErr != nil {
		fmt.Fprintf(env.Stderr, "kabar: %v\n", global.envErr)
		return 2
	}
	rest := args[i:]
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		printUsage(env.Stderr, global)
		return 2
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		if rest[0] == "help" {
			printUsage(env.Stdout, global)
			return 0
		}
		fmt.Fprintf(env.Stderr, "kabar: unknown command %q\n\n", rest[0])
		printUsage(env.Stderr, global)
		return 2
	}
	err := cmd.run(ctx, env, global, rest[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errFlag):
		return 2
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
	return f
}

func printUsage(w io.Writer, global *flags) {
	fmt.Fprintln(w, "usage: kabar [--db PATH|postgres://…] [--log text|json] COMMAND [ARGS]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n, c := range commands {
		if c.summary != "" { // hidden: the completion scripts' helper
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nOptions of every command (before or after its name):")
	writeOptions(w, global.FlagSet)
	fmt.Fprintln(w, "\nRun 'kabar COMMAND -h' for a command's options. Exit status: 0 done, 1 failed, 2 wrong command line.")
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

// optionChecks are the rules an option's value must follow, whether it
// comes from a flag or the environment; a value that breaks one is a wrong
// command line (exit 2), found before anything runs.
var optionChecks = map[string]func(string) error{}

// optionMetas are the placeholders help shows for options' values.
var optionMetas = map[string]string{}

func init() {
	oneOf := func(vals ...string) func(string) error {
		return func(s string) error {
			if !slices.Contains(vals, s) {
				return fmt.Errorf("want %s", strings.Join(vals, " or "))
			}
			return nil
		}
	}
	duration := func(s string) error {
		if s == "" {
			return nil // the built-in default
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as 500ms, 1s, 5m or 2h")
		}
		if d < 0 {
			return errors.New("want a duration of 0 or more")
		}
		return nil
	}
	positive := func(s string) error {
		if s == "" {
			return nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n < 1 {
			return errors.New("want a whole number of 1 or more")
		}
		return nil
	}
	for _, n := range []string{optHostDelay, optJobTimeout, optRescueAfter, optGrace, optGNewsInterval, optFetchTimeout} {
		optionChecks[n] = duration
		optionMetas[n] = "DURATION"
	}
	for _, n := range []string{optWorkers, optMaxBody, optFetchAttempts} {
		optionChecks[n] = positive
		optionMetas[n] = "N"
	}
	optionChecks[optLog] = oneOf("text", "json")
	optionMetas[optLog] = "text|json"
	optionChecks[optLang] = oneOf("en", "id")
	optionMetas[optLang] = "en|id"
	optionChecks[optTZ] = func(s string) error {
		if _, err := time.LoadLocation(s); err != nil {
			return errors.New("want a time zone name such as UTC, Asia/Jakarta or Europe/London")
		}
		return nil
	}
	optionMetas[optTZ] = "ZONE"
	optionChecks[optRetention] = func(s string) error {
		f := &flags{vals: map[string]*string{optRetention: &s}}
		_, err := f.days(optRetention)
		if err != nil {
			return errors.New("want a number of days (30d), a duration (720h) or 0")
		}
		return nil
	}
	optionMetas[optRetention] = "DAYS|DURATION"
	optionChecks[optAllow] = func(s string) error {
		_, err := parseAllowList(s)
		return err
	}
	optionMetas[optAllow] = "CIDR,..."
	optionMetas[optDB] = "PATH|postgres://…"
	for _, n := range []string{optAddr, optOpsAddr, optDebugAddr} {
		optionMetas[n] = "HOST:PORT"
	}
	for _, n := range []string{optReplay, optRecord} {
		optionMetas[n] = "ARCHIVE"
	}
	optionMetas[optBaseURL] = "URL"
	optionMetas[optSiteTitle] = "TEXT"
	optionMetas[optSecret] = "KEY"
	optionMetas[optUserAgent] = "TEXT"
	optionMetas[optHL] = "LANG"
	optionMetas[optGL] = "COUNTRY"
	optionMetas[optCEID] = "COUNTRY:LANG"
	optionMetas[optGNewsBase] = "URL"
}
