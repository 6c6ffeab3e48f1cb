package player

import (
	"time"
)

// masterClock is the audio clock when there is sound, else the wall clock.
func (p *Player) masterClock() (time.Duration, int, bool) {
	if p.ring != nil {
		return p.audioClock.get()
	}
	return p.wallClock.get()
}

// derive maps the flags to the one state the UI shows, most urgent first.
func (f stateFlags) derive() State {
	switch {
	case f.failed:
		return StateError
	case f.ended:
		return StateEnded
	case f.seeking:
		return StateSeeking
	case f.buffering:
		return StateBuffering
	case f.opening:
		return StateOpening
	case f.wantPlay:
		return StatePlaying
	}
	return StatePaused
}

// applyLocked starts or stops the clocks to match the flags and announces a state change.
func (p *Player) applyLocked() {
	f := p.flags
	running := f.wantPlay && !f.buffering && !f.ended && !f.failed && !f.opening && !p.closed.Load()
	if p.gate.playing.Load() != running {
		p.gate.playing.Store(running)
		p.audioClock.setPaused(!running)
		p.wallClock.setPaused(!running)
		p.wakePresenter()
		p.subs.wake()
	}
	p.wakeControl()
	if st := f.derive(); st != p.state {
		p.state = st
		p.emitLocked(Event{Kind: EventState})
	}
}

func (p *Player) emit(e Event) {
	p.mu.Lock()
	p.emitLocked(e)
	p.mu.Unlock()
}

func (p *Player) emitLocked(e Event) {
	if p.events == nil {
		return
	}
	e.State = p.state
	e.Position = p.positionLocked()
	p.events.Push(e)
}

// fail stops playback on err.
func (p *Player) fail(err error) {
	p.mu.Lock()
	if p.flags.failed || p.closed.Load() {
		p.mu.Unlock()
		return
	}
	p.position = p.positionLocked()
	p.flags.failed = true
	p.err = err
	p.applyLocked()
	p.emitLocked(Event{Kind: EventError, Err: err})
	p.mu.Unlock()
	p.closeDone()
}
