package bench

import "time"

// playbackConfig is the player model shared by every engine.
type playbackConfig struct {
	// ahead is how much media the player buffers beyond the playback position before it
	// stops reading. 10 s is Chromium's media buffer target, the player Popcorn Time
	// embeds.
	ahead time.Duration
	// resumeAfter is how much media must be buffered before playback resumes after an
	// underrun (mpv's cache-pause-wait default is 1 s).
	resumeAfter time.Duration
	// rebuffer is the shortest stop that counts as a rebuffer.
	rebuffer time.Duration
}

// defaultPlayback is the model used for every engine.
var defaultPlayback = playbackConfig{ahead: 10 * time.Second, resumeAfter: time.Second, rebuffer: 200 * time.Millisecond}

// playback is a player's clock fed with "media up to time T has arrived" events. The
// clock starts with the first arrival and advances in real time while media is buffered;
// on underrun it stops until resumeAfter more is buffered. Underruns are found when the
// next data arrives, and dated back to the moment the buffer ran dry, so the result does
// not depend on how often the caller looks.
type playback struct {
	cfg       playbackConfig
	started   bool
	first     time.Time
	stalled   bool
	stallFrom time.Time
	base      time.Time     // wall time at which the position was pos (while playing)
	pos       time.Duration // position at base
	avail     time.Duration // media buffered up to here
	rebuffers int
	stallTime time.Duration
	stops     []time.Duration
}

func newPlayback(cfg playbackConfig) *playback { return &playback{cfg: cfg} }

// settle applies what happened between the last event and now: playback up to now, and
// the underrun if the buffer ran dry in between.
func (p *playback) settle(now time.Time) {
	if !p.started || p.stalled {
		return
	}
	if p.pos+now.Sub(p.base) >= p.avail {
		p.stalled = true
		p.stallFrom = p.base.Add(p.avail - p.pos)
		p.pos, p.base = p.avail, p.stallFrom
	}
}

// position is the playback position at now.
func (p *playback) position(now time.Time) time.Duration {
	p.settle(now)
	if !p.started {
		return 0
	}
	if p.stalled {
		return p.pos
	}
	return p.pos + now.Sub(p.base)
}

// stalledFor is how long the position has been stuck waiting for data (0 while playing).
func (p *playback) stalledFor(now time.Time) time.Duration {
	p.settle(now)
	if !p.stalled {
		return 0
	}
	return now.Sub(p.stallFrom)
}

// wantMore reports whether the player reads more: its buffer holds less than ahead.
func (p *playback) wantMore(now time.Time) bool {
	return !p.started || p.avail-p.position(now) < p.cfg.ahead
}

// arrive records that media up to end is buffered at now.
func (p *playback) arrive(now time.Time, end time.Duration) {
	if !p.started {
		p.started, p.first, p.base, p.pos, p.avail = true, now, now, 0, end
		return
	}
	p.settle(now)
	if end > p.avail {
		p.avail = end
	}
	if p.stalled && p.avail-p.pos >= p.cfg.resumeAfter {
		p.resume(now)
	}
}

// finish marks the end of the input: a stalled player plays out what it has.
func (p *playback) finish(now time.Time) {
	p.settle(now)
	if p.stalled && p.avail > p.pos {
		p.resume(now)
	}
}

func (p *playback) resume(now time.Time) {
	stop := now.Sub(p.stallFrom)
	if stop > p.cfg.rebuffer {
		p.rebuffers++
		p.stallTime += stop
		p.stops = append(p.stops, stop)
	}
	p.stalled, p.base = false, now
}

func (p *playback) result(now time.Time) realtimeResult {
	return realtimeResult{firstFrame: p.first, played: p.position(now), rebuffers: p.rebuffers, stallTime: p.stallTime, stops: p.stops}
}
