package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"marquee/cast"
	"marquee/internal/mediagen"
	"marquee/torrent/torrenttest"
)

// The cast tests play to a real renderer, gmediarender (GStreamer with fake sinks that keep
// real time, so it needs no screen or sound card). libupnp will not run on a loopback
// interface, so the tests make a network namespace with a veth pair (multicast routed on
// it) and run again inside it, renderer, swarm and marquee together; nothing leaves it.

// castNetnsEnv names, in the test run inside the namespace, the interface the renderer uses.
const castNetnsEnv = "MARQUEE_TEST_CAST_IFACE"

// castFilm is a film gmediarender decodes with the GStreamer plugins Debian installs with it
// (VP9 and Opus in WebM; H.264 needs gstreamer1.0-libav), long enough to pause and seek in.
func castFilm(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	path, err := mediagen.Generate(ctx, mediagen.Spec{
		Label: "cast", Container: "webm", Video: "vp9", Width: 320, Height: 240, FPS: 25,
		VideoBitrate: 400, Duration: 30 * time.Second, Audio: []mediagen.AudioTrack{{Codec: "opus", Channels: 2}},
	}, "")
	if err != nil {
		t.Fatalf("make test film: %v", err)
	}
	return path
}

// reexecInNetns runs the calling test again inside a new network namespace and reports
// whether it did (the caller then returns: the run inside did the test). Inside, it
// returns false and the name of the renderer's interface. err says why no namespace could
// be made.
func reexecInNetns(t *testing.T) (ran bool, iface string, err error) {
	t.Helper()
	if iface := os.Getenv(castNetnsEnv); iface != "" {
		return false, iface, nil
	}
	if os.Getenv("MARQUEE_TEST_NO_NETNS") != "" {
		return false, "", errors.New("MARQUEE_TEST_NO_NETNS is set") // to try the fallback
	}
	var b [4]byte
	rand.Read(b[:])
	ns := fmt.Sprintf("marquee-cast-%x", b)
	steps := [][]string{
		{"netns", "add", ns},
		{"-n", ns, "link", "set", "lo", "up"},
		{"-n", ns, "link", "add", "mqr0", "type", "veth", "peer", "name", "mqc0"},
		{"-n", ns, "addr", "add", "10.77.0.1/24", "dev", "mqr0"},
		{"-n", ns, "addr", "add", "10.77.0.2/24", "dev", "mqc0"},
		{"-n", ns, "link", "set", "mqr0", "up"},
		{"-n", ns, "link", "set", "mqc0", "up"},
		{"-n", ns, "route", "add", "224.0.0.0/4", "dev", "mqr0"},
	}
	for i, args := range steps {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			if i > 0 {
				exec.Command("ip", "netns", "del", ns).Run()
			}
			return false, "", fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
	}
	defer exec.Command("ip", "netns", "del", ns).Run()
	bin := cliBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1", "-test.timeout=7m")
	cmd.Env = append(os.Environ(), castNetnsEnv+"=mqr0", "MARQUEE_BIN="+bin)
	out, err := cmd.CombinedOutput()
	t.Logf("inside network namespace %s:\n%s", ns, out)
	if err != nil {
		t.Fatalf("the test inside the network namespace failed: %v", err)
	}
	if strings.Contains(string(out), "--- SKIP: "+t.Name()) {
		t.Skip("skipped inside the network namespace")
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("the test inside the network namespace did not pass")
	}
	return true, "", nil
}

// hostRendererInterface is an interface gmediarender can use outside a namespace: up,
// multicast, not loopback, with an IPv4 address.
func hostRendererInterface() string {
	ifaces, _ := net.Interfaces()
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagMulticast == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
				return ifc.Name
			}
		}
	}
	return ""
}

type testRenderer struct {
	name, udn, location string
	log                 string
	kill                func() // the renderer goes away, as a TV switched off
}

