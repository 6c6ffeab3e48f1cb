package player

import (
	"testing"
	"time"

	"marquee/internal/mediagen"
)

type formatCase struct {
	name        string
	spec        mediagen.Spec
	videoCodec  string
	audioCodecs []string
	channels    []int
	outW, outH  int // expected picture size
}

func formatCases() []formatCase {
	stereoAAC := []mediagen.AudioTrack{{Codec: "aac"}}
	return []formatCase{
		{
			name:       "mp4-h264-aac-1080p-moov-first",
			spec:       mediagen.Spec{Label: "fmt-mp4-faststart", Container: "mp4", Video: "h264", Width: 1920, Height: 1080, Audio: stereoAAC},
			videoCodec: "h264", audioCodecs: []string{"aac"}, channels: []int{2}, outW: 640, outH: 360,
		},
		{
			name:       "mp4-h264-aac-1080p-moov-last",
			spec:       mediagen.Spec{Label: "fmt-mp4-moovend", Container: "mp4", Video: "h264", Width: 1920, Height: 1080, Audio: stereoAAC, MoovAtEnd: true},
			videoCodec: "h264", audioCodecs: []string{"aac"}, channels: []int{2}, outW: 640, outH: 360,
		},
		{
			name: "mkv-hevc-ac3-5.1-srt",
			spec: mediagen.Spec{Label: "fmt-mkv-hevc", Container: "mkv", Video: "hevc",
				Audio:     []mediagen.AudioTrack{{Codec: "ac3", Channels: 6}},
				Subtitles: []mediagen.SubtitleTrack{{Codec: "srt", Language: "eng"}}},
			videoCodec: "hevc", audioCodecs: []string{"ac3"}, channels: []int{6}, outW: 320, outH: 240,
		},
		{
			name:       "webm-vp9-opus",
			spec:       mediagen.Spec{Label: "fmt-webm-vp9", Container: "webm", Video: "vp9", Audio: []mediagen.AudioTrack{{Codec: "opus"}}},
			videoCodec: "vp9", audioCodecs: []string{"opus"}, channels: []int{2}, outW: 320, outH: 240,
		},
		{
			name:       "avi-mpeg4-mp3",
			spec:       mediagen.Spec{Label: "fmt-avi", Container: "avi", Video: "mpeg4", FPS: 25, Audio: []mediagen.AudioTrack{{Codec: "mp3", SampleRate: 44100}}},
			videoCodec: "mpeg4", audioCodecs: []string{"mp3"}, channels: []int{2}, outW: 320, outH: 240,
		},
		{
			name:       "ts-h264-eac3-5.1",
			spec:       mediagen.Spec{Label: "fmt-ts", Container: "ts", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "eac3", Channels: 6}}},
			videoCodec: "h264", audioCodecs: []string{"eac3"}, channels: []int{6}, outW: 320, outH: 240,
		},
		{
			name: "mkv-h264-dts-5.1-flac",
			spec: mediagen.Spec{Label: "fmt-mkv-dts", Container: "mkv", Video: "h264",
				Audio: []mediagen.AudioTrack{{Codec: "dts", Channels: 6, Language: "eng"}, {Codec: "flac", Language: "fra", Frequency: 1000}}},
			videoCodec: "h264", audioCodecs: []string{"dts", "flac"}, channels: []int{6, 2}, outW: 320, outH: 240,
		},
		{
			name:       "webm-av1-vorbis",
			spec:       mediagen.Spec{Label: "fmt-webm-av1", Container: "webm", Video: "av1", Audio: []mediagen.AudioTrack{{Codec: "vorbis"}}},
			videoCodec: "av1", audioCodecs: []string{"vorbis"}, channels: []int{2}, outW: 320, outH: 240,
		},
	}
}

