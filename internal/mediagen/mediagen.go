// Package mediagen makes small synthetic films with the ffmpeg command-line tool: a test
// pattern with a running clock, tones on every audio channel and timed subtitle cues. Tests,
// benchmarks and the app's offline demo use it; files are cached by a hash of their Spec,
// so each one is encoded once per machine.
package mediagen

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// generatorVersion is part of every cache key: bump it when the ffmpeg command lines change
// in a way that changes the output, so stale cached files are not reused.
const generatorVersion = 1

// Spec describes one generated film. Zero fields take the defaults documented on each field.
type Spec struct {
	// Label is a readable prefix for the cached file name; it is not part of the content.
	Label string `json:",omitempty"`
	// Container is one of "mp4", "mov", "mkv", "webm", "avi", "ts".
	Container string `json:",omitempty"`
	// Video is the video codec: "h264", "hevc", "vp9", "av1", "mpeg4"; "" means no video.
	Video string `json:",omitempty"`
	// Width and Height default to 320x240.
	Width, Height int `json:",omitempty"`
	// FPS defaults to 30.
	FPS int `json:",omitempty"`
	// VideoBitrate in kbit/s; 0 leaves rate control to the encoder's quality default.
	VideoBitrate int `json:",omitempty"`
	// GOP is the keyframe interval in frames; 0 means one keyframe per second.
	GOP int `json:",omitempty"`
	// Audio lists the audio tracks in stream order; the first is the default track.
	Audio []AudioTrack `json:",omitempty"`
	// Subtitles lists embedded text subtitle tracks.
	Subtitles []SubtitleTrack `json:",omitempty"`
	// Duration defaults to 3 s.
	Duration time.Duration `json:",omitempty"`
	// AudioOffset starts every audio track this much later than the video (by
	// timestamp, as in films whose sound begins after the picture).
	AudioOffset time.Duration `json:",omitempty"`
	// AudioDuration ends the sound early; 0 means it lasts the whole Duration.
	AudioDuration time.Duration `json:",omitempty"`
	// MoovAtEnd leaves an MP4/MOV's index (the moov atom) after the media data, as
	// encoders do without -movflags +faststart; players must seek to the end to start.
	MoovAtEnd bool `json:",omitempty"`
	// Timecode burns the running time and frame number into the picture in large type.
	Timecode bool `json:",omitempty"`
	// CoverArt gives a sound-only MP4/MOV (Video "") album art: one still picture in an
	// attached-picture stream, which FFmpeg hands out again after every seek.
	CoverArt bool `json:",omitempty"`
	// StartOffset shifts every timestamp by this much, as in recordings whose clock
	// starts hours in (MPEG-TS from a broadcast, remuxed to MKV or MP4).
	StartOffset time.Duration `json:",omitempty"`
	// Rotate stores a display matrix that turns the pictures this many degrees clockwise
	// (90, 180 or 270) in an MP4/MOV, as phones do with portrait video.
	Rotate int `json:",omitempty"`
}

// AudioTrack is one generated audio stream: a distinct sine tone on each channel.
type AudioTrack struct {
	// Codec is one of "aac", "ac3", "eac3", "dts", "mp3", "opus", "vorbis", "flac".
	Codec string
	// Channels defaults to 2; 6 makes 5.1 and 8 makes 7.1.
	Channels int
	// SampleRate defaults to 48000.
	SampleRate int
	// Frequency is the tone of the first channel in Hz (default 440); channel i plays
	// Frequency + 110·i, so a downmix can be told apart from a single channel.
	Frequency int
	Language  string
	Title     string
}

// SubtitleTrack is one embedded text subtitle stream.
type SubtitleTrack struct {
	// Codec is one of "srt", "ass", "mov_text" (MP4/MOV only), "webvtt" (WebM/MKV).
	Codec    string
	Language string
	Title    string
	// Cues default to DefaultCues(Spec.Duration).
	Cues []Cue
}

// Cue is one timed subtitle line. Text may hold SubRip markup (<i>, {\an8}) and newlines.
type Cue struct {
	Start, End time.Duration
	Text       string
}

