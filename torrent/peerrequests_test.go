package torrent

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/anacrolix/torrent/metainfo"

	"marquee/torrent/torrenttest"
)

func TestPipelineFollowsThePeersRate(t *testing.T) {
	steady := func(advertised int, bytesPerSec float64) int {
		pl := &peerPipeline{advertised: advertised}
		now := time.Unix(0, 0)
		const step = 10 * time.Millisecond
		for range 1000 { // 10 s
			now = now.Add(step)
			pl.add(int(bytesPerSec*step.Seconds()), now)
		}
		return pl.limit()
	}
	cases := []struct {
		name       string
		advertised int
		rate       float64
		lo, hi     int
	}{
		{"a second of a 256 KiB/s peer", 250, 256 << 10, 15, 18},
		{"a second of a 1 MiB/s peer", 500, 1 << 20, 62, 70},
		{"a fast peer keeps the queue it advertises", 250, 64 << 20, 250, 250},
		{"a trickle keeps a floor", 250, 1 << 10, minPipelineRequests, minPipelineRequests},
		{"never above what the peer accepts", 4, 1 << 20, 4, 4},
	}
	for _, c := range cases {
		if got := steady(c.advertised, c.rate); got < c.lo || got > c.hi {
			t.Errorf("%s: %d outstanding requests, want %d–%d", c.name, got, c.lo, c.hi)
		}
	}
	// Before any data a peer gets the floor, not its whole advertised queue.
	if got := (&peerPipeline{advertised: 250}).limit(); got != minPipelineRequests {
		t.Errorf("before any data: %d, want %d", got, minPipelineRequests)
	}
	// A peer that goes quiet is forgotten within seconds.
	pl := &peerPipeline{advertised: 250}
	now := time.Unix(0, 0)
	for range 100 {
		now = now.Add(10 * time.Millisecond)
		pl.add(40<<10, now)
	}
	pl.add(0, now.Add(10*time.Second))
	if got := pl.limit(); got != minPipelineRequests {
		t.Errorf("after 10 s of silence: %d, want %d", got, minPipelineRequests)
	}
}

// A slow peer is never asked for much more than it sends in a second or two: with the queue
// it advertises (anacrolix: 250 blocks, 4 MiB) the piece a player needs next waited behind
// 16 s of blocks asked for earlier.
func TestSlowPeerKeepsAShortQueue(t *testing.T) {
	t.Parallel()
	const rate = 256 << 10
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 6 << 20, PieceLength: 256 << 10, UploadCaps: []int64{rate}})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetReadahead(6 << 20)
	done := make(chan []byte)
	go func() { done <- readAllAt(t, s, 0, -1) }()
	peak, samples := 0, 0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case got := <-done:
			if !bytes.Equal(got, swarm.Data()) {
				t.Fatal("streamed bytes differ")
			}
			// anacrolix's start-up ramp and the first second of measuring are allowed a
			// full floor; after that the queue holds about a second at the cap.
			t.Logf("peak outstanding requests after the first 2 s: %d (%d samples)", peak, samples)
			if samples < 20 {
				t.Fatalf("only %d samples: the download was too quick to tell", samples)
			}
			if limit := 2 * rate / blockSize; peak > limit {
				t.Fatalf("%d requests outstanding to a peer sending %d KiB/s, want at most %d (two seconds of it)", peak, rate>>10, limit)
			}
			return
		case <-tick.C:
			if tor.Stats().BytesDown < 2*rate {
				continue
			}
			samples++
			peak = max(peak, e.peerReqs.outstanding(tor.t))
		}
	}
}

// A web seed slower than playback, beside peers that cannot keep up alone: the web seed takes only the
// pieces it can bring before the player needs them, so its bytes are not thrown away. When it
// raced the peers for the pieces at the read position, nearly all of them were (18 of 22 MiB in
// 90 s of the benchmark's mixed swarm).
func TestSlowWebseedBesidePeersIsNotRaced(t *testing.T) {
	t.Parallel()
	const (
		size    = 8 << 20
		bitrate = 4 << 20 // bits/s: the player reads 512 KiB/s
	)
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 256 << 10, Seeders: 2, UploadCaps: []int64{192 << 10, 192 << 10}})
	ws := torrenttest.NewWebseed(t, torrenttest.WebseedConfig{Root: filepath.Dir(swarm.Path), RatePerConn: 80 << 10})
	mi, err := metainfo.Load(bytes.NewReader(swarm.TorrentBytes))
	if err != nil {
		t.Fatal(err)
	}
	mi.UrlList = []string{ws.BaseURL()}
	b, err := encodeMetainfo(*mi)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddTorrentBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	tor.AddPeers(swarm.Addrs...)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetReadaheadDuration(10*time.Second, bitrate)
	got := readPaced(t, s, bitrate/8)
	if !bytes.Equal(got, swarm.Data()) {
		t.Fatal("streamed bytes differ")
	}
	st := tor.Stats()
	t.Logf("web seed %d bytes, peers %d bytes, duplicates %d", st.WebseedBytes, st.BytesDown-st.WebseedBytes, st.DuplicateBytes)
	if st.WebseedBytes < 512<<10 {
		t.Fatalf("the web seed sent only %d bytes: it should carry part of the film", st.WebseedBytes)
	}
	if st.DuplicateBytes > st.WebseedBytes/5 {
		t.Fatalf("%d of the %d bytes from the web seed and peers were received twice", st.DuplicateBytes, st.BytesDown)
	}
}

// readPaced reads a stream from the start at about bytesPerSec, as a player does once its
// buffer is full, and returns what it read.
func readPaced(t testing.TB, s *Stream, bytesPerSec int) []byte {
	t.Helper()
	const step = 100 * time.Millisecond
	var out bytes.Buffer
	buf := make([]byte, bytesPerSec/10)
	next := time.Now()
	for {
		n, err := io.ReadFull(s, buf)
		out.Write(buf[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return out.Bytes()
		}
		if err != nil {
			t.Fatal(err)
		}
		next = next.Add(step)
		time.Sleep(time.Until(next))
	}
}
