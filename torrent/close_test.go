package torrent

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"marquee/torrent/torrenttest"
)

// deadStream returns a stream on a torrent whose only seeder is gone, so reads block.
func deadStream(t *testing.T, e *Engine) *Stream {
	t.Helper()
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 4 << 20, PieceLength: 64 << 10})
	tor := addSwarm(t, e, swarm)
	swarm.KillSeeder(0)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadContextCancelUnblocksRead(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, testConfig(t))
	s := deadStream(t, e)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	n, err := s.ReadContext(ctx, make([]byte, 1024))
	if n != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadContext on a dead swarm = %d, %v; want 0, DeadlineExceeded", n, err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.ReadContext(ctx2, make([]byte, 1024))
		done <- err
	}()
	cancel2()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled read returned %v, want context.Canceled", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("cancelled read did not return")
	}
	// The stream is still usable after a cancelled read.
	if s.Position() != 0 {
		t.Fatalf("position moved to %d after failed reads", s.Position())
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, testConfig(t))
	s := deadStream(t, e)
	done := make(chan error, 1)
	go func() {
		_, err := s.Read(make([]byte, 1024))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the read block; correctness does not depend on it
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("read blocked during Close returned %v, want ErrClosed", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Close did not unblock the read")
	}
}

func TestDropUnblocksRead(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, testConfig(t))
	s := deadStream(t, e)
	done := make(chan error, 1)
	go func() {
		_, err := s.Read(make([]byte, 1024))
		done <- err
	}()
	if err := s.t.Drop(true); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("read blocked during Drop returned %v, want ErrClosed", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Drop did not unblock the read")
	}
	if len(e.Torrents()) != 0 {
		t.Fatal("dropped torrent still listed")
	}
}

// Not parallel: it counts goroutines.
func TestEngineCloseWithBlockedStreamsLeaksNothing(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		cfg := testConfig(t)
		// anacrolix's Client.Close does not abort uTP dials in flight (to the dead seeders
		// here); their goroutines linger until the 20 s dial timeout. TCP dials end at once.
		cfg.DisableUTP = true
		e, err := NewEngine(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var done []chan error
		for range 3 {
			s := deadStream(t, e)
			c := make(chan error, 1)
			go func() {
				_, err := s.Read(make([]byte, 4096))
				c <- err
			}()
			done = append(done, c)
		}
		start := time.Now()
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > closeClientTimeout+5*time.Second {
			t.Fatalf("Close took %v", d) // hang guard, not a speed test
		}
		for _, c := range done {
			if err := <-c; !errors.Is(err, ErrClosed) {
				t.Fatalf("blocked read returned %v after engine Close, want ErrClosed", err)
			}
		}
		if _, err := e.AddMagnet("magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"); !errors.Is(err, ErrClosed) {
			t.Fatalf("Add after Close: %v, want ErrClosed", err)
		}
	}()
	// The swarms close in t.Cleanup; run that part now by closing what the test made.
	n := settledGoroutines(base, 0)
	t.Logf("goroutines: %d before, %d after Close", base, n)
	if n > base+2 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%d goroutines after Close, %d before:\n%s", n, base, buf)
	}
}
