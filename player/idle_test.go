package player

import (
	"testing"
	"time"
)

// idleTurnsPerSecond bounds the wake-ups of a paused or ended player's goroutines: each
// may wake once per idleWait as a safety net, nothing more. A player that polls (every
// 5–20 ms) wakes hundreds of times a second.
const idleTurnsPerSecond = 8

// idleTurns is how many times the player's loops woke during window, and how many
// pictures it presented.
func idleTurns(p *Player, window time.Duration) (turns int64, frames int) {
	t0, f0 := p.turns.Load(), p.Stats().FramesShown+p.Stats().FramesDropped
	time.Sleep(window)
	st := p.Stats()
	return p.turns.Load() - t0, st.FramesShown + st.FramesDropped - f0
}

// TestPausedPlayerSleeps: once paused, the player decodes and presents nothing and its
// goroutines block instead of polling; Play wakes them and playback goes on.
func TestPausedPlayerSleeps(t *testing.T) {
	path := media(t, bufferingSpec)
	p, rec := play(t, path, Options{Audio: NullAudio})
	rec.waitEvent(t, 0, 30*time.Second, "first frame", func(e Event) bool { return e.Kind == EventFirstFrame })
	waitUntil(t, 10*time.Second, "some playback", func() bool { return p.Position() > 500*time.Millisecond })
	p.Pause()
	waitUntil(t, 5*time.Second, "paused", func() bool { return p.State() == StatePaused })
	time.Sleep(300 * time.Millisecond) // the queues fill up to their read-ahead and stop
	at := p.Position()
	turns, frames := idleTurns(p, 2*time.Second)
	if frames != 0 {
		t.Errorf("%d pictures presented while paused", frames)
	}
	if turns > 2*idleTurnsPerSecond {
		t.Errorf("the paused player's loops woke %d times in 2 s, want at most %d", turns, 2*idleTurnsPerSecond)
	}
	if got := p.Position(); got != at {
		t.Errorf("position moved from %v to %v while paused", at, got)
	}
	p.Play()
	waitUntil(t, 5*time.Second, "playing again", func() bool { return p.Position() > at+300*time.Millisecond })
	waitDone(t, p, 30*time.Second)
	if p.State() != StateEnded {
		t.Fatalf("state %v, want ended", p.State())
	}
}

// TestEndedPlayerSleeps: after the end the player's loops block too.
func TestEndedPlayerSleeps(t *testing.T) {
	path := media(t, bufferingSpec)
	p, rec := play(t, path, Options{Audio: NullAudio})
	rec.waitEvent(t, 0, 30*time.Second, "first frame", func(e Event) bool { return e.Kind == EventFirstFrame })
	p.Seek(bufferingSpec.Duration - 700*time.Millisecond)
	waitDone(t, p, 30*time.Second)
	if p.State() != StateEnded {
		t.Fatalf("state %v, want ended", p.State())
	}
	time.Sleep(200 * time.Millisecond)
	turns, frames := idleTurns(p, 2*time.Second)
	if frames != 0 {
		t.Errorf("%d pictures presented after the end", frames)
	}
	if turns > 2*idleTurnsPerSecond {
		t.Errorf("the ended player's loops woke %d times in 2 s, want at most %d", turns, 2*idleTurnsPerSecond)
	}
}
