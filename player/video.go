package player

import (
	"image"
	"math"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// FrameSink receives pictures from the presenter goroutine when they are due.
type FrameSink interface {
	// ShowFrame is called from the presenter goroutine when a frame is due. img is one of
	// the player's PictureBuffers buffers: tight stride, origin rectangle; it stays valid
	// and untouched until PictureBuffers-1 more frames have been shown. ShowFrame must not
	// block on the UI
	// thread (with Fyne, use fyne.Do, not fyne.DoAndWait), or Close could wait for it.
	ShowFrame(img *image.RGBA, pts time.Duration)
}

// PictureBuffers is how many RGBA buffers the presenter cycles. Three let a sink keep the
// picture it shows and one waiting behind it while the next one is converted.
const PictureBuffers = 3

// NullVideo is mpv's vo_null: pictures are decoded and timed against the clock, counted as
// shown, and never converted. Headless playback and benchmarks of the decoder use it.
var NullVideo FrameSink = nullVideo{}

type nullVideo struct{}

func (nullVideo) ShowFrame(*image.RGBA, time.Duration) {}

// videoFrame is a decoded picture on its way to the presenter.
type videoFrame struct {
	f      *astiav.Frame
	pts    time.Duration
	serial int
	eof    bool
}

func (v *videoFrame) free() {
	if v.f != nil {
		v.f.Free()
		v.f = nil
	}
}

// frameQueueSize is ffplay's VIDEO_PICTURE_QUEUE_SIZE: decoded pictures waiting for their
// time. More only costs memory (8 MB each at 1080p).
const frameQueueSize = 3

// runVideoDecoder decodes video packets into the presenter's frame queue until abort.
func (p *Player) runVideoDecoder(d *decoder) {
	defer p.wg.Done()
	defer d.free()
	fallback := time.Duration(0)
	firstOf, abandoned, sentOf := 0, -1, -1
	// last is the latest picture dropped on the way to a seek target: a seek at or past
	// the end (→ in the last seconds) lands on it, the film's last picture, rather than
	// leaving the picture from before the seek under a clock that says the end.
	var last *videoFrame
	defer func() {
		if last != nil {
			last.free()
		}
	}()
	for {
		it, ok := d.queue.getCurrent(&p.serial)
		if !ok {
			return
		}
		seek := p.seekState.Load()
		d.decode(it, func(f *astiav.Frame) {
			pts := framePTS(f, d.tb, p.startTime, fallback)
			dur := p.frameDur
			fallback = pts + dur
			if firstOf != d.serial {
				firstOf = d.serial
				if p.retryEarlier(seek, d.serial, pts, dur/2) {
					abandoned = d.serial
				}
			}
			if abandoned == d.serial {
				return
			}
			// Decode and drop up to the seek target. The millisecond of slack absorbs
			// containers that round timestamps to milliseconds (Matroska), where the
			// frame at the target would otherwise seem to end a hair after it.
			if seek.serial == d.serial && pts+dur <= seek.target+time.Millisecond {
				if last == nil {
					last = &videoFrame{f: astiav.AllocFrame()}
				} else {
					last.f.Unref()
				}
				if last.f.Ref(f) == nil {
					last.pts, last.serial = pts, d.serial
				} else {
					last.serial = -1
				}
				return
			}
			vf := &videoFrame{f: astiav.AllocFrame(), pts: pts, serial: d.serial}
			vf.f.Ref(f)
			if sentOf = d.serial; last != nil && last.serial >= 0 {
				last.f.Unref() // landed on a picture of its own: the held one is not needed
				last.serial = -1
			}
			p.sendFrame(vf)
		})
		if it.eof {
			// A seek into the last GOP of a file without an index can reach the end
			// before any keyframe: try again from further back.
			if firstOf != d.serial && p.retryEarlier(seek, d.serial, math.MaxInt64, 0) {
				continue
			}
			if sentOf != d.serial && last != nil && last.serial == d.serial {
				p.sendFrame(last)
				last = nil
			}
			p.sendFrame(&videoFrame{serial: d.serial, eof: true})
		}
	}
}

func (p *Player) sendFrame(vf *videoFrame) {
	select {
	case p.frames <- vf:
		p.wakePresenter()
	case <-p.abort:
		vf.free()
	}
}

func (p *Player) wakePresenter() {
	select {
	case p.presenterWake <- struct{}{}:
	default:
	}
}

// presenter times pictures against the master clock, drops late ones, converts the rest
// into the next RGBA buffer and hands them to the sink.
type presenter struct {
	p      *Player
	sink   FrameSink
	scaler rgbaScaler
	bufs   [PictureBuffers]*image.RGBA
	// unturned holds a picture of a turned film before its turn (see orientation.convert).
	unturned *image.RGBA
	next     int
	pending  *videoFrame // taken from the queue, not yet shown
	landed   int         // the serial whose first frame was shown, -1 before any
	done     int         // the serial whose end marker was reached, -1 if none
	timer    *time.Timer
}

// noSyncThreshold is ffplay's AV_NOSYNC_THRESHOLD: a picture this far from the clock is
// a discontinuity, not lateness.
const noSyncThreshold = 10 * time.Second

// maxWait bounds a sleep until a picture is due, so a change of clock is noticed quickly
// even without a wake-up.
const maxWait = 20 * time.Millisecond

// idleWait is how long a goroutine with nothing to do (paused, queues full, nothing
// decoded yet, the end reached) sleeps when nothing wakes it: every change that gives it
// work (a frame queued, play, a seek, room in a queue, Close) wakes it at once, so this
// is only a safety net and a paused player costs no CPU.
const idleWait = time.Second

func (p *Player) runPresenter(sink FrameSink) {
	defer p.wg.Done()
	pr := &presenter{p: p, sink: sink, landed: -1, done: -1, timer: time.NewTimer(time.Hour)}
	defer pr.cleanup()
	for {
		select {
		case <-p.abort:
			return
		default:
		}
		if wait := pr.step(); wait > 0 {
			pr.sleep(wait)
		}
	}
}

func (pr *presenter) sleep(d time.Duration) {
	pr.p.turns.Add(1)
	pr.timer.Reset(d)
	select {
	case <-pr.timer.C:
	case <-pr.p.presenterWake:
		pr.timer.Stop() // Go ≥ 1.23: no stale tick to drain
	case <-pr.p.abort:
	}
}

// peek returns the next frame of the current serial, discarding stale ones, or nil.
func (pr *presenter) peek() *videoFrame {
	for {
		if pr.pending == nil {
			select {
			case vf := <-pr.p.frames:
				pr.pending = vf
			default:
				return nil
			}
		}
		if pr.pending.serial < int(pr.p.serial.Load()) {
			pr.pending.free()
			pr.pending = nil
			continue
		}
		return pr.pending
	}
}

// step does one unit of presenter work and returns how long to sleep before the next.
func (pr *presenter) step() time.Duration {
	p := pr.p
	vf := pr.peek()
	if vf == nil {
		return idleWait // sendFrame wakes the presenter
	}
	if vf.eof {
		if pr.landed != vf.serial {
			pr.landed = vf.serial
			if p.framesShown.Load() == 0 && p.framesDropped.Load() == 0 && !p.hasStarted() {
				// Not one picture since the file was opened: its video is broken, not short.
				p.fail(ErrNoPicture)
				return idleWait
			}
			p.landed(vf.serial, -1) // a seek past the last frame
		}
		pr.done = vf.serial
		p.videoDone.Store(int64(vf.serial))
		p.wakeControl() // it may be the end of the film
		pr.pending = nil
		return 0
	}
	if pr.landed != vf.serial {
		// The first picture after open or a seek is shown at once, even while paused,
		// and releases the audio of its serial.
		pr.landed = vf.serial
		pr.pending = nil
		pr.show(vf)
		p.landed(vf.serial, vf.pts)
		return 0
	}
	if p.opts.Unpaced {
		pr.pending = nil
		pr.show(vf)
		return 0
	}
	if !p.gate.playing.Load() {
		return idleWait // Play (applyLocked) wakes the presenter
	}
	master, serial, ok := p.masterClock()
	if !ok || serial != vf.serial {
		return 5 * time.Millisecond // the clock has not caught up with the seek yet
	}
	diff := vf.pts - master
	if diff > noSyncThreshold || diff < -noSyncThreshold {
		// A timestamp jump (a broken or spliced file): show it rather than wait for it
		// or drop everything up to it, and let the wall clock follow.
		pr.pending = nil
		if p.ring == nil {
			p.wallClock.set(vf.pts, vf.serial, false, 0)
		}
		pr.show(vf)
		return 0
	}
	if diff > 0 {
		return min(diff, maxWait)
	}
	// Due. If the one after it is due as well, this one is late: drop it.
	pr.pending = nil
	if nx := pr.peek(); nx != nil && !nx.eof && nx.serial == vf.serial && nx.pts <= master {
		p.framesDropped.Add(1)
		vf.free()
		return 0
	}
	pr.show(vf)
	return 0
}

// show converts vf into the next of the PictureBuffers buffers and hands it to the sink.
func (pr *presenter) show(vf *videoFrame) {
	defer vf.free()
	p := pr.p
	p.lastVideoPTS.Store(int64(vf.pts))
	if pr.sink == NullVideo {
		p.framesShown.Add(1)
		return
	}
	w, h := p.outputSize(vf.f.Width(), vf.f.Height())
	img := pr.bufs[pr.next]
	if img == nil || img.Rect.Dx() != w || img.Rect.Dy() != h {
		img = newRGBA(w, h)
		pr.bufs[pr.next] = img
	}
	var err error
	if pr.unturned, err = p.turn.convert(&pr.scaler, vf.f, img, pr.unturned); err != nil {
		p.framesDropped.Add(1)
		return
	}
	pr.next = (pr.next + 1) % len(pr.bufs)
	p.framesShown.Add(1)
	pr.sink.ShowFrame(img, vf.pts)
}

// newRGBA allocates a tight-stride picture. The backing array has slack after Pix because
// swscale's SIMD paths may write a few bytes past the last pixel of a row.
func newRGBA(w, h int) *image.RGBA {
	n := 4 * w * h
	buf := make([]byte, n+256)
	return &image.RGBA{Pix: buf[:n:n], Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
}

func (pr *presenter) cleanup() {
	pr.timer.Stop()
	if pr.pending != nil {
		pr.pending.free()
	}
	pr.scaler.free()
}

// nearSourceSize is how far below the source's size a picture still keeps its source
// size, leaving the small remainder to the GPU, which scales the texture as it draws it
// anyway. FFmpeg 5.1's swscale converts 720p to RGBA for 0.43 s of CPU per 30 s of film at
// the same size and for 4.6 s when the width drops by 8 pixels (its scaling path), so
// a window a little smaller than the film would cost 15% of a core for nothing.
const nearSourceSize = 0.85

// fitSize is the largest size within the requested box that keeps the display aspect and
// is no larger than the source's display size, or that display size when the box takes
// nearSourceSize of it; 0 in a request means "source size".
func fitSize(srcW, srcH int, sar astiav.Rational, reqW, reqH int) (int, int) {
	dispW, dispH := srcW, srcH
	if sar.Num() > 0 && sar.Den() > 0 && sar.Num() != sar.Den() {
		dispW = int(float64(srcW)*float64(sar.Num())/float64(sar.Den()) + 0.5)
	}
	if dispW <= 0 || dispH <= 0 {
		return max(srcW, 1), max(srcH, 1)
	}
	w, h := dispW, dispH
	if reqW > 0 && reqW < w {
		w = reqW
		h = int(float64(dispH)*float64(w)/float64(dispW) + 0.5)
	}
	if reqH > 0 && reqH < h {
		h = reqH
		w = int(float64(dispW)*float64(h)/float64(dispH) + 0.5)
	}
	if float64(w) >= nearSourceSize*float64(dispW) {
		return dispW, dispH
	}
	return max(w, 1), max(h, 1)
}

// packedSize stores a requested output size in one atomic word.
type packedSize struct{ v atomic.Uint64 }

func (s *packedSize) set(w, h int) {
	s.v.Store(uint64(uint32(max(w, 0)))<<32 | uint64(uint32(max(h, 0))))
}
func (s *packedSize) get() (int, int) {
	v := s.v.Load()
	return int(v >> 32), int(uint32(v))
}
