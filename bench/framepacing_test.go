package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// pacingStatus is the part of the app's test status line (MARQUEE_TEST_STATUS) that
// frame pacing reads; app/videopacing.go says what each count means.
type pacingStatus struct {
	State         string  `json:"state"`
	PositionMS    int64   `json:"position_ms"`
	FramesShown   int64   `json:"frames_shown"`
	FramesPainted int64   `json:"frames_painted"`
	FramesDropped int64   `json:"frames_dropped"`
	FramesDrawn   int64   `json:"frames_drawn"`
	FramesSkipped int64   `json:"frames_skipped"`
	PaintMicros   []int64 `json:"paint_us"`
	LatencyMicros []int64 `json:"latency_us"`
}

func readPacingStatus(path string) []pacingStatus {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []pacingStatus
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var st pacingStatus
		if json.Unmarshal(sc.Bytes(), &st) == nil {
			out = append(out, st)
		}
	}
	return out
}

// BenchmarkFramePacing plays the 1080p30 film of BenchmarkAppCPU in the real app window
// under Xvfb (software GL) with audio on the null device, and reads the app's own frame
// counters over a 20 s window of playing: pictures drawn on screen, pictures lost (dropped
// late by the player's presenter, or handed to the view and replaced before any repaint),
// the paint time of each picture drawn (texture upload and draw of the picture on the GL
// thread; see app/videopacing.go), and each one's latency from the player handing it over
// to the first repaint that reached it, which is what letting pictures wait costs. The CPU per thread is read from /proc as
// BenchmarkAppCPU does, to tell what starves when pictures are lost. Run it with -count
// for a spread: each run is one window.
func BenchmarkFramePacing(b *testing.B) {
	for _, prog := range []string{"Xvfb", "ffmpeg"} {
		if _, err := exec.LookPath(prog); err != nil {
			b.Fatalf("%s is not installed; make bench installs it", prog)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := moduleRoot()
	if err != nil {
		b.Fatal(err)
	}
	bin := appBinary(ctx, b, root)
	_, path := appFilm(ctx, b, root, "1080p", 1920, 1080)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average before the run: %s", strings.TrimSpace(string(load)))
	}

	x := startXvfb(b)
	statusPath := filepath.Join(b.TempDir(), "status.jsonl")
	app := startApp(b, bin, x, path, "MARQUEE_TEST_STATUS="+statusPath)

	// Warm up: the window is mapped, the film opened and a second of it painted.
	deadline := time.Now().Add(time.Minute)
	var before []pacingStatus
	for {
		before = readPacingStatus(statusPath)
		if n := len(before); n > 0 && before[n-1].State == "playing" && before[n-1].FramesDrawn >= 30 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("the film did not start playing within a minute (%d status lines)", len(before))
		}
		time.Sleep(100 * time.Millisecond)
	}
	const window = 20 * time.Second
	gl, other, err := cpuOver(app.Process.Pid, window)
	if err != nil {
		b.Fatal(err)
	}
	after := readPacingStatus(statusPath)
	first, last := before[len(before)-1], after[len(after)-1]
	if last.State != "playing" {
		b.Fatalf("the film stopped playing during the window: %+v", last)
	}
	var paint, latency []float64
	for _, st := range after[len(before):] {
		for _, us := range st.PaintMicros {
			paint = append(paint, float64(us)/1000)
		}
		for _, us := range st.LatencyMicros {
			latency = append(latency, float64(us)/1000)
		}
	}
	shown := last.FramesDrawn - first.FramesDrawn
	late := last.FramesDropped - first.FramesDropped
	skipped := last.FramesSkipped - first.FramesSkipped
	dropped := late + skipped
	film := float64(last.PositionMS-first.PositionMS) / 1000
	if shown <= 0 || len(paint) == 0 || len(latency) == 0 {
		b.Fatalf("no pictures drawn in the window: %+v → %+v", first, last)
	}
	slices.Sort(paint)
	slices.Sort(latency)
	pct := func(sorted []float64, p float64) float64 {
		return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
	}
	b.Logf("%.1f s of film: %d handed to the view, %d set on the canvas, %d drawn, %d dropped late, %d skipped before a repaint; paint median %.2f ms, p95 %.2f ms, max %.2f ms; latency median %.1f ms, p95 %.1f ms, max %.1f ms; CPU gl %.0f%%, other %.0f%%",
		film, last.FramesShown-first.FramesShown, last.FramesPainted-first.FramesPainted, shown, late, skipped,
		pct(paint, 0.5), pct(paint, 0.95), paint[len(paint)-1], pct(latency, 0.5), pct(latency, 0.95), latency[len(latency)-1], gl, other)
	b.ReportMetric(float64(shown), "shown")
	b.ReportMetric(float64(dropped), "dropped")
	b.ReportMetric(float64(late), "dropped-late")
	b.ReportMetric(float64(skipped), "dropped-skipped")
	b.ReportMetric(100*float64(dropped)/float64(shown+dropped), "dropped-%")
	b.ReportMetric(float64(shown)/film, "shown/s-of-film")
	b.ReportMetric(pct(paint, 0.5), "paint-ms/frame-median")
	b.ReportMetric(pct(paint, 0.95), "paint-ms/frame-p95")
	b.ReportMetric(pct(latency, 0.5), "latency-ms-median")
	b.ReportMetric(pct(latency, 0.95), "latency-ms-p95")
	b.ReportMetric(gl, "gl-%cpu")
	b.ReportMetric(other, "decode+go-%cpu")
}
