package torrent

import (
	"maps"
	"sync"
	"time"

	anacrolix "github.com/anacrolix/torrent"
)

// The streaming policy (see doc.go for the reasoning).
const (
	// headFraction and tailFraction size the head and tail prefetch from the file size,
	// clamped to [min, max] and never less than one piece.
	headFraction, headMin, headMax = 100, 1 << 20, 4 << 20
	tailFraction, tailMin, tailMax = 500, 1 << 20, 8 << 20
	// defaultReadahead applies until the player sizes the window from the bitrate.
	defaultReadahead = 8 << 20
	// maxReadahead keeps a bogus bitrate from asking for the whole film at once.
	maxReadahead = 512 << 20
	// The first nowPieces missing pieces of a window get Now, the next nextPieces get Next,
	// the rest Readahead: anacrolix orders requests within a priority level by availability
	// and partial pieces rather than position, so levels are what make a window fill in order.
	nowPieces  = 2
	nextPieces = 4
)

// headTailSizes returns how many bytes at the start and end of a file to prefetch.
func headTailSizes(fileLen, pieceLen int64) (head, tail int64) {
	head = max(min(max(fileLen/headFraction, headMin), headMax), pieceLen)
	tail = max(min(max(fileLen/tailFraction, tailMin), tailMax), pieceLen)
	if head+tail >= fileLen {
		return fileLen, 0
	}
	return head, tail
}

// window is what one stream wants from its torrent.
type window struct {
	fileOff, fileLen int64 // torrent offset and length of the file
	pos              int64 // file-relative read position
	readahead        int64
	byteRate         int64 // bytes/s the reader consumes; 0: unknown
	head, tail       int64
}

// slackFunc says how long until a reader reaches piece i, when that can be told.
type slackFunc func(i int) (time.Duration, bool)

// readerSlack is the time until the first reader that will read piece i gets there, from the
// windows' positions and consumption rates.
func readerSlack(pieceLen int64, windows []window) slackFunc {
	return func(i int) (time.Duration, bool) {
		start := int64(i) * pieceLen
		best, known := time.Duration(0), false
		for _, w := range windows {
			pos := w.fileOff + w.pos
			if w.byteRate <= 0 || start+pieceLen <= pos || start >= w.fileOff+w.fileLen {
				continue
			}
			d := time.Duration(float64(max(start-pos, 0)) / float64(w.byteRate) * float64(time.Second))
			if !known || d < best {
				best, known = d, true
			}
		}
		return best, known
	}
}

// planPieces computes piece priorities for a set of stream windows: for each window the missing
// pieces from the read position get Now, then Next, then Readahead up to the window's end; the
// head and tail of each file get High. The highest wish of any stream wins.
func planPieces(pieceLen int64, windows []window, complete func(int) bool) map[int]anacrolix.PiecePriority {
	out := make(map[int]anacrolix.PiecePriority)
	raise := func(i int, p anacrolix.PiecePriority) {
		if p > out[i] {
			out[i] = p
		}
	}
	span := func(start, end int64, p anacrolix.PiecePriority) {
		if end <= start {
			return
		}
		for i := int(start / pieceLen); int64(i)*pieceLen < end; i++ {
			if !complete(i) {
				raise(i, p)
			}
		}
	}
	for _, w := range windows {
		fileEnd := w.fileOff + w.fileLen
		span(w.fileOff, w.fileOff+w.head, anacrolix.PiecePriorityHigh)
		span(fileEnd-w.tail, fileEnd, anacrolix.PiecePriorityHigh)
		if w.pos >= w.fileLen {
			continue
		}
		start := w.fileOff + w.pos
		end := min(fileEnd, start+max(w.readahead, 1))
		missing := 0
		for i := int(start / pieceLen); int64(i)*pieceLen < end; i++ {
			if complete(i) {
				continue
			}
			switch {
			case missing < nowPieces:
				raise(i, anacrolix.PiecePriorityNow)
			case missing < nowPieces+nextPieces:
				raise(i, anacrolix.PiecePriorityNext)
			default:
				raise(i, anacrolix.PiecePriorityReadahead)
			}
			missing++
		}
	}
	return out
}

// planner remembers the priorities this package set on a torrent, so that a new plan only
// touches the pieces whose priority changes and old positions lose theirs at once.
type planner struct {
	mu      sync.Mutex
	applied map[int]anacrolix.PiecePriority
	files   map[int]bool // files downloading in the background
}

