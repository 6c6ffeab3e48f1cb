package torrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sync"
	"sync/atomic"
	"time"

	anacrolix "github.com/anacrolix/torrent"
)

// Stream reads one file of a torrent for a player: an io.ReadSeekCloser whose position drives
// which pieces download first (see doc.go). Read, Seek and Close may be called from different
// goroutines, but Read and Seek wait for each other; cancel a blocked read with ReadContext or
// Close. Position, readahead and buffering queries never block.
type Stream struct {
	t      *Torrent
	index  int
	name   string
	offset int64 // of the file in the torrent
	size   int64
	head   int64
	tail   int64

	ctx    context.Context // ends when the stream or the engine closes
	cancel context.CancelFunc
	closed atomic.Bool

	mu        sync.Mutex // serialises use of r
	r         anacrolix.Reader
	rStale    bool // r's position lags pos after a readPastReaderEnd
	lastPiece int64

	pos        atomic.Int64
	readahead  atomic.Int64 // 0: defaultReadahead
	byteRate   atomic.Int64 // bytes/s the player consumes, once it said its bitrate; 0: unknown
	contiguous atomic.Int64 // bytes read since the last seek
	steadyFrom atomic.Int64 // when the reads counted in contiguous began (unix nanoseconds)
	// waitingSince is when the Read in progress began (unix nanoseconds), 0 between reads.
	waitingSince atomic.Int64
	// background says whether this stream lets the rest of its file download; it is only
	// changed by the planner (under the planner's lock).
	background bool
}

// errStreamClosed wraps ErrClosed for reads on a closed stream.
var errStreamClosed = fmt.Errorf("stream closed: %w", ErrClosed)

// NewStream opens file fileIndex (see Files and MainFile) for reading. The head and tail of the
// file and the first readahead window are prioritised before NewStream returns.
func (t *Torrent) NewStream(fileIndex int) (*Stream, error) {
	f, err := t.file(fileIndex)
	if err != nil {
		return nil, err
	}
	head, tail := headTailSizes(f.Length(), t.PieceLength())
	s := &Stream{
		t:         t,
		index:     fileIndex,
		name:      path.Base(f.DisplayPath()),
		offset:    f.Offset(),
		size:      f.Length(),
		head:      head,
		tail:      tail,
		r:         f.NewReader(),
		lastPiece: -1,
	}
	s.steadyFrom.Store(time.Now().UnixNano())
	// anacrolix's own readahead grows with every contiguous byte read and would mark the whole
	// rest of the file Readahead; the planner owns priorities, the reader only marks its piece.
	s.r.SetReadahead(0)
	s.ctx, s.cancel = context.WithCancel(t.e.ctx)
	t.mu.Lock()
	if t.dropped || t.e.ctx.Err() != nil {
		t.mu.Unlock()
		s.r.Close()
		s.cancel()
		return nil, ErrClosed
	}
	t.streams[s] = struct{}{}
	t.mu.Unlock()
	t.retryWrites()
	t.touch()
	t.replan()
	t.e.applyUploadPolicy()
	return s, nil
}

// Name is the file's base name, a format hint for the player.
func (s *Stream) Name() string { return s.name }

// Size is the file's length in bytes.
func (s *Stream) Size() int64 { return s.size }

// Read reads at the current position, blocking until the data is downloaded and verified, the
// stream is closed or the engine closes.
func (s *Stream) Read(p []byte) (int, error) {
	return s.ReadContext(context.Background(), p)
}

