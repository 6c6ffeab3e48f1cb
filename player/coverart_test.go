package player

import (
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// An album (an .m4a or .mp3 with its cover) is sound with one still picture: FFmpeg
// gives the picture as a video stream of one packet, queued again after every seek.
var coverArtSpec = mediagen.Spec{Label: "cover-art", Container: "mp4", CoverArt: true, Duration: 8 * time.Second,
	Audio: []mediagen.AudioTrack{{Codec: "aac"}}}

// TestCoverArtSeekWhileDownloading: a seek into an album whose end has not arrived yet
// lands at its target, with the cover on screen and the sound playing from there. The
// cover used to be dropped as a picture from before the target, and the sound waited
// for a next picture that never comes until the end of the file was read.
func TestCoverArtSeekWhileDownloading(t *testing.T) {
	t.Parallel()
	path := media(t, coverArtSpec)
	src := newGatedSource(t, path, 0)
	src.release(src.size() * 3 / 4)
	p, rec := openSource(t, ctxSource{src}, src.size(), path, Options{Audio: NullAudio, StartPaused: true})
	if v := p.Info().Video; v == nil || v.FPS != 0 {
		t.Errorf("video %+v, want the cover with no frame rate", v)
	}
	seekAndPlay(t, p, rec, 4*time.Second, 100*time.Millisecond)
	waitUntil(t, 10*time.Second, "sound past 4.5s", func() bool { return p.Position() >= 4500*time.Millisecond })
	if n := len(rec.snapshotFrames()); n != 1 {
		t.Errorf("%d pictures shown, want the cover once", n)
	}
	src.release(-1)
	waitDone(t, p, 20*time.Second)
	if p.State() != StateEnded {
		t.Fatalf("state %v, err %v", p.State(), p.Err())
	}
}

// TestCoverArtPlaysWhatHasArrived: an album still downloading plays the sound it has
// and buffers only when that runs out. The cover's stream, empty after its one packet,
// used to count as starved: the player buffered as soon as a read waited, and stayed so
// until the end of the file arrived.
func TestCoverArtPlaysWhatHasArrived(t *testing.T) {
	t.Parallel()
	path := media(t, coverArtSpec)
	src := newGatedSource(t, path, 0)
	src.release(src.size() / 2)
	p, rec := openSource(t, ctxSource{src}, src.size(), path, Options{Audio: NullAudio})
	ev, idx := rec.waitEvent(t, 0, 15*time.Second, "buffering", func(e Event) bool { return e.Kind == EventBuffering })
	// Half the bytes hold about 4 s of sound.
	if ev.Position < 3*time.Second {
		t.Errorf("buffering at %v with about 4s of the sound downloaded", ev.Position)
	}
	src.release(-1)
	rec.waitEvent(t, idx, 10*time.Second, "playing again", func(e Event) bool { return e.Kind == EventState && e.State == StatePlaying })
	waitDone(t, p, 20*time.Second)
	if p.State() != StateEnded || !near(p.Position(), 8*time.Second, 100*time.Millisecond) {
		t.Fatalf("state %v at %v, err %v", p.State(), p.Position(), p.Err())
	}
}
