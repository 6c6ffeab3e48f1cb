package torrent

import (
	"io"
	"testing"
	"time"

	"marquee/torrent/torrenttest"
)

// BenchmarkStreamVsPlainLeecher streams a file through the engine and downloads the same swarm
// with a plain anacrolix client; "engine/plain" is the ratio of their throughputs (higher is
// better, 1.0 is parity). Run with -benchtime 1x; sizes are small enough for CI.
func BenchmarkStreamVsPlainLeecher(b *testing.B) {
	const size = 64 << 20
	swarm := torrenttest.NewSwarm(b, torrenttest.SwarmConfig{Size: size, PieceLength: 256 << 10, Seeders: 2})
	var engineTime, plainTime time.Duration
	for range b.N {
		start := time.Now()
		l := torrenttest.NewLeecher(b, swarm.TorrentBytes, swarm.Addrs...)
		eventually(b, "plain download", l.Complete)
		plainTime += time.Since(start)
		l.Close()

		e := newTestEngine(b, testConfig(b))
		start = time.Now()
		tor, err := e.AddMagnet(swarm.Magnet)
		if err != nil {
			b.Fatal(err)
		}
		if err := tor.WaitMetadata(ctxGuard(b)); err != nil {
			b.Fatal(err)
		}
		s, err := tor.NewStream(0)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, s); err != nil || n != size {
			b.Fatalf("streamed %d bytes: %v", n, err)
		}
		engineTime += time.Since(start)
		s.Close()
		e.Close()
	}
	b.SetBytes(size)
	b.ReportMetric(plainTime.Seconds()/engineTime.Seconds(), "engine/plain")
	b.ReportMetric(float64(size*b.N)/engineTime.Seconds()/(1<<20), "engine-MiB/s")
}