// replan recomputes and applies the torrent's piece and file priorities from its streams.
func (t *Torrent) replan() {
	info := t.t.Info()
	if info == nil {
		return
	}
	t.mu.Lock()
	if t.dropped {
		t.mu.Unlock()
		return
	}
	streams := make([]*Stream, 0, len(t.streams))
	for s := range t.streams {
		streams = append(streams, s)
	}
	downloadAll := t.downloadAll
	t.mu.Unlock()

	p := &t.planner
	p.mu.Lock()
	defer p.mu.Unlock()
	windows := make([]window, 0, len(streams))
	background := make(map[int]bool)
	// After a write failure nothing is wanted: data that cannot be stored is not fetched.
	if t.writeError() == nil {
		for _, s := range streams {
			windows = append(windows, s.window())
			s.background = s.wantsBackground()
			if s.background {
				background[s.index] = true
			}
		}
		if downloadAll {
			for i := range t.t.Files() {
				background[i] = true
			}
		}
	}
	select {
	case <-t.t.Closed():
		return
	default:
	}
	// One snapshot of the verified pieces serves the plan and the web seeds, taken only if
	// either needs it: it costs a pass over every piece under the client lock.
	var done []bool
	completed := func() []bool {
		if done == nil {
			done = t.completedPieces()
		}
		return done
	}
	desired := planPieces(info.PieceLength, windows, func(i int) bool {
		c := completed()
		return i < len(c) && c[i]
	})
	effective := desired
	if t.webseeds.plan(desired, background, completed, readerSlack(info.PieceLength, windows)) {
		// Pieces on the wire from a web seed are left to it (see webseeds.held).
		effective = maps.Clone(desired)
		for i := range t.webseeds.held() {
			delete(effective, i)
		}
	}
	for i, prio := range p.applied {
		if _, keep := effective[i]; !keep && prio != anacrolix.PiecePriorityNone {
			t.t.Piece(i).SetPriority(anacrolix.PiecePriorityNone)
		}
	}
	for i, prio := range effective {
		if p.applied[i] != prio {
			t.t.Piece(i).SetPriority(prio)
		}
	}
	p.applied = effective
	files := t.t.Files()
	for i := range p.files {
		if !background[i] {
			files[i].SetPriority(anacrolix.PiecePriorityNone)
		}
	}
	for i := range background {
		if !p.files[i] {
			files[i].SetPriority(anacrolix.PiecePriorityNormal)
		}
	}
	p.files = background
}

// nudgeStalledReads wakes the message writers of the torrent's connections while a Read has
// waited for its piece since before cutoff. anacrolix v1.61's writer can lose its wake-up
// (upstream issue 1070, fixed by pull requests 1078 and 1071): it subscribes to its wake-up only after computing
// its requests and letting go of the client lock, and a request update asked for in between
// (a chunk arrived, a priority rose) wakes nobody. Every later update is then dropped as already
// pending, so the connection sends no request until its keep-alive timer (a minute) or the next
// message written to it. Downloading normally hides this, since each verified piece writes a
// Have to every peer; with one peer and no piece completing (the first chunk, or a chunk that
// could not be stored), the read stalls. It was seen as the retry after a full disk never
// getting its piece. Waking a writer that is not stuck costs one pass of its loop and sends
// nothing. The keep-alive cannot be shortened instead: aria2 drops peers that send two
// keep-alives within 5 s as flooding.
func (t *Torrent) nudgeStalledReads(cutoff time.Time) {
	if len(t.stalledReads(cutoff)) == 0 {
		return
	}
	// Any connection may be the stuck one that holds the piece; checking which have it would
	// cost a copy of each peer's bitfield per tick, for nothing sent anyway.
	for _, c := range t.t.PeerConns() {
		wakeConnWriter(c)
	}
}

// startupReads lists the pieces that reads of streams still starting up (the first frame, or
// the first after a seek: less than startupBytes read since) are waiting for now. For those
// every source races, since the wait is what the user sees.
func (t *Torrent) startupReads() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	var pieces []int
	for s := range t.streams {
		if s.contiguous.Load() >= startupBytes {
			continue
		}
		if i := s.stalledPiece(time.Now()); i >= 0 {
			pieces = append(pieces, i)
		}
	}
	return pieces
}

// startupBytes is how much a stream reads after opening or seeking before it counts as
// playing steadily: about what a player needs for its first picture.
const startupBytes = 1 << 20

// stalledReads lists the pieces that Reads have waited for since before cutoff.
func (t *Torrent) stalledReads(cutoff time.Time) []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	var pieces []int
	for s := range t.streams {
		if i := s.stalledPiece(cutoff); i >= 0 {
			pieces = append(pieces, i)
		}
	}
	return pieces
}

// pieceCompleted moves Now and Next on to the next missing pieces.
func (t *Torrent) pieceCompleted() {
	if t.openStreams() > 0 {
		t.replan()
	}
}
