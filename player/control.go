package player

import (
	"time"
)

// runControl watches the pipeline: buffering, the end of playback and, without video,
// seek landings. It checks every controlTick while there is something to watch and
// sleeps while playback is paused, ended or failed, until a change of state wakes it.
func (p *Player) runControl() {
	defer p.wg.Done()
	t := time.NewTimer(controlTick)
	defer t.Stop()
	var starvedSince time.Time
	for {
		select {
		case <-p.abort:
			return
		case <-p.controlWake:
		case <-t.C:
		}
		p.turns.Add(1)
		p.checkAudioLanding()
		starvedSince = p.checkBuffering(time.Now(), starvedSince)
		p.checkEnded()
		wait := controlTick
		idle := p.controlIdle()
		if idle {
			wait = idleWait
		}
		if p.out != nil {
			p.out.setRunning(!idle) // here, not in Pause: stopping a device waits for its thread
		}
		t.Reset(wait)
	}
}

func (p *Player) wakeControl() {
	select {
	case p.controlWake <- struct{}{}:
	default:
	}
}

// controlIdle reports whether nothing can change without a call or event that wakes the
// control loop: paused (not buffering, not seeking), ended or failed. A paused video-only
// film whose last picture is out still needs one more check, which the presenter's wake
// gives it.
func (p *Player) controlIdle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.flags
	if f.ended || f.failed {
		return true
	}
	return !f.wantPlay && !f.buffering && !f.seeking && !f.opening && f.started
}
