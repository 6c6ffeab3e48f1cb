package player

import (
	"fmt"
	"time"
)

// shutdown stops every goroutine and frees what they do not free themselves. It waits a
// little for a reader blocked in the source (waitReader) but never for good: the reader
// frees the demuxer itself whenever its read returns.
func (p *Player) shutdown(waitReader time.Duration) {
	p.closed.Store(true)
	close(p.abort)
	p.interrupt()
	if p.videoQ != nil {
		p.videoQ.abort()
	}
	p.pipeMu.Lock()
	a := p.audio
	p.audio = nil
	p.pipeMu.Unlock()
	if a != nil {
		a.stop()
	}
	if p.out != nil {
		p.out.close() // the callback has returned for good after this
	}
	p.mu.Lock()
	p.applyLocked()
	p.mu.Unlock()
	deadline := time.NewTimer(closeGrace)
	defer deadline.Stop()
	workers := make(chan struct{})
	go func() { p.wg.Wait(); close(workers) }()
	select {
	case <-workers:
	case <-deadline.C:
	}
	readerWait := time.NewTimer(waitReader)
	defer readerWait.Stop()
	select {
	case <-p.readerDone:
	case <-readerWait.C:
	}
	if p.frames != nil {
		for {
			select {
			case vf := <-p.frames:
				vf.free()
				continue
			default:
			}
			break
		}
	}
}

// teardown undoes a partial Open, which must not outlast its context: a reader stuck in
// the probe is left to finish on its own.
func (p *Player) teardown() {
	p.shutdown(0)
	if p.events != nil {
		p.events.Close()
	}
}

func (p *Player) closeDone() {
	p.doneOnce.Do(func() { close(p.done) })
}

func (p *Player) startGoroutines() {
	if p.videoQ != nil {
		p.wg.Add(1)
		go p.runPresenter(p.opts.Video)
	}
	if p.opts.Subtitles != nil {
		p.wg.Add(1)
		go p.runSubtitler(p.opts.Subtitles)
	}
	p.wg.Add(1)
	go p.runControl()
}

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

// Buffering thresholds: playback pauses when a stream has run dry while the reader has
// waited at least stallAfter for the source, and resumes with bufferGoal of media queued
// on every stream (or at the end of the file).
const (
	stallAfter   = 100 * time.Millisecond
	bufferGoal   = time.Second
	controlTick  = 20 * time.Millisecond
	audioLowMark = 50 * time.Millisecond
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
	if p.videoQ != nil {
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
