package catalogtest

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// CheckGoroutines records the number of goroutines now and, at the end of the test,
// fails it if more are still running once a grace period has passed: background work a
// test started must end when the test's objects are closed or its contexts cancelled.
func CheckGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		// Polling with a generous bound: goroutines that were told to stop need a
		// moment to be scheduled; this asserts that they end, not how fast.
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				t.Errorf("%d goroutines still running, %d before the test:\n%s",
					runtime.NumGoroutine(), before, strings.TrimSpace(string(buf[:n])))
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}
