package torrent

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"marquee/torrent/torrenttest"
)

func TestRestartResumesWithoutRedownloading(t *testing.T) {
	t.Parallel()
	const size = 16 << 20
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 128 << 10})
	cfg := testConfig(t)
	want := swarm.Data()

	e1, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tor := addSwarm(t, e1, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	s.SetReadahead(1 << 20)
	if got := readAllAt(t, s, 0, 6<<20); !bytes.Equal(got, want[:6<<20]) {
		t.Fatal("wrong bytes before restart")
	}
	eventually(t, "the read window to settle", func() bool { return tor.Stats().BytesComplete >= 6<<20 })
	before := tor.Stats().BytesComplete
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}

	e2 := newTestEngine(t, cfg)
	ts := e2.Torrents()
	if len(ts) != 1 || ts[0].InfoHash() != swarm.InfoHash {
		t.Fatalf("restarted engine has %d torrents, want the one from before", len(ts))
	}
	tor2 := ts[0]
	if !tor2.HasMetadata() {
		t.Fatal("metadata was not kept across the restart")
	}
	if got := tor2.Stats().BytesComplete; got < before {
		t.Fatalf("after restart %d bytes verified, before %d", got, before)
	}
	// Re-adding the magnet finds the same torrent.
	if again, err := e2.AddMagnet(swarm.Magnet); err != nil || again != tor2 {
		t.Fatalf("re-adding after restart gave %v, %v", again, err)
	}
	s2, err := tor2.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := readAllAt(t, s2, 0, -1); !bytes.Equal(got, want) {
		t.Fatal("wrong bytes after restart")
	}
	st := tor2.Stats()
	hashed := bytesHashed(tor2)
	missing := size - before
	slack := int64(size / 16)
	if st.BytesDown > missing+slack {
		t.Fatalf("after restart downloaded %d bytes; only %d were missing", st.BytesDown, missing)
	}
	if hashed > missing+slack {
		t.Fatalf("after restart hashed %d bytes; only %d were new (verified pieces were rehashed)", hashed, missing)
	}
}

func TestDeletedCacheDataIsFetchedAgain(t *testing.T) {
	t.Parallel()
	const size = 4 << 20
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 64 << 10})
	cfg := testConfig(t)
	e1, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tor := addSwarm(t, e1, swarm)
	if err := tor.DownloadAll(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "download", tor.Complete)
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	// The user (or a cleaner) deletes the cached file behind our back.
	if err := os.RemoveAll(filepath.Join(cfg.DataDir, "data", swarm.InfoHash)); err != nil {
		t.Fatal(err)
	}
	e2 := newTestEngine(t, cfg)
	tor2 := e2.Torrents()[0]
	if tor2.Stats().BytesComplete != 0 {
		t.Fatalf("deleted data still counted as verified")
	}
	tor2.AddPeers(swarm.Addrs...)
	s, err := tor2.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := readAllAt(t, s, 0, -1); !bytes.Equal(got, swarm.Data()) {
		t.Fatal("wrong bytes after the data was deleted")
	}
}

func TestSeedRestartDoesNotRehash(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	path := filepath.Join(t.TempDir(), "home video.mp4")
	if err := torrenttest.WriteRandomFile(path, 6<<20, 3); err != nil {
		t.Fatal(err)
	}
	e1, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tor, err := e1.Seed(path, SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ih := tor.InfoHash()
	if !tor.Complete() || bytesHashed(tor) != 0 {
		t.Fatalf("seeding hashed %d bytes again after building the torrent", bytesHashed(tor))
	}
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := newTestEngine(t, cfg)
	ts := e2.Torrents()
	if len(ts) != 1 || ts[0].InfoHash() != ih || !ts[0].Complete() {
		t.Fatalf("seed not restored complete after restart: %v", ts)
	}
	again, err := e2.Seed(path, SeedOptions{})
	if err != nil || again != ts[0] {
		t.Fatalf("Seed after restart: %v, %v", again, err)
	}
	if n := bytesHashed(again); n != 0 {
		t.Fatalf("restart rehashed %d bytes of unchanged seeded data", n)
	}
	// The seeded file is untouched and never counted as cache.
	if e2.CacheSize() != 0 {
		t.Fatalf("seeded data counted as cache: %d", e2.CacheSize())
	}
	if err := e2.ClearCache(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("ClearCache touched the seeded file: %v", err)
	}
}

func TestEditedSeedIsVerifiedAfterRestart(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	path := filepath.Join(t.TempDir(), "edited.mkv")
	if err := torrenttest.WriteRandomFile(path, 2<<20, 4); err != nil {
		t.Fatal(err)
	}
	e1, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tor, err := e1.Seed(path, SeedOptions{PieceLength: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	pieces := tor.NumPieces()
	e1.Close()
	// Same size, different bytes in piece 3.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("edited by the user"), 3*64<<10+100)
	f.Close()
	e2 := newTestEngine(t, cfg)
	tor2 := e2.Torrents()[0]
	eventually(t, "verification to find the edited piece", func() bool {
		st := tor2.Stats()
		return bytesHashed(tor2) >= int64(pieces)*64<<10 && st.PiecesComplete == pieces-1
	})
	if tor2.t.PieceState(3).Complete {
		t.Fatal("edited piece still offered as complete")
	}
}
