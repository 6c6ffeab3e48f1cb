package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// ContextReader is an optional ability of a source: a read that gives up when ctx ends.
// With it, Close and a timed-out Open unblock a read that waits for data not yet
// downloaded; without it such a read can only be abandoned.
type ContextReader interface {
	ReadContext(ctx context.Context, p []byte) (int, error)
}

// BufferedAheader is an optional ability of a source: how many bytes from its current
// position can be read without blocking. The player uses it for the buffering percentage;
// it is called from a goroutine other than the one reading, so it must be safe to call
// while a Read is blocked.
type BufferedAheader interface {
	BufferedAhead() int64
}

// ioBufferSize is the AVIO buffer: small enough that probing reads little, large enough
// that a 1080p stream needs few callbacks.
const ioBufferSize = 64 << 10

// source adapts an io.ReadSeeker to FFmpeg's AVIO callbacks. Only the reader goroutine
// calls into it (FFmpeg calls back on the thread that runs the demuxer), so only the
// counters it publishes for other goroutines are atomic.
type source struct {
	r    io.ReadSeeker
	size int64
	ctx  context.Context

	readingSince atomic.Int64 // unix nanos when the pending Read started, 0 if none
	bytesRead    atomic.Int64
	pos          atomic.Int64
	err          atomic.Pointer[error] // the first source error that was not EOF
}

func newSource(ctx context.Context, r io.ReadSeeker, size int64) *source {
	return &source{r: r, size: size, ctx: ctx}
}

// read implements the AVIO read callback. It maps io.EOF to AVERROR_EOF (demuxers treat
// anything else at the end as corruption) and a cancelled context to AVERROR_EXIT.
func (s *source) read(b []byte) (int, error) {
	for {
		if s.ctx.Err() != nil {
			return 0, astiav.ErrExit
		}
		s.readingSince.Store(time.Now().UnixNano())
		var n int
		var err error
		if cr, ok := s.r.(ContextReader); ok {
			n, err = cr.ReadContext(s.ctx, b)
		} else {
			n, err = s.r.Read(b)
		}
		s.readingSince.Store(0)
		if n < 0 || n > len(b) {
			s.fail(fmt.Errorf("source returned %d bytes for a %d-byte read", n, len(b)))
			return 0, astiav.ErrEio
		}
		s.bytesRead.Add(int64(n))
		s.pos.Add(int64(n))
		if n > 0 {
			// Data first: an error that came with it shows up again on the next call.
			return n, nil
		}
		switch {
		case err == nil:
			continue // io.Reader allows (0, nil); FFmpeg would take 0 for end of file
		case errors.Is(err, io.EOF):
			if pos := s.pos.Load(); s.size > 0 && pos < s.size {
				s.fail(fmt.Errorf("%w: data ends at byte %d of %d", ErrTruncated, pos, s.size))
				return 0, astiav.ErrEio
			}
			return 0, astiav.ErrEof
		case s.ctx.Err() != nil:
			return 0, astiav.ErrExit
		default:
			s.fail(err)
			return 0, astiav.ErrEio
		}
	}
}

const (
	avseekSize  = 0x10000
	avseekForce = 0x20000
)

// seek implements the AVIO seek callback, including AVSEEK_SIZE queries.
func (s *source) seek(offset int64, whence int) (int64, error) {
	if s.ctx.Err() != nil {
		return 0, astiav.ErrExit
	}
	if whence&avseekSize != 0 {
		if s.size > 0 {
			return s.size, nil
		}
		return -1, nil // unknown: FFmpeg then asks for a seek to the end instead
	}
	whence &^= avseekForce
	pos, err := s.r.Seek(offset, whence)
	if err != nil {
		if s.ctx.Err() != nil {
			return 0, astiav.ErrExit
		}
		// Not a source failure: demuxers probe with seeks that may be refused (before
		// the start, past the end) and carry on without them.
		return 0, astiav.ErrEio
	}
	s.pos.Store(pos)
	return pos, nil
}

func (s *source) fail(err error) {
	s.err.CompareAndSwap(nil, &err)
}

// failure is the first real error the source returned, if any.
func (s *source) failure() error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

// blockedFor is how long the pending read has been waiting, 0 if none is pending.
func (s *source) blockedFor(now time.Time) time.Duration {
	since := s.readingSince.Load()
	if since == 0 {
		return 0
	}
	return now.Sub(time.Unix(0, since))
}

// bufferedAhead asks the source how many bytes are ready, or -1 if it cannot tell.
func (s *source) bufferedAhead() int64 {
	if b, ok := s.r.(BufferedAheader); ok {
		return b.BufferedAhead()
	}
	return -1
}
