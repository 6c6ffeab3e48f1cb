package mediagen

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// FormatSRT renders cues as a SubRip file.
func FormatSRT(cues []Cue) []byte {
	var b bytes.Buffer
	for i, c := range cues {
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", i+1, srtTime(c.Start), srtTime(c.End), c.Text)
	}
	return b.Bytes()
}

func srtTime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// GenerateSubtitles writes track's cues as an external subtitle file in format "srt", "vtt"
// or "ass" and returns its path. ffmpeg does the writing (from a SubRip source), so a
// player's parser is tested against a real muxer's output, not against this package.
func GenerateSubtitles(ctx context.Context, track SubtitleTrack, format string, duration time.Duration, dir string) (string, error) {
	if track.Cues == nil {
		track.Cues = DefaultCues(duration)
	}
	muxers := map[string]string{"srt": "srt", "vtt": "webvtt", "ass": "ass"}
	muxer, ok := muxers[format]
	if !ok {
		return "", fmt.Errorf("mediagen: unknown subtitle format %q (want srt, vtt or ass)", format)
	}
	if dir == "" {
		dir = CacheDir()
	}
	spec := Spec{Label: "subs", Container: "mkv", Audio: []AudioTrack{{Codec: "flac"}}, Duration: duration, Subtitles: []SubtitleTrack{track}}
	path := filepath.Join(dir, spec.Key()+"."+format)
	err := once(ctx, path, func() error {
		ffmpeg, work, err := workspace(dir)
		if err != nil {
			return err
		}
		defer os.RemoveAll(work)
		src := filepath.Join(work, "in.srt")
		if err := os.WriteFile(src, FormatSRT(track.Cues), 0o644); err != nil {
			return fmt.Errorf("mediagen: %w", err)
		}
		out := filepath.Join(work, "out."+format)
		if err := run(ctx, ffmpeg, []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", src, "-f", muxer, out}); err != nil {
			return fmt.Errorf("mediagen: write %s subtitles: %w", format, err)
		}
		return os.Rename(out, path)
	})
	if err != nil {
		return "", err
	}
	return path, nil
}
