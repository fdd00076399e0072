package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/bulk"
	"github.com/kabarnews/kabar/internal/pipeline"
	"github.com/kabarnews/kabar/internal/story"
)

func init() {
	addCommand(command{"import", "import news archives in bulk (WARC, .warc.gz; - for standard input) or a Blogger or WordPress blog's export", runImport})
}

// runImport tells the kind of archive before anything else, since each
// kind has its own options: --format when given, else the first file's
// first bytes (gzip or "WARC/" is a web archive; <feed or <rss a blog's
// export).
func runImport(ctx context.Context, env *Env, global *flags, args []string) error {
	format, err := importFormat(args)
	if err != nil {
		return err
	}
	switch format {
	case "blogger", "wordpress":
		return runBlogImport(ctx, env, global, args)
	}
	return runWARCImport(ctx, env, global, args)
}

// importFormat is --format's value (either spelling, anywhere in args),
// else what the first argument's content looks like; "warc" when there is
// nothing to look at (so that -h shows the archive options).
func importFormat(args []string) (string, error) {
	for i, a := range args {
		if a == "--" {
			break
		}
		var v string
		switch {
		case a == "--format" || a == "-format":
			if i+1 < len(args) {
				v = args[i+1]
			}
		case strings.HasPrefix(a, "--format=") || strings.HasPrefix(a, "-format="):
			_, v, _ = strings.Cut(a, "=")
		default:
			continue
		}
		switch v {
		case "warc", "blogger", "wordpress":
			return v, nil
		}
		return "", fmt.Errorf("%w: --format %q: want warc, blogger or wordpress", errUsage, v)
	}
	for i, a := range args {
		if a == "-" || strings.HasPrefix(a, "-") {
			if a == "-" {
				return "warc", nil
			}
			if i > 0 && args[i-1] == "--" {
				return sniffFile(a), nil
			}
			continue
		}
		if i > 0 && strings.HasPrefix(args[i-1], "--") && !strings.Contains(args[i-1], "=") && importFlagTakesValue(args[i-1]) {
			continue // the value of a flag, not a file
		}
		return sniffFile(a), nil
	}
	return "warc", nil
}

// importFlagTakesValue tells the import flags that take a separate value.
func importFlagTakesValue(flag string) bool {
	switch strings.TrimLeft(flag, "-") {
	case "json", "fetch-images", "help", "h":
		return false
	}
	return true
}

// sniffFile looks at a file's first bytes: a blog export is XML whose root
// is <feed> (Blogger's Atom) or <rss> (WordPress's WXR). Anything else,
// directories and globs included, is taken for web archives and checked
// as such.
func sniffFile(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "warc"
	}
	defer func() { _ = f.Close() }() // opened to read: nothing to lose
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		return "warc"
	}
	s := strings.TrimPrefix(string(head), "\ufeff")
	if strings.HasPrefix(strings.TrimSpace(s), "WARC/") {
		return "warc"
	}
	// The root element comes after an XML declaration, comments and
	// processing instructions.
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return "warc"
		}
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "<?"), strings.HasPrefix(s, "<!"):
			s = s[2:]
			continue
		case strings.HasPrefix(s, "<feed"):
			return "blogger"
		case strings.HasPrefix(s, "<rss"):
			return "wordpress"
		}
		return "warc"
	}
}

