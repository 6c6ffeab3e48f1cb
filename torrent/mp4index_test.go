package torrent

import (
	"context"
	"encoding/binary"
	"os"
	"testing"
	"time"

	anacrolix "github.com/anacrolix/torrent"

	"marquee/internal/mediagen"
	"marquee/torrent/torrenttest"
)

func indexFilm(t *testing.T, moovAtEnd bool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	label := "torrent-moov-start"
	if moovAtEnd {
		label = "torrent-moov-end"
	}
	path, err := mediagen.Generate(ctx, mediagen.Spec{Label: label, Container: "mp4", Video: "h264", VideoBitrate: 4000,
		Duration: 20 * time.Second, MoovAtEnd: moovAtEnd}, "")
	if err != nil {
		t.Fatalf("make test film: %v", err)
	}
	return path
}

func box(typ string, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint32(b, uint32(size))
	copy(b[4:], typ)
	return b
}

func TestMP4IndexFirst(t *testing.T) {
	for _, moovAtEnd := range []bool{false, true} {
		f, err := os.Open(indexFilm(t, moovAtEnd))
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 32<<10) // what ffmpeg's first read asks for
		n, _ := f.Read(head)
		f.Close()
		first, known := mp4IndexFirst(head[:n])
		if !known || first == moovAtEnd {
			t.Errorf("ffmpeg's film with moov at end %v: index first %v, known %v", moovAtEnd, first, known)
		}
	}
	large := box("mdat", 16)
	binary.BigEndian.PutUint32(large, 1)
	binary.BigEndian.PutUint64(large[8:], 16)
	cases := []struct {
		name         string
		head         []byte
		first, known bool
	}{
		{"ftyp free moov", append(append(box("ftyp", 24), box("free", 8)...), box("moov", 8)...), true, true},
		{"ftyp then a 64-bit mdat", append(box("ftyp", 24), large...), false, true},
		{"not MP4 (Matroska)", []byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01}, false, false},
		{"cut inside ftyp", box("ftyp", 24)[:20], false, false},
		{"ftyp larger than what was read", append(box("ftyp", 4096)[:64], box("moov", 8)...), false, false},
		{"a box of size 3", append(box("ftyp", 24), 0, 0, 0, 3, 'f', 'r', 'e', 'e'), false, false},
		{"nothing", nil, false, false},
	}
	for _, c := range cases {
		if first, known := mp4IndexFirst(c.head); first != c.first || known != c.known {
			t.Errorf("%s: first %v known %v, want %v %v", c.name, first, known, c.first, c.known)
		}
	}
}

// Once a player's first read shows an MP4's index at the start, the tail is no longer fetched
// ahead: on a scarce swarm that megabyte is playback the first minute lacks. With the index at
// the end the tail stays wanted, as the player reads it next.
func TestTailIsDroppedWhenTheIndexIsFirst(t *testing.T) {
	t.Parallel()
	for _, moovAtEnd := range []bool{false, true} {
		path := indexFilm(t, moovAtEnd)
		swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: path, PieceLength: 256 << 10, UploadCaps: []int64{256 << 10}})
		e := newTestEngine(t, testConfig(t))
		tor := addSwarm(t, e, swarm)
		s, err := tor.NewStream(0)
		if err != nil {
			t.Fatal(err)
		}
		s.SetReadahead(512 << 10) // as a player sizes it from the bitrate: short of the tail
		last := tor.NumPieces() - 1
		_, tail := headTailSizes(s.Size(), tor.PieceLength())
		firstTail := int((s.Size() - tail) / tor.PieceLength())
		if ps := tor.t.PieceState(last); !ps.Complete && ps.Priority != anacrolix.PiecePriorityHigh {
			t.Fatalf("moov at end %v: the last piece has priority %v before the first read, want High", moovAtEnd, ps.Priority)
		}
		readAllAt(t, s, 0, 32<<10)
		// Every tail piece still missing says whether the tail is wanted. With the index at
		// the end a tail that already came in was wanted, which is what is checked.
		missing := 0
		for i := firstTail; i <= last; i++ {
			ps := tor.t.PieceState(i)
			if ps.Complete {
				continue
			}
			missing++
			switch {
			case moovAtEnd && ps.Priority != anacrolix.PiecePriorityHigh:
				t.Errorf("moov at end: tail piece %d's priority fell to %v; the player reads it next", i, ps.Priority)
			case !moovAtEnd && ps.Priority != anacrolix.PiecePriorityNone:
				t.Errorf("moov at start: tail piece %d is still wanted (%v) after the first read showed the index", i, ps.Priority)
			}
		}
		if !moovAtEnd && missing == 0 {
			t.Fatal("moov at start: the whole tail came in before the check (a faster seeder than the test wants)")
		}
		s.Close()
		// A later stream of the same file (an HTTP request after a seek) knows it too.
		if !moovAtEnd {
			s2, err := tor.NewStream(0)
			if err != nil {
				t.Fatal(err)
			}
			s2.SetReadahead(512 << 10)
			if ps := tor.t.PieceState(last); !ps.Complete && ps.Priority != anacrolix.PiecePriorityNone {
				t.Errorf("a second stream wants the tail again (%v)", ps.Priority)
			}
			s2.Close()
		}
	}
}
