package player

import (
	"math"
	"time"

	"github.com/asticode/go-astiav"
)

// audioPipeline is the decoder of the selected audio track. Switching tracks stops one
// pipeline and starts another; the device and its sample ring stay.
type audioPipeline struct {
	stream int
	dec    *decoder
	quit   chan struct{}
	done   chan struct{}
}

func (a *audioPipeline) stop() {
	close(a.quit)
	a.dec.queue.abort()
	<-a.done
}

// maxLeadingSilence bounds the silence put before sound that starts late; a larger gap is
// a broken timestamp, not a film.
const maxLeadingSilence = 30 * time.Second

// ringSpan is how much converted audio waits for the device. The clock accounts for it,
// so its size only bounds how much is thrown away on a seek.
const ringSpan = 500 * time.Millisecond

func (p *Player) startAudio(stream int) (*audioPipeline, error) {
	params, tb := p.params[stream], p.timeBases[stream]
	d, err := openDecoder(params, tb, "audio", 0)
	if err != nil {
		return nil, err
	}
	d.queue = newPacketQueue(tb)
	d.queue.taken = p.wakeReader
	a := &audioPipeline{stream: stream, dec: d, quit: make(chan struct{}), done: make(chan struct{})}
	go p.runAudioDecoder(a)
	return a, nil
}

// runAudioDecoder decodes, trims to the seek target, converts to the device format and
// fills the sample ring.
func (p *Player) runAudioDecoder(a *audioPipeline) {
	defer close(a.done)
	d := a.dec
	defer d.free()
	var rs resampler
	defer rs.free()
	rate, channels := p.ring.rate, p.ring.channels
	var buf []float32
	next := time.Duration(0)
	firstOf, abandoned, landedOf, padOf := 0, -1, -1, -1
	for {
		it, ok := d.queue.getCurrent(&p.serial)
		if !ok {
			return
		}
		if it.serial != d.serial {
			rs.free() // its delay line holds audio from before the seek
		}
		seek := p.seekState.Load()
		d.decode(it, func(f *astiav.Frame) {
			if f.SampleRate() <= 0 || f.NbSamples() <= 0 {
				return
			}
			pts := framePTS(f, d.tb, p.startTime, next)
			next = pts + time.Duration(f.NbSamples())*time.Second/time.Duration(f.SampleRate())
			if firstOf != d.serial && p.videoQ == nil {
				// Without video, sound decides whether a seek landed late.
				firstOf = d.serial
				if p.retryEarlier(seek, d.serial, pts, 100*time.Millisecond) {
					abandoned = d.serial
				}
			}
			if abandoned == d.serial {
				return
			}
			if seek.serial == d.serial && next <= seek.target {
				return
			}
			var err error
			buf, err = rs.convert(f, buf[:0], rate, channels)
			if err != nil {
				return
			}
			samples := buf
			if seek.serial == d.serial && pts < seek.target {
				skip := int((seek.target - pts) * time.Duration(rate) / time.Second)
				samples = samples[min(skip*channels, len(samples)):]
				pts = seek.target
			}
			if padOf != d.serial && p.videoQ != nil {
				// Sound that starts after the picture (by timestamp) is preceded by
				// silence, so the clock starts with the picture instead of jumping ahead.
				padOf = d.serial
				if gap := pts - seek.target; seek.serial == d.serial && gap > 20*time.Millisecond && gap < maxLeadingSilence {
					p.writeSilence(a, gap, seek.target, d.serial)
				}
			}
			if landedOf != d.serial && p.videoQ == nil && len(samples) > 0 {
				// Without video, the first sound of a serial is where a seek lands.
				landedOf = d.serial
				p.landed(d.serial, pts)
			}
			p.writeAudio(a, samples, pts, d.serial)
		})
		if it.eof {
			if p.videoQ == nil && firstOf != d.serial && p.retryEarlier(seek, d.serial, math.MaxInt64, 0) {
				continue
			}
			if tail, err := rs.convert(nil, buf[:0], rate, channels); err == nil && len(tail) > 0 {
				p.writeAudio(a, tail, next, d.serial)
			}
			p.gate.eof.Store(int64(d.serial))
		}
	}
}

// writeSilence puts d of silence into the ring, a tenth of a second at a time.
func (p *Player) writeSilence(a *audioPipeline, d, pts time.Duration, serial int) {
	chunk := make([]float32, p.ring.rate/10*p.ring.channels)
	frames := int(d * time.Duration(p.ring.rate) / time.Second)
	for frames > 0 && serial >= int(p.serial.Load()) {
		n := min(frames, p.ring.rate/10)
		p.writeAudio(a, chunk[:n*p.ring.channels], pts, serial)
		pts += time.Duration(n) * time.Second / time.Duration(p.ring.rate)
		frames -= n
	}
}

// writeAudio puts samples into the ring, waiting while it is full. It gives up when the
// pipeline stops or a seek makes the samples stale.
func (p *Player) writeAudio(a *audioPipeline, samples []float32, pts time.Duration, serial int) {
	ch := p.ring.channels
	for len(samples) >= ch {
		n := p.ring.write(samples, pts, int64(serial))
		if n > 0 {
			samples = samples[n*ch:]
			pts += time.Duration(n) * time.Second / time.Duration(p.ring.rate)
			continue
		}
		if serial < int(p.serial.Load()) {
			return
		}
		p.turns.Add(1)
		// The callback signals when it takes samples and a seek when it makes these stale;
		// the timeout is only a safety net, so a paused player does not poll.
		t := time.NewTimer(idleWait)
		select {
		case <-a.quit:
			t.Stop()
			return
		case <-p.abort:
			t.Stop()
			return
		case <-p.ringSpace:
		case <-t.C:
		}
		t.Stop()
	}
}