// listFlag is a flag given any number of times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func runWARCImport(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "import", "import [--filter host=NAME|url=PATTERN|lang=CODE]… [--shard I/N] [--json] ARCHIVE.warc[.gz]|DIR|GLOB|-…\n       kabar import [--format blogger|wordpress] BLOG.xml   (a blog's export; --format blogger -h for its options)")
	f.String("format", "warc", "the archives' format: warc (WARC files, plain or .warc.gz), blogger or wordpress; found from the first file when not given")
	var filters listFlag
	f.Var(&filters, "filter", "import only records that match: host=example.com (and its subdomains), url=PATTERN (* is any text), lang=CODE; repeat for more (one kind: any of them; different kinds: all)")
	shardArg := f.String("shard", "", "import only part I of N of each archive (records dealt by URL), so that N processes share it: 1/4, 2/4…")
	asJSON := f.Bool("json", false, "print the summary as JSON on standard output")
	workers := f.Int("workers", 0, "pages extracted at once (0: one per CPU)")
	batch := f.Int("batch", 500, "posts stored per transaction")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() == 0 {
		return fmt.Errorf("%w: import takes one or more archives (files, directories, patterns, or - for standard input), or one Blogger or WordPress export", errUsage)
	}
	filter, err := bulk.ParseFilter(filters)
	if err != nil {
		return fmt.Errorf("%w: --filter: %v", errUsage, err)
	}
	var shard bulk.Shard
	if *shardArg != "" {
		if shard, err = bulk.ParseShard(*shardArg); err != nil {
			return fmt.Errorf("%w: --shard: %v", errUsage, err)
		}
	}
	archives, total, err := importArchives(env, f.Args())
	if err != nil {
		return err
	}
	b, bs, err := openBulkBackend(ctx, f)
	if err != nil {
		return err
	}
	defer closeAfter(&err, b)
	// On a terminal, a progress bar; log lines share the terminal with it.
	var pw *progressWriter
	if isTerminal(env.Stderr) && !*asJSON {
		pw = &progressWriter{w: env.Stderr}
		env.Stderr = pw
		if isTerminal(env.Stdout) {
			env.Stdout = pw.tee(env.Stdout)
		}
	}
	log := f.logger()
	defer tuneImportGC(env.Getenv)()
	start := time.Now()
	// The store itself, not the backend that wraps it: the assigner finds
	// its batch writes (store.StoryBatcher) on it.
	assigner := story.NewAssigner(b.Store, story.Config{})
	// Posts an earlier run stored but had not put in their story yet (it
	// was killed) are assigned first. A post another process is assigning
	// at this moment is safe too: a post goes in one story, once.
	p := pipeline.New(b, nil, log)
	p.Stories = assigner
	if n, err := p.AssignWaitingStories(ctx, start); err != nil {
		log.Warn("posts waiting for their story", "assigned", n, "err", err)
	}
	im := bulk.NewImporter(bs, bulk.Options{Workers: *workers, BatchPosts: *batch, Filter: filter, Shard: shard,
		Stories: assigner, Log: log})
	var stop func()
	if pw != nil {
		stop = startImportProgress(ctx, pw, &im.Stats, total, start)
	}
	sum := importSummary{Archives: len(archives)}
	var runErr error
	for _, a := range archives {
		res, err := im.Import(ctx, a)
		if err != nil {
			runErr = err
			break
		}
		if res.AlreadyDone {
			sum.AlreadyImported++
			log.Info("archive imported before; nothing to do", "archive", a.Name)
		}
		if res.Truncated != nil {
			log.Warn("archive ends inside a record: the records before it were imported", "archive", a.Name, "err", res.Truncated)
		}
	}
	im.Close()
	if stop != nil {
		stop()
	}
	sum.fill(&im.Stats, time.Since(start))
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(env.Stdout, sum.line())
	}
	return runErr
}

// ImportGoMemory is the Go memory an import lets grow, above what the
// process holds when it starts (a few MiB for the command; more in a
// test's process), before collecting, unless GOGC or GOMEMLIMIT says
// otherwise. Extraction allocates fast
// while the live heap stays small (tens of MiB: the records in flight,
// two batches, the story index), so at Go's default target the collector
// ran several times a second; against a fixed limit it runs when the heap
// reaches it, a few times less often. The limit keeps the process under
// the import's memory bound (300 MiB) with SQLite's page cache (outside
// the Go heap) and the binary. A live heap that nears the limit (a story
// index of a very large window) makes the collector run often; the
// runtime then caps its share of the CPU and lets the heap pass the limit.
const ImportGoMemory = 176 << 20

// tuneImportGC sets the collector for an import and returns what puts it
// back (an import run in a test's process leaves it as it was).
func tuneImportGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(goMemoryInUse() + ImportGoMemory)
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// goMemoryInUse is the memory the Go runtime holds, as its memory limit
// counts it.
func goMemoryInUse() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}

// importArchives expands the arguments: files, directories (every
// .warc and .warc.gz under them), patterns (for a shell that passed them
// on) and "-", with the total size of the files for the estimate of the
// time left.
func importArchives(env *Env, args []string) ([]bulk.Archive, int64, error) {
	var out []bulk.Archive
	var total int64
	stdin := false
	add := func(path string, size int64) {
		total += size
		out = append(out, bulk.Archive{Name: path, Key: "", Open: func() (io.ReadCloser, error) { return os.Open(path) }})
	}
	for _, arg := range args {
		if arg == "-" {
			if stdin {
				return nil, 0, fmt.Errorf("%w: - (standard input) given twice", errUsage)
			}
			stdin = true
			out = append(out, bulk.Archive{Name: "-", Open: func() (io.ReadCloser, error) {
				return io.NopCloser(bufio.NewReaderSize(env.Stdin, 1<<20)), nil
			}})
			continue
		}
		paths := []string{arg}
		if strings.ContainsAny(arg, "*?[") {
			if _, err := os.Stat(arg); err != nil {
				m, err := filepath.Glob(arg)
				if err != nil {
					return nil, 0, fmt.Errorf("%w: %q: %v", errUsage, arg, err)
				}
				if len(m) == 0 {
					return nil, 0, fmt.Errorf("%s: no file matches", arg)
				}
				paths = m
			}
		}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				return nil, 0, err
			}
			if !st.IsDir() {
				add(p, st.Size())
				continue
			}
			var found []string
			err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				name := strings.ToLower(d.Name())
				if !d.IsDir() && (strings.HasSuffix(name, ".warc") || strings.HasSuffix(name, ".warc.gz")) {
					found = append(found, path)
				}
				return nil
			})
			if err != nil {
				return nil, 0, err
			}
			if len(found) == 0 {
				return nil, 0, fmt.Errorf("%s: no .warc or .warc.gz file in this directory", p)
			}
			sort.Strings(found)
			for _, fp := range found {
				if fst, err := os.Stat(fp); err == nil {
					add(fp, fst.Size())
				}
			}
		}
	}
	for i := range out {
		if out[i].Name == "-" {
			continue
		}
		key, err := archiveKey(out[i].Name)
		if err != nil {
			return nil, 0, err
		}
		out[i].Key = key
	}
	return out, total, nil
}