var registeredRe = regexp.MustCompile(`Registered IP=(\S+) port=(\d+)`)

// startRenderer starts gmediarender on iface with a known UUID and friendly name, and
// waits until its description answers.
func startRenderer(t *testing.T, iface string) testRenderer {
	t.Helper()
	if _, err := exec.LookPath("gmediarender"); err != nil {
		t.Fatal("gmediarender is not installed (make deps-test installs it)")
	}
	var b [16]byte
	rand.Read(b[:])
	uuid := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	r := testRenderer{name: fmt.Sprintf("Marquee Test TV %x", b[:2]), udn: "uuid:" + uuid, log: filepath.Join(t.TempDir(), "gmediarender.log")}
	port := 49152 + int(b[2])<<4 + int(b[3])&0xf // spread, so that parallel runs rarely meet
	cmd := exec.Command("gmediarender", "-I", iface, "-p", strconv.Itoa(port), "-u", uuid, "-f", r.name,
		"--gstout-videopipe", "fakesink sync=true", "--gstout-audiopipe", "fakesink sync=true", "--logfile", r.log)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	r.kill = func() {
		once.Do(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	t.Cleanup(r.kill)
	// libupnp retries a busy port for up to a minute before it takes the next one.
	waitFor(t, "gmediarender to register", 90*time.Second, func() bool {
		data, _ := os.ReadFile(r.log)
		m := registeredRe.FindStringSubmatch(string(data))
		if m == nil {
			return false
		}
		r.location = "http://" + net.JoinHostPort(m[1], m[2]) + "/description.xml"
		return true
	})
	waitFor(t, "gmediarender's description", 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := cast.Open(ctx, r.location)
		return err == nil
	})
	return r
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// castRun is a running `marquee cast --to ... --json`.
type castRun struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	mu     sync.Mutex
	events []castEvent
	done   chan error
}

func startCast(t *testing.T, args ...string) *castRun {
	t.Helper()
	cmd := exec.Command(cliBinary(t), append([]string{"cast", "--json"}, args...)...)
	c := &castRun{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = c.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev castEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				ev = castEvent{Event: "not JSON: " + sc.Text()}
			}
			c.mu.Lock()
			c.events = append(c.events, ev)
			c.mu.Unlock()
		}
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-c.done
	})
	return c
}

func (c *castRun) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, ev := range c.events {
		line, _ := json.Marshal(ev)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String() + "stderr:\n" + c.stderr.String()
}

// last is the newest event of kind, if any.
func (c *castRun) last(kind string) (castEvent, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.events) - 1; i >= 0; i-- {
		if c.events[i].Event == kind {
			return c.events[i], true
		}
	}
	return castEvent{}, false
}

// wait waits for the command to exit and returns its error.
func (c *castRun) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-c.done:
		c.done <- err
		return err
	case <-time.After(timeout):
		t.Fatalf("marquee cast did not exit in %v\n%s", timeout, c)
		return nil
	}
}

// rendererState polls the renderer until pred holds.
func waitRenderer(t *testing.T, r *cast.Renderer, what string, pred func(cast.Status) bool) cast.Status {
	t.Helper()
	var last cast.Status
	var lastErr error
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		last, lastErr = r.Status(ctx)
		cancel()
		if lastErr == nil && pred(last) {
			return last
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("the renderer never reached %s: last %+v, %v", what, last, lastErr)
	return last
}

// serverGone checks that nothing answers at the film's URL any more.
func serverGone(t *testing.T, url string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s after the cast: %s; want the server gone", url, resp.Status)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET %s after the cast: %v; want connection refused", url, err)
	}
}

