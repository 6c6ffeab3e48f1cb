package bench

import (
	"testing"
	"time"
)

// feed plays a schedule of arrivals: at offset[i] from t0, media up to ends[i] is in.
func feed(cfg playbackConfig, at []time.Duration, ends []time.Duration) (*playback, time.Time) {
	t0 := time.Unix(1_700_000_000, 0)
	pb := newPlayback(cfg)
	for i := range at {
		pb.arrive(t0.Add(at[i]), ends[i])
	}
	return pb, t0
}

func TestPlaybackSteadyArrivalNeverStalls(t *testing.T) {
	var at, ends []time.Duration
	// One 100 ms packet every 100 ms, one packet ahead of the clock.
	for i := range 100 {
		at = append(at, time.Duration(i)*100*time.Millisecond)
		ends = append(ends, time.Duration(i+2)*100*time.Millisecond)
	}
	pb, t0 := feed(defaultPlayback, at, ends)
	res := pb.result(t0.Add(at[len(at)-1]))
	if res.rebuffers != 0 || res.stallTime != 0 {
		t.Fatalf("steady arrival: %d rebuffers, %v stalled; want none", res.rebuffers, res.stallTime)
	}
	if want := 9900 * time.Millisecond; res.played != want {
		t.Fatalf("played %v, want %v", res.played, want)
	}
}

func TestPlaybackGapIsOneRebufferDatedFromUnderrun(t *testing.T) {
	cfg := defaultPlayback
	// 2 s of media at once; nothing more until 5 s, then 3 s more.
	pb, t0 := feed(cfg, []time.Duration{0, 5 * time.Second}, []time.Duration{2 * time.Second, 5 * time.Second})
	// The buffer ran dry at 2 s and 3 s (≥ resumeAfter) came at 5 s: a 3 s stop.
	res := pb.result(t0.Add(5 * time.Second))
	if res.rebuffers != 1 || res.stallTime != 3*time.Second {
		t.Fatalf("got %d rebuffers, %v stalled; want 1 and 3s", res.rebuffers, res.stallTime)
	}
	if res.played != 2*time.Second {
		t.Fatalf("position %v at the resume, want 2s", res.played)
	}
	if got := pb.position(t0.Add(6 * time.Second)); got != 3*time.Second {
		t.Fatalf("position a second after the resume is %v, want 3s", got)
	}
}

func TestPlaybackWaitsForResumeBuffer(t *testing.T) {
	cfg := playbackConfig{ahead: 10 * time.Second, resumeAfter: time.Second, rebuffer: 200 * time.Millisecond}
	pb, t0 := feed(cfg,
		[]time.Duration{0, 2 * time.Second, 3 * time.Second},
		[]time.Duration{time.Second, 1500 * time.Millisecond, 2 * time.Second})
	// Dry at 1 s; 0.5 s buffered at 2 s is not enough; 1 s buffered at 3 s resumes.
	res := pb.result(t0.Add(3 * time.Second))
	if res.rebuffers != 1 || res.stallTime != 2*time.Second {
		t.Fatalf("got %d rebuffers, %v stalled; want 1 and 2s", res.rebuffers, res.stallTime)
	}
}

func TestPlaybackShortStopIsNotARebuffer(t *testing.T) {
	pb, t0 := feed(defaultPlayback,
		[]time.Duration{0, 1100 * time.Millisecond},
		[]time.Duration{time.Second, 3 * time.Second})
	res := pb.result(t0.Add(1100 * time.Millisecond))
	if res.rebuffers != 0 || res.stallTime != 0 {
		t.Fatalf("a 100 ms stop counted: %d rebuffers, %v", res.rebuffers, res.stallTime)
	}
}

func TestPlaybackStopsReadingWhenBufferFull(t *testing.T) {
	pb, t0 := feed(defaultPlayback, []time.Duration{0}, []time.Duration{12 * time.Second})
	if pb.wantMore(t0) {
		t.Fatal("reads on with 12 s buffered and a 10 s limit")
	}
	if !pb.wantMore(t0.Add(2500 * time.Millisecond)) {
		t.Fatal("does not read again once under 10 s ahead")
	}
}

func TestPlaybackFinishPlaysOutBuffer(t *testing.T) {
	pb, t0 := feed(defaultPlayback,
		[]time.Duration{0, 3 * time.Second},
		[]time.Duration{time.Second, 1500 * time.Millisecond})
	// At the end of input, half a second is buffered: playback resumes without waiting
	// for resumeAfter.
	pb.finish(t0.Add(3 * time.Second))
	res := pb.result(t0.Add(3500 * time.Millisecond))
	if res.rebuffers != 1 || res.stallTime != 2*time.Second || res.played != 1500*time.Millisecond {
		t.Fatalf("got %+v; want 1 rebuffer of 2s and the whole 1.5s played", res)
	}
}

func TestPlaybackStalledFor(t *testing.T) {
	pb, t0 := feed(defaultPlayback, []time.Duration{0}, []time.Duration{time.Second})
	if got := pb.stalledFor(t0.Add(500 * time.Millisecond)); got != 0 {
		t.Fatalf("stalled for %v while playing buffered media", got)
	}
	if got := pb.stalledFor(t0.Add(4 * time.Second)); got != 3*time.Second {
		t.Fatalf("stalled for %v, want 3s (dry since 1s)", got)
	}
}
