package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func init() {
	addCommand(command{"version", "print kabar's version, commit and Go version", runVersion})
}

// buildVersion is set by make build (-ldflags -X) from git describe, for
// builds where Go records no VCS information (-buildvcs=false).
var buildVersion string

// version describes the binary from the build information Go records: the
// module version for `go install …@version`, the commit and its time for a
// build from a checkout (make build), "(devel)" otherwise.
func version(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "kabar (unknown version) " + runtime.Version()
	}
	v := info.Main.Version
	if buildVersion != "" && (v == "" || v == "(devel)") {
		v = buildVersion
	}
	if v == "" {
		v = "(devel)"
	}
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "kabar %s", v)
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		fmt.Fprintf(&b, " (commit %s", rev)
		if at != "" {
			fmt.Fprintf(&b, ", %s", at)
		}
		b.WriteString(dirty + ")")
	}
	fmt.Fprintf(&b, " %s %s/%s", info.GoVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}

func runVersion(ctx context.Context, env *Env, global *flags, args []string) error {
	f := sub(env, global, "version", "version")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, f.Arg(0))
	}
	info, ok := debug.ReadBuildInfo()
	fmt.Fprintln(env.Stdout, version(info, ok))
	return nil
}
