package cli

import (
	"strings"
	"testing"
)

func TestCompletion(t *testing.T) {
	words := func(args ...string) []string {
		return strings.Fields(mustKabar(t, append([]string{"__complete"}, args...)...))
	}
	top := words()
	if !contains(top, "run") || !contains(top, "feeds") || !contains(top, "--db") || contains(top, "__complete") {
		t.Errorf("top level: %v", top)
	}
	if got := strings.Join(words("--db", "k.db", "feeds"), " "); got != "add export import list rm" {
		t.Errorf("feeds: %q", got)
	}
	add := words("feeds", "add", "https://example.com/f")
	if !contains(add, "--no-check") || !contains(add, "--gnews-search") || !contains(add, "--allow-addr") {
		t.Errorf("feeds add: %v", add)
	}
	run := words("--log", "json", "run")
	if !contains(run, "--once") || !contains(run, "--ignore-robots") || contains(run, "--gnews-base") {
		t.Errorf("run: %v", run)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if out := mustKabar(t, "completion", sh); !strings.Contains(out, "kabar __complete") {
			t.Errorf("completion %s: %q", sh, out)
		}
	}
	if code, _, _ := kabar(t, "completion", "tcsh"); code != 2 {
		t.Errorf("completion tcsh: exit %d", code)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
