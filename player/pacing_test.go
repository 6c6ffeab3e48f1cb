package player

import (
	"image"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// steppedTime is a fake wall clock that moves only when advanced.
type steppedTime struct {
	mu sync.Mutex
	t  time.Time
}

func (s *steppedTime) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t
}

func (s *steppedTime) advance(d time.Duration) {
	s.mu.Lock()
	s.t = s.t.Add(d)
	s.mu.Unlock()
}

// TestFrameCountersOnSteppedClock plays a clip without sound, so the presenter times
// pictures on the wall clock, and replaces that clock with a fake one that moves only to
// where the sink lets it: after each picture shown, to a point `ahead` frame times past
// it. A sink as fast as the film (1.5: the next picture is due, the one after is not) must
// get every picture and none dropped; a sink three frame times slow (3.5) makes pictures
// late, and the presenter must drop and count them. Either way every decoded picture is
// counted once, shown or dropped. Nothing here depends on how fast the machine is: the
// media clock never runs past the point the last picture shown allows.
func TestFrameCountersOnSteppedClock(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "pacing", Container: "mp4", Video: "h264", Duration: time.Second}
	path := media(t, spec)
	frameDur := time.Second / 30
	for _, tc := range []struct {
		name        string
		ahead       float64
		wantDropped bool
	}{{"sink keeps up", 1.5, false}, {"sink three frames slow", 3.5, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := &steppedTime{t: time.Unix(1000, 0)}
			var target atomic.Int64 // media time the clock may reach, -1 before any picture
			target.Store(-1)
			rec := newRecorder()
			rec.onShow = func(_ *image.RGBA, pts time.Duration) {
				target.Store(int64(pts + time.Duration(tc.ahead*float64(frameDur))))
			}
			p, _ := play(t, path, Options{Audio: NullAudio, Video: rec, StartPaused: true})
			if p.ring != nil {
				t.Fatal("the clip has sound: the presenter would not run on the wall clock")
			}
			// Every use of the clock's time is under its mutex, and a paused clock ignores
			// it, so the swap is safe before Play.
			p.wallClock.mu.Lock()
			p.wallClock.now = clk.now
			p.wallClock.mu.Unlock()

			stop := make(chan struct{})
			moved := make(chan struct{})
			go func() {
				defer close(moved)
				// Move the clock up to the target. For the slow sink, first let the
				// decoder fill the picture queue (or give up waiting at the end of the
				// clip), so that late pictures have a due successor to be dropped for.
				var waitedSince time.Time
				for {
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
					master, _, ok := p.wallClock.get()
					want := time.Duration(target.Load())
					if !ok || want < 0 || master >= want {
						waitedSince = time.Time{}
						continue
					}
					if tc.wantDropped && len(p.frames) < cap(p.frames) {
						if waitedSince.IsZero() {
							waitedSince = time.Now()
						}
						if time.Since(waitedSince) < 200*time.Millisecond {
							continue
						}
					}
					waitedSince = time.Time{}
					clk.advance(want - master)
				}
			}()
			defer func() { close(stop); <-moved }()
			p.Play()
			waitDone(t, p, 60*time.Second)

			st := p.Stats()
			if got := st.FramesShown + st.FramesDropped; got != spec.FrameCount() {
				t.Errorf("%d shown + %d dropped = %d, want the clip's %d pictures", st.FramesShown, st.FramesDropped, got, spec.FrameCount())
			}
			if shown := len(rec.snapshotFrames()); shown != st.FramesShown {
				t.Errorf("the sink got %d pictures, the player counts %d shown", shown, st.FramesShown)
			}
			if tc.wantDropped && st.FramesDropped == 0 {
				t.Errorf("a sink three frame times slow: %d shown, none dropped", st.FramesShown)
			}
			if !tc.wantDropped && st.FramesDropped != 0 {
				t.Errorf("a sink as fast as the film: %d of %d pictures dropped", st.FramesDropped, spec.FrameCount())
			}
		})
	}
}
