package torrent

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"marquee/torrent/torrenttest"
)

// seededFile makes a random file and seeds it from e.
func seededFile(t *testing.T, e *Engine, size int64) (*Torrent, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "film.mkv")
	if err := torrenttest.WriteRandomFile(path, size, 7); err != nil {
		t.Fatal(err)
	}
	tor, err := e.Seed(path, SeedOptions{PieceLength: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if !tor.Complete() {
		t.Fatal("seeded torrent is not complete")
	}
	return tor, path
}

func leecherFor(t *testing.T, e *Engine, tor *Torrent) *torrenttest.Leecher {
	t.Helper()
	mi, err := tor.Metainfo()
	if err != nil {
		t.Fatal(err)
	}
	return torrenttest.NewLeecher(t, mi, e.ListenAddrs()...)
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	ha, hb := fileSHA(t, a), fileSHA(t, b)
	if !bytes.Equal(ha, hb) {
		t.Fatalf("%s and %s differ", a, b)
	}
}

func fileSHA(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return h[:]
}

// quietPeriod is how long a test watches for bytes that must not flow. At the upload limits
// used, seeding would move megabytes in it.
const quietPeriod = 1500 * time.Millisecond

func TestSetSeedingStopsEveryPayloadByteAndResumes(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.UploadLimit = 2 << 20
	e := newTestEngine(t, cfg)
	tor, path := seededFile(t, e, 16<<20)
	l := leecherFor(t, e, tor)
	eventually(t, "leecher to receive payload", func() bool { return l.BytesReceived() >= 1<<20 })
	if u := e.Uploading(); !u.Active || u.Peers != 1 {
		t.Errorf("Uploading while the leecher downloads = %+v, want active to 1 peer", u)
	}

	e.SetSeeding(false)
	if e.Seeding() {
		t.Fatal("Seeding() still true")
	}
	sent := tor.Stats().BytesUp
	eventually(t, "leecher to receive what was already sent", func() bool { return l.BytesReceived() >= sent })
	before := l.BytesReceived()
	conns := len(l.Torrent.PeerConns())
	time.Sleep(quietPeriod)
	if got := l.BytesReceived(); got != before {
		t.Fatalf("leecher received %d payload bytes after SetSeeding(false)", got-before)
	}
	if got := tor.Stats().BytesUp; got != sent {
		t.Fatalf("engine sent %d payload bytes after SetSeeding(false)", got-sent)
	}
	if conns == 0 || len(l.Torrent.PeerConns()) == 0 {
		t.Fatalf("leecher had %d connections; the test must cover an existing connection", conns)
	}
	if l.Complete() {
		t.Fatal("leecher completed; the file is too small for this test")
	}
	if u := e.Uploading(); u.Active || u.Peers != 0 {
		t.Fatalf("Uploading with seeding off = %+v", u)
	}

	e.SetSeeding(true)
	eventually(t, "leecher to complete after SetSeeding(true)", l.Complete)
	sameFile(t, path, l.Path())
}

func TestNewTorrentsRespectSeedingOff(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.SeedingDisabled = true
	e := newTestEngine(t, cfg)
	tor, _ := seededFile(t, e, 4<<20)
	l := leecherFor(t, e, tor)
	// A complete torrent that may not upload also refuses new connections (anacrolix wants
	// connections only for torrents that need data or seed), so there is nothing to wait for.
	time.Sleep(quietPeriod)
	if n := l.BytesReceived(); n != 0 {
		t.Fatalf("leecher received %d bytes from an engine started with seeding off", n)
	}
	e.SetSeeding(true)
	// Real swarms rediscover peers through trackers, DHT and PEX; here the test re-adds us.
	l.AddPeers(e.ListenAddrs()...)
	eventually(t, "leecher to complete", l.Complete)
}

func TestRatioLimitStopsUploading(t *testing.T) {
	t.Parallel()
	const size = 16 << 20
	cfg := testConfig(t)
	cfg.UploadLimit = 2 << 20
	cfg.RatioLimit = 0.25
	e := newTestEngine(t, cfg)
	tor, path := seededFile(t, e, size)
	l := leecherFor(t, e, tor)
	eventually(t, "upload to stop at the ratio limit", func() bool {
		tor.mu.Lock()
		defer tor.mu.Unlock()
		return !tor.uploadAllowed && tor.Stats().Ratio >= 0.25
	})
	e.waitUploadsStopped()
	got := l.BytesReceived()
	time.Sleep(quietPeriod)
	if l.BytesReceived() != got {
		t.Fatalf("leecher kept receiving after the ratio limit")
	}
	// The policy runs once a second, so it may overshoot by about a second of upload.
	if got < size/4 || got > size*3/4 || l.Complete() {
		t.Fatalf("leecher got %d of %d bytes with ratio limit 0.25", got, size)
	}
	e.SetRatioLimit(0)
	eventually(t, "leecher to complete once the limit is lifted", l.Complete)
	sameFile(t, path, l.Path())
}

func TestSeedOnlyWhileWatching(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.UploadLimit = 1 << 20
	cfg.SeedOnlyWhileWatching = true
	e := newTestEngine(t, cfg)
	tor, _ := seededFile(t, e, 16<<20)
	l := leecherFor(t, e, tor)
	time.Sleep(quietPeriod)
	if n := l.BytesReceived(); n != 0 {
		t.Fatalf("leecher received %d bytes while nothing was watched", n)
	}
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	l.AddPeers(e.ListenAddrs()...)
	eventually(t, "upload while watching", func() bool { return l.BytesReceived() > 256<<10 })
	s.Close()
	e.waitUploadsStopped()
	eventually(t, "leecher to receive what was sent", func() bool { return l.BytesReceived() >= tor.Stats().BytesUp })
	got := l.BytesReceived()
	time.Sleep(quietPeriod)
	if n := l.BytesReceived() - got; n != 0 {
		t.Fatalf("leecher received %d bytes after the stream closed", n)
	}
	if l.Complete() {
		t.Fatal("leecher completed; the file is too small for this test")
	}
}

// Stop sharing is per torrent: that torrent sends nothing while the others seed, the
// choice outlives a restart, and sharing again lets it upload.
func TestStopSharingOneTorrent(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	e1, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stopped, _ := seededFile(t, e1, 4<<20)
	ih := stopped.InfoHash()
	if !stopped.Sharing() {
		t.Fatal("a new torrent is not shared")
	}
	if err := stopped.SetSharing(false); err != nil {
		t.Fatal(err)
	}
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}

	e := newTestEngine(t, cfg)
	var tor *Torrent
	for _, x := range e.Torrents() {
		if x.InfoHash() == ih {
			tor = x
		}
	}
	if tor == nil || tor.Sharing() {
		t.Fatalf("after a restart the stopped torrent is %v (sharing %v), want restored and not shared", tor, tor != nil && tor.Sharing())
	}
	// Another file (seededFile's would have the same bytes, so the same torrent).
	otherPath := filepath.Join(t.TempDir(), "other.mkv")
	if err := torrenttest.WriteRandomFile(otherPath, 4<<20, 8); err != nil {
		t.Fatal(err)
	}
	other, err := e.Seed(otherPath, SeedOptions{PieceLength: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	l := leecherFor(t, e, tor)
	lo := leecherFor(t, e, other)
	eventually(t, "the other torrent's leecher to complete", lo.Complete)
	sameFile(t, otherPath, lo.Path())
	time.Sleep(quietPeriod)
	if n := l.BytesReceived(); n != 0 {
		t.Fatalf("the leecher of a torrent not shared received %d bytes", n)
	}
	if !e.Seeding() {
		t.Fatal("stopping one torrent switched seeding off for the engine")
	}

	if err := tor.SetSharing(true); err != nil {
		t.Fatal(err)
	}
	l.AddPeers(e.ListenAddrs()...)
	eventually(t, "the leecher to complete once shared again", l.Complete)
}
