package torrent

import (
	"testing"

	anacrolix "github.com/anacrolix/torrent"
)

func TestHeadTailSizes(t *testing.T) {
	t.Parallel()
	const MiB = 1 << 20
	for _, c := range []struct {
		fileLen, pieceLen, head, tail int64
	}{
		{2 << 30, 1 * MiB, 4 * MiB, (2 << 30) / 500}, // 2 GiB film: capped head, 0.2% tail
		{8 << 30, 4 * MiB, 4 * MiB, 8 * MiB},         // 8 GiB: tail capped at 8 MiB
		{200 * MiB, 256 << 10, 2 * MiB, 1 * MiB},     // small file: floors
		{200 * MiB, 16 * MiB, 16 * MiB, 16 * MiB},    // never less than a piece
		{2 * MiB, 256 << 10, 2 * MiB, 0},             // tiny file: all of it
	} {
		h, tl := headTailSizes(c.fileLen, c.pieceLen)
		if h != c.head || tl != c.tail {
			t.Errorf("headTailSizes(%d, %d) = %d, %d; want %d, %d", c.fileLen, c.pieceLen, h, tl, c.head, c.tail)
		}
	}
}

func TestPlanPieces(t *testing.T) {
	t.Parallel()
	const pl = 100
	complete := map[int]bool{5: true, 6: true}
	w := window{fileOff: 0, fileLen: 10000, pos: 450, readahead: 1500, head: 200, tail: 300}
	got := planPieces(pl, []window{w}, func(i int) bool { return complete[i] })
	want := map[int]anacrolix.PiecePriority{
		0: anacrolix.PiecePriorityHigh, 1: anacrolix.PiecePriorityHigh, // head
		97: anacrolix.PiecePriorityHigh, 98: anacrolix.PiecePriorityHigh, 99: anacrolix.PiecePriorityHigh, // tail
		// Window [450, 1950): pieces 4..19; 5 and 6 are complete so Now/Next slide past them.
		4: anacrolix.PiecePriorityNow, 7: anacrolix.PiecePriorityNow,
		8: anacrolix.PiecePriorityNext, 9: anacrolix.PiecePriorityNext, 10: anacrolix.PiecePriorityNext, 11: anacrolix.PiecePriorityNext,
	}
	for i := 12; i <= 19; i++ {
		want[i] = anacrolix.PiecePriorityReadahead
	}
	if len(got) != len(want) {
		t.Errorf("planned %d pieces, want %d: %v", len(got), len(want), got)
	}
	for i, p := range want {
		if got[i] != p {
			t.Errorf("piece %d: %v, want %v", i, got[i], p)
		}
	}
}

func TestPlanPiecesMergesStreamsAndFileOffsets(t *testing.T) {
	t.Parallel()
	const pl = 100
	none := func(int) bool { return false }
	// Second file starts mid-piece at 1050; a stream at its start and one elsewhere.
	a := window{fileOff: 1050, fileLen: 5000, pos: 0, readahead: 300, head: 100, tail: 100}
	b := window{fileOff: 0, fileLen: 1050, pos: 900, readahead: 1000, head: 100, tail: 100}
	got := planPieces(pl, []window{a, b}, none)
	if got[10] != anacrolix.PiecePriorityNow || got[11] != anacrolix.PiecePriorityNow {
		t.Errorf("pieces 10-11 at the second file's start: %v %v, want Now", got[10], got[11])
	}
	if got[9] != anacrolix.PiecePriorityNow {
		t.Errorf("piece 9 under stream b: %v, want Now", got[9])
	}
	if got[60] != anacrolix.PiecePriorityHigh {
		t.Errorf("last piece of file a (its tail): %v, want High", got[60])
	}
	if _, ok := got[30]; ok {
		t.Errorf("piece 30 is in no window, head or tail but got %v", got[30])
	}
	// At or past the end only head and tail remain.
	end := planPieces(pl, []window{{fileOff: 0, fileLen: 1000, pos: 1000, readahead: 500, head: 100, tail: 100}}, none)
	if len(end) != 2 {
		t.Errorf("at EOF planned %v, want only head and tail", end)
	}
}