// archiveKey identifies an archive by its first 64 KiB (its warcinfo
// record and first records), so that a moved or renamed archive, or one
// still being downloaded, is known again.
func archiveKey(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // opened to read: nothing to lose
	h := sha256.New()
	if _, err := io.CopyN(h, f, 64<<10); err != nil && err != io.EOF {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:32], nil
}

// importSummary is what an import did, for a person (line) or a script
// (--json).
type importSummary struct {
	Archives        int              `json:"archives"`
	AlreadyImported int              `json:"already_imported"`
	Records         int64            `json:"records"`
	Posts           int64            `json:"posts"`
	Duplicates      int64            `json:"duplicates"`
	Skipped         int64            `json:"skipped"`
	Reasons         map[string]int64 `json:"skipped_by_reason"`
	Stories         int64            `json:"posts_put_in_stories"`
	Truncated       []string         `json:"truncated"`
	Bytes           int64            `json:"bytes_read"`
	Seconds         float64          `json:"seconds"`
}

func (s *importSummary) fill(st *bulk.Stats, took time.Duration) {
	s.Records, s.Posts, s.Duplicates = st.Records.Load(), st.Posts.Load(), st.Duplicates.Load()
	s.Skipped, s.Stories, s.Bytes = st.Skipped.Load(), st.Stories.Load(), st.Bytes.Load()
	s.Reasons, s.Truncated = st.Reasons(), st.Truncated()
	if s.Truncated == nil {
		s.Truncated = []string{}
	}
	s.Seconds = took.Seconds()
}

func (s *importSummary) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "imported %d archive(s) in %s: %d records, %d new posts, %d already stored, %d skipped",
		s.Archives, time.Duration(s.Seconds*float64(time.Second)).Round(time.Millisecond), s.Records, s.Posts, s.Duplicates, s.Skipped)
	if len(s.Reasons) > 0 {
		reasons := make([]string, 0, len(s.Reasons))
		for r := range s.Reasons {
			reasons = append(reasons, r)
		}
		sort.Slice(reasons, func(i, j int) bool { return s.Reasons[reasons[i]] > s.Reasons[reasons[j]] })
		var parts []string
		for _, r := range reasons {
			parts = append(parts, fmt.Sprintf("%s %d", r, s.Reasons[r]))
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	if s.AlreadyImported > 0 {
		fmt.Fprintf(&b, "; %d archive(s) imported before", s.AlreadyImported)
	}
	for _, t := range s.Truncated {
		fmt.Fprintf(&b, "\ntruncated: %s", t)
	}
	return b.String()
}

// importProgressLine is the progress bar of an import: records, posts,
// skipped, the rate and, from the archives' size, the time left.
func importProgressLine(st *bulk.Stats, total int64, elapsed time.Duration) string {
	read := st.Bytes.Load()
	done := read + st.Resumed.Load()
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(read) / s
	}
	bar, eta := "", "?"
	if total > 0 {
		frac := min(float64(done)/float64(total), 1)
		const width = 20
		n := int(frac * width)
		bar = fmt.Sprintf("[%s%s] %3.0f%% ", strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100)
		if rate > 0 {
			eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
		}
	}
	return fmt.Sprintf("%srecords %d · posts %d · skipped %d · %.1f MB/s · ETA %s",
		bar, st.Records.Load(), st.Posts.Load(), st.Skipped.Load(), rate/1e6, eta)
}

func startImportProgress(ctx context.Context, pw *progressWriter, st *bulk.Stats, total int64, start time.Time) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				pw.draw(importProgressLine(st, total, time.Since(start)))
			}
		}
	}()
	return func() {
		cancel()
		<-done
		pw.clear()
	}
}
