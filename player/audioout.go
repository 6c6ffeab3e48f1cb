package player

import (
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// AudioDriver is where sound goes, as mpv's --ao picks an audio output driver: the
// machine's device (DeviceAudio) or a silent clock (NullAudio). Options.Audio nil means
// DeviceAudio.
type AudioDriver interface {
	// open starts the output; it calls render from then on, on its own thread.
	open(render renderFunc) (audioOutput, error)
	String() string
}

var (
	// DeviceAudio plays on the default device and falls back to NullAudio when the
	// machine has no sound card, so that playback still has a clock.
	DeviceAudio AudioDriver = deviceDriver{}
	// NullAudio plays nowhere, consuming samples at the real-time rate: headless
	// playback, casting and tests.
	NullAudio AudioDriver = nullDriver{}
)

type deviceDriver struct{}

func (deviceDriver) String() string { return "device" }

func (deviceDriver) open(render renderFunc) (audioOutput, error) {
	quietALSA()
	out, err := openMalgo(render)
	if err == nil {
		return out, nil
	}
	return openNullOutput(render), nil
}

type nullDriver struct{}

func (nullDriver) String() string { return "null" }

func (nullDriver) open(render renderFunc) (audioOutput, error) { return openNullOutput(render), nil }

// audioOutput is a running audio device that pulls interleaved float samples from a
// render function on its own thread (mpv's ao driver contract).
type audioOutput interface {
	// format is the device's sample rate and channel count.
	format() (rate, channels int)
	// latency is how long a sample handed to render waits before it is heard.
	latency() time.Duration
	// setRunning stops the device (no more render calls, no wake-ups at every period) or
	// starts it again. Paused or ended, a running device would call render 100 times a
	// second only to play silence.
	setRunning(on bool)
	// close stops the device; render is not called again once close returns.
	close()
}

// renderFunc fills out (frames × channels interleaved samples). It runs on the device's
// thread and must never block.
type renderFunc func(out []float32)

const (
	devicePeriod  = 10 * time.Millisecond
	devicePeriods = 3
)

type malgoOutput struct {
	ctx   *malgo.AllocatedContext
	dev   *malgo.Device
	rate  int
	chans int

	mu      sync.Mutex // setRunning (control loop) against close (shutdown)
	closed  bool
	stopped bool
}

// openMalgo opens the default playback device as float32 in its native rate and channel
// count, trying miniaudio's platform backends in their default order.
func openMalgo(render renderFunc) (*malgoOutput, error) {
	out, err := openMalgoBackends(nil, render)
	if err != nil {
		return nil, fmt.Errorf("open audio device: %w", err)
	}
	return out, nil
}

func openMalgoBackends(backends []malgo.Backend, render renderFunc) (*malgoOutput, error) {
	ctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, err
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.Playback.Format = malgo.FormatF32
	cfg.Playback.Channels = 0 // native
	cfg.SampleRate = 0        // native
	cfg.PeriodSizeInMilliseconds = uint32(devicePeriod / time.Millisecond)
	cfg.Periods = devicePeriods
	o := &malgoOutput{ctx: ctx}
	data := func(out, _ []byte, frames uint32) {
		if len(out) < 4 || frames == 0 {
			return
		}
		render(unsafe.Slice((*float32)(unsafe.Pointer(&out[0])), len(out)/4))
	}
	dev, err := malgo.InitDevice(ctx.Context, cfg, malgo.DeviceCallbacks{Data: data})
	if err != nil {
		_ = ctx.Uninit()
		ctx.Free()
		return nil, err
	}
	if dev.PlaybackFormat() != malgo.FormatF32 {
		dev.Uninit()
		_ = ctx.Uninit()
		ctx.Free()
		return nil, fmt.Errorf("device opened as format %d, not float32", dev.PlaybackFormat())
	}
	o.dev, o.rate, o.chans = dev, int(dev.SampleRate()), int(dev.PlaybackChannels())
	if err := dev.Start(); err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}

func (o *malgoOutput) format() (int, int) { return o.rate, o.chans }

func (o *malgoOutput) latency() time.Duration { return (devicePeriods - 1) * devicePeriod }

func (o *malgoOutput) setRunning(on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || o.dev == nil || o.stopped == !on {
		return
	}
	var err error
	if on {
		err = o.dev.Start()
	} else {
		err = o.dev.Stop()
	}
	if err == nil {
		o.stopped = !on
	}
}

func (o *malgoOutput) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.closed = true
	if o.dev != nil {
		o.dev.Uninit()
	}
	_ = o.ctx.Uninit()
	o.ctx.Free()
}
