package proc

import (
	"os"
	"testing"
)

// This test process has memory and, having run, some CPU time.
func TestSelf(t *testing.T) {
	if rss := PeakRSS(os.Getpid()); rss < 1<<20 {
		t.Errorf("PeakRSS = %d bytes, want at least 1 MiB", rss)
	}
	x := 0
	for i := range 200_000_000 {
		x += i
	}
	_ = x
	if cpu, err := CPU(os.Getpid()); err != nil || cpu <= 0 {
		t.Errorf("CPU = %v, %v; want a positive time", cpu, err)
	}
	if PeakRSS(-1) != 0 {
		t.Error("PeakRSS of no process is not 0")
	}
	if _, err := CPU(-1); err == nil {
		t.Error("CPU of no process gave no error")
	}
}
