package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kabarnews/kabar/internal/gnews"
)

func init() {
	addCommand(command{"decode", "print the publisher URL inside Google News links or IDs", runDecode})
}

func runDecode(ctx context.Context, env *Env, global *flags, args []string) error {
	f := sub(env, global, "decode", "decode [--json] LINK_OR_ID...")
	asJSON := f.Bool("json", false, "one JSON object a line, with the kind and the AMP URL")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() == 0 {
		return fmt.Errorf("%w: decode takes one or more Google News links or article IDs", errUsage)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, arg := range f.Args() {
		d, err := gnews.Decode(arg)
		if err != nil {
			failed++
			if *asJSON {
				out := map[string]any{"input": arg, "error": err.Error()}
				var ge *gnews.Error
				if errors.As(err, &ge) {
					out["kind"] = ge.Kind.String()
				}
				if err := enc.Encode(out); err != nil {
					return err
				}
			}
			fmt.Fprintf(env.Stderr, "kabar decode: %v\n", err)
			continue
		}
		if *asJSON {
			if err := enc.Encode(map[string]any{"input": arg, "id": d.ID, "kind": d.Kind.String(), "url": d.URL, "amp_url": d.AMPURL}); err != nil {
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
