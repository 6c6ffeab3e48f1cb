package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// userHZ is the unit of the CPU times in /proc/PID/task/*/stat (USER_HZ, 100 on Linux).
const userHZ = 100

// threadCPU is the CPU time used so far by a process, split into the threads of Mesa's
// software GL (llvmpipe, which composites the window under Xvfb) and all the others
// (decoding, conversion, Go). Go's CPU profiler sees neither FFmpeg's nor Mesa's threads.
type threadCPU struct{ gl, other time.Duration }

func readThreadCPU(pid int) (threadCPU, error) {
	var out threadCPU
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(tasks) == 0 {
		return out, fmt.Errorf("no threads for pid %d: %v", pid, err)
	}
	for _, path := range tasks {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread ended
		}
		// "pid (comm) state ..." with comm in parentheses, which may hold spaces.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		d := time.Duration(utime+stime) * time.Second / userHZ
		if strings.HasPrefix(s[open+1:end], "llvmpipe") {
			out.gl += d
		} else {
			out.other += d
		}
	}
	return out, nil
}

// cpuOver is the share of a core (in %) that pid used over window, split like threadCPU.
func cpuOver(pid int, window time.Duration) (gl, other float64, err error) {
	t0, err := readThreadCPU(pid)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	time.Sleep(window)
	t1, err := readThreadCPU(pid)
	if err != nil {
		return 0, 0, err
	}
	el := time.Since(start).Seconds()
	return 100 * (t1.gl - t0.gl).Seconds() / el, 100 * (t1.other - t0.other).Seconds() / el, nil
}

// xserver is an Xvfb on a display of its own.
type xserver struct {
	cmd     *exec.Cmd
	display string
}

func startXvfb(b *testing.B) *xserver {
	b.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		b.Fatalf("Xvfb: %v (make bench installs xvfb)", err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		cmd.Process.Kill()
		b.Fatalf("Xvfb did not say its display: %v", err)
	}
	x := &xserver{cmd: cmd, display: ":" + strings.TrimSpace(line)}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return x
}

// key types keys into the focused window, as a person at the keyboard would.
func (x *xserver) key(b *testing.B, keys ...string) {
	b.Helper()
	cmd := exec.Command("xdotool", append([]string{"mousemove", "640", "400", "key", "--delay", "150"}, keys...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("xdotool %v: %v %s (make bench installs xdotool)", keys, err, out)
	}
}

// startApp runs the desktop app on x with a fresh home folder, playing source if given;
// env adds variables (the app's test hooks).
func startApp(b *testing.B, bin string, x *xserver, source string, env ...string) *exec.Cmd {
	b.Helper()
	var args []string
	if source != "" {
		args = append(args, source)
	}
	return startOnX(b, x, bin, args, env...)
}

// startOnX runs a GUI program on x with a fresh home folder, its output in app.log there,
// and stops it (interrupt, then kill) when the benchmark ends.
func startOnX(b *testing.B, x *xserver, bin string, args []string, env ...string) *exec.Cmd {
	b.Helper()
	home := b.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "LANG=en_US.UTF-8")
	cmd.Env = append(cmd.Env, env...)
	log, err := os.Create(filepath.Join(home, "app.log"))
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		log.Close()
	})
	return cmd
}

// appBinary is the marquee binary to run: MARQUEE_BENCH_BIN or a fresh build of root.
func appBinary(ctx context.Context, b *testing.B, root string) string {
	b.Helper()
	if bin := os.Getenv(envMarqueeBin); bin != "" {
		return bin
	}
	return buildCommand(ctx, b, root, ".", "marquee")
}

// buildCommand builds the command in pkg (relative to root) into a temporary folder.
func buildCommand(ctx context.Context, b *testing.B, root, pkg, name string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), name)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", name, err, lastLines(string(out), 10))
	}
	return bin
}

// appFilm is the 30 s, 30 fps H.264/AAC film the app benchmarks play, cached under
// testdata/bench.
func appFilm(ctx context.Context, b *testing.B, root, label string, width, height int) (mediagen.Spec, string) {
	b.Helper()
	spec := mediagen.Spec{Label: "bench-appcpu-" + label, Container: "mp4", Video: "h264",
		Width: width, Height: height, FPS: 30, Duration: 30 * time.Second,
		Audio: []mediagen.AudioTrack{{Codec: "aac", Channels: 2}}}
	path, err := mediagen.Generate(ctx, spec, filepath.Join(root, "testdata", "bench"))
	if err != nil {
		b.Fatal(err)
	}
	return spec, path
}

