package player

import (
	"math"
	"sync/atomic"
	"time"
)

// audioMark stamps the samples written from frame index at onwards with their media time
// and seek serial.
type audioMark struct {
	at     uint64
	pts    time.Duration
	serial int64
}

const markCapacity = 512

// sampleRing is a single-producer single-consumer ring of interleaved float samples at
// the device's format, with a parallel ring of timestamp marks. The audio decoder writes;
// the device callback reads. Neither side locks: positions are atomic counters of frames
// written and read since the start, so the callback can never wait for the decoder.
type sampleRing struct {
	channels int
	rate     int
	buf      []float32
	capacity uint64 // in frames

	w, r   atomic.Uint64 // frames written / read
	marks  [markCapacity]audioMark
	mw, mr atomic.Uint64 // marks written / the consumer's current mark
}

func newSampleRing(rate, channels int, span time.Duration) *sampleRing {
	frames := uint64(span.Seconds() * float64(rate))
	return &sampleRing{channels: channels, rate: rate, capacity: frames, buf: make([]float32, frames*uint64(channels))}
}

// buffered is the number of frames written and not yet read.
func (s *sampleRing) buffered() uint64 { return s.w.Load() - s.r.Load() }

func (s *sampleRing) bufferedTime() time.Duration {
	return time.Duration(s.buffered()) * time.Second / time.Duration(s.rate)
}

// write copies as many whole frames of samples as fit and returns how many frames it
// wrote; pts is the media time of samples[0]. Only the decoder goroutine calls it.
func (s *sampleRing) write(samples []float32, pts time.Duration, serial int64) int {
	w := s.w.Load()
	free := s.capacity - (w - s.r.Load())
	mw := s.mw.Load()
	if free == 0 || mw-s.mr.Load() >= markCapacity-1 {
		return 0
	}
	n := min(uint64(len(samples)/s.channels), free)
	if n == 0 {
		return 0
	}
	s.marks[mw%markCapacity] = audioMark{at: w, pts: pts, serial: serial}
	s.mw.Store(mw + 1)
	ch := uint64(s.channels)
	for i := uint64(0); i < n; {
		off := (w + i) % s.capacity
		run := min(n-i, s.capacity-off)
		copy(s.buf[off*ch:(off+run)*ch], samples[i*ch:(i+run)*ch])
		i += run
	}
	s.w.Store(w + n)
	return int(n)
}

// audioGate is what the callback needs to know about the player, as atomics.
type audioGate struct {
	playing    atomic.Bool  // the clock runs: not paused, not buffering, not ended
	skipBelow  atomic.Int64 // samples of older serials are stale: discard them
	playSerial atomic.Int64 // the serial allowed to sound (opens when video lands)
	eof        atomic.Int64 // the serial whose last samples are in the ring
	volume     atomic.Uint64
	muted      atomic.Bool

	callbacks atomic.Int64 // device callbacks served
	underruns atomic.Int64 // callbacks that ran out of samples while playing
	played    atomic.Int64 // frames of real audio handed to the device
}

func (g *audioGate) setVolume(v float64) { g.volume.Store(math.Float64bits(v)) }
func (g *audioGate) getVolume() float64  { return math.Float64frombits(g.volume.Load()) }

// render is the device callback body: it fills out with the next samples of the serial
// allowed to play, scaled by the volume, or silence; then it updates the audio clock from
// the samples it handed out. It never blocks. It reports whether it took samples from the
// ring (played or dropped as stale), that is whether the writer has room again.
func (s *sampleRing) render(out []float32, g *audioGate, clk *clock, latency time.Duration) bool {
	r0 := s.r.Load()
	g.callbacks.Add(1)
	frames := uint64(len(out) / s.channels)
	ch := uint64(s.channels)
	filled := uint64(0)
	var startPts, endPts time.Duration
	var serial int64
	played := false
	if g.playing.Load() {
		gain := float32(g.getVolume())
		if g.muted.Load() {
			gain = 0
		}
		skip, allowed := g.skipBelow.Load(), g.playSerial.Load()
		for filled < frames {
			r, w := s.r.Load(), s.w.Load()
			mr, mw := s.mr.Load(), s.mw.Load()
			if mr >= mw {
				break // nothing was ever written
			}
			// Move to the newest mark that starts at or before the read position.
			for mr+1 < mw && s.marks[(mr+1)%markCapacity].at <= r {
				mr++
			}
			s.mr.Store(mr)
			cur := s.marks[mr%markCapacity]
			end := w
			if mr+1 < mw {
				end = s.marks[(mr+1)%markCapacity].at
			}
			if cur.serial < skip {
				if end == r {
					break
				}
				s.r.Store(end) // stale: drop the chunk unheard
				continue
			}
			if cur.serial != allowed || end == r {
				break // not yet allowed to sound, or underrun
			}
			n := min(frames-filled, end-r)
			pos := r - cur.at
			pts := cur.pts + time.Duration(pos)*time.Second/time.Duration(s.rate)
			if !played {
				startPts, serial, played = pts, cur.serial, true
			}
			for i := uint64(0); i < n; {
				off := (r + i) % s.capacity
				run := min(n-i, s.capacity-off)
				src := s.buf[off*ch : (off+run)*ch]
				dst := out[(filled+i)*ch : (filled+i+run)*ch]
				for j, v := range src {
					dst[j] = v * gain
				}
				i += run
			}
			filled += n
			endPts = pts + time.Duration(n)*time.Second/time.Duration(s.rate)
			s.r.Store(r + n)
		}
		if filled < frames {
			if g.eof.Load() == allowed && s.buffered() == 0 {
				// The sound is over but pictures may remain: let the clock run on.
				clk.unlimit()
			} else {
				g.underruns.Add(1)
			}
		}
	}
	clear(out[filled*ch:])
	if played {
		g.played.Add(int64(filled))
		clk.update(startPts-latency, int(serial), endPts)
	}
	return s.r.Load() != r0
}
