package torrenttest

import (
	"bytes"
	"os"
	"testing"
	"time"
)

func TestLeecherDownloadsFromSwarm(t *testing.T) {
	t.Parallel()
	s := NewSwarm(t, SwarmConfig{Size: 3<<20 + 5, PieceLength: 32 << 10, Seeders: 2, Name: "x.mkv"})
	if s.Info.Name != "x.mkv" || s.Info.NumPieces() != (3<<20+5+32<<10-1)/(32<<10) || len(s.Addrs) != 2 {
		t.Fatalf("swarm info %+v, addrs %v", s.Info, s.Addrs)
	}
	l := NewLeecher(t, s.TorrentBytes, s.Addrs...)
	waitFor(t, l.Complete)
	got, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, s.Data()) {
		t.Fatal("leecher got different bytes")
	}
	if l.BytesReceived() < int64(len(got)) || s.BytesUploaded() < int64(len(got)) {
		t.Fatalf("received %d, uploaded %d for %d bytes", l.BytesReceived(), s.BytesUploaded(), len(got))
	}
}

func TestKilledAndCorruptSeedersServeNothingUseful(t *testing.T) {
	t.Parallel()
	s := NewSwarm(t, SwarmConfig{Size: 1 << 20, PieceLength: 64 << 10, Seeders: 2, Corrupt: map[int][]int{1: {0}}})
	s.KillSeeder(0)
	l := NewLeecher(t, s.TorrentBytes, s.Addrs[1])
	// Seeder 1 lies about piece 0 only: everything else completes, piece 0 never does.
	ok := func() bool {
		st := l.Torrent.Stats()
		// Every piece, the bad one included, has arrived at least once.
		return st.PiecesComplete == l.Torrent.NumPieces()-1 && st.BytesReadData.Int64() >= s.Info.TotalLength()
	}
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			st := l.Torrent.Stats()
			t.Fatalf("timed out: %d/%d pieces, %d bad, %d conns, %d bytes read, pieces %v",
				st.PiecesComplete, l.Torrent.NumPieces(), st.PiecesDirtiedBad.Int64(), len(l.Torrent.PeerConns()),
				st.BytesReadData.Int64(), l.Torrent.PieceStateRuns())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if l.Torrent.PieceState(0).Complete {
		t.Fatal("corrupt piece was accepted")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
