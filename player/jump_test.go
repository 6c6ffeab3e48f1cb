package player

import (
	"testing"
	"time"
)

// TestPositionNeverOutrunsTheClock plays a film through a source that runs dry again and
// again (data arrives in bursts, the way a thin swarm delivers it), several times over,
// sampling the position against the wall clock. With no seek, the position may never
// advance faster than time passes: a jump (a stale seek applied late, a clock that
// catches up after buffering, a burst of events) shows up as a step larger than the time
// between two samples. Issue 17 saw the picture go from 0:13 to 0:49 in 8 s once.
func TestPositionNeverOutrunsTheClock(t *testing.T) {
	t.Parallel()
	path := media(t, bufferingSpec)
	for run := range 3 {
		t.Run("run"+string(rune('1'+run)), func(t *testing.T) {
			t.Parallel()
			src := newGatedSource(t, path, 0)
			burst := src.size() / 10
			src.release(2 * burst)
			p, rec := openSource(t, ctxSource{src}, src.size(), path, Options{Audio: NullAudio})
			rec.waitEvent(t, 0, 30*time.Second, "first frame", func(e Event) bool { return e.Kind == EventFirstFrame })

			stop := make(chan struct{})
			released := make(chan struct{})
			go func() {
				defer close(released)
				for limit := 3 * burst; limit < src.size()+burst; limit += burst {
					select {
					case <-stop:
						return
					case <-time.After(1200 * time.Millisecond): // 0.6 s of film per 1.2 s: it runs dry
					}
					src.release(min(limit, src.size()))
				}
			}()
			defer func() { close(stop); <-released }()

			// slack covers one frame shown early and the sampler's own scheduling; a
			// jump is seconds.
			const slack = 150 * time.Millisecond
			lastWall, lastPos := time.Now(), p.Position()
			worst := time.Duration(0)
			deadline := time.Now().Add(60 * time.Second)
			for p.State() != StateEnded {
				if time.Now().After(deadline) {
					t.Fatalf("not ended after 60 s: %v at %v", p.State(), p.Position())
				}
				time.Sleep(10 * time.Millisecond)
				wall, pos := time.Now(), p.Position()
				if step := (pos - lastPos) - wall.Sub(lastWall); step > worst {
					worst = step
				}
				if pos-lastPos > wall.Sub(lastWall)+slack {
					t.Fatalf("position went from %v to %v in %v of wall time", lastPos, pos, wall.Sub(lastWall))
				}
				if pos < lastPos-slack {
					t.Fatalf("position went back from %v to %v with no seek", lastPos, pos)
				}
				lastWall, lastPos = wall, pos
			}
			if st := p.Stats(); st.Stalls < 2 {
				t.Errorf("%d stalls: the source did not run dry as the test means it to", st.Stalls)
			}
			t.Logf("worst step ahead of the clock %v; %d stalls", worst, p.Stats().Stalls)
		})
	}
}
