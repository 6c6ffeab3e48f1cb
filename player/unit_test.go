package player

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
)

type fakeTime struct{ t time.Time }

func (f *fakeTime) now() time.Time          { return f.t }
func (f *fakeTime) advance(d time.Duration) { f.t = f.t.Add(d) }
func newFakeTime() *fakeTime                { return &fakeTime{t: time.Unix(1000, 0)} }
func clockValue(c *clock) time.Duration     { v, _, _ := c.get(); return v }
func ms(n int) time.Duration                { return time.Duration(n) * time.Millisecond }
func samplesOf(frames, channels int, v float32) []float32 {
	s := make([]float32, frames*channels)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestClock(t *testing.T) {
	ft := newFakeTime()
	c := newClock(ft.now)
	if _, _, ok := c.get(); ok {
		t.Fatal("a fresh clock is valid")
	}
	c.set(ms(1000), 3, false, 0)
	ft.advance(ms(250))
	if v, serial, ok := c.get(); v != ms(1250) || serial != 3 || !ok {
		t.Fatalf("get = %v, %d, %v", v, serial, ok)
	}
	c.setPaused(true)
	ft.advance(ms(500))
	if v := clockValue(c); v != ms(1250) {
		t.Errorf("paused clock moved to %v", v)
	}
	c.update(ms(2000), 4, 0) // an audio callback racing with Pause must not restart it
	ft.advance(ms(100))
	if v := clockValue(c); v != ms(2000) {
		t.Errorf("update restarted a paused clock: %v", v)
	}
	c.setPaused(false)
	ft.advance(ms(100))
	if v := clockValue(c); v != ms(2100) {
		t.Errorf("resumed clock at %v", v)
	}
	c.update(ms(3000), 5, ms(3020))
	ft.advance(ms(100))
	if v := clockValue(c); v != ms(3020) {
		t.Errorf("clock ran past its limit: %v", v)
	}
	c.unlimit()
	ft.advance(ms(100))
	if v := clockValue(c); v != ms(3120) {
		t.Errorf("unlimited clock at %v, want 3.12s", v)
	}
}

func TestRingRender(t *testing.T) {
	ft := newFakeTime()
	clk := newClock(ft.now)
	clk.setPaused(false)
	r := newSampleRing(1000, 2, 100*time.Millisecond) // 100 frames
	var g audioGate
	g.setVolume(1)
	out := make([]float32, 20) // 10 frames

	// Paused: silence, nothing consumed, clock untouched.
	if n := r.write(samplesOf(30, 2, 0.5), ms(500), 1); n != 30 {
		t.Fatalf("wrote %d", n)
	}
	g.playSerial.Store(1)
	r.render(out, &g, clk, 0)
	if out[0] != 0 || r.buffered() != 30 || g.callbacks.Load() != 1 {
		t.Fatalf("paused render played: %v, buffered %d", out[0], r.buffered())
	}

	// Playing: samples scaled by the volume; the clock is at the first sample handed out
	// minus the latency and may run to the end of what was handed out.
	g.playing.Store(true)
	g.setVolume(0.5)
	r.render(out, &g, clk, ms(5))
	if out[0] != 0.25 || out[19] != 0.25 || r.buffered() != 20 {
		t.Fatalf("render: %v..%v, buffered %d", out[0], out[19], r.buffered())
	}
	if v, serial, _ := clk.get(); v != ms(495) || serial != 1 {
		t.Errorf("clock %v serial %d, want 495ms serial 1", v, serial)
	}
	ft.advance(ms(100))
	if v := clockValue(clk); v != ms(510) {
		t.Errorf("clock ran to %v, want the 510ms end of the samples handed out", v)
	}

	// Muted: zeros, but the samples are consumed and the clock advances.
	g.muted.Store(true)
	r.render(out, &g, clk, 0)
	if out[0] != 0 || r.buffered() != 10 || g.played.Load() != 20 {
		t.Errorf("muted render: %v, buffered %d, played %d", out[0], r.buffered(), g.played.Load())
	}
	g.muted.Store(false)

	// A seek: samples of serial 1 are dropped unheard; serial 2 waits for its gate.
	r.write(samplesOf(10, 2, 0.8), ms(7000), 2)
	g.skipBelow.Store(2)
	r.render(out, &g, clk, 0)
	if out[0] != 0 || r.buffered() != 10 {
		t.Errorf("before its gate opened, serial 2 sounded (%v) or was dropped (buffered %d)", out[0], r.buffered())
	}
	g.playSerial.Store(2)
	r.render(out, &g, clk, 0)
	if out[0] != 0.4 || r.buffered() != 0 {
		t.Errorf("serial 2: %v, buffered %d", out[0], r.buffered())
	}
	if v, serial, _ := clk.get(); v != ms(7000) || serial != 2 {
		t.Errorf("clock %v serial %d after the seek", v, serial)
	}

	// Underrun: silence and a counted underrun; at the end of the sound the clock is
	// released instead.
	under := g.underruns.Load()
	r.render(out, &g, clk, 0)
	if out[0] != 0 || g.underruns.Load() != under+1 {
		t.Errorf("underrun: %v, underruns %d", out[0], g.underruns.Load())
	}
	g.eof.Store(2)
	r.render(out, &g, clk, 0)
	ft.advance(ms(1000))
	if v := clockValue(clk); v != ms(8000) {
		t.Errorf("after the end of the sound the clock is %v, want it running on to 8s", v)
	}

	// Wrap-around: writes and reads across the end of the buffer keep order.
	r2 := newSampleRing(1000, 1, 10*time.Millisecond) // 10 frames
	var g2 audioGate
	g2.setVolume(1)
	g2.playing.Store(true)
	out2 := make([]float32, 7)
	for round := 0; round < 5; round++ {
		in := make([]float32, 7)
		for i := range in {
			in[i] = float32(round*7 + i)
		}
		if n := r2.write(in, 0, 0); n != 7 {
			t.Fatalf("round %d wrote %d", round, n)
		}
		r2.render(out2, &g2, newClock(ft.now), 0)
		for i, v := range out2 {
			if v != in[i] {
				t.Fatalf("round %d: got %v want %v", round, out2, in)
			}
		}
	}
	if n := r2.write(make([]float32, 25), 0, 0); n != 10 {
		t.Errorf("a full ring took %d frames, want its capacity 10", n)
	}
}

func TestFitSize(t *testing.T) {
	square := astiav.NewRational(1, 1)
	for _, c := range []struct {
		srcW, srcH int
		sar        astiav.Rational
		reqW, reqH int
		w, h       int
	}{
		{1920, 1080, square, 0, 0, 1920, 1080},
		{1920, 1080, square, 640, 0, 640, 360},
		{1920, 1080, square, 800, 500, 800, 450},
		{1920, 1080, square, 4000, 3000, 1920, 1080}, // never larger than the source
		// A box a little smaller than the source keeps the source size: the GPU draws
		// the rest of the way, where swscale would take its slow scaling path.
		{1280, 720, square, 1272, 716, 1280, 720},
		{1920, 1080, square, 1680, 1010, 1920, 1080},
		{1920, 1080, square, 1280, 800, 1280, 720},
		{1280, 720, square, 1080, 720, 1080, 608},
		{720, 576, astiav.NewRational(16, 15), 0, 0, 768, 576},
		{720, 576, astiav.NewRational(16, 15), 384, 0, 384, 288},
		{1280, 720, astiav.NewRational(0, 1), 0, 360, 640, 360},
		{0, 0, square, 10, 10, 1, 1},
	} {
		if w, h := fitSize(c.srcW, c.srcH, c.sar, c.reqW, c.reqH); w != c.w || h != c.h {
			t.Errorf("fitSize(%dx%d sar %v, %dx%d) = %dx%d, want %dx%d", c.srcW, c.srcH, c.sar, c.reqW, c.reqH, w, h, c.w, c.h)
		}
	}
}

func TestPacketQueue(t *testing.T) {
	q := newPacketQueue(astiav.NewRational(1, 1000))
	for i := 0; i < 5; i++ {
		pkt := astiav.AllocPacket()
		if err := pkt.AllocPayload(100); err != nil {
			t.Fatal(err)
		}
		pkt.SetDts(int64(1000 + 40*i))
		pkt.SetPts(int64(1000 + 40*i))
		pkt.SetDuration(40)
		q.put(pkt, 1)
	}
	q.putEOF(1)
	bytes, span, n, eof := q.level()
	if bytes != 500 || span != ms(200) || n != 6 || !eof {
		t.Errorf("level = %d bytes, %v, %d packets, eof %v", bytes, span, n, eof)
	}
	it, ok := q.get()
	if !ok || it.pkt.Dts() != 1000 || it.serial != 1 {
		t.Fatalf("get = %+v, %v", it, ok)
	}
	it.pkt.Free()
	q.flush()
	if bytes, _, n, _ := q.level(); bytes != 0 || n != 0 {
		t.Errorf("after flush: %d bytes, %d packets", bytes, n)
	}
	done := make(chan bool)
	go func() { _, ok := q.get(); done <- ok }()
	q.abort()
	if <-done {
		t.Error("get returned a packet after abort")
	}
	pkt := astiav.AllocPacket()
	if q.put(pkt, 1) {
		t.Error("put accepted a packet after abort")
	}
}

func TestPacketQueueGetCurrentSkipsStaleSerials(t *testing.T) {
	q := newPacketQueue(astiav.NewRational(1, 1000))
	for i, serial := range []int{1, 1, 2} {
		pkt := astiav.AllocPacket()
		pkt.SetPts(int64(i))
		q.put(pkt, serial)
	}
	var current atomic.Int64
	current.Store(2)
	it, ok := q.getCurrent(&current)
	if !ok || it.serial != 2 || it.pkt.Pts() != 2 {
		t.Fatalf("getCurrent = serial %d, %v; want the serial-2 packet", it.serial, ok)
	}
	it.pkt.Free()
	if _, _, n, _ := q.level(); n != 0 {
		t.Errorf("%d packets left; the stale ones must be consumed", n)
	}
}

func TestTagString(t *testing.T) {
	cp := astiav.AllocCodecParameters()
	defer cp.Free()
	cp.SetCodecTag(astiav.CodecTag(uint32('x') | uint32('y')<<8 | uint32('z')<<16 | uint32('1')<<24))
	if got := tagString(cp); got != "xyz1" {
		t.Errorf("tag %q", got)
	}
	cp.SetCodecTag(astiav.CodecTag(0x00ff0001))
	if got := tagString(cp); got != "0x00ff0001" {
		t.Errorf("binary tag %q", got)
	}
	err := &CodecError{Media: "audio", Codec: "none", Tag: "A_XY"}
	if err.Error() != `unsupported audio codec: unknown (tag "A_XY") — this build of FFmpeg cannot decode it` {
		t.Errorf("message %q", err)
	}
}

func TestStrings(t *testing.T) {
	for s := StateOpening; s <= StateError+1; s++ {
		if s.String() == "" {
			t.Errorf("state %d has no name", s)
		}
	}
	for k := EventState; k <= EventTracks+1; k++ {
		if k.String() == "" {
			t.Errorf("event %d has no name", k)
		}
	}
	if NullAudio.String() != "null" || DeviceAudio.String() != "device" {
		t.Error("audio driver names")
	}
}
