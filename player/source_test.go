package player

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gatedSource serves a file from memory, but only its first limit bytes: a read beyond
// waits until release raises the limit, like a torrent piece that has not arrived. Seeks
// can be held too. It has no ReadContext, so a blocked read cannot be cancelled.
type gatedSource struct {
	data []byte

	mu        sync.Mutex
	cond      *sync.Cond
	pos       int64
	limit     int64
	holdSeeks bool
	failAfter int64 // reads past this offset fail; -1 never
	failErr   error

	blockedReads atomic.Int64
	blockedSeeks atomic.Int64
	seeks        atomic.Int64
}

func newGatedSource(t testing.TB, path string, limit int64) *gatedSource {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &gatedSource{data: data, limit: limit, failAfter: -1}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *gatedSource) size() int64 { return int64(len(s.data)) }

func (s *gatedSource) Read(p []byte) (int, error) { return s.read(nil, p) }

func (s *gatedSource) read(ctx context.Context, p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.pos >= s.limit && s.pos < s.size() {
		if ctx != nil && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		s.blockedReads.Add(1)
		s.cond.Wait()
		s.blockedReads.Add(-1)
	}
	if s.failAfter >= 0 && s.pos >= s.failAfter {
		return 0, s.failErr
	}
	if s.pos >= s.size() {
		return 0, io.EOF
	}
	end := min(s.limit, s.size(), s.pos+int64(len(p)))
	n := copy(p, s.data[s.pos:end])
	s.pos += int64(n)
	return n, nil
}

func (s *gatedSource) Seek(off int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seeks.Add(1)
	for s.holdSeeks {
		s.blockedSeeks.Add(1)
		s.cond.Wait()
		s.blockedSeeks.Add(-1)
	}
	switch whence {
	case io.SeekCurrent:
		off += s.pos
	case io.SeekEnd:
		off += s.size()
	}
	if off < 0 {
		return 0, errors.New("negative position")
	}
	s.pos = off
	return off, nil
}

// release makes bytes up to limit readable (-1: all).
func (s *gatedSource) release(limit int64) {
	s.mu.Lock()
	if limit < 0 {
		limit = s.size()
	}
	s.limit = limit
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *gatedSource) setHoldSeeks(hold bool) {
	s.mu.Lock()
	s.holdSeeks = hold
	s.cond.Broadcast()
	s.mu.Unlock()
}

// ctxSource is gatedSource with the abilities of the torrent engine's Stream: a
// cancellable read and how much is ready ahead.
type ctxSource struct{ *gatedSource }

func (c ctxSource) ReadContext(ctx context.Context, p []byte) (int, error) {
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop()
	return c.read(ctx, p)
}

func (c ctxSource) BufferedAhead() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(c.limit-c.pos, 0)
}

// waitUntil polls cond; the timeout is a hang guard.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func openSource(t testing.TB, r io.ReadSeeker, size int64, name string, opts Options) (*Player, *recorder) {
	t.Helper()
	rec := newRecorder()
	if opts.Video == nil {
		opts.Video = rec
	}
	opts.Subtitles = rec
	opts.OnEvent = rec.event
	opts.Size, opts.Name = size, name
	p, err := Open(context.Background(), r, opts)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	rec.player.Store(p)
	t.Cleanup(func() { p.Close() })
	return p, rec
}
