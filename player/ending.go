package player

import (
	"fmt"
	"time"
)

// earlyEndSlack (or 1% of the duration, if more) is how far before its declared duration a
// film may end and still count as ended: durations in headers are rounded, and a last audio
// packet or edit list can stretch them.
const earlyEndSlack = 2 * time.Second

// checkEnded finishes playback once the last picture is shown and the last sample played.
func (p *Player) checkEnded() {
	cur := p.serial.Load()
	videoDone := p.videoQ == nil || p.videoDone.Load() == cur
	audioDone := p.ring == nil || (p.gate.eof.Load() == cur && p.ring.buffered() == 0)
	if !videoDone || !audioDone {
		return
	}
	p.reqMu.Lock()
	pending := p.seekReq != nil
	p.reqMu.Unlock()
	p.mu.Lock()
	if p.flags.ended || p.flags.failed || p.flags.seeking || pending || !p.flags.started {
		p.mu.Unlock()
		return
	}
	end := p.positionLocked()
	if last := time.Duration(p.lastVideoPTS.Load()) + p.frameDur; p.videoQ != nil && last > end {
		end = last
	}
	if d := p.info.Duration; d > 0 && end > d {
		end = d
	}
	if d := p.info.Duration; d > 0 && d-end > max(earlyEndSlack, d/100) {
		// The demuxer ran out of packets long before the duration the file declares: a
		// damaged index or missing data, which the user should hear about rather than a
		// film that "ended".
		p.mu.Unlock()
		p.fail(fmt.Errorf("%w: playback ended at %v of %v; the file's index is damaged or part of it is missing",
			ErrTruncated, end.Round(time.Second), d.Round(time.Second)))
		return
	}
	p.position = end
	p.flags.ended = true
	p.applyLocked()
	p.emitLocked(Event{Kind: EventEnded})
	p.mu.Unlock()
	p.closeDone()
}