// ReadContext is Read that also gives up when ctx ends, returning ctx's error.
func (s *Stream) ReadContext(ctx context.Context, p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return 0, errStreamClosed
	}
	pos := s.pos.Load()
	if pos >= s.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	// Taken before the check below, so that a failure after the check still ends the read.
	writeFailure := s.t.writeFailureContext()
	if err := s.t.writeError(); err != nil && s.t.ContiguousAhead(s.index, pos) == 0 {
		return 0, s.writeFailed(err)
	}
	// anacrolix v1.61's file reader reads past the end of its file into the next one.
	if rest := s.size - pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	if rest := s.t.t.Length() - (s.offset + pos); int64(len(p)) > rest {
		if rest <= 0 {
			return s.readPastReaderEnd(ctx, p, pos)
		}
		p = p[:rest]
	}
	if s.rStale {
		if _, err := s.r.Seek(pos, io.SeekStart); err != nil {
			return 0, fmt.Errorf("read %s at %d: %w", s.name, pos, err)
		}
		s.rStale = false
	}
	rctx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(s.ctx, cancel)
	stopOnWriteFailure := context.AfterFunc(writeFailure, cancel)
	defer func() {
		stopOnClose()
		stopOnWriteFailure()
		cancel()
	}()
	s.r.SetContext(rctx)
	s.waitingSince.Store(time.Now().UnixNano())
	n, err := s.r.Read(p)
	s.waitingSince.Store(0)
	if n > 0 {
		if pos == 0 && mp4Family(s.name) {
			if first, known := mp4IndexFirst(p[:n]); known && first {
				s.t.noTailNeeded(s.index)
			}
		}
		return s.advance(pos, n)
	}
	switch {
	case err == nil:
		return 0, nil
	case errors.Is(err, io.EOF):
		return 0, io.EOF
	case s.closed.Load():
		return 0, errStreamClosed
	case s.t.e.ctx.Err() != nil:
		return 0, ErrClosed
	case ctx.Err() != nil:
		return 0, ctx.Err()
	case writeFailure.Err() != nil:
		return 0, s.writeFailed(context.Cause(writeFailure))
	}
	select {
	case <-s.t.t.Closed():
		return 0, fmt.Errorf("torrent %s was dropped: %w", s.t.describe(), ErrClosed)
	default:
	}
	return 0, fmt.Errorf("read %s at %d: %w", s.name, pos, err)
}

// readPastReaderEnd reads the bytes of a torrent that anacrolix's reader cannot reach. anacrolix
// v1.61 sizes a torrent that has a v2 file tree (a hybrid v1+v2 torrent, what libtorrent 2 and
// qBittorrent make) as the sum of its files' lengths, leaving out the piece alignment between
// them, so its reader stops short of the last file's last bytes, where an MP4's moov or an
// MKV's cues often are: the read waits forever, and cancelling it panics inside anacrolix
// (reader.updatePieceCompletion). The pieces themselves download and verify normally, so
// these bytes are read from storage once their piece is complete.
func (s *Stream) readPastReaderEnd(ctx context.Context, p []byte, pos int64) (int, error) {
	off := s.offset + pos
	pieceLength := s.t.PieceLength()
	piece := int(off / pieceLength)
	if rest := (int64(piece)+1)*pieceLength - off; int64(len(p)) > rest {
		p = p[:rest]
	}
	s.waitingSince.Store(time.Now().UnixNano())
	defer s.waitingSince.Store(0)
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for !s.t.t.PieceState(piece).Complete {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-s.ctx.Done():
			if s.closed.Load() {
				return 0, errStreamClosed
			}
			return 0, ErrClosed
		case <-s.t.t.Closed():
			return 0, fmt.Errorf("torrent %s was dropped: %w", s.t.describe(), ErrClosed)
		case <-poll.C:
		}
	}
	dt := s.t.disk()
	if dt == nil {
		return 0, fmt.Errorf("read %s at %d: the torrent's storage is not open", s.name, pos)
	}
	n, err := dt.readAt(p, off)
	if n < len(p) {
		return 0, fmt.Errorf("read %s at %d: %w", s.name, pos, err)
	}
	s.rStale = true
	return s.advance(pos, n)
}

// advance accounts for n bytes read at pos, and moves the planner's window when the read
// crossed into another piece.
func (s *Stream) advance(pos int64, n int) (int, error) {
	if s.t.storageClosed() {
		// The torrent closed while we read: the bytes may not be real (see readAfterClose).
		return 0, fmt.Errorf("torrent %s was dropped: %w", s.t.describe(), ErrClosed)
	}
	s.pos.Add(int64(n))
	s.contiguous.Add(int64(n))
	if piece := (s.offset + pos + int64(n)) / s.t.PieceLength(); piece != s.lastPiece {
		s.lastPiece = piece
		s.t.replan()
	}
	return n, nil
}

func (s *Stream) writeFailed(err error) error {
	return fmt.Errorf("cannot save the downloaded data of %s: %w", s.name, err)
}

// Seek sets the position for the next Read and re-prioritises at once: the pieces at the new
// position get the top priorities and the old window loses its priority.
func (s *Stream) Seek(off int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return 0, errStreamClosed
	}
	var target int64
	switch whence {
	case io.SeekStart:
		target = off
	case io.SeekCurrent:
		target = s.pos.Load() + off
	case io.SeekEnd:
		target = s.size + off
	default:
		return 0, fmt.Errorf("seek %s: invalid whence %d", s.name, whence)
	}
	if target < 0 {
		return 0, fmt.Errorf("seek %s: negative position %d", s.name, target)
	}
	if target == s.pos.Load() {
		return target, nil
	}
	if _, err := s.r.Seek(target, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seek %s: %w", s.name, err)
	}
	s.rStale = false
	s.pos.Store(target)
	s.contiguous.Store(0)
	s.steadyFrom.Store(time.Now().UnixNano())
	s.lastPiece = (s.offset + min(target, s.size)) / s.t.PieceLength()
	s.t.replan()
	return target, nil
}

