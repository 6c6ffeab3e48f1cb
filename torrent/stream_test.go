package torrent

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	anacrolix "github.com/anacrolix/torrent"

	"marquee/torrent/torrenttest"
)

func TestStreamReturnsExactBytes(t *testing.T) {
	t.Parallel()
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 24<<20 + 12345, PieceLength: 256 << 10, Seeders: 2})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	f, err := tor.MainFile()
	if err == nil {
		t.Fatalf("MainFile of a .bin torrent = %+v, want ErrNoPlayableFile", f)
	}
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Size() != swarm.Info.Length {
		t.Fatalf("Size = %d, want %d", s.Size(), swarm.Info.Length)
	}
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(s, first); err != nil {
		t.Fatal(err)
	}
	if st := tor.Stats(); st.Peers != 2 || st.Seeds != 2 {
		t.Errorf("while streaming from two seeders: %d peers, %d seeds", st.Peers, st.Seeds)
	}
	rest, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	got := append(first, rest...)
	want := swarm.Data()
	if !bytes.Equal(got, want) {
		t.Fatalf("streamed %d bytes differ from the %d seeded bytes", len(got), len(want))
	}
	if n, err := s.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("read at EOF = %d, %v; want 0, EOF", n, err)
	}
	st := tor.Stats()
	if st.PiecesComplete != st.PiecesTotal || st.BytesComplete != st.Length || st.Length != swarm.Info.Length {
		t.Errorf("stats after a full read: %+v", st)
	}
	t.Logf("downloaded %d payload bytes for %d", st.BytesDown, st.Length)
	if st.BytesDown < st.Length || st.BytesUp != 0 {
		t.Errorf("stats after a full read from two seeders: %+v", st)
	}
	if total := e.Stats(); total.BytesDown != st.BytesDown || total.Length != st.Length {
		t.Errorf("engine totals %+v differ from the only torrent's %+v", total, st)
	}
	if s.BufferedAhead() != 0 || tor.ContiguousAhead(0, 0) != st.Length {
		t.Errorf("BufferedAhead at EOF %d, ContiguousAhead from 0 %d", s.BufferedAhead(), tor.ContiguousAhead(0, 0))
	}
}

func TestDownloadLimitAppliesAtRunTime(t *testing.T) {
	t.Parallel()
	const size = 8 << 20
	const limit = 512 << 10
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 64 << 10})
	cfg := testConfig(t)
	cfg.DownloadLimit = limit
	e := newTestEngine(t, cfg)
	tor := addSwarm(t, e, swarm)
	start := time.Now()
	if err := tor.DownloadAll(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	got, elapsed := tor.Stats().BytesDown, time.Since(start)
	// A token bucket bounds bytes by burst + rate × time however slow the machine is; a chunk
	// per connection may be in flight on top.
	bound := int64(burstFor(limit)) + int64(float64(limit)*elapsed.Seconds()) + 64<<10
	if got > bound || got == 0 {
		t.Fatalf("downloaded %d bytes in %v under a %d B/s limit (bound %d)", got, elapsed, limit, bound)
	}
	e.SetDownloadLimit(0)
	eventually(t, "download to finish once unlimited", tor.Complete)
}

