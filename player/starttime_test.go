package player

import (
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// TestTimestampsStartingHoursIn: a recording whose clock starts 10 hours in (broadcast
// MPEG-TS, often remuxed to MKV or MP4 with its timestamps kept) lasts what its pictures
// last. Matroska and MP4 headers give the duration from the timeline's zero, so the
// player used to announce 10 hours and call the complete file damaged at its end.
func TestTimestampsStartingHoursIn(t *testing.T) {
	t.Parallel()
	for _, container := range []string{"mkv", "mp4", "ts"} {
		t.Run(container, func(t *testing.T) {
			t.Parallel()
			spec := mediagen.Spec{Label: "start-10h-" + container, Container: container, Video: "h264",
				Audio: []mediagen.AudioTrack{{Codec: "aac"}}, StartOffset: 10 * time.Hour}
			p, rec := play(t, media(t, spec), Options{Audio: NullAudio, StartPaused: true})
			if d := p.Duration(); !near(d, 3*time.Second, 150*time.Millisecond) {
				t.Fatalf("duration %v, want 3s", d)
			}
			seekAndPlay(t, p, rec, 1500*time.Millisecond, 50*time.Millisecond)
			waitDone(t, p, 20*time.Second)
			if p.State() != StateEnded || !near(p.Position(), p.Duration(), 100*time.Millisecond) {
				t.Fatalf("state %v at %v of %v, err %v", p.State(), p.Position(), p.Duration(), p.Err())
			}
		})
	}
}
