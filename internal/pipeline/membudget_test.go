package pipeline

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	limit := LimitMemory(4, getenv)
	if limit != MemoryLimit(4) || debug.SetMemoryLimit(-1) != limit {
		t.Errorf("limit %d set %d, want %d", limit, debug.SetMemoryLimit(-1), MemoryLimit(4))
	}
	// the default workers over pages at the body cap stay under 400 MiB
	if MemoryLimit(4) > 360<<20 {
		t.Errorf("MemoryLimit(4) = %d MiB", MemoryLimit(4)>>20)
	}
	if MemoryLimit(8) <= MemoryLimit(4) || MemoryLimit(0) != MemoryLimit(1) {
		t.Error("the limit does not follow the workers")
	}

	// the operator's GOMEMLIMIT rules
	debug.SetMemoryLimit(math.MaxInt64)
	env["GOMEMLIMIT"] = "1GiB"
	if got := LimitMemory(4, getenv); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT overridden: %d", got)
	}
}