// TestCastToRendererByURL casts a film from a local swarm to gmediarender given by its
// description URL: the renderer fetches it from Marquee, plays (PLAYING), pauses, seeks,
// and when it is stopped `marquee cast` exits and its server is gone.
func TestCastToRendererByURL(t *testing.T) {
	film := castFilm(t)
	ran, iface, err := reexecInNetns(t)
	if ran {
		return
	}
	if err != nil {
		// Without a namespace the renderer runs on this machine's own interface; its
		// SSDP announcements reach the local network, but nothing is fetched from it.
		if iface = hostRendererInterface(); iface == "" {
			t.Skipf("no network namespace (%v) and no non-loopback multicast interface for gmediarender (libupnp refuses loopback)", err)
		}
		t.Logf("no network namespace (%v): the renderer runs on %s", err, iface)
	}
	tr := startRenderer(t, iface)
	st, _ := os.Stat(film)
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film})
	srt := "1\n00:00:01,000 --> 00:00:04,000\nOn the TV\n"
	subFile := filepath.Join(t.TempDir(), "film.srt")
	if err := os.WriteFile(subFile, []byte(srt), 0o644); err != nil {
		t.Fatal(err)
	}
	run := startCast(t, append(append(append(loopbackFlags(t), peerFlags(swarm.Addrs)...), "--to", tr.location, "--sub", subFile), swarm.Magnet)...)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, err := cast.Open(ctx, tr.location)
	if err != nil {
		t.Fatal(err)
	}
	playing := waitRenderer(t, r, "PLAYING", func(s cast.Status) bool { return s.State == cast.StatePlaying && s.Position > 0 })
	casting, ok := run.last("casting")
	if !ok || playing.URI != casting.URL || !strings.Contains(casting.URL, "/"+filepath.Base(film)) {
		t.Fatalf("the renderer plays %q; marquee said it serves %+v\n%s", playing.URI, casting, run)
	}
	if u := casting.URL; !regexp.MustCompile(`^http://[0-9.]+:\d+/[0-9a-f]{32}/`).MatchString(u) {
		t.Errorf("the film's URL %q has no random token in its path", u)
	}
	if playing.Duration < 29*time.Second || playing.Duration > 31*time.Second {
		t.Errorf("the renderer says the film lasts %v, want 30 s", playing.Duration)
	}
	if casting.DurationS < 29 || casting.DurationS > 31 {
		t.Errorf("marquee announced a duration of %v s in DIDL-Lite, want 30", casting.DurationS)
	}
	// The subtitle is served beside the film, behind the same token.
	if resp, body := get(t, casting.SubtitleURL, "", ""); resp.StatusCode != http.StatusOK || body != srt ||
		path.Dir(casting.SubtitleURL) != path.Dir(casting.URL) {
		t.Errorf("subtitle at %q: status %d, body %q; want the SRT beside %s", casting.SubtitleURL, resp.StatusCode, body, casting.URL)
	}
	waitFor(t, "marquee to report PLAYING and bytes served", time.Minute, func() bool {
		ev, ok := run.last("status")
		return ok && ev.State == cast.StatePlaying && ev.ServedBytes > 0
	})

	if err := r.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	paused := waitRenderer(t, r, "PAUSED_PLAYBACK", func(s cast.Status) bool { return s.State == cast.StatePaused })
	if err := r.Seek(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	waitRenderer(t, r, "the position after a seek to 0:00:20", func(s cast.Status) bool {
		return s.Position >= 19*time.Second && s.Position < 25*time.Second
	})
	if err := r.Play(ctx); err != nil {
		t.Fatal(err)
	}
	waitRenderer(t, r, "PLAYING past 0:00:20", func(s cast.Status) bool { return s.State == cast.StatePlaying && s.Position > 20*time.Second })
	waitFor(t, "marquee to report the pause and the seek", time.Minute, func() bool {
		ev, ok := run.last("status")
		return ok && ev.PositionS >= 20
	})
	t.Logf("paused at %v, sought to 0:00:20", paused.Position)

	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := run.wait(t, time.Minute); err != nil {
		t.Fatalf("marquee cast ended with %v after the renderer stopped\n%s", err, run)
	}
	end, ok := run.last("end")
	if !ok || end.Reason != "stopped" {
		t.Fatalf("the last event is %+v, want end: stopped\n%s", end, run)
	}
	// The renderer had fetched the film from Marquee's server: at least the part played.
	if end.ServedBytes < st.Size()/3 {
		t.Errorf("marquee served %d bytes of the %d-byte film; the renderer played two thirds of it", end.ServedBytes, st.Size())
	}
	serverGone(t, casting.URL)
}

