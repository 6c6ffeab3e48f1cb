package player

import (
	"context"
	"hash/crc32"
	"image"
	"io"
	"sync"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// TestPictureBuffers: the sink gets PictureBuffers buffers in turn, and a picture is not
// touched until PictureBuffers-1 more have been shown.
func TestPictureBuffers(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "buffers", Container: "mkv", Video: "h264", Duration: time.Second}
	var mu sync.Mutex
	type held struct {
		img *image.RGBA
		sum uint32
	}
	var history []held
	var violations []string
	rec := newRecorder()
	rec.onShow = func(img *image.RGBA, pts time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		// The pictures before this one must be exactly as they were shown.
		for _, h := range history[max(len(history)-(PictureBuffers-1), 0):] {
			if h.img == img {
				violations = append(violations, "a buffer came back too soon")
			} else if crc32.ChecksumIEEE(h.img.Pix) != h.sum {
				violations = append(violations, "a shown picture changed too soon")
			}
		}
		history = append(history, held{img, crc32.ChecksumIEEE(img.Pix)})
	}
	p, _ := play(t, media(t, spec), Options{Audio: NullAudio, Video: rec})
	rec.player.Store(p)
	waitDone(t, p, 30*time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(violations) > 0 {
		t.Fatalf("%d violations, first: %s", len(violations), violations[0])
	}
	distinct := map[*image.RGBA]bool{}
	for _, h := range history {
		distinct[h.img] = true
	}
	if len(history) < 20 || len(distinct) != PictureBuffers {
		t.Errorf("%d frames over %d buffers, want %d buffers", len(history), len(distinct), PictureBuffers)
	}
}

// TestLateFramesDropped: a sink that stalls for 300 ms makes the frames that fell due
// meanwhile late; they are dropped and counted, and playback catches up with the clock.
func TestLateFramesDropped(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "late", Container: "mp4", Video: "h264", Duration: 2 * time.Second, Audio: []mediagen.AudioTrack{{Codec: "aac"}}}
	rec := newRecorder()
	stalled := false
	rec.onShow = func(img *image.RGBA, pts time.Duration) {
		if pts >= 500*time.Millisecond && !stalled {
			stalled = true
			time.Sleep(300 * time.Millisecond)
		}
	}
	p, _ := play(t, media(t, spec), Options{Audio: NullAudio, Video: rec})
	rec.player.Store(p)
	waitDone(t, p, 30*time.Second)
	st := p.Stats()
	// Nine frames fell due during the stall. The three waiting in the picture queue are
	// all late when the presenter comes back; every one followed by another due frame is
	// dropped, so at least two are, however slowly the decoder refills the queue.
	if st.FramesDropped < 2 || st.FramesShown+st.FramesDropped != 60 {
		t.Errorf("%d shown, %d dropped after a 300 ms stall (9 frames fell due)", st.FramesShown, st.FramesDropped)
	}
	frames := rec.snapshotFrames()
	last := frames[len(frames)-1]
	if d := last.pts - last.clock; d > 40*time.Millisecond || d < -40*time.Millisecond {
		t.Errorf("last frame %v shown at %v: playback did not catch up", last.pts, last.clock)
	}
}

// TestDeviceAudioFallsBack: with DeviceAudio on a machine without a sound card (these test
// machines), the player falls back to the null device and still has a clock.
func TestDeviceAudioFallsBack(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "auto", Container: "mkv", Duration: time.Second, Audio: []mediagen.AudioTrack{{Codec: "flac"}}}
	p, _ := play(t, media(t, spec), Options{Audio: DeviceAudio})
	waitDone(t, p, 30*time.Second)
	if st := p.Stats(); p.State() != StateEnded || !near(time.Duration(st.AudioFrames)*time.Second/48000, time.Second, 100*time.Millisecond) {
		t.Errorf("state %v, stats %+v", p.State(), st)
	}
}

// readSeeker hides every ability but Read and Seek.
type readSeeker struct{ io.ReadSeeker }

// TestUnknownSize: without a size, even an MP4 whose index is at the end opens (FFmpeg
// finds the end by seeking there).
func TestUnknownSize(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "nosize", Container: "mp4", Video: "h264", MoovAtEnd: true, Duration: time.Second, Audio: []mediagen.AudioTrack{{Codec: "aac"}}}
	f, _ := openFile(t, media(t, spec))
	p, err := Open(context.Background(), readSeeker{f}, Options{Size: -1, Audio: NullAudio})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !near(p.Duration(), time.Second, 50*time.Millisecond) {
		t.Errorf("duration %v", p.Duration())
	}
	waitDone(t, p, 30*time.Second)
	if st := p.Stats(); p.State() != StateEnded || st.FramesShown+st.FramesDropped != 30 {
		t.Errorf("state %v, stats %+v", p.State(), st)
	}
}
