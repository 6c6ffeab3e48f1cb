package torrent

import (
	"strings"
	"testing"
)

func TestNewEngineConfigErrors(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"nonsense", "127.0.0.1:99999", "127.0.0.1:-1"} {
		cfg := testConfig(t)
		cfg.ListenAddr = addr
		if e, err := NewEngine(cfg); err == nil || !strings.Contains(err.Error(), "listen address") {
			if e != nil {
				e.Close()
			}
			t.Errorf("ListenAddr %q: %v, want a listen address error", addr, err)
		}
	}
	cfg := testConfig(t)
	e := newTestEngine(t, cfg)
	addrs := e.ListenAddrs()
	if len(addrs) == 0 || !strings.HasPrefix(addrs[0], "127.0.0.1:") || strings.HasSuffix(addrs[0], ":0") {
		t.Fatalf("ListenAddrs = %v, want 127.0.0.1 with a real port", addrs)
	}
	// A second engine on the same folder would corrupt the first one's state.
	if e2, err := NewEngine(cfg); err == nil || !strings.Contains(err.Error(), "in use") {
		if e2 != nil {
			e2.Close()
		}
		t.Fatalf("second engine on one DataDir: %v, want an in-use error", err)
	}
	if e.DataDir() != cfg.DataDir {
		t.Fatalf("DataDir = %q", e.DataDir())
	}
	e.SetMaxConnsPerTorrent(3)
	e.SetUploadLimit(1 << 20)
	if e.upLimiter.Limit() != 1<<20 {
		t.Fatalf("upload limit not applied: %v", e.upLimiter.Limit())
	}
	e.SetUploadLimit(0)
	if e.upLimiter.Burst() < 16<<10 {
		t.Fatalf("upload burst %d cannot hold a chunk", e.upLimiter.Burst())
	}
}
