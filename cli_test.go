package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/internal/mediagen"
	"marquee/torrent/torrenttest"
)

// The CLI tests run the real binary, as scripts and benchmarks do.

var (
	cliBinOnce sync.Once
	cliBinPath string
	cliBinErr  error
)

// cliBinary builds marquee once per test run, or takes $MARQUEE_BIN.
func cliBinary(t *testing.T) string {
	t.Helper()
	cliBinOnce.Do(func() {
		if prebuilt := os.Getenv("MARQUEE_BIN"); prebuilt != "" {
			cliBinPath = prebuilt
			return
		}
		dir, err := os.MkdirTemp("", "marquee-cli-test")
		if err != nil {
			cliBinErr = err
			return
		}
		cliBinPath = filepath.Join(dir, "marquee")
		out, err := exec.Command("go", "build", "-o", cliBinPath, ".").CombinedOutput()
		if err != nil {
			cliBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cliBinErr != nil {
		t.Fatal(cliBinErr)
	}
	return cliBinPath
}

// loopbackFlags keep the engine on 127.0.0.1 with nothing reaching the internet.
func loopbackFlags(t *testing.T) []string {
	return []string{"--cache", t.TempDir(), "--listen", "127.0.0.1:0", "--no-dht", "--no-trackers", "--no-upnp"}
}

// testFilm is a short film with moov at the end, so a player must fetch the tail first.
func testFilm(t *testing.T, seconds int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	path, err := mediagen.Generate(ctx, mediagen.Spec{
		Label:        "cli",
		Container:    "mp4",
		Video:        "h264",
		Width:        320,
		Height:       240,
		FPS:          25,
		VideoBitrate: 800,
		Duration:     time.Duration(seconds) * time.Second,
		MoovAtEnd:    true,
		Audio:        []mediagen.AudioTrack{{Codec: "aac", Channels: 2}},
	}, "")
	if err != nil {
		t.Fatalf("make test film: %v", err)
	}
	return path
}

type cliEvent map[string]any

func (e cliEvent) kind() string { s, _ := e["event"].(string); return s }

func (e cliEvent) num(key string) float64 {
	f, _ := e[key].(float64)
	return f
}

type playRun struct {
	events []cliEvent
	stderr string
	code   int
}

func runPlay(t *testing.T, args ...string) playRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliBinary(t), append([]string{"play", "--headless", "--json"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := playRun{stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || ctx.Err() != nil {
			t.Fatalf("marquee play did not finish: %v\nstderr:\n%s", err, stderr.String())
		}
		run.code = ee.ExitCode()
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var ev cliEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("stdout line is not JSON: %q: %v", sc.Text(), err)
		}
		if _, ok := ev["t_ms"].(float64); !ok {
			t.Fatalf("event without t_ms: %q", sc.Text())
		}
		run.events = append(run.events, ev)
	}
	return run
}

func (r playRun) first(kind string) (cliEvent, int) {
	for i, ev := range r.events {
		if ev.kind() == kind {
			return ev, i
		}
	}
	return nil, -1
}

func (r playRun) String() string {
	var b strings.Builder
	for _, ev := range r.events {
		line, _ := json.Marshal(ev)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String() + "stderr:\n" + r.stderr
}

func peerFlags(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		out = append(out, "--peer", a)
	}
	return out
}

func TestPlayHeadlessFromSwarmEmitsEventsInOrder(t *testing.T) {
	film := testFilm(t, 8)
	st, _ := os.Stat(film)
	// Two seeders at 64 KiB/s each need several seconds for the whole file, so the first
	// frame must come from the head and tail alone.
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film, Seeders: 2, UploadCaps: []int64{64 << 10, 64 << 10}})
	args := append(loopbackFlags(t), peerFlags(swarm.Addrs)...)
	run := runPlay(t, append(args, swarm.Magnet)...)
	if run.code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", run.code, run)
	}

	// progress also comes while the film opens (state "opening"), so only its presence
	// after metadata is part of the order.
	order := []string{"metadata", "opened", "first_frame", "end"}
	if _, i := run.first("progress"); i < 1 {
		t.Fatalf("no progress event after metadata\n%s", run)
	}
	last := -1
	for _, kind := range order {
		_, i := run.first(kind)
		if i < 0 {
			t.Fatalf("no %q event\n%s", kind, run)
		}
		if i < last {
			t.Fatalf("%q came out of order\n%s", kind, run)
		}
		last = i
	}
	if run.events[len(run.events)-1].kind() != "end" {
		t.Fatalf("the last event is not end\n%s", run)
	}
	var prev float64
	for _, ev := range run.events {
		if ev.num("t_ms") < prev {
			t.Fatalf("t_ms went backwards\n%s", run)
		}
		prev = ev.num("t_ms")
	}

	meta, _ := run.first("metadata")
	if meta["name"] != filepath.Base(film) || meta.num("piece_length") <= 0 || meta.num("size") != float64(st.Size()) {
		t.Fatalf("metadata event does not describe the film: %v", meta)
	}
	opened, _ := run.first("opened")
	if opened["video_codec"] != "h264" || opened["audio_codec"] != "aac" || opened.num("duration_ms") < 7900 || opened.num("bitrate") <= 0 {
		t.Fatalf("opened event: %v", opened)
	}
	ff, _ := run.first("first_frame")
	if got := ff.num("complete"); got >= float64(st.Size()) {
		t.Fatalf("the first frame came only after the whole file (%v of %d bytes) had downloaded", got, st.Size())
	}
	if ff.num("downloaded") <= 0 {
		t.Fatalf("first_frame reports no downloaded bytes: %v", ff)
	}
	end, _ := run.first("end")
	if end["reason"] != "ended" || end.num("frames_shown") < 150 {
		t.Fatalf("end event: %v (want reason ended and most of 200 frames shown)", end)
	}
	prog, _ := run.first("progress")
	for _, key := range []string{"position_ms", "downloaded", "down_rate", "up_rate", "peers", "frames_shown", "frames_dropped"} {
		if _, ok := prog[key]; !ok {
			t.Fatalf("progress event lacks %q: %v", key, prog)
		}
	}
}