// DemoFilm is the offline demo: a minute of 720p test pattern with a large running clock,
// a stereo tone and English subtitles, as a streaming-friendly (faststart) MP4.
var DemoFilm = Spec{
	Label:     "demo",
	Container: "mp4",
	Video:     "h264",
	Width:     1280,
	Height:    720,
	FPS:       30,
	// 2.5 Mbit/s, a typical 720p stream: 19 MB that tests can seed over a swarm.
	VideoBitrate: 2500,
	Duration:     60 * time.Second,
	Timecode:     true,
	Audio:        []AudioTrack{{Codec: "aac", Channels: 2, Language: "eng"}},
	Subtitles:    []SubtitleTrack{{Codec: "mov_text", Language: "eng"}},
}

// DefaultCues returns one cue per second of d, each shown for 800 ms: "Line 1", "Line 2",
// ... Every third cue is italic and every fifth is raised to the top ({\an8}), so players
// must strip markup.
func DefaultCues(d time.Duration) []Cue {
	var cues []Cue
	for i := 1; time.Duration(i)*time.Second+800*time.Millisecond <= d; i++ {
		text := fmt.Sprintf("Line %d", i)
		switch {
		case i%5 == 0:
			text = `{\an8}` + text
		case i%3 == 0:
			text = "<i>" + text + "</i>"
		}
		start := time.Duration(i) * time.Second
		cues = append(cues, Cue{Start: start, End: start + 800*time.Millisecond, Text: text})
	}
	return cues
}

// FrameCount is the number of video frames the film holds.
func (s Spec) FrameCount() int {
	s = s.withDefaults()
	if s.Video == "" {
		return 0
	}
	return int(s.Duration * time.Duration(s.FPS) / time.Second)
}

// Ext is the file name extension (with the dot) of the container.
func (s Spec) Ext() string { return "." + s.Container }

func (s Spec) withDefaults() Spec {
	s.Width = cmp.Or(s.Width, 320)
	s.Height = cmp.Or(s.Height, 240)
	s.FPS = cmp.Or(s.FPS, 30)
	s.GOP = cmp.Or(s.GOP, s.FPS)
	s.Duration = cmp.Or(s.Duration, 3*time.Second)
	audio := make([]AudioTrack, len(s.Audio))
	for i, a := range s.Audio {
		a.Channels = cmp.Or(a.Channels, 2)
		a.SampleRate = cmp.Or(a.SampleRate, 48000)
		a.Frequency = cmp.Or(a.Frequency, 440)
		audio[i] = a
	}
	s.Audio = audio
	subs := make([]SubtitleTrack, len(s.Subtitles))
	for i, st := range s.Subtitles {
		if st.Cues == nil {
			st.Cues = DefaultCues(s.Duration)
		}
		subs[i] = st
	}
	s.Subtitles = subs
	return s
}

var (
	containers = map[string]string{"mp4": "mp4", "mov": "mov", "mkv": "matroska", "webm": "webm", "avi": "avi", "ts": "mpegts"}
	videoArgs  = map[string][]string{
		// ultrafast turns B-frames off; two of them keep decode order != display order,
		// as in real films.
		"h264":  {"-c:v", "libx264", "-preset", "ultrafast", "-x264-params", "bframes=2", "-pix_fmt", "yuv420p"},
		"hevc":  {"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p"},
		"vp9":   {"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-pix_fmt", "yuv420p"},
		"av1":   {"-c:v", "libsvtav1", "-preset", "12", "-pix_fmt", "yuv420p"},
		"mpeg4": {"-c:v", "mpeg4", "-bf", "1", "-pix_fmt", "yuv420p"},
	}
	audioEncoders = map[string]string{"aac": "aac", "ac3": "ac3", "eac3": "eac3", "dts": "dca", "mp3": "libmp3lame", "opus": "libopus", "vorbis": "libvorbis", "flac": "flac"}
	layouts       = map[int]string{1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 5: "5.0", 6: "5.1", 8: "7.1"}
	subtitleOK    = map[string]map[string]bool{
		"mkv":  {"srt": true, "ass": true, "webvtt": true},
		"webm": {"webvtt": true},
		"mp4":  {"mov_text": true},
		"mov":  {"mov_text": true},
	}
)

