package mediagen

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type probeResult struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		Channels  int    `json:"channels"`
		NbFrames  string `json:"nb_read_frames"`
		Tags      struct {
			Language string `json:"language"`
		} `json:"tags"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

func probe(t *testing.T, path string) probeResult {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var r probeResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGenerateMatchesSpec(t *testing.T) {
	t.Parallel()
	spec := Spec{
		Label: "mediagen-test", Container: "mkv", Video: "h264", Width: 160, Height: 120, FPS: 25,
		Duration: 2 * time.Second,
		Audio: []AudioTrack{
			{Codec: "ac3", Channels: 6, Language: "eng"},
			{Codec: "opus", Channels: 2, Language: "fra"},
		},
		Subtitles: []SubtitleTrack{{Codec: "srt", Language: "eng"}},
	}
	path, err := Generate(context.Background(), spec, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(path, CacheDir()) || filepath.Ext(path) != ".mkv" {
		t.Errorf("path %s not a .mkv under %s", path, CacheDir())
	}
	r := probe(t, path)
	want := []struct{ typ, codec, lang string }{
		{"video", "h264", ""}, {"audio", "ac3", "eng"}, {"audio", "opus", "fra"}, {"subtitle", "subrip", "eng"},
	}
	if len(r.Streams) != len(want) {
		t.Fatalf("got %d streams, want %d", len(r.Streams), len(want))
	}
	for i, w := range want {
		s := r.Streams[i]
		if s.CodecType != w.typ || s.CodecName != w.codec || (w.lang != "" && s.Tags.Language != w.lang) {
			t.Errorf("stream %d = %s/%s/%s, want %s/%s/%s", i, s.CodecType, s.CodecName, s.Tags.Language, w.typ, w.codec, w.lang)
		}
	}
	if r.Streams[0].NbFrames != "50" || r.Streams[0].Width != 160 {
		t.Errorf("video: %s frames at width %d, want 50 at 160", r.Streams[0].NbFrames, r.Streams[0].Width)
	}
	if r.Streams[1].Channels != 6 {
		t.Errorf("ac3 track has %d channels, want 6", r.Streams[1].Channels)
	}
	if got := r.Streams[3].NbFrames; got != "1" { // cue "Line 1" at 1s..1.8s fits in 2s
		t.Errorf("subtitle track has %s cues, want 1", got)
	}
	if spec.FrameCount() != 50 {
		t.Errorf("FrameCount = %d, want 50", spec.FrameCount())
	}

	// Cached: a second call returns the same file without re-encoding.
	info, _ := os.Stat(path)
	again, err := Generate(context.Background(), spec, "")
	if err != nil || again != path {
		t.Fatalf("second Generate = %s, %v", again, err)
	}
	if info2, _ := os.Stat(again); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("cached file was rewritten")
	}
}

func TestMoovPosition(t *testing.T) {
	t.Parallel()
	for _, atEnd := range []bool{false, true} {
		spec := Spec{Label: "moov", Container: "mp4", Video: "h264", Width: 64, Height: 48, Duration: time.Second, MoovAtEnd: atEnd}
		path, err := Generate(context.Background(), spec, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		moov, mdat := strings.Index(string(b), "moov"), strings.Index(string(b), "mdat")
		if moov < 0 || mdat < 0 || (moov > mdat) != atEnd {
			t.Errorf("MoovAtEnd=%v: moov at %d, mdat at %d", atEnd, moov, mdat)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := map[string]Spec{
		"container":     {Container: "flv", Video: "h264"},
		"empty":         {Container: "mkv"},
		"video codec":   {Container: "mkv", Video: "theora"},
		"odd size":      {Container: "mkv", Video: "h264", Width: 101, Height: 100},
		"mp3 5.1":       {Container: "mkv", Audio: []AudioTrack{{Codec: "mp3", Channels: 6}}},
		"subs in avi":   {Container: "avi", Video: "mpeg4", Subtitles: []SubtitleTrack{{Codec: "srt"}}},
		"moov in mkv":   {Container: "mkv", Video: "h264", MoovAtEnd: true},
		"small av1":     {Container: "webm", Video: "av1", Width: 32, Height: 32},
		"backward cue":  {Container: "mkv", Video: "h264", Subtitles: []SubtitleTrack{{Codec: "srt", Cues: []Cue{{Start: 2 * time.Second, End: time.Second}}}}},
		"long duration": {Container: "mkv", Video: "h264", Duration: 3 * time.Hour},
	}
	for name, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, s)
		} else if _, err := Generate(context.Background(), s, t.TempDir()); err == nil {
			t.Errorf("%s: Generate accepted an invalid spec", name)
		}
	}
	if err := DemoFilm.Validate(); err != nil {
		t.Errorf("DemoFilm: %v", err)
	}
}

func TestKey(t *testing.T) {
	a := Spec{Container: "mkv", Video: "h264"}
	b := Spec{Container: "mkv", Video: "h264", Width: 320, Height: 240, FPS: 30, Duration: 3 * time.Second}
	if a.Key() != b.Key() {
		t.Error("defaults and explicit defaults hash differently")
	}
	c := b
	c.FPS = 25
	if c.Key() == b.Key() {
		t.Error("different frame rates hash alike")
	}
	l := b
	l.Label = "x y/z"
	if !strings.HasPrefix(l.Key(), "x_y_z-") || strings.TrimPrefix(l.Key(), "x_y_z-") != b.Key() {
		t.Errorf("label key %q does not extend %q", l.Key(), b.Key())
	}
}

func TestCacheDirIsModuleTestdata(t *testing.T) {
	dir := CacheDir()
	if filepath.Base(dir) != "media" || filepath.Base(filepath.Dir(dir)) != "testdata" {
		t.Fatalf("CacheDir = %s, want <module>/testdata/media", dir)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(dir)), "go.mod")); err != nil {
		t.Errorf("no go.mod above %s", dir)
	}
}

func TestGenerateSubtitles(t *testing.T) {
	t.Parallel()
	track := SubtitleTrack{Cues: []Cue{{Start: 1500 * time.Millisecond, End: 2 * time.Second, Text: "<i>hello</i>"}}}
	for _, format := range []string{"srt", "vtt"} {
		path, err := GenerateSubtitles(context.Background(), track, format, 3*time.Second, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		wantTime := map[string]string{"srt": "00:00:01,500 --> 00:00:02,000", "vtt": "00:01.500 --> 00:02.000"}[format]
		if !strings.Contains(string(b), wantTime) || !strings.Contains(string(b), "hello") {
			t.Errorf("%s file lacks %q or the text:\n%s", format, wantTime, b)
		}
	}
	if _, err := GenerateSubtitles(context.Background(), track, "sub", time.Second, t.TempDir()); err == nil {
		t.Error("unknown format accepted")
	}
}