func TestPlayHeadlessSeekAndDuration(t *testing.T) {
	film := testFilm(t, 8)
	run := runPlay(t, "--seek", "50%", "--duration", "2s", film)
	if run.code != 0 {
		t.Fatalf("exit code %d\n%s", run.code, run)
	}
	sd, i := run.first("seek_done")
	if i < 0 {
		t.Fatalf("no seek_done\n%s", run)
	}
	if sd.num("target_ms") != 4000 {
		t.Fatalf("seek_done target %v, want 4000 (50%% of 8 s)", sd["target_ms"])
	}
	if d := sd.num("landed_ms") - 4000; d < -40 || d > 40 {
		t.Fatalf("landed at %v ms, more than a frame from 4000", sd["landed_ms"])
	}
	// The first picture is the one at the seek, not the film's first.
	if ff, _ := run.first("first_frame"); ff.num("position_ms") < 3960 {
		t.Fatalf("first frame at %v ms, want the seek's 4000\n%s", ff["position_ms"], run)
	}
	end, _ := run.first("end")
	if end["reason"] != "duration" {
		t.Fatalf("end reason %v, want duration", end["reason"])
	}
	if pos := end.num("position_ms"); pos < 5900 || pos > 7000 {
		t.Fatalf("stopped at %v ms; 2 s after a seek to 4 s should stop near 6000", pos)
	}
}

// While a magnet's details are fetched, headless play says so every second with what it
// has found, instead of printing nothing until its timeout.
func TestPlayHeadlessReportsTheMetadataWait(t *testing.T) {
	run := runPlay(t, append(loopbackFlags(t), "--timeout", "2s", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567")...)
	wait, i := run.first("metadata_wait")
	_, errAt := run.first("error")
	if i < 0 || errAt < i {
		t.Fatalf("no metadata_wait before the error\n%s", run)
	}
	if wait.num("peers_found") != 0 || wait["reachable"] != true {
		t.Fatalf("metadata_wait %v: want no peer found, and reachable with no public swarm asked", wait)
	}
}

// A seek to the end lands on the last picture and ends at once; its first_frame and
// seek_done come before the end, in every run (they were lost in 2 of 5).
func TestPlayHeadlessSeekToTheEnd(t *testing.T) {
	film := testFilm(t, 8)
	for i := range 8 {
		run := runPlay(t, "--seek", "100%", film)
		if run.code != 0 {
			t.Fatalf("run %d: exit code %d\n%s", i, run.code, run)
		}
		ff, fi := run.first("first_frame")
		_, si := run.first("seek_done")
		_, ei := run.first("end")
		if fi < 0 || si < 0 || ei < fi || ei < si {
			t.Fatalf("run %d: first_frame, seek_done, end at %d, %d, %d\n%s", i, fi, si, ei, run)
		}
		if pos := ff.num("position_ms"); pos < 7900 {
			t.Fatalf("run %d: first frame at %v ms, want the last one", i, pos)
		}
	}
}

func TestPlayHeadlessBadSourcesExitWithErrorEvent(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "garbage.mp4")
	noise := make([]byte, 256<<10)
	for i := range noise {
		noise[i] = byte(i*7919 + i>>3)
	}
	if err := os.WriteFile(garbage, noise, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want *regexp.Regexp
	}{
		{"garbage file", []string{garbage}, regexp.MustCompile(`(?i)media|corrupt|invalid|format`)},
		{"malformed magnet", []string{"magnet:?xt=urn:btih:nothex"}, regexp.MustCompile(`(?i)magnet|hash`)},
		{"unreachable magnet", append(loopbackFlags(t), "--timeout", "2s", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"),
			regexp.MustCompile(`(?i)metadata`)},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.torrent")}, regexp.MustCompile(`(?i)no such file|not found|open`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := runPlay(t, c.args...)
			if run.code == 0 {
				t.Fatalf("exit code 0 for a bad source\n%s", run)
			}
			ev, i := run.first("error")
			if i < 0 {
				t.Fatalf("no error event\n%s", run)
			}
			msg, _ := ev["message"].(string)
			if !c.want.MatchString(msg) {
				t.Fatalf("error message %q does not say what went wrong (want %v)", msg, c.want)
			}
			if strings.Contains(run.stderr, "panic") || strings.Contains(run.stderr, "goroutine ") {
				t.Fatalf("the process panicked:\n%s", run.stderr)
			}
		})
	}
}

