package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kabarnews/kabar/internal/gnews"
)

var (
	optGNewsInterval = register(option{"gnews-interval", "KABAR_GNEWS_INTERVAL", gnews.DefaultInterval.String(),
		"least time between two Google News link resolutions (each costs two requests to Google; past ~15 quick ones Google answers 429 for up to an hour, 70s apart has been seen to hold)"})
	// optGNewsBase is hidden from usage: tests point resolution at a fake.
	optGNewsBase = register(option{"gnews-base", "KABAR_GNEWS_BASE", "",
		"base URL replacing https://news.google.com for online resolution (tests)"})
)

// hiddenOptions are registered but left out of usage texts.
var hiddenOptions = []string{optGNewsBase}

func init() {
	addCommand(command{"decode", "print the publisher URL inside Google News links or IDs (--online: ask Google for 2024+ links)", runDecode})
}

const decodeUsage = "decode [--online] [--json] LINK_OR_ID..."

func runDecode(ctx context.Context, env *Env, global *flags, args []string) (err error) {
	f := sub(env, global, "decode", decodeUsage,
		optReplay, optRecord, optAllow, optHostDelay, optGNewsInterval, optGNewsBase, optHL, optGL, optCEID)
	asJSON := f.Bool("json", false, "one JSON object a line: input, id, kind, url, amp_url (and error, retry, retry_after)")
	online := f.Bool("online", false, "resolve 2024+ links through Google News (an article page and a batchexecute call per link, paced by --gnews-interval; see docs/gnews.md)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() == 0 {
		return fmt.Errorf("%w: decode takes one or more Google News links or article IDs", errUsage)
	}
	var results []gnews.Result
	if *online {
		r, fc, err := newResolver(f)
		if err != nil {
			return err
		}
		defer closeAfter(&err, fc)
		results = r.ResolveAll(ctx, f.Args())
	} else {
		for _, arg := range f.Args() {
			d, err := gnews.Decode(arg)
			results = append(results, gnews.Result{Input: arg, Decoded: d, Err: err})
		}
	}

	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, res := range results {
		if res.Err != nil {
			failed++
			if *asJSON {
				if err := enc.Encode(errorJSON(res)); err != nil {
					return err
				}
			}
			msg := res.Err.Error()
			if errors.Is(res.Err, gnews.ErrNewForm) {
				msg += " (try --online)"
			}
			fmt.Fprintf(env.Stderr, "kabar decode: %s\n", msg)
			continue
		}
		d := res.Decoded
		if *asJSON {
			if err := enc.Encode(map[string]any{"input": res.Input, "id": d.ID, "kind": d.Kind.String(), "url": d.URL, "amp_url": d.AMPURL}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(env.Stdout, d.URL)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d could not be decoded", failed, f.NArg())
	}
	return nil
}

// errorJSON describes a failed input: the error, what kind of ID it was,
// and, for online resolution, whether and when to try again.
func errorJSON(res gnews.Result) map[string]any {
	out := map[string]any{"input": res.Input, "error": res.Err.Error()}
	if res.Decoded != nil {
		out["kind"] = res.Decoded.Kind.String()
		if res.Decoded.ID != "" {
			out["id"] = res.Decoded.ID
		}
	} else {
		var ge *gnews.Error
		if errors.As(res.Err, &ge) {
			out["kind"] = ge.Kind.String()
		}
	}
	retry, notBefore := gnews.Retryable(res.Err)
	if errors.Is(res.Err, gnews.ErrNewForm) {
		retry = true // with --online
	}
	out["retry"] = retry
	if !notBefore.IsZero() {
		out["retry_after"] = notBefore.UTC().Format(time.RFC3339)
	}
	return out
}

// newResolver builds the online resolver on kabar's fetcher, configured by
// the command's options. The cache lives for this command only.
func newResolver(f *flags) (*gnews.Resolver, io.Closer, error) {
	interval, err := f.duration(optGNewsInterval)
	if err != nil {
		return nil, nil, err
	}
	if interval == 0 {
		interval = -1 // an explicit 0s means no pacing, not the default
	}
	loc, err := editionFromFlags(f)
	if err != nil {
		return nil, nil, err
	}
	fc, err := newFetcher(f)
	if err != nil {
		return nil, nil, err
	}
	r, err := gnews.NewResolver(fc, gnews.Options{
		BaseURL:  f.get(optGNewsBase),
		Interval: interval,
		Cache:    gnews.NewMemCache(),
		Locale:   loc,
		Log:      f.logger(),
	})
	if err != nil {
		_ = fc.Close() // the resolver error is the one to report
		return nil, nil, fmt.Errorf("--%s: %w", optGNewsBase, err)
	}
	return r, fc, nil
}
