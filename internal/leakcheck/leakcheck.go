// Package leakcheck measures what a test's sessions may leave behind (goroutines, open file
// descriptors, live heap), for soak tests that compare a baseline with the state after many
// sessions.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

// Resources is a snapshot of the process.
type Resources struct {
	Goroutines int
	FDs        int    // open file descriptors; -1 where /proc/self/fd does not exist
	Heap       uint64 // live heap bytes after two garbage collections
}

func (r Resources) String() string {
	return fmt.Sprintf("%d goroutines, %d open fds, %.1f MiB live heap", r.Goroutines, r.FDs, float64(r.Heap)/(1<<20))
}

// Measure takes a snapshot.
func Measure() Resources {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds := -1
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		fds = len(entries)
	}
	return Resources{Goroutines: runtime.NumGoroutine(), FDs: fds, Heap: ms.HeapAlloc}
}

// Settled measures once the goroutines and descriptors of closed sessions have had up to
// 15 s to go away (a closed peer connection's goroutines end a moment after Close).
func Settled(base Resources) Resources {
	deadline := time.Now().Add(15 * time.Second)
	r := Measure()
	for (r.Goroutines > base.Goroutines || r.FDs > base.FDs) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		r = Measure()
	}
	return r
}

// Limits are how far a soak may end above its baseline: far below one leaked goroutine,
// descriptor or 64 KiB per session over hundreds of sessions.
type Limits struct {
	Goroutines, FDs int
	Heap            uint64
}

// Compare returns a description of each resource that grew past its limit, or nil.
func Compare(base, got Resources, lim Limits) []string {
	var out []string
	if got.Goroutines > base.Goroutines+lim.Goroutines {
		out = append(out, fmt.Sprintf("goroutines: %d at the baseline, %d after the soak", base.Goroutines, got.Goroutines))
	}
	if got.FDs > base.FDs+lim.FDs {
		out = append(out, fmt.Sprintf("open file descriptors: %d at the baseline, %d after the soak", base.FDs, got.FDs))
	}
	if got.Heap > base.Heap+lim.Heap {
		out = append(out, fmt.Sprintf("live heap: %d bytes at the baseline, %d after the soak", base.Heap, got.Heap))
	}
	return out
}
