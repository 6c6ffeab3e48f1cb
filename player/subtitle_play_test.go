package player

import (
	"context"
	"os"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

var subtitleCues = []mediagen.Cue{
	{Start: 500 * time.Millisecond, End: 1000 * time.Millisecond, Text: "<i>Hello</i> world"},
	{Start: 1200 * time.Millisecond, End: 1600 * time.Millisecond, Text: `{\an8}Top`},
	{Start: 1800 * time.Millisecond, End: 2400 * time.Millisecond, Text: "Two\nlines & <b>bold</b>"},
}

var subtitleTexts = []string{"Hello world", "Top", "Two\nlines & bold"}

// checkCues asserts that the sink showed each cue's plain text when the clock reached its
// start (shifted by offset) and cleared it at its end, in order.
func checkCues(t *testing.T, got []shownSub, cues []mediagen.Cue, texts []string, offset time.Duration) {
	t.Helper()
	const late = 250 * time.Millisecond // scheduling slack on a busy machine
	var want []shownSub
	for i, c := range cues {
		want = append(want, shownSub{texts[i], c.Start + offset}, shownSub{"", c.End + offset})
	}
	if len(got) != len(want) {
		t.Fatalf("sink got %d updates %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.text != w.text || g.at < w.at-time.Millisecond || g.at > w.at+late {
			t.Errorf("update %d: %q at %v, want %q at %v (+%v)", i, g.text, g.at, w.text, w.at, late)
		}
	}
}

// TestEmbeddedSubtitles plays each embedded text format and checks the cues arrive as
// plain text at their times.
func TestEmbeddedSubtitles(t *testing.T) {
	t.Parallel()
	cases := map[string]mediagen.Spec{
		"mkv-srt":      {Container: "mkv", Video: "h264", Subtitles: []mediagen.SubtitleTrack{{Codec: "srt", Language: "eng", Cues: subtitleCues}}},
		"mkv-ass":      {Container: "mkv", Video: "h264", Subtitles: []mediagen.SubtitleTrack{{Codec: "ass", Language: "fra", Cues: subtitleCues}}},
		"mp4-mov_text": {Container: "mp4", Video: "h264", Subtitles: []mediagen.SubtitleTrack{{Codec: "mov_text", Language: "eng", Cues: subtitleCues}}},
		"webm-webvtt":  {Container: "webm", Video: "vp9", Subtitles: []mediagen.SubtitleTrack{{Codec: "webvtt", Language: "eng", Cues: subtitleCues}}},
	}
	wantCodec := map[string]string{"mkv-srt": "subrip", "mkv-ass": "ass", "mp4-mov_text": "mov_text", "webm-webvtt": "webvtt"}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			spec.Label = "subs-" + name
			spec.Duration = 2500 * time.Millisecond
			spec.Audio = []mediagen.AudioTrack{{Codec: "aac"}}
			if spec.Container == "webm" {
				spec.Audio[0].Codec = "opus"
			}
			p, rec := play(t, media(t, spec), Options{Audio: NullAudio, StartPaused: true})
			tracks := p.SubtitleTracks()
			if len(tracks) != 1 || tracks[0].Codec != wantCodec[name] || !tracks[0].Playable || tracks[0].External ||
				tracks[0].Language != spec.Subtitles[0].Language {
				t.Fatalf("subtitle tracks %+v", tracks)
			}
			if err := p.SetSubtitleTrack(tracks[0].ID); err != nil {
				t.Fatal(err)
			}
			p.Play()
			waitDone(t, p, 30*time.Second)
			checkCues(t, rec.snapshotSubs(), subtitleCues, subtitleTexts, 0)
		})
	}
}

// TestExternalSubtitles loads .srt and .vtt files written by ffmpeg, shifted by the user's
// offset, and switches subtitles off.
func TestExternalSubtitles(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "subs-external", Container: "mkv", Video: "h264", Duration: 2500 * time.Millisecond,
		Audio: []mediagen.AudioTrack{{Codec: "aac"}}}
	path := media(t, spec)
	cues := []mediagen.Cue{
		{Start: 300 * time.Millisecond, End: 700 * time.Millisecond, Text: "External <i>one</i>"},
		{Start: 1000 * time.Millisecond, End: 1500 * time.Millisecond, Text: "External two"},
	}
	srt, err := mediagen.GenerateSubtitles(context.Background(), mediagen.SubtitleTrack{Cues: cues}, "srt", spec.Duration, "")
	if err != nil {
		t.Fatal(err)
	}
	vtt, err := mediagen.GenerateSubtitles(context.Background(), mediagen.SubtitleTrack{Cues: cues}, "vtt", spec.Duration, "")
	if err != nil {
		t.Fatal(err)
	}
	p, rec := play(t, path, Options{Audio: NullAudio, StartPaused: true})
	var ids []int
	for _, file := range []string{srt, vtt} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		track, err := p.LoadSubtitles(f, file)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !track.External || track.ID < firstExternalID {
			t.Errorf("loaded track %+v", track)
		}
		ids = append(ids, track.ID)
	}
	if ids[0] == ids[1] || len(p.SubtitleTracks()) != 2 || p.SubtitleTracks()[1].Codec != "webvtt" {
		t.Fatalf("tracks %+v", p.SubtitleTracks())
	}
	rec.waitEvent(t, 0, 5*time.Second, "tracks", func(e Event) bool { return e.Kind == EventTracks })
	if err := p.SetSubtitleTrack(ids[1]); err != nil {
		t.Fatal(err)
	}
	p.SetSubtitleOffset(400 * time.Millisecond)
	p.Play()
	waitDone(t, p, 30*time.Second)
	checkCues(t, rec.snapshotSubs(), cues, []string{"External one", "External two"}, 400*time.Millisecond)

	if err := p.SetSubtitleTrack(-1); err != nil {
		t.Fatal(err)
	}
	if err := p.SetSubtitleTrack(4242); err == nil {
		t.Error("unknown track accepted")
	}
}