// Validate reports a clear error for a Spec that ffmpeg could not encode.
func (s Spec) Validate() error {
	s = s.withDefaults()
	if _, ok := containers[s.Container]; !ok {
		return fmt.Errorf("mediagen: unknown container %q (want mp4, mov, mkv, webm, avi or ts)", s.Container)
	}
	if s.Video == "" && len(s.Audio) == 0 {
		return errors.New("mediagen: a spec needs a video or an audio track")
	}
	if s.Video != "" {
		if _, ok := videoArgs[s.Video]; !ok {
			return fmt.Errorf("mediagen: unknown video codec %q", s.Video)
		}
		if s.Width < 16 || s.Height < 16 || s.Width%2 != 0 || s.Height%2 != 0 {
			return fmt.Errorf("mediagen: picture %dx%d must be even and at least 16x16", s.Width, s.Height)
		}
		if s.Video == "av1" && (s.Width < 64 || s.Height < 64) {
			return fmt.Errorf("mediagen: the AV1 encoder needs at least 64x64, not %dx%d", s.Width, s.Height)
		}
		if s.FPS < 1 || s.FPS > 240 {
			return fmt.Errorf("mediagen: frame rate %d out of range", s.FPS)
		}
	}
	if s.Duration < 100*time.Millisecond || s.Duration > 2*time.Hour {
		return fmt.Errorf("mediagen: duration %v out of range", s.Duration)
	}
	if s.AudioOffset < 0 || s.AudioDuration < 0 || s.AudioOffset+s.AudioDuration > s.Duration {
		return errors.New("mediagen: the sound must fit within the film")
	}
	for _, a := range s.Audio {
		if _, ok := audioEncoders[a.Codec]; !ok {
			return fmt.Errorf("mediagen: unknown audio codec %q", a.Codec)
		}
		if _, ok := layouts[a.Channels]; !ok {
			return fmt.Errorf("mediagen: unsupported channel count %d", a.Channels)
		}
		if a.Codec == "mp3" && a.Channels > 2 {
			return errors.New("mediagen: mp3 carries at most 2 channels")
		}
	}
	for _, st := range s.Subtitles {
		if !subtitleOK[s.Container][st.Codec] {
			return fmt.Errorf("mediagen: container %s cannot carry %q subtitles", s.Container, st.Codec)
		}
		for _, c := range st.Cues {
			if c.End <= c.Start {
				return fmt.Errorf("mediagen: cue %q ends before it starts", c.Text)
			}
		}
	}
	if s.MoovAtEnd && s.Container != "mp4" && s.Container != "mov" {
		return errors.New("mediagen: MoovAtEnd applies to mp4 and mov only")
	}
	if s.CoverArt && (s.Video != "" || len(s.Audio) == 0 || (s.Container != "mp4" && s.Container != "mov")) {
		return errors.New("mediagen: CoverArt needs a sound-only mp4 or mov")
	}
	if s.StartOffset < 0 {
		return errors.New("mediagen: StartOffset must not be negative")
	}
	if s.Rotate != 0 && (s.Rotate%90 != 0 || s.Video == "" || (s.Container != "mp4" && s.Container != "mov")) {
		return errors.New("mediagen: Rotate is a quarter turn, in an mp4 or mov with video")
	}
	return nil
}

// Key is the content hash that names the cached file. Zero fields are left out of the
// hash, so adding a field to Spec does not rename every cached file.
func (s Spec) Key() string {
	s = s.withDefaults()
	label := s.Label
	s.Label = ""
	b, _ := json.Marshal(struct {
		V    int
		Spec Spec
	}{generatorVersion, s})
	sum := sha256.Sum256(b)
	name := hex.EncodeToString(sum[:8])
	if label != "" {
		name = sanitize(label) + "-" + name
	}
	return name
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// CacheDir is <module root>/testdata/media when the working directory is inside the marquee
// module (so tests share one cache, ignored by git), else the user cache directory's
// marquee/media.
func CacheDir() string {
	if root := moduleRoot(); root != "" {
		return filepath.Join(root, "testdata", "media")
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "marquee", "media")
}

func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if isMarqueeModule(b) {
				return dir
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isMarqueeModule(gomod []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == "marquee"
		}
	}
	return false
}