// SetReadahead sets how many bytes past the position to fetch ahead; 0 restores the default
// (8 MiB). The window is capped at 512 MiB.
func (s *Stream) SetReadahead(bytes int64) {
	s.readahead.Store(min(max(bytes, 0), maxReadahead))
	s.t.replan()
}

// SetReadaheadDuration sizes the readahead window as d of playback at bitrate bits/s.
func (s *Stream) SetReadaheadDuration(d time.Duration, bitrate int64) {
	s.byteRate.Store(max(bitrate/8, 0))
	if d <= 0 || bitrate <= 0 {
		s.SetReadahead(0)
		return
	}
	bytes := d.Seconds() * float64(bitrate) / 8
	s.SetReadahead(int64(min(bytes, maxReadahead)))
}

// Readahead is the current window size in bytes.
func (s *Stream) Readahead() int64 {
	if ra := s.readahead.Load(); ra > 0 {
		return max(ra, s.t.PieceLength())
	}
	return max(defaultReadahead, 2*s.t.PieceLength())
}

// Position is the offset of the next Read.
func (s *Stream) Position() int64 { return s.pos.Load() }

// BufferedAhead is how many verified bytes follow the position without a gap: what the
// player can read without waiting.
func (s *Stream) BufferedAhead() int64 {
	return s.t.ContiguousAhead(s.index, s.pos.Load())
}

// Close ends the stream, unblocking a Read in progress, and releases its priorities.
func (s *Stream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel()
	s.mu.Lock()
	err := s.r.Close()
	s.mu.Unlock()
	t := s.t
	t.mu.Lock()
	delete(t.streams, s)
	t.mu.Unlock()
	t.replan()
	t.touch()
	t.e.applyUploadPolicy()
	if err != nil {
		return fmt.Errorf("close stream %s: %w", s.name, err)
	}
	return nil
}

func (s *Stream) window() window {
	return window{
		fileOff:   s.offset,
		fileLen:   s.size,
		pos:       min(s.pos.Load(), s.size),
		readahead: s.Readahead(),
		byteRate:  s.consumption(),
		head:      s.head,
		tail:      s.t.tailWanted(s.index, s.tail),
	}
}

// consumption is how many bytes a second the reader takes: from the bitrate the player gave,
// else, for readers that do not say (an HTTP client of serve), from how fast it has read since
// its last seek, once it has read for minSteadyRead. A reader still starting up reads faster than
// it plays, which errs on the side of fetching from peers.
func (s *Stream) consumption() int64 {
	if r := s.byteRate.Load(); r > 0 {
		return r
	}
	elapsed := time.Since(time.Unix(0, s.steadyFrom.Load()))
	if elapsed < minSteadyRead {
		return 0
	}
	return int64(float64(s.contiguous.Load()) / elapsed.Seconds())
}

// minSteadyRead is how long a reader must read before its rate counts.
const minSteadyRead = 5 * time.Second

// wantsBackground reports whether the rest of the file may download behind this stream's
// window. Only when the player is past its start-up and seek probing (it has read a whole
// window contiguously) and the window ahead is complete: on a scarce swarm, pieces asked for
// in the background sit in the seeders' queues ahead of the pieces playback needs next.
// Once on, it stays on until the buffer ahead falls below half a window, so that it does not
// flap with every piece the player consumes.
func (s *Stream) wantsBackground() bool {
	readahead := s.Readahead()
	if s.contiguous.Load() < max(readahead, s.head) {
		return false
	}
	pos := min(s.pos.Load(), s.size)
	return backgroundWanted(s.t.ContiguousAhead(s.index, pos), min(readahead, s.size-pos), s.background)
}

// backgroundWanted decides, for a steady stream with buffered bytes ready ahead of the reader
// and a window of want bytes, whether the rest of the file may download now.
func backgroundWanted(buffered, want int64, wasOn bool) bool {
	if wasOn {
		return buffered >= want/2
	}
	return buffered >= want
}

// stalledPiece is the piece a Read has been waiting for since before cutoff, or -1.
func (s *Stream) stalledPiece(cutoff time.Time) int {
	since := s.waitingSince.Load()
	if since == 0 || since > cutoff.UnixNano() || s.closed.Load() {
		return -1
	}
	return int((s.offset + min(s.pos.Load(), s.size-1)) / s.t.PieceLength())
}
