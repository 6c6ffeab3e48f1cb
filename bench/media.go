package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"marquee/internal/mp4box"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// filmSpec describes the benchmark film: 1080p H.264 + AAC at about 5 Mbit/s, encoded by
// the ffmpeg CLI. testsrc2 alone compresses far below 5 Mbit/s, so temporal noise is added
// until the rate controller, not the picture, sets the size, as with a real film.
type filmSpec struct {
	Width        int // 0 means 1920
	Height       int // 0 means 1080
	Duration     time.Duration
	VideoKbps    int
	AudioKbps    int
	KeyframeEach int // frames between keyframes; 250 is x264's default
}

// benchFilm is the film of figures 1 to 4.
var benchFilm = filmSpec{Duration: 4 * time.Minute, VideoKbps: 5000, AudioKbps: 128, KeyframeEach: 250}

// films are the cached media files one benchmark session uses.
type films struct {
	moovStart string // faststart: the index (moov) precedes the media data
	moovEnd   string // the same streams, index after the media data
	large     string // at least 2 GiB, moov at the start, for the memory figure
	duration  time.Duration
	bitrate   int64 // bits per second over the whole moovStart file
}

// largeFilmBytes is the minimum size of the memory figure's film.
const largeFilmBytes = 2 << 30

// cacheKey names the files of a spec; bump the version when the commands change.
func (s filmSpec) cacheKey() string {
	return fmt.Sprintf("film-v1-%dx%d-%ds-%dk-%dk-g%d", s.width(), s.height(), int(s.Duration.Seconds()), s.VideoKbps, s.AudioKbps, s.KeyframeEach)
}

func (s filmSpec) width() int {
	if s.Width == 0 {
		return 1920
	}
	return s.Width
}

func (s filmSpec) height() int {
	if s.Height == 0 {
		return 1080
	}
	return s.Height
}

// makeFilms returns the three variants of spec under dir, encoding only what is missing.
// Files appear by rename, so an interrupted run never leaves a truncated film behind.
func makeFilms(ctx context.Context, spec filmSpec, dir string, withLarge bool) (*films, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	key := spec.cacheKey()
	f := &films{
		moovStart: filepath.Join(dir, key+"-moov-start.mp4"),
		moovEnd:   filepath.Join(dir, key+"-moov-end.mp4"),
		large:     filepath.Join(dir, key+"-2GiB.mp4"),
	}
	secs := strconv.FormatFloat(spec.Duration.Seconds(), 'f', 3, 64)
	vk := strconv.Itoa(spec.VideoKbps) + "k"
	err := ffmpegOnce(ctx, f.moovStart,
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=30:duration=%s", spec.width(), spec.height(), secs),
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+secs,
		"-vf", "noise=alls=14:allf=t",
		"-c:v", "libx264", "-preset", "ultrafast", "-x264-params", "bframes=2",
		"-pix_fmt", "yuv420p", "-g", strconv.Itoa(spec.KeyframeEach),
		"-b:v", vk, "-minrate", vk, "-maxrate", vk, "-bufsize", strconv.Itoa(2*spec.VideoKbps)+"k",
		"-c:a", "aac", "-b:a", strconv.Itoa(spec.AudioKbps)+"k",
		"-movflags", "+faststart")
	if err != nil {
		return nil, err
	}
	// Same packets, remuxed without faststart: the moov atom goes after mdat.
	if err := ffmpegOnce(ctx, f.moovEnd, "-i", f.moovStart, "-map", "0", "-c", "copy"); err != nil {
		return nil, err
	}
	if err := f.probe(ctx); err != nil {
		return nil, err
	}
	if withLarge {
		st, err := os.Stat(f.moovStart)
		if err != nil {
			return nil, fmt.Errorf("media: %w", err)
		}
		// Loop the film with stream copy until the file passes 2 GiB; timestamps keep
		// increasing across loops, so it stays one valid, seekable film.
		loopSecs := float64(largeFilmBytes)/float64(st.Size())*f.duration.Seconds() + 30
		err = ffmpegOnce(ctx, f.large, "-stream_loop", "-1", "-i", f.moovStart, "-map", "0", "-c", "copy",
			"-t", strconv.FormatFloat(loopSecs, 'f', 0, 64), "-movflags", "+faststart")
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// ffmpegOnce runs ffmpeg with args followed by an output file, unless out exists.
func ffmpegOnce(ctx context.Context, out string, args ...string) error {
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	tmp := strings.TrimSuffix(out, ".mp4") + ".partial.mp4"
	full := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-threads", "2"}, args...)
	full = append(full, tmp)
	cmd := exec.CommandContext(ctx, "ffmpeg", full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("media: ffmpeg for %s: %w: %s", filepath.Base(out), err, lastLines(stderr.String(), 5))
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// probe reads the duration with ffprobe and checks that both variants hold the same data
// with the moov where it should be.
func (f *films) probe(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "format=duration",
		"-of", "json", f.moovStart).Output()
	if err != nil {
		return fmt.Errorf("media: ffprobe %s: %w", f.moovStart, err)
	}
	var probe struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &probe); err != nil {
		return fmt.Errorf("media: ffprobe output: %w", err)
	}
	secs, err := strconv.ParseFloat(probe.Format.Duration, 64)
	if err != nil || secs <= 0 {
		return fmt.Errorf("media: ffprobe duration %q", probe.Format.Duration)
	}
	f.duration = time.Duration(secs * float64(time.Second))
	st, err := os.Stat(f.moovStart)
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	f.bitrate = int64(float64(st.Size()*8) / secs)
	for path, wantFirst := range map[string]bool{f.moovStart: true, f.moovEnd: false} {
		first, err := moovBeforeMdat(path)
		if err != nil {
			return err
		}
		if first != wantFirst {
			return fmt.Errorf("media: %s: moov before mdat is %v, want %v", filepath.Base(path), first, wantFirst)
		}
	}
	return nil
}

// moovBeforeMdat walks the top-level MP4 boxes and reports which of moov and mdat comes
// first.
func moovBeforeMdat(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("media: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("media: %w", err)
	}
	box, err := mp4box.FirstOf(f, st.Size(), "moov", "mdat")
	if err != nil {
		return false, fmt.Errorf("media: %s: %w", filepath.Base(path), err)
	}
	return box == "moov", nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
