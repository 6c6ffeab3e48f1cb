package app

import (
	"bufio"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// TestEndToEndDemoPlaysUnderX runs the real binary: `marquee --demo` under an X server,
// with the test hook that presses Play on the demo title. It photographs the screen
// twice while the film plays and checks that the picture is a moving film, not black,
// and that the download from the demo seeder was still running at the first photo.
// Then it photographs the player, the title's page, home and Sharing at 1280×800 and
// 900×600 (photographScreens). The photos and the status log are kept under
// <module>/artifacts/e2e/.
func TestEndToEndDemoPlaysUnderX(t *testing.T) {
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: install the test packages (make deps-test installs xdotool and imagemagick)", tool)
		}
	}
	display := os.Getenv("DISPLAY")
	if display == "" {
		display = startXvfb(t)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	artifacts := filepath.Join(root, "artifacts", "e2e")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	// The demo film is cached under the module's testdata/ like every test film, so the
	// app finds it made.
	film(t, mediagen.DemoFilm)

	bin := filepath.Join(t.TempDir(), "marquee")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	home := t.TempDir()
	statusPath := filepath.Join(home, "status.jsonl")
	logPath := filepath.Join(home, "marquee.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--demo")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(),
		"DISPLAY="+display,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"LANG=C.UTF-8", "LC_ALL=C.UTF-8",
		"MARQUEE_TEST_AUTOPLAY=demo",
		"MARQUEE_TEST_STATUS="+statusPath,
	)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var lastSize image.Point // the window's size before SIGTERM, once the test sets it
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("marquee did not exit cleanly on SIGTERM: %v (log: %s)", err, logPath)
			}
			if lastSize != (image.Point{}) {
				checkSavedWindowSize(t, filepath.Join(home, ".config"), lastSize)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("marquee still running 30 s after SIGTERM (log: %s)", logPath)
		}
		copyFile(statusPath, filepath.Join(artifacts, "status.jsonl"))
		copyFile(logPath, filepath.Join(artifacts, "marquee.log"))
	})

	latest := func() (playStatus, bool) {
		select {
		case err := <-exited:
			t.Fatalf("marquee exited early: %v (log: %s)", err, logPath)
		default:
		}
		return lastStatusLine(t, statusPath)
	}
	waitStatus := func(what string, timeout time.Duration, ok func(playStatus) bool) playStatus {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for {
			if st, found := latest(); found && ok(st) {
				return st
			}
			if time.Now().After(deadline) {
				st, _ := latest()
				t.Fatalf("gave up after %v waiting for %s; last status %+v (log: %s)", timeout, what, st, logPath)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	waitStatus("the demo to play", 3*time.Minute, func(s playStatus) bool {
		return s.State == "playing" && s.FramesPainted >= 10
	})
	win := strings.Fields(run(t, display, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Marquee$"))
	if len(win) == 0 {
		t.Fatal("no Marquee window on the display")
	}
	geom := windowGeometry(t, display, win[0])

	// Photos are taken in the test's own folder and copied to artifacts/ at the end, so a
	// second run of the suite in the same checkout cannot swap them under this one.
	shots := t.TempDir()
	t.Cleanup(func() {
		copyFile(filepath.Join(shots, "demo-1.png"), filepath.Join(artifacts, "demo-1.png"))
		copyFile(filepath.Join(shots, "demo-2.png"), filepath.Join(artifacts, "demo-2.png"))
	})
	shot1 := filepath.Join(shots, "demo-1.png")
	run(t, display, "import", "-window", "root", shot1)
	at1, _ := latest()
	if at1.Length == 0 || at1.BytesComplete >= at1.Length {
		t.Fatalf("the download had finished (%d of %d bytes) by the first screenshot: the demo does not show streaming", at1.BytesComplete, at1.Length)
	}
	at2 := waitStatus("2.5 s more of the film", time.Minute, func(s playStatus) bool {
		return s.PositionMS >= at1.PositionMS+2500 && s.FramesPainted >= at1.FramesPainted+30
	})
	shot2 := filepath.Join(shots, "demo-2.png")
	run(t, display, "import", "-window", "root", shot2)
	t.Logf("first shot at %d ms of film with %d of %d bytes downloaded; second at %d ms with %d bytes",
		at1.PositionMS, at1.BytesComplete, at1.Length, at2.PositionMS, at2.BytesComplete)

	// The middle of the window is film: the controls hide while playing and sit at the
	// bottom when shown.
	area := image.Rect(geom.Min.X+geom.Dx()/4, geom.Min.Y+geom.Dy()/5, geom.Max.X-geom.Dx()/4, geom.Min.Y+geom.Dy()*3/5)
	a, b := readPNG(t, shot1), readPNG(t, shot2)
	if lum := meanLuma(a, area); lum < 30 {
		t.Fatalf("the video area is black in the first screenshot (mean luma %.1f)", lum)
	}
	if lum := meanLuma(b, area); lum < 30 {
		t.Fatalf("the video area is black in the second screenshot (mean luma %.1f)", lum)
	}
	if changed := changedFraction(a, b, area); changed < 0.005 {
		t.Fatalf("only %.2f%% of the video area changed between screenshots %.1f s of film apart", 100*changed, float64(at2.PositionMS-at1.PositionMS)/1000)
	}
	for _, name := range photographScreens(t, display, win[0], shots) {
		copyFile(filepath.Join(shots, name), filepath.Join(artifacts, name))
	}
	// A session's SIGTERM quits as the close button does: the size is kept for next time.
	// The photos at the last size show the app laid out at it, so Fyne knows it by now.
	lastSize = e2eScreenSizes[len(e2eScreenSizes)-1]
}

// checkSavedWindowSize reads the window size the app saved in its Fyne preferences under
// configHome.
func checkSavedWindowSize(t *testing.T, configHome string, want image.Point) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(configHome, "fyne", appID, "preferences.json"))
	if err != nil {
		t.Errorf("no preferences saved: %v", err)
		return
	}
	var prefs map[string]any
	if err := json.Unmarshal(raw, &prefs); err != nil {
		t.Errorf("preferences: %v", err)
		return
	}
	w, _ := prefs[prefWindowWidth].(float64)
	h, _ := prefs[prefWindowHeight].(float64)
	if int(w) != want.X || int(h) != want.Y {
		t.Errorf("after SIGTERM the saved window size is %vx%v, want %dx%d", w, h, want.X, want.Y)
	}
}

// startXvfb starts a private X server for the test and returns its display.
func startXvfb(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Fatal("DISPLAY is empty and Xvfb is not installed: run the tests under `xvfb-run -a` (make test does)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not report its display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

func run(t *testing.T, display string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out)
}

func windowGeometry(t *testing.T, display, id string) image.Rectangle {
	t.Helper()
	vals := map[string]int{}
	for _, line := range strings.Split(run(t, display, "xdotool", "getwindowgeometry", "--shell", id), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if n, err := strconv.Atoi(v); ok && err == nil {
			vals[k] = n
		}
	}
	if vals["WIDTH"] < 100 || vals["HEIGHT"] < 100 {
		t.Fatalf("window geometry %v", vals)
	}
	return image.Rect(vals["X"], vals["Y"], vals["X"]+vals["WIDTH"], vals["Y"]+vals["HEIGHT"])
}

func lastStatusLine(t *testing.T, path string) (playStatus, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return playStatus{}, false
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var st playStatus
		if json.Unmarshal([]byte(lines[i]), &st) == nil {
			return st, true
		}
	}
	return playStatus{}, false
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func luma(img image.Image, x, y int) float64 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 257
}

func meanLuma(img image.Image, area image.Rectangle) float64 {
	area = area.Intersect(img.Bounds())
	var sum float64
	n := 0
	for y := area.Min.Y; y < area.Max.Y; y += 2 {
		for x := area.Min.X; x < area.Max.X; x += 2 {
			sum += luma(img, x, y)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// changedFraction is the share of pixels in area whose brightness differs clearly.
func changedFraction(a, b image.Image, area image.Rectangle) float64 {
	area = area.Intersect(a.Bounds()).Intersect(b.Bounds())
	changed, n := 0, 0
	for y := area.Min.Y; y < area.Max.Y; y += 2 {
		for x := area.Min.X; x < area.Max.X; x += 2 {
			d := luma(a, x, y) - luma(b, x, y)
			if d > 24 || d < -24 {
				changed++
			}
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(changed) / float64(n)
}

func copyFile(from, to string) {
	if data, err := os.ReadFile(from); err == nil {
		os.WriteFile(to, data, 0o644)
	}
}
