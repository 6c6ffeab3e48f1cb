package torrent

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/torrent/torrenttest"

	"github.com/anacrolix/torrent/metainfo"
)

// hangGuard bounds waits that would otherwise hang a broken test; never a speed assertion.
const hangGuard = 60 * time.Second

func testConfig(t testing.TB) Config {
	return Config{
		DataDir:         t.TempDir(),
		ListenAddr:      "127.0.0.1:0",
		DisableDHT:      true,
		DisableTrackers: true,
		DisablePEX:      true,
		DisableUPnP:     true,
		DisableIPv6:     true,
		Logger:          testLogger(t),
	}
}

// testLogger shows engine warnings in the test log; set MARQUEE_TEST_DEBUG for everything.
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("MARQUEE_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newTestEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	registerEngine(t, e)
	t.Cleanup(func() { e.Close() })
	return e
}

var (
	enginesMu sync.Mutex
	engines   = map[testing.TB][]*Engine{}
)

// registerEngine lets failure messages describe the engine's state.
func registerEngine(t testing.TB, e *Engine) {
	enginesMu.Lock()
	engines[t] = append(engines[t], e)
	enginesMu.Unlock()
	t.Cleanup(func() {
		enginesMu.Lock()
		delete(engines, t)
		enginesMu.Unlock()
	})
}

// dumpEngines logs what each engine of the test is doing, to diagnose a stall.
func dumpEngines(t testing.TB) {
	enginesMu.Lock()
	es := engines[t]
	enginesMu.Unlock()
	for _, e := range es {
		var status strings.Builder
		e.client.WriteStatus(&status)
		t.Logf("client status:\n%s", status.String())
		for _, tor := range e.Torrents() {
			t.Logf("torrent %s: stats %+v", tor.describe(), tor.Stats())
			if tor.HasMetadata() {
				t.Logf("  pieces: %v", tor.t.PieceStateRuns())
			}
			for _, c := range tor.t.PeerConns() {
				ps := c.Stats()
				t.Logf("  conn %v: read %d written %d", c, ps.BytesReadData.Int64(), ps.BytesWrittenData.Int64())
			}
		}
	}
}

func ctxGuard(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// addSwarm adds a swarm's magnet and waits for its metadata.
func addSwarm(t testing.TB, e *Engine, s *torrenttest.Swarm) *Torrent {
	t.Helper()
	tor, err := e.AddMagnet(s.Magnet)
	if err != nil {
		t.Fatal(err)
	}
	if err := tor.WaitMetadata(ctxGuard(t)); err != nil {
		t.Fatal(err)
	}
	return tor
}

// openMain opens a stream of the torrent's main file, closed by t.Cleanup.
func openMain(t testing.TB, tor *Torrent) (File, *Stream) {
	t.Helper()
	main, err := tor.MainFile()
	if err != nil {
		t.Fatal(err)
	}
	s, err := tor.NewStream(main.Index)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return main, s
}

// readAllAt seeks to off and reads n bytes (or to EOF) under the hang guard.
func readAllAt(t testing.TB, s *Stream, off int64, n int64) []byte {
	t.Helper()
	if _, err := s.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	ctx := ctxGuard(t)
	var out bytes.Buffer
	buf := make([]byte, 64<<10)
	for n < 0 || int64(out.Len()) < n {
		want := len(buf)
		if n >= 0 {
			want = int(min(int64(want), n-int64(out.Len())))
		}
		k, err := s.ReadContext(ctx, buf[:want])
		out.Write(buf[:k])
		if err == io.EOF {
			break
		}
		if err != nil {
			dumpEngines(t)
			t.Fatalf("read at %d: %v", off+int64(out.Len()), err)
		}
	}
	return out.Bytes()
}

// eventually polls cond until it holds, failing after the hang guard.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			dumpEngines(t)
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settledGoroutines waits for the goroutine count to drop to at most base+slack.
func settledGoroutines(base, slack int) int {
	deadline := time.Now().Add(10 * time.Second)
	n := runtime.NumGoroutine()
	for n > base+slack && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// bytesHashed is how much data anacrolix hashed for the torrent this session.
func bytesHashed(t *Torrent) int64 {
	st := t.t.Stats()
	return st.BytesHashed.Int64()
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addSwarmWithWebseed adds the swarm's torrent with ws as its BEP 19 web seed and the swarm's
// seeders as peers.
func addSwarmWithWebseed(t testing.TB, e *Engine, swarm *torrenttest.Swarm, ws *torrenttest.Webseed) *Torrent {
	t.Helper()
	mi, err := metainfo.Load(bytes.NewReader(swarm.TorrentBytes))
	if err != nil {
		t.Fatal(err)
	}
	mi.UrlList = []string{ws.BaseURL()}
	b, err := encodeMetainfo(*mi)
	if err != nil {
		t.Fatal(err)
	}
	tor, err := e.AddTorrentBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	tor.AddPeers(swarm.Addrs...)
	return tor
}
