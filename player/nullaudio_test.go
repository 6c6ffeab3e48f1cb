package player

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestNullAudioKeepsRealTimeAndSleepsWhenStopped: the null output is the clock of headless
// playback, so it must never take samples faster than real time, must keep taking them,
// and must not call render at all while stopped (a paused player costs no wake-ups).
func TestNullAudioKeepsRealTimeAndSleepsWhenStopped(t *testing.T) {
	var frames, calls atomic.Int64
	start := time.Now()
	out, err := NullAudio.open(func(buf []float32) {
		frames.Add(int64(len(buf) / nullChannels))
		calls.Add(1)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer out.close()
	if rate, ch := out.format(); rate != nullRate || ch != nullChannels {
		t.Fatalf("format %d Hz × %d", rate, ch)
	}
	want := int64(nullRate / 5) // 200 ms of sound
	for frames.Load() < want {
		time.Sleep(5 * time.Millisecond)
	}
	ahead := frames.Load() - int64(time.Since(start))*nullRate/int64(time.Second)
	if ahead > 0 {
		t.Fatalf("took %d frames more than real time allows", ahead)
	}

	out.setRunning(false)
	time.Sleep(3 * devicePeriod) // a render already under way may finish
	stoppedAt := calls.Load()
	time.Sleep(10 * devicePeriod)
	if n := calls.Load() - stoppedAt; n != 0 {
		t.Fatalf("render called %d times while stopped", n)
	}

	out.setRunning(true)
	before := frames.Load()
	for frames.Load() < before+want/4 {
		time.Sleep(5 * time.Millisecond)
	}
	out.close()
	closedAt := calls.Load()
	time.Sleep(3 * devicePeriod)
	if calls.Load() != closedAt {
		t.Fatal("render called after close returned")
	}
}