// startCLI runs a long-lived subcommand and returns its first stdout line.
func startCLI(t *testing.T, args ...string) (firstLine string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, cliBinary(t), args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr = &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatalf("marquee %s printed nothing\nstderr:\n%s", args[0], stderr)
		}
		return line, stderr
	case <-time.After(2 * time.Minute):
		t.Fatalf("marquee %s printed nothing in 2 minutes\nstderr:\n%s", args[0], stderr)
	}
	return "", nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeFeedsFFmpegBeforeTheDownloadCompletes(t *testing.T) {
	for _, tool := range []string{"ffprobe", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: make test installs the ffmpeg package", tool)
		}
	}
	film := testFilm(t, 20)
	st, _ := os.Stat(film)
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film, Seeders: 2, UploadCaps: []int64{48 << 10, 48 << 10}})
	url, _ := startCLI(t, append(append([]string{"serve"}, loopbackFlags(t)...), append(peerFlags(swarm.Addrs), swarm.Magnet)...)...)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("serve printed %q, want a loopback URL", url)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", url, err, out)
	}
	if !strings.HasPrefix(strings.TrimSpace(string(out)), "20") {
		t.Fatalf("ffprobe read duration %q, want 20 s", out)
	}
	out, err = exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-i", url, "-frames:v", "1", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg -frames:v 1 %s: %v\n%s", url, err, out)
	}
	if sent := swarm.BytesUploaded(); sent >= st.Size() {
		t.Fatalf("the seeders had already sent %d of %d bytes: nothing shows that serve streams before completion", sent, st.Size())
	}
}

func TestServeRangeReadersAndLANToken(t *testing.T) {
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i ^ i>>11)
	}
	film := filepath.Join(t.TempDir(), "film.mkv")
	if err := os.WriteFile(film, data, 0o644); err != nil {
		t.Fatal(err)
	}
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film, Seeders: 1})
	url, _ := startCLI(t, append(append([]string{"serve", "--lan"}, loopbackFlags(t)...), append(peerFlags(swarm.Addrs), swarm.Magnet)...)...)

	m := regexp.MustCompile(`^http://[^/]+:(\d+)/([0-9a-f]{32})/film\.mkv$`).FindStringSubmatch(url)
	if m == nil {
		t.Fatalf("--lan URL %q lacks a 128-bit token", url)
	}
	base := "http://127.0.0.1:" + m[1]
	withToken := base + "/" + m[2] + "/film.mkv"
	for _, u := range []string{base + "/film.mkv", base + "/", base + "/" + strings.Repeat("0", 32) + "/film.mkv", base + "/" + m[2]} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s without the token: status %d, want 404", u, resp.StatusCode)
		}
	}

	ranges := [][2]int{{2<<20 + 17, 3<<20 - 1}, {5, 1<<20 + 3}, {1 << 20, 1<<20 + 100}}
	var wg sync.WaitGroup
	errs := make(chan error, len(ranges))
	for _, r := range ranges {
		wg.Add(1)
		go func(from, to int) {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, withToken, nil)
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", from, to))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				errs <- err
				return
			}
			if resp.StatusCode != http.StatusPartialContent {
				errs <- fmt.Errorf("range %d-%d: status %d", from, to, resp.StatusCode)
				return
			}
			if !bytes.Equal(body, data[from:to+1]) {
				errs <- fmt.Errorf("range %d-%d: %d bytes that differ from the file", from, to, len(body))
			}
		}(r[0], r[1])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSeedThenPlayHeadlessByPeer(t *testing.T) {
	film := testFilm(t, 4)
	magnet, stderr := startCLI(t, append([]string{"seed"}, append(loopbackFlags(t), film)...)...)
	if !strings.HasPrefix(magnet, "magnet:?xt=urn:btih:") {
		t.Fatalf("seed printed %q, want a magnet", magnet)
	}
	var addr string
	for deadline := time.Now().Add(time.Minute); addr == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := regexp.MustCompile(`peers connect to (127\.0\.0\.1:\d+)`).FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("seed did not say where peers connect:\n%s", stderr)
	}
	run := runPlay(t, append(loopbackFlags(t), "--peer", addr, magnet)...)
	if run.code != 0 {
		t.Fatalf("exit code %d\n%s", run.code, run)
	}
	end, _ := run.first("end")
	if end == nil || end["reason"] != "ended" || end.num("downloaded") <= 0 {
		t.Fatalf("play from the seeder did not end normally\n%s", run)
	}
}

