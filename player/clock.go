package player

import (
	"sync"
	"time"
)

// clock is a media time that advances with the wall clock between updates (ffplay's
// Clock). The audio callback updates it from the samples it hands to the device; without
// audio the presenter anchors it when a frame lands. The mutex is held for a few
// instructions only, so the audio callback may take it without risk of waiting on I/O.
type clock struct {
	mu     sync.Mutex
	pts    time.Duration // media time at `at`
	at     time.Time
	limit  time.Duration // the clock never runs past this (the end of the audio handed out); 0 = no limit
	serial int
	paused bool
	valid  bool
	now    func() time.Time
}

func newClock(now func() time.Time) *clock {
	if now == nil {
		now = time.Now
	}
	return &clock{now: now, paused: true}
}

// set anchors the clock at pts for serial, running unless paused.
func (c *clock) set(pts time.Duration, serial int, paused bool, limit time.Duration) {
	c.mu.Lock()
	c.pts, c.at, c.serial, c.paused, c.limit, c.valid = pts, c.now(), serial, paused, limit, true
	c.mu.Unlock()
}

// update re-anchors the clock without touching its paused state, which only the player's
// state machine changes; a callback racing with Pause therefore cannot restart it.
func (c *clock) update(pts time.Duration, serial int, limit time.Duration) {
	c.mu.Lock()
	c.pts, c.at, c.serial, c.limit, c.valid = pts, c.now(), serial, limit, true
	c.mu.Unlock()
}

// get returns the media time, its serial, and false if the clock was never set.
func (c *clock) get() (time.Duration, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.valueLocked(), c.serial, c.valid
}

func (c *clock) valueLocked() time.Duration {
	if !c.valid {
		return 0
	}
	v := c.pts
	if !c.paused {
		v += c.now().Sub(c.at)
		if c.limit > 0 && v > c.limit {
			v = c.limit
		}
	}
	return v
}

// unlimit lets the clock run past the end of the audio handed out, for pictures that
// outlast the sound.
func (c *clock) unlimit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.limit == 0 {
		return
	}
	c.pts = c.valueLocked()
	c.at = c.now()
	c.limit = 0
}

// setPaused freezes or restarts the clock at its current value.
func (c *clock) setPaused(paused bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused == paused {
		return
	}
	c.pts = c.valueLocked()
	c.at = c.now()
	c.paused = paused
}
