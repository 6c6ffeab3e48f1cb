package player

import (
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// seekCases are films with keyframes two seconds apart, so an exact seek must decode and
// drop up to a second and a half of pictures after the keyframe the demuxer lands on.
func seekCases() map[string]mediagen.Spec {
	base := mediagen.Spec{Duration: 10 * time.Second, GOP: 60, Audio: []mediagen.AudioTrack{{Codec: "aac"}}}
	cases := map[string]mediagen.Spec{}
	for name, s := range map[string]struct{ container, video string }{
		"mp4-h264": {"mp4", "h264"}, "mkv-hevc": {"mkv", "hevc"}, "ts-h264": {"ts", "h264"}, "webm-vp9": {"webm", "vp9"},
	} {
		spec := base
		spec.Label, spec.Container, spec.Video = "seek-"+name, s.container, s.video
		if s.container == "webm" {
			spec.Audio = []mediagen.AudioTrack{{Codec: "opus"}}
		}
		cases[name] = spec
	}
	return cases
}

// TestSeekLandsOnTarget: after Seek(t), the first frame shown has pts within one frame of
// t, paused or playing, forwards and backwards.
func TestSeekLandsOnTarget(t *testing.T) {
	t.Parallel()
	for name, spec := range seekCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := media(t, spec)
			p, rec := play(t, path, Options{Audio: NullAudio, StartPaused: true})
			frameDur := time.Second / 30
			rec.waitEvent(t, 0, 10*time.Second, "first frame", func(e Event) bool { return e.Kind == EventFirstFrame })
			check := func(target time.Duration) time.Duration {
				t.Helper()
				from := len(rec.snapshotEvents())
				shownBefore := len(rec.snapshotFrames())
				p.Seek(target)
				e, _ := rec.waitEvent(t, from, 10*time.Second, "seek done", func(e Event) bool { return e.Kind == EventSeekDone })
				if e.Target != target {
					t.Fatalf("seek done for %v, asked %v", e.Target, target)
				}
				if !near(e.Landed, target, frameDur) || e.Landed > target+time.Millisecond && target > time.Second {
					t.Errorf("seek to %v landed on %v, not on the frame showing at the target", target, e.Landed)
				}
				frames := rec.snapshotFrames()
				if len(frames) <= shownBefore {
					t.Fatalf("seek to %v showed no frame", target)
				}
				if first := frames[shownBefore]; first.pts != e.Landed {
					t.Errorf("first frame after seek to %v has pts %v, seek reported %v", target, first.pts, e.Landed)
				}
				return e.Landed
			}
			for _, target := range []time.Duration{7300 * time.Millisecond, 2 * time.Second, 4567 * time.Millisecond, 0, 9950 * time.Millisecond, 1234 * time.Millisecond} {
				landed := check(target)
				if got := p.Position(); got != landed {
					t.Errorf("paused after seek: position %v, want %v", got, landed)
				}
				if p.State() != StatePaused {
					t.Errorf("state after paused seek = %v", p.State())
				}
			}
			// While playing, the pictures after the landing continue from it.
			p.Play()
			before := len(rec.snapshotFrames())
			droppedBefore := p.Stats().FramesDropped
			landed := check(5 * time.Second)
			deadline := time.After(10 * time.Second)
			for {
				var after []time.Duration
				for _, f := range rec.snapshotFrames()[before+1:] {
					after = append(after, f.pts)
				}
				if len(after) >= 10 {
					// A loaded machine may drop late frames; each drop may widen the gap by one.
					dropped := time.Duration(p.Stats().FramesDropped - droppedBefore)
					if after[0] <= landed || after[0]-landed > (3+dropped)*frameDur {
						t.Errorf("after landing on %v the next frame shown is %v (%d frames dropped)", landed, after[0], dropped)
					}
					break
				}
				select {
				case <-deadline:
					t.Fatalf("no frames after seek while playing; state %v", p.State())
				case <-time.After(20 * time.Millisecond):
				}
			}
		})
	}
}

// TestSeekBurstCollapses: while the reader is busy with one seek, twenty more arrive (a
// dragged seek bar); only the last is carried out and reported.
func TestSeekBurstCollapses(t *testing.T) {
	t.Parallel()
	spec := seekCases()["mp4-h264"]
	path := media(t, spec)
	src := newGatedSource(t, path, -1)
	src.release(-1)
	p, rec := openSource(t, src, src.size(), path, Options{Audio: NullAudio, StartPaused: true})
	rec.waitEvent(t, 0, 10*time.Second, "first frame", func(e Event) bool { return e.Kind == EventFirstFrame })
	from := len(rec.snapshotEvents())
	seeksBefore := p.seeks.Load()

	src.setHoldSeeks(true)
	p.Seek(9 * time.Second) // far away: the demuxer must move the source
	waitUntil(t, 10*time.Second, "the reader to block in the source's Seek", func() bool { return src.blockedSeeks.Load() == 1 })
	var last time.Duration
	for i := 1; i <= 20; i++ {
		last = time.Duration(i) * 300 * time.Millisecond
		p.Seek(last)
	}
	if p.State() != StateSeeking || p.Position() != last {
		t.Errorf("during the burst: state %v, position %v; want seeking at %v", p.State(), p.Position(), last)
	}
	src.setHoldSeeks(false)

	e, _ := rec.waitEvent(t, from, 10*time.Second, "seek done", func(e Event) bool { return e.Kind == EventSeekDone })
	if e.Target != last || !near(e.Landed, last, time.Second/30) {
		t.Errorf("seek done %v→%v, want the last request %v", e.Target, e.Landed, last)
	}
	time.Sleep(100 * time.Millisecond) // let any stray landing surface
	var done int
	for _, e := range rec.snapshotEvents()[from:] {
		if e.Kind == EventSeekDone {
			done++
		}
	}
	if done != 1 {
		t.Errorf("%d seek-done events for a burst of 21 seeks, want 1: %s", done, describeEvents(rec.snapshotEvents()[from:]))
	}
	if n := p.seeks.Load() - seeksBefore; n != 2 {
		t.Errorf("the demuxer seeked %d times for a burst of 21, want 2 (the one under way and the last)", n)
	}
}

// TestStartAtShowsThePictureThere: a film opened to start at 2 s (a resume point, a
// --seek) shows its first picture there; a Seek right after Open let the picture at 0
// reach the screen first in some runs.
func TestStartAtShowsThePictureThere(t *testing.T) {
	t.Parallel()
	path := media(t, mediagen.Spec{Label: "start-at", Container: "mkv", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "aac"}}})
	var got time.Duration
	p, rec := play(t, path, Options{Audio: NullAudio, StartAt: func(info MediaInfo) time.Duration {
		got = info.Duration
		return info.Duration * 2 / 3
	}})
	if !near(got, 3*time.Second, 150*time.Millisecond) {
		t.Errorf("StartAt saw a duration of %v", got)
	}
	ev, _ := rec.waitEvent(t, 0, 10*time.Second, "first frame", func(e Event) bool { return e.Kind == EventFirstFrame })
	if !near(ev.Position, 2*time.Second, 50*time.Millisecond) {
		t.Errorf("first frame at %v, want 2s", ev.Position)
	}
	waitDone(t, p, 20*time.Second)
	frames := rec.snapshotFrames()
	if len(frames) == 0 {
		t.Fatal("no picture shown")
	}
	if frames[0].pts < 2*time.Second-40*time.Millisecond {
		t.Fatalf("first picture at %v, want 2s", frames[0].pts)
	}
	if p.State() != StateEnded {
		t.Errorf("state %v, err %v", p.State(), p.Err())
	}
}