// TestCastDiscoveryInNamespace finds gmediarender by SSDP inside a network namespace
// (multicast never leaves it), casts to it by friendly name, and stops it with Ctrl+C.
func TestCastDiscoveryInNamespace(t *testing.T) {
	film := castFilm(t)
	ran, iface, err := reexecInNetns(t)
	if ran {
		return
	}
	if err != nil {
		t.Skipf("SSDP discovery is tested only inside a network namespace, and none could be made here: %v", err)
	}
	// Before the renderer starts, nothing answers.
	out, err := exec.Command(cliBinary(t), "cast", "--list", "--wait", "1s").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure || !strings.Contains(string(out), "no media renderer answered") {
		t.Fatalf("cast --list with no renderer: %v\n%s", err, out)
	}

	tr := startRenderer(t, iface)
	out, err = exec.Command(cliBinary(t), "cast", "--list", "--json", "--wait", "2s").Output()
	if err != nil {
		t.Fatalf("cast --list --json: %v\n%s", err, out)
	}
	var found []rendererEntry
	if err := json.Unmarshal(out, &found); err != nil {
		t.Fatalf("cast --list --json printed %q: %v", out, err)
	}
	if len(found) != 1 || found[0].Name != tr.name || found[0].UDN != tr.udn || found[0].Location != tr.location || found[0].Model != "gmediarender" {
		t.Fatalf("cast --list found %+v; want only %s (%s) at %s", found, tr.name, tr.udn, tr.location)
	}

	run := startCast(t, "--to", strings.ToLower(tr.name), film)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, err := cast.Open(ctx, tr.location)
	if err != nil {
		t.Fatal(err)
	}
	waitRenderer(t, r, "PLAYING", func(s cast.Status) bool { return s.State == cast.StatePlaying && s.Position > 0 })
	casting, _ := run.last("casting")
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := run.wait(t, time.Minute); err != nil {
		t.Fatalf("marquee cast ended with %v after Ctrl+C\n%s", err, run)
	}
	if end, _ := run.last("end"); end.Reason != "interrupted" {
		t.Errorf("last event %+v, want end: interrupted", end)
	}
	// marquee stops the renderer before it exits: asked right after, the renderer, which
	// holds most of the film in its buffer, has stopped already.
	if st, err := r.Status(ctx); err != nil || st.State != cast.StateStopped {
		t.Errorf("right after marquee cast exited, the renderer says %+v, %v; want STOPPED", st, err)
	}
	serverGone(t, casting.URL)

	// A name no renderer has is an error that lists the ones found.
	out, err = exec.Command(cliBinary(t), "cast", "--wait", "2s", "--to", "Kitchen TV", film).CombinedOutput()
	if err == nil || !strings.Contains(string(out), `no renderer named "Kitchen TV"`) || !strings.Contains(string(out), tr.name) {
		t.Fatalf("cast --to an unknown name: %v\n%s", err, out)
	}

	// The renderer goes away mid-film: marquee says so and exits 1.
	gone := startCast(t, "--to", tr.location, film)
	waitRenderer(t, r, "PLAYING again", func(s cast.Status) bool { return s.State == cast.StatePlaying && s.Position > 0 })
	tr.kill()
	err = gone.wait(t, 2*time.Minute)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure || !strings.Contains(gone.stderr.String(), "stopped answering") {
		t.Fatalf("marquee cast after the renderer went away: %v\n%s", err, gone)
	}
}
