package player

import (
	"time"
)

// landed is called when the first picture of serial is out (pts < 0: the serial ended
// before any picture, a seek past the end). It releases that serial's sound, anchors the
// wall clock and finishes a seek unless another one is waiting.
func (p *Player) landed(serial int, pts time.Duration) {
	if pts < 0 {
		pts = p.seekState.Load().target
	}
	p.gate.playSerial.Store(int64(serial))
	if p.ring == nil {
		p.wallClock.set(pts, serial, !p.gate.playing.Load(), 0)
	}
	p.reqMu.Lock()
	pending := p.seekReq != nil
	p.reqMu.Unlock()
	p.mu.Lock()
	if int64(serial) == p.serial.Load() && !pending {
		p.position = pts
		if p.flags.seeking {
			p.flags.seeking = false
			p.applyLocked()
			p.emitLocked(Event{Kind: EventSeekDone, Target: p.flags.target, Landed: pts})
		}
	}
	if !p.flags.started {
		p.flags.started = true
		p.emitLocked(Event{Kind: EventFirstFrame})
	}
	p.mu.Unlock()
	p.subs.wake()
}

func (p *Player) hasStarted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.flags.started
}

// refresh re-reads from the current position (after a track switch) without a visible
// seek.
func (p *Player) refresh() {
	t := p.refreshPoint()
	p.requestSeek(seekRequest{target: t, from: t})
}

// requestSeek leaves req for the reader, replacing any request it has not yet taken.
func (p *Player) requestSeek(req seekRequest) {
	p.reqMu.Lock()
	p.seekReq = &req
	p.reqMu.Unlock()
	p.wakeReader()
}

// retryEarlier is called by a decoder whose first picture after a seek came later than
// the target: the demuxer landed after it (MPEG-TS has no index and lands on any packet,
// so the decoder waits for the next keyframe). It seeks again further back, 1 s, 4 s, 16 s,
// 64 s, then to the first timestamp, then to before it, keeping the target; it reports
// whether it did.
func (p *Player) retryEarlier(st *seekState, serial int, first, tolerance time.Duration) bool {
	if st.serial != serial || serial == 0 || st.from < 0 || first <= st.target+tolerance {
		return false
	}
	from := st.target - time.Second<<(2*st.retry)
	switch {
	case st.from == 0:
		from = fromVeryStart
	case st.retry >= 4 || from < 0:
		from = 0
	}
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	if p.seekReq != nil || int64(serial) != p.serial.Load() {
		return true // a newer seek supersedes this one anyway
	}
	p.seekReq = &seekRequest{target: st.target, from: from, retry: st.retry + 1}
	p.wakeReader()
	return true
}

// refreshPoint pins the reported position for a re-read from where playback is.
func (p *Player) refreshPoint() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.position = p.positionLocked()
	return p.position
}

// checkAudioLanding lands a sound-only film's seek past its end, where no sample comes
// out to land on.
func (p *Player) checkAudioLanding() {
	if p.videoQ != nil || p.ring == nil {
		return
	}
	cur := int(p.serial.Load())
	p.mu.Lock()
	need := p.flags.seeking || !p.flags.started
	p.mu.Unlock()
	if need && p.gate.eof.Load() == int64(cur) && p.ring.buffered() == 0 {
		p.landed(cur, -1)
	}
}