var (
	// Two encoders at a time: the test machines have two cores shared by every package.
	encodeSlots = make(chan struct{}, 2)
	inflightMu  sync.Mutex
	inflight    = map[string]*generation{}
)

type generation struct {
	done chan struct{}
	err  error
}

// Generate returns the path of the film described by spec inside dir ("" means CacheDir()),
// running ffmpeg only if no cached file exists. The file appears atomically (rename), so
// concurrent tests and processes never see a partial file.
func Generate(ctx context.Context, spec Spec, dir string) (string, error) {
	if err := spec.Validate(); err != nil {
		return "", err
	}
	if dir == "" {
		dir = CacheDir()
	}
	path := filepath.Join(dir, spec.Key()+spec.Ext())
	err := once(ctx, path, func() error { return encode(ctx, spec.withDefaults(), dir, path) })
	if err != nil {
		return "", err
	}
	return path, nil
}

// once runs build for path unless the file exists or another goroutine of this process is
// already making it, in which case it waits for that result.
func once(ctx context.Context, path string, build func() error) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	inflightMu.Lock()
	g, ok := inflight[path]
	if !ok {
		g = &generation{done: make(chan struct{})}
		inflight[path] = g
		inflightMu.Unlock()
		g.err = build()
		inflightMu.Lock()
		delete(inflight, path)
		close(g.done)
		inflightMu.Unlock()
		return g.err
	}
	inflightMu.Unlock()
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// workspace finds the ffmpeg command and makes a scratch folder inside dir, so that the
// finished file can be renamed into place on the same file system.
func workspace(dir string) (ffmpeg, work string, err error) {
	ffmpeg, err = exec.LookPath("ffmpeg")
	if err != nil {
		return "", "", errors.New("mediagen: the ffmpeg command is not installed (Debian: apt-get install ffmpeg)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("mediagen: %w", err)
	}
	work, err = os.MkdirTemp(dir, ".gen-")
	if err != nil {
		return "", "", fmt.Errorf("mediagen: %w", err)
	}
	return ffmpeg, work, nil
}

func encode(ctx context.Context, s Spec, dir, path string) error {
	ffmpeg, work, err := workspace(dir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	select {
	case encodeSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-encodeSlots }()

	out := filepath.Join(work, "out"+s.Ext())
	args, err := ffmpegArgs(s, work, out, s.Timecode)
	if err != nil {
		return err
	}
	runErr := run(ctx, ffmpeg, args)
	if runErr != nil && s.Timecode && ctx.Err() == nil {
		// drawtext needs a font through fontconfig; without one, a film with testsrc2's
		// own small clock is still a usable demo.
		args, _ = ffmpegArgs(s, work, out, false)
		runErr = run(ctx, ffmpeg, args)
	}
	if runErr != nil {
		return fmt.Errorf("mediagen: encode %s: %w", filepath.Base(path), runErr)
	}
	if s.Rotate != 0 {
		if err := turnVideoTrack(out, s.Rotate); err != nil {
			return fmt.Errorf("mediagen: %w", err)
		}
	}
	if err := os.Rename(out, path); err != nil {
		return fmt.Errorf("mediagen: %w", err)
	}
	return nil
}

func run(ctx context.Context, name string, args []string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = "..." + msg[len(msg)-2000:]
		}
		return fmt.Errorf("ffmpeg: %w: %s", err, msg)
	}
	return nil
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

func ffmpegArgs(s Spec, work, out string, timecode bool) ([]string, error) {
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-threads", "2"}
	var maps []string
	input := 0
	if s.Video != "" {
		args = append(args, "-f", "lavfi", "-i",
			fmt.Sprintf("testsrc2=size=%dx%d:rate=%d:duration=%s", s.Width, s.Height, s.FPS, seconds(s.Duration)))
		maps = append(maps, "-map", fmt.Sprintf("%d:v", input))
		input++
	}
	audioDuration := s.Duration
	if s.AudioDuration > 0 {
		audioDuration = s.AudioDuration
	}
	for _, a := range s.Audio {
		tones := make([]string, a.Channels)
		for ch := range tones {
			tones[ch] = fmt.Sprintf("0.3*sin(%d*2*PI*t)", a.Frequency+110*ch)
		}
		if s.AudioOffset > 0 {
			args = append(args, "-itsoffset", seconds(s.AudioOffset))
		}
		args = append(args, "-f", "lavfi", "-i",
			fmt.Sprintf("aevalsrc=%s:s=%d:c=%s:d=%s", strings.Join(tones, "|"), a.SampleRate, layouts[a.Channels], seconds(audioDuration)))
		maps = append(maps, "-map", fmt.Sprintf("%d:a", input))
		input++
	}
	if s.CoverArt {
		// One frame in, one picture out: with -frames:v 1 on a longer source FFmpeg 5.1
		// writes the picture and drops the sound.
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=1:duration=1", s.Width, s.Height))
		maps = append(maps, "-map", fmt.Sprintf("%d:v", input))
		input++
	}
	for i, st := range s.Subtitles {
		srt := filepath.Join(work, fmt.Sprintf("sub%d.srt", i))
		if err := os.WriteFile(srt, FormatSRT(st.Cues), 0o644); err != nil {
			return nil, fmt.Errorf("mediagen: %w", err)
		}
		args = append(args, "-i", srt)
		maps = append(maps, "-map", fmt.Sprintf("%d:s", input))
		input++
	}
	args = append(args, maps...)
	if s.Video != "" {
		args = append(args, videoArgs[s.Video]...)
		args = append(args, "-g", strconv.Itoa(s.GOP))
		if s.VideoBitrate > 0 {
			kb := strconv.Itoa(s.VideoBitrate) + "k"
			args = append(args, "-b:v", kb, "-maxrate", kb, "-bufsize", strconv.Itoa(2*s.VideoBitrate)+"k")
		} else if s.Video == "vp9" {
			args = append(args, "-crf", "40", "-b:v", "0")
		} else if s.Video == "mpeg4" {
			args = append(args, "-q:v", "5")
		}
		if s.Video == "hevc" && (s.Container == "mp4" || s.Container == "mov") {
			args = append(args, "-tag:v", "hvc1")
		}
		if timecode {
			args = append(args, "-vf", "drawtext=font=monospace:text='%{pts\\:hms}  frame %{n}':fontsize=h/12:"+
				"fontcolor=white:box=1:boxcolor=black@0.6:x=(w-tw)/2:y=h-th-h/12")
		}
	}
	if s.CoverArt {
		args = append(args, "-c:v", "png", "-disposition:v", "attached_pic")
	}
	for i, a := range s.Audio {
		args = append(args, fmt.Sprintf("-c:a:%d", i), audioEncoders[a.Codec])
		if a.Codec == "opus" && a.Channels > 2 {
			args = append(args, fmt.Sprintf("-mapping_family:a:%d", i), "1")
		}
		if a.Language != "" {
			args = append(args, fmt.Sprintf("-metadata:s:a:%d", i), "language="+a.Language)
		}
		if a.Title != "" {
			args = append(args, fmt.Sprintf("-metadata:s:a:%d", i), "title="+a.Title)
		}
		disposition := "0"
		if i == 0 {
			disposition = "default"
		}
		args = append(args, fmt.Sprintf("-disposition:a:%d", i), disposition)
	}
	for i, st := range s.Subtitles {
		codec := st.Codec
		args = append(args, fmt.Sprintf("-c:s:%d", i), codec)
		if st.Language != "" {
			args = append(args, fmt.Sprintf("-metadata:s:s:%d", i), "language="+st.Language)
		}
		if st.Title != "" {
			args = append(args, fmt.Sprintf("-metadata:s:s:%d", i), "title="+st.Title)
		}
	}
	switch s.Container {
	case "mp4", "mov":
		if !s.MoovAtEnd {
			args = append(args, "-movflags", "+faststart")
		}
	}
	if s.StartOffset > 0 {
		args = append(args, "-output_ts_offset", seconds(s.StartOffset))
	}
	// DTS, and FLAC or Opus in MP4, are still flagged experimental in FFmpeg 5.1.
	args = append(args, "-strict", "-2", "-t", seconds(s.Duration), "-f", containers[s.Container], out)
	return args, nil
}
