package torrent

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	anacrolix "github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"

	"marquee/torrent/torrenttest"
)

func TestSeederDiesMidStream(t *testing.T) {
	t.Parallel()
	const size = 16 << 20
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{
		Size: size, PieceLength: 128 << 10, Seeders: 2, UploadCaps: []int64{3 << 20, 3 << 20},
	})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := swarm.Data()
	first := readAllAt(t, s, 0, 4<<20)
	eventually(t, "both seeders to upload", func() bool {
		st0, st1 := swarm.Seeder(0).Torrent.Stats(), swarm.Seeder(1).Torrent.Stats()
		return st0.BytesWrittenData.Int64() > 0 && st1.BytesWrittenData.Int64() > 0
	})
	swarm.KillSeeder(0)
	rest := readAllAt(t, s, 4<<20, -1)
	if got := append(first, rest...); !bytes.Equal(got, want) {
		t.Fatalf("stream across a seeder's death returned wrong bytes (%d of %d)", len(got), len(want))
	}
}

func TestCorruptPeerNeverReachesTheReader(t *testing.T) {
	t.Parallel()
	const size = 4 << 20
	const pieceLen = 64 << 10
	all := make([]int, size/pieceLen)
	for i := range all {
		all[i] = i
	}
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{
		Size: size, PieceLength: pieceLen, Seeders: 2,
		Corrupt:     map[int][]int{0: all},
		ListenHosts: []string{"127.0.0.2", "127.0.0.1"},
	})
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddTorrentBytes(swarm.TorrentBytes)
	if err != nil {
		t.Fatal(err)
	}
	// Only the liar at first, as an ordinary (bannable) peer.
	tor.t.AddPeers([]anacrolix.PeerInfo{{Addr: anacrolix.StringAddr(swarm.Addrs[0])}})
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 32<<10)
		n, err := io.ReadFull(s, b)
		if err != nil {
			t.Error(err)
		}
		got <- b[:n]
	}()
	eventually(t, "a piece to fail its hash check", func() bool {
		st := tor.t.Stats()
		return st.PiecesDirtiedBad.Int64() > 0
	})
	select {
	case b := <-got:
		t.Fatalf("read returned %d bytes while only a corrupt peer had sent data", len(b))
	default:
	}
	eventually(t, "the corrupt peer to be banned", func() bool { return len(tor.t.PeerConns()) == 0 })
	tor.AddPeers(swarm.Addrs[1])
	want := swarm.Data()
	if b := <-got; !bytes.Equal(b, want[:len(b)]) {
		t.Fatal("first read returned wrong bytes")
	}
	if rest := readAllAt(t, s, 0, -1); !bytes.Equal(rest, want) {
		t.Fatal("stream returned wrong bytes")
	}
}

// TestFullDiskFailsTheReadWithENOSPC: when downloaded data cannot be stored, a read waiting
// for it ends with an error that names the cause, instead of waiting for ever. The data file
// is a link to /dev/full, which the kernel answers with ENOSPC like a full disk.
func TestFullDiskFailsTheReadWithENOSPC(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("this test needs Linux's /dev/full: %v", err)
	}
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 4 << 20, Name: "film.mkv"})
	cfg := testConfig(t)
	ih := metainfo.NewHashFromHex(swarm.InfoHash)
	dir := filepath.Join(cfg.DataDir, "data", ih.HexString())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/full", filepath.Join(dir, "film.mkv")); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, cfg)
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.ReadContext(ctxGuard(t), make([]byte, 64<<10))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("read with a full disk: %v, want an error wrapping ENOSPC", err)
	}
	if !strings.Contains(err.Error(), "film.mkv") {
		t.Fatalf("the error %q does not say which film could not be saved", err)
	}
	if _, err := s.ReadContext(ctxGuard(t), make([]byte, 1)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("a second read after the failure: %v, want ENOSPC at once rather than a wait", err)
	}

	// The user frees space and presses Play again: a new stream downloads again.
	if err := os.Remove(filepath.Join(dir, "film.mkv")); err != nil {
		t.Fatal(err)
	}
	retry, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer retry.Close()
	if got := readAllAt(t, retry, 0, 1<<20); !bytes.Equal(got, swarm.Data()[:1<<20]) {
		t.Fatalf("after space was freed the stream returned %d wrong bytes", len(got))
	}
}
