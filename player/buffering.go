package player

import (
	"time"
)

// Buffering thresholds: playback pauses when a stream has run dry while the reader has
// waited at least stallAfter for the source, and resumes with bufferGoal of media queued
// on every stream (or at the end of the file).
const (
	stallAfter   = 100 * time.Millisecond
	bufferGoal   = time.Second
	controlTick  = 20 * time.Millisecond
	audioLowMark = 50 * time.Millisecond
)

// level sums up what is queued ahead of playback on every active stream.
type level struct {
	starved bool          // some stream has nothing left to decode or play
	span    time.Duration // the smallest queued span among active streams
	eof     bool          // the reader reached the end
}

func (p *Player) pipelineLevel() level {
	lv := level{span: -1, eof: p.readerEOF.Load()}
	add := func(span time.Duration, starved bool) {
		if lv.span < 0 || span < lv.span {
			lv.span = span
		}
		lv.starved = lv.starved || starved
	}
	if p.videoQ != nil && !p.coverArt { // a cover's one packet is all it ever has
		_, span, n, _ := p.videoQ.level()
		add(span, n == 0 && len(p.frames) == 0)
	}
	p.pipeMu.Lock()
	a := p.audio
	p.pipeMu.Unlock()
	if a != nil {
		_, span, n, _ := a.dec.queue.level()
		buffered := p.ring.bufferedTime()
		add(span+buffered, n == 0 && buffered < audioLowMark)
	}
	if lv.span < 0 {
		lv.span = 0
	}
	return lv
}

// checkBuffering enters Buffering when playback starves on a blocked read and leaves it
// when enough is queued again; it returns when starvation began.
func (p *Player) checkBuffering(now time.Time, starvedSince time.Time) time.Time {
	lv := p.pipelineLevel()
	fraction := min(float64(lv.span)/float64(bufferGoal), 1)
	if ahead := p.src.bufferedAhead(); ahead >= 0 && p.info.Bitrate > 0 {
		need := float64(p.info.Bitrate) / 8 * readAhead.Seconds()
		fraction = max(fraction, min(float64(ahead)/need, 1))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.flags
	if f.ended || f.failed || f.opening || p.closed.Load() {
		return time.Time{}
	}
	if !f.buffering {
		p.bufferPct = min(float64(lv.span)/float64(readAhead), 1)
		if !lv.starved || lv.eof || !f.wantPlay {
			return time.Time{}
		}
		if starvedSince.IsZero() {
			starvedSince = now
		}
		if now.Sub(starvedSince) < stallAfter || p.src.blockedFor(now) < stallAfter {
			return starvedSince
		}
		p.flags.buffering = true
		p.stalls++
		p.stallStart = now
		p.bufferPct = fraction
		p.applyLocked()
		p.emitLocked(Event{Kind: EventBuffering, Buffer: fraction})
		return time.Time{}
	}
	if lv.eof || lv.span >= bufferGoal || p.queuesFull() {
		p.flags.buffering = false
		p.stallTotal += now.Sub(p.stallStart)
		p.bufferPct = 1
		p.applyLocked()
		return time.Time{}
	}
	fraction = min(fraction, 0.99)
	if fraction-p.bufferPct >= 0.01 || fraction < p.bufferPct {
		p.bufferPct = fraction
		p.emitLocked(Event{Kind: EventBuffering, Buffer: fraction})
	}
	return time.Time{}
}