// A valid .torrent whose only source is unreachable (a dead web seed, no peers) says what it
// waits for once a second, and with --stall-timeout ends with an error saying that no peer
// or web seed has been reachable, instead of waiting in silence for ever.
func TestPlayHeadlessStallTimeoutWhenNoSourceIsReachable(t *testing.T) {
	film := testFilm(t, 4)
	mi, _, err := torrenttest.BuildMetainfo(film, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	// Port 9 (discard) on loopback: nothing listens, so every request is refused.
	mi.UrlList = []string{"http://127.0.0.1:9/films/"}
	path := filepath.Join(t.TempDir(), "film.torrent")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := mi.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	run := runPlay(t, append(loopbackFlags(t), "--stall-timeout", "3s", path)...)
	if run.code != 1 {
		t.Fatalf("exit code %d, want 1\n%s", run.code, run)
	}
	prog, i := run.first("progress")
	_, meta := run.first("metadata")
	if i < 0 || i < meta || prog["state"] != "opening" {
		t.Fatalf("no progress while waiting for data\n%s", run)
	}
	ev, _ := run.first("error")
	if msg, _ := ev["message"].(string); !strings.Contains(msg, "no peer or web seed has been reachable") {
		t.Fatalf("error %q does not say that no source was reachable\n%s", msg, run)
	}
}

// A damaged MP4 index (issue 12, item 5) ends `play --json` with exit 1 and an error event
// that says the file is damaged; it never reports a first frame without a picture, or the
// film's end 1 s into it.
func TestPlayHeadlessDamagedIndexExitsWithError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	mp4, err := mediagen.Generate(ctx, mediagen.Spec{Label: "cli-index", Container: "mp4", Video: "h264",
		Width: 320, Height: 240, FPS: 25, VideoBitrate: 400, Duration: 8 * time.Second,
		Audio: []mediagen.AudioTrack{{Codec: "aac", Channels: 2}}}, "")
	if err != nil {
		t.Fatalf("make test film: %v", err)
	}
	good, err := os.ReadFile(mp4)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		share float64
		want  *regexp.Regexp
	}{
		{"no video chunk in the file", 0, regexp.MustCompile(`(?i)no picture|cannot be decoded|damaged`)},
		{"index past the end from 40%", 0.4, regexp.MustCompile(`(?i)damaged|truncated|ended at`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			i := bytes.Index(good, []byte("stco"))
			if i < 0 {
				t.Fatal("no stco box in the test film")
			}
			data := bytes.Clone(good)
			entries := i + 8
			n := int(binary.BigEndian.Uint32(data[entries:]))
			for k := int(float64(n) * c.share); k < n; k++ {
				binary.BigEndian.PutUint32(data[entries+4+4*k:], 0x7fff0000)
			}
			path := filepath.Join(t.TempDir(), "damaged.mp4")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			run := runPlay(t, path)
			if run.code != 1 {
				t.Fatalf("exit code %d, want 1\n%s", run.code, run)
			}
			if _, i := run.first("ended"); i >= 0 {
				t.Fatalf("a damaged file reported as played to its end\n%s", run)
			}
			if ev, i := run.first("first_frame"); i >= 0 && c.share == 0 {
				t.Fatalf("first_frame %v with no picture to show\n%s", ev, run)
			}
			ev, i := run.first("error")
			if msg, _ := ev["message"].(string); i < 0 || !c.want.MatchString(msg) {
				t.Fatalf("error event %v does not say the file is damaged (want %v)\n%s", ev, c.want, run)
			}
		})
	}
}
