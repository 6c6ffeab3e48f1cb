package bench

import (
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"marquee/internal/mediagen"
	"marquee/player"
)

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ffmpegCPU runs the ffmpeg command line over path and returns the CPU time it used.
func ffmpegCPU(b *testing.B, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command("ffmpeg", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// discardFrames is a frame sink that shows nothing.
type discardFrames struct{}

func (discardFrames) ShowFrame(*image.RGBA, time.Duration) {}

// BenchmarkDecodeRGBA1080p measures the CPU time per frame of the player's pipeline
// (demux, decode, convert to 1920x1080 RGBA into the triple buffers) on a 1080p H.264
// film, and runs ffmpeg on the same file in the same run with the same thread count:
// once decoding only (-f null) and once also converting to RGBA (-pix_fmt rgba -f null).
// The reported ratios are the player's CPU per frame over ffmpeg's.
func BenchmarkDecodeRGBA1080p(b *testing.B) {
	spec := mediagen.Spec{Label: "bench-1080p", Container: "mp4", Video: "h264", Width: 1920, Height: 1080,
		Duration: 10 * time.Second, VideoBitrate: 8000}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := moduleRoot()
	if err != nil {
		b.Fatal(err)
	}
	path, err := mediagen.Generate(ctx, spec, filepath.Join(root, "testdata", "bench"))
	if err != nil {
		b.Fatal(err)
	}
	// The player's video decoder uses one thread per core (at most 16); ffmpeg gets the same.
	threads := fmt.Sprint(min(runtime.NumCPU(), 16))
	var ours, ffDecode, ffRGBA time.Duration
	frames := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		st, _ := f.Stat()
		start := selfCPU()
		p, err := player.Open(ctx, f, player.Options{Size: st.Size(), Name: path, Video: discardFrames{}, Unpaced: true})
		if err != nil {
			b.Fatal(err)
		}
		<-p.Done()
		ours += selfCPU() - start
		s := p.Stats()
		frames += s.FramesShown
		if p.State() != player.StateEnded || s.FramesShown != spec.FrameCount() {
			b.Fatalf("state %v, %d frames shown of %d", p.State(), s.FramesShown, spec.FrameCount())
		}
		p.Close()
		f.Close()
		b.StopTimer()
		ffDecode += ffmpegCPU(b, "-v", "error", "-threads", threads, "-i", path, "-f", "null", "-")
		ffRGBA += ffmpegCPU(b, "-v", "error", "-threads", threads, "-i", path, "-pix_fmt", "rgba", "-f", "null", "-")
		b.StartTimer()
	}
	perFrame := func(d time.Duration) float64 { return float64(d) / float64(frames) / 1e6 }
	b.ReportMetric(perFrame(ours), "cpu-ms/frame")
	b.ReportMetric(perFrame(ffDecode), "ffmpeg-decode-cpu-ms/frame") // ffmpeg decoded the same frames
	b.ReportMetric(perFrame(ffRGBA), "ffmpeg-rgba-cpu-ms/frame")
	b.ReportMetric(float64(ours)/float64(ffDecode), "x-ffmpeg-decode")
	b.ReportMetric(float64(ours)/float64(ffRGBA), "x-ffmpeg-rgba")
}