// BenchmarkAppCPU measures the desktop app's CPU under Xvfb (software GL), as issue 17
// asks: on the home page doing nothing, playing a 720p and a 1080p film, paused, and
// after the end, each over a fixed window, split into GL compositing (llvmpipe) and the
// rest. Playing is compared with `ffmpeg -f null` decoding the same file, per second of
// film, in the same run. The limits come from the same run too: bench/fynefloor, a bare
// Fyne window idle and showing 30 pictures a second of the size the player hands over.
// An idle Fyne window wakes 60 times a second (its event loop's ticker), so paused and
// ended are also given above the idle window's cost.
func BenchmarkAppCPU(b *testing.B) {
	for _, prog := range []string{"Xvfb", "xdotool", "ffmpeg"} {
		if _, err := exec.LookPath(prog); err != nil {
			b.Fatalf("%s is not installed; make bench installs it", prog)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	root, err := moduleRoot()
	if err != nil {
		b.Fatal(err)
	}
	bin := appBinary(ctx, b, root)
	const window = 10 * time.Second
	x := startXvfb(b)

	floor := buildCommand(ctx, b, root, "./bench/fynefloor", "fynefloor")
	// floorCPU is what the bare Fyne program costs in args' mode over the window.
	floorCPU := func(args ...string) (gl, other float64) {
		cmd := startOnX(b, x, floor, args)
		time.Sleep(3 * time.Second)
		gl, other, err := cpuOver(cmd.Process.Pid, window)
		if err != nil {
			b.Fatal(err)
		}
		cmd.Process.Signal(os.Interrupt)
		return gl, other
	}
	fyneIdleGL, fyneIdleOther := floorCPU("idle")
	fyneIdle := fyneIdleGL + fyneIdleOther
	b.ReportMetric(fyneIdle, "fyne-idle-%cpu")

	home := startApp(b, bin, x, "")
	time.Sleep(5 * time.Second) // catalog rows and posters settle
	idleGL, idleOther, err := cpuOver(home.Process.Pid, window)
	if err != nil {
		b.Fatal(err)
	}
	idle := idleGL + idleOther
	b.ReportMetric(idle, "home-idle-%cpu")
	b.ReportMetric(idle-fyneIdle, "home-idle-over-fyne-idle-%cpu")
	home.Process.Signal(os.Interrupt)

	for _, film := range []struct {
		label         string
		width, height int
	}{{"720p", 1280, 720}, {"1080p", 1920, 1080}} {
		spec, path := appFilm(ctx, b, root, film.label, film.width, film.height)
		ffmpeg := ffmpegCPU(b, "-loglevel", "error", "-i", path, "-f", "null", "-")
		ffPerSecond := 100 * ffmpeg.Seconds() / spec.Duration.Seconds()
		// The picture the player hands over in a 1280×800 window: see player.fitSize.
		shown := map[string][2]int{"720p": {1280, 720}, "1080p": {1280, 720}}[film.label]
		// ffmpeg converting to that RGBA picture as well: the work the player must do.
		ffmpegRGBA := ffmpegCPU(b, "-loglevel", "error", "-i", path,
			"-vf", fmt.Sprintf("scale=%d:%d:flags=bilinear", shown[0], shown[1]), "-pix_fmt", "rgba", "-f", "null", "-")
		ffRGBAPerSecond := 100 * ffmpegRGBA.Seconds() / spec.Duration.Seconds()
		fyneVideoGL, fyneVideoOther := floorCPU("video", fmt.Sprint(shown[0]), fmt.Sprint(shown[1]))

		app := startApp(b, bin, x, path)
		pid := app.Process.Pid
		time.Sleep(4 * time.Second) // opened and playing
		playGL, playOther, err := cpuOver(pid, window)
		if err != nil {
			b.Fatal(err)
		}
		x.key(b, "space")
		time.Sleep(2 * time.Second)
		pausedGL, pausedOther, err := cpuOver(pid, window)
		if err != nil {
			b.Fatal(err)
		}
		// Play on and jump past the end: → is 10 s, the film has about 14 s left.
		x.key(b, "space", "Right", "Right")
		time.Sleep(4 * time.Second)
		endedGL, endedOther, err := cpuOver(pid, window)
		if err != nil {
			b.Fatal(err)
		}
		play, paused, ended := playGL+playOther, pausedGL+pausedOther, endedGL+endedOther
		if paused >= play/2 || ended >= play/2 {
			b.Fatalf("%s: playing %.1f%%, paused %.1f%%, ended %.1f%%: Space or → did not reach the app",
				film.label, play, paused, ended)
		}
		b.ReportMetric(play, film.label+"-playing-%cpu")
		b.ReportMetric(playGL, film.label+"-playing-gl-%cpu")
		b.ReportMetric(playOther, film.label+"-playing-decode+go-%cpu")
		b.ReportMetric(ffPerSecond, film.label+"-ffmpeg-null-%cpu")
		b.ReportMetric(playOther/ffPerSecond, film.label+"-decode+go/ffmpeg")
		b.ReportMetric(fyneVideoGL, film.label+"-fyne-video-gl-%cpu")
		b.ReportMetric(fyneVideoOther, film.label+"-fyne-video-go-%cpu")
		b.ReportMetric(playGL/fyneVideoGL, film.label+"-playing-gl/fyne-video-gl")
		b.ReportMetric(ffRGBAPerSecond, film.label+"-ffmpeg-rgba-%cpu")
		b.ReportMetric((playOther-fyneVideoOther)/ffRGBAPerSecond, film.label+"-beyond-fyne/ffmpeg-rgba")
		b.ReportMetric(paused, film.label+"-paused-%cpu")
		b.ReportMetric(paused-fyneIdle, film.label+"-paused-over-fyne-idle-%cpu")
		b.ReportMetric(ended, film.label+"-ended-%cpu")
		b.ReportMetric(ended-fyneIdle, film.label+"-ended-over-fyne-idle-%cpu")
		app.Process.Signal(os.Interrupt)
	}
}