func TestSeekMiddleAndTailBeforeFullDownload(t *testing.T) {
	t.Parallel()
	const size = 48 << 20
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 256 << 10})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetReadahead(2 << 20)
	want := swarm.Data()

	mid := int64(size/2 + 777)
	if got := readAllAt(t, s, mid, 1<<20); !bytes.Equal(got, want[mid:mid+1<<20]) {
		t.Fatalf("bytes at the middle differ")
	}
	tail := int64(size - 3<<20 + 5)
	if got := readAllAt(t, s, tail, -1); !bytes.Equal(got, want[tail:]) {
		t.Fatalf("bytes at the tail differ (%d bytes read)", len(got))
	}
	// Availability for the seek bar shows exactly what was fetched.
	covers := func(rs []Range, start, end int64) bool {
		for _, r := range rs {
			if r.Start <= start && end <= r.End {
				return true
			}
		}
		return false
	}
	av := tor.Availability(0)
	if !covers(av, mid, mid+1<<20) || !covers(av, tail, size) {
		t.Errorf("Availability %v does not cover the ranges read", av)
	}
	if covers(av, size/4, size/4+1) || len(av) < 2 {
		t.Errorf("Availability %v claims data that was never requested", av)
	}
	if got := tor.ContiguousAhead(0, mid); got < 1<<20 {
		t.Errorf("ContiguousAhead(mid) = %d, want at least the MiB read", got)
	}
	if got := tor.ContiguousAhead(0, size/4); got != 0 {
		t.Errorf("ContiguousAhead at an unfetched offset = %d", got)
	}
	if got := s.BufferedAhead(); got != 0 {
		t.Errorf("BufferedAhead at EOF = %d", got)
	}
	states := tor.PieceStates(0)
	if len(states) != tor.NumPieces() || !states[len(states)-1] || states[len(states)/4] {
		t.Errorf("PieceStates has %d entries, last %v, quarter %v", len(states), states[len(states)-1], states[len(states)/4])
	}
	st := tor.Stats()
	// Head, tail, and a few windows; far from the whole file.
	if st.BytesComplete >= size/2 || st.BytesDown >= size/2 {
		t.Fatalf("after two seeks %d bytes complete, %d downloaded of %d: seeks should not fetch the file", st.BytesComplete, st.BytesDown, size)
	}
	if got := readAllAt(t, s, 0, 4096); !bytes.Equal(got, want[:4096]) {
		t.Fatalf("bytes at the start differ")
	}
}

func TestNewStreamPrioritisesHeadAndTailBeforeFirstRead(t *testing.T) {
	t.Parallel()
	const size = 40 << 20
	const pieceLen = 256 << 10
	// A slow seeder keeps most of the file missing while we look at priorities.
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: pieceLen, UploadCaps: []int64{3 << 20}})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	head, tail := headTailSizes(size, pieceLen)
	last := tor.NumPieces() - 1
	firstTail := int((size - tail) / pieceLen)
	for _, c := range []struct {
		piece int
		min   anacrolix.PiecePriority
	}{
		{0, anacrolix.PiecePriorityNow}, {int(head/pieceLen) - 1, anacrolix.PiecePriorityHigh}, {firstTail, anacrolix.PiecePriorityHigh}, {last, anacrolix.PiecePriorityHigh},
	} {
		ps := tor.t.PieceState(c.piece)
		if !done(ps) && ps.Priority < c.min {
			t.Errorf("piece %d priority %v before any read, want at least %v", c.piece, ps.Priority, c.min)
		}
	}
	if ps := tor.t.PieceState(last / 2); ps.Priority != 0 {
		t.Errorf("middle piece %d has priority %v, want none", last/2, ps.Priority)
	}
	// The tail arrives although nothing reads it: the player's moov/cues read will not wait.
	eventually(t, "tail pieces to download without a read", func() bool {
		for i := firstTail; i <= last; i++ {
			if !tor.t.PieceState(i).Complete {
				return false
			}
		}
		return true
	})
	if tor.t.PieceState(last / 2).Complete {
		t.Errorf("middle piece downloaded although nothing asked for it")
	}
}

