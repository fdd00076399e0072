package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"runtime/metrics"
	"time"
)

// startDebug serves Go's profiler and a few runtime figures on a loopback
// address: they show the process's internals (and a profile costs CPU), so
// they are never on the site's own address nor reachable from elsewhere.
func startDebug(addr string) (*http.Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--debug-addr %q: must be a loopback address (127.0.0.1:PORT or [::1]:PORT)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	// The profiles worth having under load: who waits on locks and channels.
	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/runtime", serveRuntime)
	// No write timeout: a CPU profile or a trace streams for as long as asked.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // http.ErrServerClosed once the command closes it
	return srv, nil
}

// runtimeFigures is what /debug/runtime answers: the collector's work since
// the process started, for a benchmark to difference.
type runtimeFigures struct {
	GCCycles uint64 `json:"gc_cycles"`
	// Pauses are the stop-the-world pauses (all of them, the collector's
	// being nearly all): their count, an upper bound of their total from
	// the runtime's histogram, and the longest bucket seen.
	Pauses      uint64  `json:"pauses"`
	PauseTotalS float64 `json:"pause_total_s"`
	PauseMaxS   float64 `json:"pause_max_s"`
	GCCPUS      float64 `json:"gc_cpu_s"`
	TotalCPUS   float64 `json:"total_cpu_s"`
	HeapBytes   uint64  `json:"heap_bytes"`
	Goroutines  uint64  `json:"goroutines"`
}

func serveRuntime(w http.ResponseWriter, _ *http.Request) {
	s := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/sched/pauses/total/gc:seconds"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/sched/goroutines:goroutines"},
	}
	metrics.Read(s)
	f := runtimeFigures{
		GCCycles:   s[0].Value.Uint64(),
		GCCPUS:     s[2].Value.Float64(),
		TotalCPUS:  s[3].Value.Float64(),
		HeapBytes:  s[4].Value.Uint64(),
		Goroutines: s[5].Value.Uint64(),
	}
	h := s[1].Value.Float64Histogram()
	for i, n := range h.Counts {
		if n == 0 {
			continue
		}
		hi := h.Buckets[i+1]
		if hi > 1e9 { // the last bucket is open-ended
			hi = h.Buckets[i]
		}
		f.Pauses += n
		f.PauseTotalS += float64(n) * hi
		f.PauseMaxS = hi
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(f) // a client gone mid-answer: no one to tell
}
