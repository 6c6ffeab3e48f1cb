package app

import (
	"encoding/json"
	"os"
	"sync"
)

// testHooks let the end-to-end test drive the real binary without a mouse:
//
//   - MARQUEE_TEST_AUTOPLAY=demo opens the demo title's page and presses Play as soon as
//     the demo film is ready, the way a user would.
//   - MARQUEE_TEST_STATUS=FILE appends one JSON object per status sample of the player
//     view (state, position, frames painted, bytes downloaded …) to FILE.
//
// Both are off unless the variables are set; a nil *testHooks is valid and does nothing.
type testHooks struct {
	play string

	mu     sync.Mutex
	status *os.File
	enc    *json.Encoder
}

func testHooksFromEnv() *testHooks {
	h := &testHooks{play: os.Getenv("MARQUEE_TEST_AUTOPLAY")}
	if path := os.Getenv("MARQUEE_TEST_STATUS"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			h.status, h.enc = f, json.NewEncoder(f)
		}
	}
	if h.play == "" && h.status == nil {
		return nil
	}
	return h
}

func (u *ui) installTestHooks(h *testHooks) { u.hooks = h }

func (h *testHooks) autoplay() string {
	if h == nil {
		return ""
	}
	return h.play
}

// writeStatus appends st to the status file.
func (h *testHooks) writeStatus(st playStatus) {
	if h == nil || h.enc == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_ = h.enc.Encode(st)
}

func (h *testHooks) close() {
	if h == nil || h.status == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.Close()
	h.enc = nil
}