func TestSeekMovesPriorities(t *testing.T) {
	t.Parallel()
	const size = 64 << 20
	const pieceLen = 256 << 10
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: pieceLen, UploadCaps: []int64{2 << 20}})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetReadahead(4 << 20)
	oldWindow := []int{20, 21, 25} // pieces inside the window at 5 MiB
	if _, err := s.Seek(5<<20, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	for _, i := range oldWindow {
		if ps := tor.t.PieceState(i); !done(ps) && ps.Priority == 0 {
			t.Fatalf("piece %d in the window after the first seek has no priority", i)
		}
	}
	target := int64(40 << 20)
	if _, err := s.Seek(target, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	for _, i := range oldWindow {
		if ps := tor.t.PieceState(i); !done(ps) && ps.Priority != 0 {
			t.Errorf("piece %d of the old window kept priority %v after seeking away", i, ps.Priority)
		}
	}
	p := int(target / pieceLen)
	if ps := tor.t.PieceState(p); !done(ps) && ps.Priority != anacrolix.PiecePriorityNow {
		t.Errorf("piece %d at the seek target has priority %v before any read, want Now", p, ps.Priority)
	}
	if ps := tor.t.PieceState(p + 3); !done(ps) && ps.Priority != anacrolix.PiecePriorityNext {
		t.Errorf("piece %d just after the seek target has priority %v, want Next", p+3, ps.Priority)
	}
	if ps := tor.t.PieceState(p + 10); !done(ps) && ps.Priority != anacrolix.PiecePriorityReadahead {
		t.Errorf("piece %d later in the window has priority %v, want Readahead", p+10, ps.Priority)
	}
	want := swarm.Data()
	if got := readAllAt(t, s, target, 512<<10); !bytes.Equal(got, want[target:target+512<<10]) {
		t.Fatal("bytes after the seek differ")
	}
}

func TestTwoStreamsOnOneTorrent(t *testing.T) {
	t.Parallel()
	const size = 16 << 20
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 128 << 10})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	want := swarm.Data()
	a, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	check := func(s *Stream, off int64) {
		got := readAllAt(t, s, off, 2<<20)
		if !bytes.Equal(got, want[off:off+2<<20]) {
			errs <- io.ErrUnexpectedEOF
			return
		}
		errs <- nil
	}
	go check(a, 1<<20)
	go check(b, 12<<20)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal("a stream returned wrong bytes")
		}
	}
	// Closing one stream leaves the other working.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readAllAt(t, a, 9<<20, 1<<20); !bytes.Equal(got, want[9<<20:10<<20]) {
		t.Fatal("remaining stream returned wrong bytes")
	}
	if _, err := b.Read(make([]byte, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("read on a closed stream: %v, want ErrClosed", err)
	}
}

func TestWindowStaysBoundedDuringSequentialReads(t *testing.T) {
	t.Parallel()
	const size = 48 << 20
	const pieceLen = 256 << 10
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: pieceLen, UploadCaps: []int64{4 << 20}})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const window = 2 << 20
	s.SetReadahead(window)
	readAllAt(t, s, 0, 6<<20)
	// Past the window only background (Normal) priority may remain, however long the
	// contiguous read was.
	windowEnd := int((6<<20 + window) / pieceLen)
	_, tail := headTailSizes(size, pieceLen)
	for i := windowEnd + 1; i < int((size-tail)/pieceLen); i++ {
		if ps := tor.t.PieceState(i); ps.Priority > anacrolix.PiecePriorityNormal {
			t.Fatalf("piece %d beyond the %d-byte window has priority %v", i, window, ps.Priority)
		}
	}
	// Once the window ahead is full, the rest of the file downloads in the background.
	eventually(t, "the rest of the file to download in the background", func() bool {
		ps := tor.t.PieceState(windowEnd + 4)
		return done(ps) || ps.Priority == anacrolix.PiecePriorityNormal
	})
}

// TestBackgroundWaitsForAFullWindow: on a swarm barely faster than playback, pieces past the
// window are not asked for while the window ahead of the reader has holes (they would queue
// at the seeders ahead of what playback needs next); once it is full they are, and they stay
// wanted until the buffer falls below half a window.
func TestBackgroundWaitsForAFullWindow(t *testing.T) {
	const window = 8 << 20
	for _, c := range []struct {
		buffered int64
		wasOn    bool
		want     bool
	}{
		{0, false, false},
		{window - 1, false, false},
		{window, false, true},
		{window / 2, true, true},
		{window/2 - 1, true, false},
	} {
		if got := backgroundWanted(c.buffered, window, c.wasOn); got != c.want {
			t.Errorf("buffered %d of %d, background was on %v: want background %v, got %v", c.buffered, window, c.wasOn, c.want, got)
		}
	}
}

// done reports a piece that is complete or being verified: anacrolix reports no priority for
// pieces it is hashing, so priority checks skip them.
func done(ps anacrolix.PieceState) bool {
	return ps.Complete || ps.Hashing || ps.QueuedForHash || ps.Marking
}
