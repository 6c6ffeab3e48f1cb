package torrent

import (
	"io"
	"testing"

	"marquee/torrent/torrenttest"
)

// A player opening an MP4 with its moov atom at the end reads the header, jumps to the end,
// then starts at the first sample. What the engine downloads until then must stay small,
// whatever the file size: head + tail + one window (the 16 MiB start-up budget).
func TestStartupBytesWithIndexAtTheEnd(t *testing.T) {
	t.Parallel()
	const size = 128 << 20
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 512 << 10, Seeders: 2})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	buf := make([]byte, 32<<10)
	read := func(off, n int64) {
		if _, err := s.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(s, make([]byte, n)); err != nil {
			t.Fatal(err)
		}
	}
	read(0, int64(len(buf)))      // ftyp and the mdat header
	read(size-(700<<10), 700<<10) // the moov atom at the end
	read(48, 2<<20)               // the first samples: first frame
	st := tor.Stats()
	t.Logf("downloaded %d bytes (%d verified) before the first frame of a %d MiB file", st.BytesDown, st.BytesComplete, size>>20)
	if st.BytesComplete > 16<<20 || st.BytesDown > 20<<20 {
		t.Fatalf("start-up fetched %d bytes (%d verified); budget is 16 MiB", st.BytesDown, st.BytesComplete)
	}
}
