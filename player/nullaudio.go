package player

import (
	"sync"
	"time"
)

// The null output's format: what a typical device opens with, so the sample ring and the
// resampler work as they do on real hardware.
const (
	nullRate     = 48000
	nullChannels = 2
)

// nullOutput is mpv's ao_null: no sound, but it takes samples from render at the real-time
// rate, so the audio clock runs as it would on a device. Frames are counted from the start
// time, not per tick, so a late wake-up catches up instead of drifting.
type nullOutput struct {
	render renderFunc
	wake   chan struct{} // setRunning(true) after a stop
	quit   chan struct{}
	done   chan struct{}

	mu        sync.Mutex
	running   bool
	closeOnce sync.Once
}

func openNullOutput(render renderFunc) *nullOutput {
	o := &nullOutput{render: render, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}), running: true}
	go o.run()
	return o
}

func (o *nullOutput) format() (int, int)     { return nullRate, nullChannels }
func (o *nullOutput) latency() time.Duration { return 0 }

func (o *nullOutput) setRunning(on bool) {
	o.mu.Lock()
	o.running = on
	o.mu.Unlock()
	if on {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
}

func (o *nullOutput) isRunning() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.running
}

func (o *nullOutput) close() {
	o.closeOnce.Do(func() { close(o.quit) })
	<-o.done
}

// run renders one device period per tick while running and sleeps on wake while stopped,
// so a paused player costs no wake-ups.
func (o *nullOutput) run() {
	defer close(o.done)
	periodFrames := int(int64(nullRate) * int64(devicePeriod) / int64(time.Second))
	buf := make([]float32, periodFrames*nullChannels)
	tick := time.NewTicker(devicePeriod)
	defer tick.Stop()
	start, rendered := time.Now(), int64(0)
	for {
		if !o.isRunning() {
			tick.Stop()
			select {
			case <-o.quit:
				return
			case <-o.wake:
			}
			start, rendered = time.Now(), 0
			tick.Reset(devicePeriod)
			continue
		}
		select {
		case <-o.quit:
			return
		case <-tick.C:
		}
		due := int64(time.Since(start)) * nullRate / int64(time.Second)
		for rendered < due && o.isRunning() {
			n := min(int64(periodFrames), due-rendered)
			o.render(buf[:n*nullChannels])
			rendered += n
		}
	}
}
