package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "2efda58aa1b2c3d4e5f6"}, {Key: "vcs.time", Value: "2026-12-06T05:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "kabar v1.2.3 (commit 2efda58aa1b2, 2026-12-06T05:00:00Z, modified) go1.26.0 " + runtime.GOOS + "/" + runtime.GOARCH
	if got := version(info, true); got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	if got := version(&debug.BuildInfo{GoVersion: "go1.26.0"}, true); !strings.HasPrefix(got, "kabar (devel) go1.26.0") {
		t.Errorf("no VCS: %q", got)
	}
	if out := mustKabar(t, "version"); !strings.HasPrefix(out, "kabar ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("kabar version = %q", out)
	}
}