// TestFormats plays every container and codec people download to the end on the null
// audio device and checks that every picture was presented or counted as dropped, and
// that the whole soundtrack was played.
func TestFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range formatCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := media(t, tc.spec)
			p, rec := play(t, path, Options{Audio: NullAudio, VideoWidth: 640})
			// Probing reads the headers and a few packets, not megabytes of film.
			t.Logf("probe read %d bytes", p.probedBytes)
			if p.probedBytes > 1536<<10 {
				t.Errorf("probing read %d bytes", p.probedBytes)
			}
			info := p.Info()
			if info.Video == nil || info.Video.Codec != tc.videoCodec {
				t.Fatalf("video = %+v, want codec %s", info.Video, tc.videoCodec)
			}
			spec := tc.spec
			if info.Video.Width != max(spec.Width, 320) || info.Video.Height != max(spec.Height, 240) {
				t.Errorf("video size %dx%d", info.Video.Width, info.Video.Height)
			}
			wantFPS := float64(max(spec.FPS, 30))
			if spec.FPS != 0 {
				wantFPS = float64(spec.FPS)
			}
			if info.Video.FPS < wantFPS-0.01 || info.Video.FPS > wantFPS+0.01 {
				t.Errorf("fps %v, want %v", info.Video.FPS, wantFPS)
			}
			if !near(info.Duration, 3*time.Second, 150*time.Millisecond) {
				t.Errorf("duration %v, want 3s", info.Duration)
			}
			if info.Bitrate <= 0 {
				t.Errorf("bitrate %d", info.Bitrate)
			}
			if len(info.Audio) != len(tc.audioCodecs) {
				t.Fatalf("audio tracks %+v, want codecs %v", info.Audio, tc.audioCodecs)
			}
			for i, a := range info.Audio {
				if a.Codec != tc.audioCodecs[i] || a.Channels != tc.channels[i] || !a.Playable {
					t.Errorf("audio track %d = %+v, want %s with %d channels", i, a, tc.audioCodecs[i], tc.channels[i])
				}
			}
			if p.AudioTrack() != info.Audio[0].ID {
				t.Errorf("playing audio track %d, want the first (%d)", p.AudioTrack(), info.Audio[0].ID)
			}

			waitDone(t, p, 60*time.Second)
			if p.State() != StateEnded || p.Err() != nil {
				t.Fatalf("state %v, err %v", p.State(), p.Err())
			}
			st := p.Stats()
			want := spec.FrameCount()
			if got := st.FramesShown + st.FramesDropped; got < want-1 || got > want+1 {
				t.Errorf("%d frames shown + %d dropped, want %d ±1", st.FramesShown, st.FramesDropped, want)
			}
			frames := rec.snapshotFrames()
			if len(frames) != st.FramesShown {
				t.Errorf("sink saw %d frames, stats say %d", len(frames), st.FramesShown)
			}
			for i, f := range frames {
				if f.w != tc.outW || f.h != tc.outH || f.stride != 4*f.w || !f.originAligned {
					t.Fatalf("frame %d is %dx%d stride %d origin %v, want %dx%d tight at origin", i, f.w, f.h, f.stride, f.originAligned, tc.outW, tc.outH)
				}
				if i > 0 && f.pts <= frames[i-1].pts {
					t.Fatalf("frame %d pts %v after %v", i, f.pts, frames[i-1].pts)
				}
			}
			// Containers start streams a few milliseconds apart and the film starts at the
			// earliest; AVI stamps B-frame video by decode time, one frame late (ffprobe
			// agrees). So the first picture comes within a frame of zero.
			if len(frames) > 0 && (frames[0].pts < 0 || frames[0].pts > time.Second/time.Duration(wantFPS)) {
				t.Errorf("first frame pts %v, want within a frame of 0", frames[0].pts)
			}
			// The null device plays 48 kHz; the whole soundtrack went through it.
			if played := time.Duration(st.AudioFrames) * time.Second / 48000; !near(played, 3*time.Second, 150*time.Millisecond) {
				t.Errorf("played %v of audio (%d frames), want 3s", played, st.AudioFrames)
			}
			if !near(p.Position(), info.Duration, 100*time.Millisecond) {
				t.Errorf("ended at %v of %v", p.Position(), info.Duration)
			}
			rec.waitEvent(t, 0, 5*time.Second, "ended", func(e Event) bool { return e.Kind == EventEnded })
		})
	}
}
