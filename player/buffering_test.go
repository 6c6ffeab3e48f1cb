package player

import (
	"context"
	"errors"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

var bufferingSpec = mediagen.Spec{Label: "buffering", Container: "mp4", Video: "h264", Duration: 6 * time.Second,
	Audio: []mediagen.AudioTrack{{Codec: "aac"}}}

// TestBufferingStallsAndResumes withholds the bytes past a third of the file: playback
// must enter Buffering with the clock paused while the audio callback and the UI keep
// running, then resume by itself and finish when the bytes arrive.
func TestBufferingStallsAndResumes(t *testing.T) {
	t.Parallel()
	path := media(t, bufferingSpec)
	src := newGatedSource(t, path, 0)
	src.release(src.size() / 3)
	p, rec := openSource(t, ctxSource{src}, src.size(), path, Options{Audio: NullAudio})

	_, idx := rec.waitEvent(t, 0, 30*time.Second, "buffering", func(e Event) bool { return e.Kind == EventBuffering })
	if p.State() != StateBuffering {
		t.Fatalf("state %v after the buffering event", p.State())
	}
	if src.blockedReads.Load() != 1 {
		t.Errorf("%d reads blocked, want the reader's one", src.blockedReads.Load())
	}
	stalledAt := p.Position()
	if stalledAt <= 0 || stalledAt > 3*time.Second {
		t.Errorf("stalled at %v, expected within the first third of 6s", stalledAt)
	}

	// The UI thread stays responsive: every call returns while the read is blocked.
	callbacks := p.gate.callbacks.Load()
	for i := 0; i < 50; i++ {
		_ = p.State()
		_ = p.Stats()
		p.SetVolume(0.5)
		_ = p.Volume()
		_ = p.AudioTracks()
		if got := p.Position(); got != stalledAt {
			t.Fatalf("position moved from %v to %v while buffering", stalledAt, got)
		}
		time.Sleep(2 * time.Millisecond)
	}
	// The audio callback keeps being served (silence) during the stall.
	waitUntil(t, 10*time.Second, "audio callbacks during the stall", func() bool {
		return p.gate.callbacks.Load() >= callbacks+5
	})
	if st := p.Stats(); st.Stalls != 1 || st.StallTime <= 0 {
		t.Errorf("stats during stall: %+v", st)
	}
	for _, e := range rec.snapshotEvents()[idx:] {
		if e.Kind == EventBuffering && (e.Buffer < 0 || e.Buffer >= 1) {
			t.Errorf("buffering progress %v out of [0,1)", e.Buffer)
		}
	}

	src.release(-1)
	rec.waitEvent(t, idx, 10*time.Second, "playing again", func(e Event) bool { return e.Kind == EventState && e.State == StatePlaying })
	waitDone(t, p, 30*time.Second)
	st := p.Stats()
	if p.State() != StateEnded || st.Stalls < 1 || st.StallTime <= 0 {
		t.Fatalf("state %v, stats %+v", p.State(), st)
	}
	if got := st.FramesShown + st.FramesDropped; got < 179 || got > 181 {
		t.Errorf("%d frames presented, want 180 ±1", got)
	}
	if !near(time.Duration(st.AudioFrames)*time.Second/48000, 6*time.Second, 150*time.Millisecond) {
		t.Errorf("played %d audio frames, want 6s worth", st.AudioFrames)
	}
}

// TestBufferingProgress: while stalled, the percentage comes from the source's
// BufferedAhead against two seconds of bitrate, and rises as bytes arrive.
func TestBufferingProgress(t *testing.T) {
	t.Parallel()
	path := media(t, bufferingSpec)
	src := newGatedSource(t, path, 0)
	src.release(src.size() / 4)
	p, rec := openSource(t, ctxSource{src}, src.size(), path, Options{Audio: NullAudio})
	_, idx := rec.waitEvent(t, 0, 30*time.Second, "buffering", func(e Event) bool { return e.Kind == EventBuffering })
	// Release a little at a time: each step unblocks the reader briefly, so the
	// reported progress must grow before playback resumes.
	step := src.size() / 40
	for limit := src.size()/4 + step; p.State() == StateBuffering && limit < src.size(); limit += step {
		src.release(limit)
		time.Sleep(30 * time.Millisecond)
	}
	src.release(-1)
	rec.waitEvent(t, idx, 10*time.Second, "playing again", func(e Event) bool { return e.Kind == EventState && e.State == StatePlaying })
	var progress []float64
	for _, e := range rec.snapshotEvents()[idx:] {
		if e.Kind == EventBuffering {
			progress = append(progress, e.Buffer)
		}
	}
	if len(progress) < 2 || progress[len(progress)-1] <= progress[0] {
		t.Errorf("buffering progress %v does not rise", progress)
	}
}

// TestCloseUnblocksContextRead: Close cancels a read that waits for data through
// ReadContext, and every goroutine ends.
func TestCloseUnblocksContextRead(t *testing.T) {
	path := media(t, bufferingSpec)
	base := goroutineBaseline()
	src := newGatedSource(t, path, 0)
	src.release(src.size() / 3)
	p, rec := openSource(t, ctxSource{src}, src.size(), path, Options{Audio: NullAudio})
	rec.waitEvent(t, 0, 30*time.Second, "buffering", func(e Event) bool { return e.Kind == EventBuffering })
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(closeGrace):
		t.Fatal("Close waited for the blocked read")
	}
	select {
	case <-p.readerDone:
	default:
		t.Error("the reader was still blocked after Close")
	}
	if src.blockedReads.Load() != 0 {
		t.Error("the source read is still blocked")
	}
	checkGoroutines(t, base)
}

// TestCloseAbandonsUncancellableRead: a source without ReadContext cannot be interrupted;
// Close still returns, and the reader frees everything once the read returns.
func TestCloseAbandonsUncancellableRead(t *testing.T) {
	path := media(t, bufferingSpec)
	base := goroutineBaseline()
	src := newGatedSource(t, path, 0)
	src.release(src.size() / 3)
	p, rec := openSource(t, src, src.size(), path, Options{Audio: NullAudio})
	rec.waitEvent(t, 0, 30*time.Second, "buffering", func(e Event) bool { return e.Kind == EventBuffering })
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(2 * closeGrace):
		t.Fatal("Close hung on an uncancellable read")
	}
	if src.blockedReads.Load() != 1 {
		t.Fatal("expected the read to be still blocked")
	}
	src.release(-1)
	waitUntil(t, 5*time.Second, "reader exit", func() bool {
		select {
		case <-p.readerDone:
			return true
		default:
			return false
		}
	})
	checkGoroutines(t, base)
}

// TestOpenHonoursContext: a probe that waits for bytes gives up when Open's context ends.
func TestOpenHonoursContext(t *testing.T) {
	path := media(t, bufferingSpec)
	for _, cancellable := range []bool{true, false} {
		base := goroutineBaseline()
		src := newGatedSource(t, path, 0)
		var r interface {
			Read([]byte) (int, error)
			Seek(int64, int) (int64, error)
		} = src
		if cancellable {
			r = ctxSource{src}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		p, err := Open(ctx, r, Options{Size: src.size(), Name: path, Audio: NullAudio})
		cancel()
		if p != nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cancellable=%v: Open = %v, %v; want a deadline error", cancellable, p, err)
		}
		src.release(-1) // lets an uncancellable read return
		checkGoroutines(t, base)
	}
}
