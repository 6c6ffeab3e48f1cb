package player

import (
	"bytes"
	"context"
	"image"
	"os"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

type discard struct{}

func (discard) ShowFrame(*image.RGBA, time.Duration) {}
func (discard) ShowSubtitle(string)                  {}

// FuzzOpen feeds mutated containers through Open and plays whatever opens, as fast as it
// decodes: every input must end in an error, Ended or Error, never a crash or a hang.
func FuzzOpen(f *testing.F) {
	tiny := mediagen.Spec{Width: 64, Height: 48, FPS: 10, Duration: 500 * time.Millisecond}
	for _, s := range []mediagen.Spec{
		{Container: "mp4", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "aac", Channels: 1}}, Subtitles: []mediagen.SubtitleTrack{{Codec: "mov_text", Cues: []mediagen.Cue{{Start: 100 * time.Millisecond, End: 300 * time.Millisecond, Text: "<i>x</i>"}}}}},
		{Container: "mp4", Video: "h264", MoovAtEnd: true},
		{Container: "mkv", Video: "hevc", Audio: []mediagen.AudioTrack{{Codec: "ac3", Channels: 6}}, Subtitles: []mediagen.SubtitleTrack{{Codec: "ass", Cues: []mediagen.Cue{{Start: 100 * time.Millisecond, End: 300 * time.Millisecond, Text: "x"}}}}},
		{Container: "webm", Video: "vp9", Audio: []mediagen.AudioTrack{{Codec: "opus"}}},
		{Container: "avi", Video: "mpeg4", Audio: []mediagen.AudioTrack{{Codec: "mp3"}}},
		{Container: "ts", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "eac3"}}},
	} {
		s.Label, s.Width, s.Height, s.FPS, s.Duration = "fuzz-seed", tiny.Width, tiny.Height, tiny.FPS, tiny.Duration
		data, err := os.ReadFile(media(f, s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		p, err := Open(ctx, bytes.NewReader(data), Options{Size: int64(len(data)), Video: discard{}, Subtitles: discard{},
			VideoWidth: 32, Unpaced: true, Audio: pump(48000, 2, false, nil)})
		if err != nil {
			if p != nil {
				t.Fatal("a player and an error")
			}
			return
		}
		defer p.Close()
		for _, s := range p.SubtitleTracks() {
			_ = p.SetSubtitleTrack(s.ID)
		}
		// Garbage can declare minutes of sound; what must not happen is playback that
		// stops moving without ending.
		type progress struct {
			pos           time.Duration
			frames, bytes int64
			audio         int64
			state         State
		}
		snapshot := func() progress {
			st := p.Stats()
			return progress{p.Position(), int64(st.FramesShown + st.FramesDropped), st.BytesRead, st.AudioFrames, p.State()}
		}
		last, still := snapshot(), 0
		for deadline := time.Now().Add(6 * time.Second); time.Now().Before(deadline); { // under the fuzzer's 10 s hang limit
			select {
			case <-p.Done():
				if st := p.State(); st != StateEnded && st != StateError {
					t.Fatalf("done in state %v", st)
				}
				return
			case <-time.After(250 * time.Millisecond):
			}
			if now := snapshot(); now != last {
				last, still = now, 0
			} else if still++; still >= 12 {
				t.Fatalf("playback stuck for 3s: %+v, stats %+v", now, p.Stats())
			}
		}
	})
}
