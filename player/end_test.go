package player

import (
	"testing"
	"time"
)

// TestSeekPastEndLandsOnLastPicture: → in the last seconds asks for a time at or past the
// end. The player shows the film's last picture (not the one from before the seek). Playing,
// it ends with the position at the duration; paused, it stays paused on that picture (as
// mpv with keep-open does) and ends as soon as it plays. Space (TogglePause) after the end
// starts over from the beginning. In each container of the seek cases.
func TestSeekPastEndLandsOnLastPicture(t *testing.T) {
	t.Parallel()
	for name, spec := range seekCases() {
		for _, paused := range []bool{false, true} {
			name := name + map[bool]string{false: "/playing", true: "/paused"}[paused]
			spec := spec
			paused := paused
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				path := media(t, spec)
				p, rec := play(t, path, Options{Audio: NullAudio, StartPaused: paused})
				frameDur := time.Second / 30
				rec.waitEvent(t, 0, 20*time.Second, "first frame", func(e Event) bool { return e.Kind == EventFirstFrame })
				p.Seek(spec.Duration - 9*time.Second) // the picture is at 0:01 of 0:10
				rec.waitEvent(t, 0, 20*time.Second, "seek done", func(e Event) bool { return e.Kind == EventSeekDone })
				before := len(rec.snapshotFrames())
				from := len(rec.snapshotEvents())
				p.Seek(spec.Duration + 5*time.Second)
				if paused {
					rec.waitEvent(t, from, 20*time.Second, "seek done", func(e Event) bool { return e.Kind == EventSeekDone })
				} else {
					rec.waitEvent(t, from, 20*time.Second, "ended", func(e Event) bool { return e.Kind == EventEnded })
				}
				frames := rec.snapshotFrames()
				if len(frames) <= before {
					t.Fatalf("the seek past the end showed no picture: the screen keeps %v", frames[len(frames)-1].pts)
				}
				// The last picture's time depends on the container's rounding and start
				// offset; any of the last three frames is the end, the picture from 0:01 is not.
				if got := frames[len(frames)-1].pts; got < p.Duration()-3*frameDur {
					t.Errorf("after the seek past the end the picture is at %v, want the last one of %v", got, p.Duration())
				}
				if paused {
					if p.State() != StatePaused {
						t.Errorf("state %v after a paused seek past the end, want paused", p.State())
					}
					from = len(rec.snapshotEvents())
					p.Play()
					rec.waitEvent(t, from, 20*time.Second, "ended after playing on", func(e Event) bool { return e.Kind == EventEnded })
				}
				if p.State() != StateEnded || !near(p.Position(), p.Duration(), time.Millisecond) {
					t.Errorf("state %v at %v of %v, want ended at the duration", p.State(), p.Position(), p.Duration())
				}

				shown := len(rec.snapshotFrames())
				p.TogglePause()
				waitUntil(t, 20*time.Second, "a picture after starting over", func() bool { return len(rec.snapshotFrames()) > shown })
				if got := rec.snapshotFrames()[shown].pts; got > frameDur {
					t.Errorf("Space after the end showed %v first, want the start", got)
				}
				waitUntil(t, 20*time.Second, "playing from the start", func() bool { return p.State() == StatePlaying })
				if pos := p.Position(); pos > 5*time.Second {
					t.Errorf("position %v after starting over", pos)
				}
			})
		}
	}
}
