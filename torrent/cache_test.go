package torrent

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"marquee/torrent/torrenttest"
)

func downloaded(t *testing.T, e *Engine, size int64, seed uint64) (*Torrent, *torrenttest.Swarm) {
	t.Helper()
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, DataSeed: seed, PieceLength: 64 << 10})
	tor := addSwarm(t, e, swarm)
	if err := tor.DownloadAll(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "download", tor.Complete)
	return tor, swarm
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestCacheLimitEvictsLeastRecentlyUsedButNotStreaming(t *testing.T) {
	t.Parallel()
	const size = 4 << 20
	e := newTestEngine(t, testConfig(t))
	old, _ := downloaded(t, e, size, 1)
	mid, _ := downloaded(t, e, size, 2)
	playing, swarm := downloaded(t, e, size, 3)
	s, err := playing.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mid.touch() // used more recently than old
	if got := e.CacheSize(); got < 3*size {
		t.Fatalf("CacheSize = %d after downloading %d", got, 3*size)
	}

	e.SetCacheLimit(2*size + size/2)
	if exists(e.torrentDataDir(old.ih)) || contains(e.Torrents(), old) {
		t.Fatal("least recently used torrent was not evicted")
	}
	if !contains(e.Torrents(), mid) || !contains(e.Torrents(), playing) {
		t.Fatal("eviction went further than the cap needed")
	}
	// A cap smaller than the torrent being played evicts everything else but keeps it.
	e.SetCacheLimit(1)
	if contains(e.Torrents(), mid) || !contains(e.Torrents(), playing) {
		t.Fatalf("with a tiny cap: torrents %v", e.Torrents())
	}
	if got := readAllAt(t, s, 0, -1); !bytes.Equal(got, swarm.Data()) {
		t.Fatal("the streaming torrent lost data to eviction")
	}
}

func contains(ts []*Torrent, t *Torrent) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func TestClearCacheKeepsStreamingTorrent(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, testConfig(t))
	idle, _ := downloaded(t, e, 2<<20, 4)
	playing, swarm := downloaded(t, e, 2<<20, 5)
	s, err := playing.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A torrent dropped earlier without deleting its data is cache too.
	dropped, _ := downloaded(t, e, 2<<20, 6)
	if err := dropped.Drop(false); err != nil {
		t.Fatal(err)
	}
	if !exists(e.torrentDataDir(dropped.ih)) {
		t.Fatal("Drop(false) deleted data")
	}
	if err := e.ClearCache(); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []*Torrent{idle, dropped} {
		if exists(e.torrentDataDir(gone.ih)) {
			t.Errorf("ClearCache left data of %s", gone.Name())
		}
	}
	if ts := e.Torrents(); len(ts) != 1 || ts[0] != playing {
		t.Fatalf("after ClearCache torrents = %v, want only the streaming one", ts)
	}
	if got := readAllAt(t, s, 0, -1); !bytes.Equal(got, swarm.Data()) {
		t.Fatal("streaming torrent damaged by ClearCache")
	}
}

func TestClearCacheOnExit(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.ClearCacheOnExit = true
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	downloaded(t, e, 2<<20, 8)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(filepath.Join(cfg.DataDir, "data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("files left after ClearCacheOnExit: %v", files)
	}
	e2 := newTestEngine(t, cfg)
	if n := len(e2.Torrents()); n != 0 {
		t.Fatalf("%d torrents restored after ClearCacheOnExit", n)
	}
}
