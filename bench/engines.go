package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// engineID names one engine configuration in the results.
type engineID string

const (
	marqueeServe engineID = "marquee-serve" // `marquee serve`, read over HTTP like the peers
	marqueePlay  engineID = "marquee-play"  // `marquee play --headless --json`, in process
	webtorrent   engineID = "webtorrent"    // webtorrent-cli 4.1.0 / webtorrent 1.9.7
	peerflix     engineID = "peerflix"      // peerflix 0.39.0 / torrent-stream 1.2.1
	aria2        engineID = "aria2c"        // aria2c, plain download, the throughput reference
)

// peerEngines are the engines Marquee is compared with; "best peer" means the best of them.
var peerEngines = []engineID{webtorrent, peerflix, aria2}

// tools are the programs the harness runs.
type tools struct {
	marquee       string // a private copy of the marquee binary
	node          string
	webtorrentDir string // bench/peers/webtorrent, with node_modules and the loopback hook
	peerflixDir   string
	versions      map[engineID]string
}

// engineRun is one started engine.
type engineRun struct {
	id      engineID
	proc    *process
	started time.Time
	url     string        // HTTP engines: where the film is served
	lines   chan string   // marquee play: JSON event lines; aria2c: nil
	urlWait time.Duration // how long the HTTP server took to appear
	rpc     *aria2RPC     // aria2c: its control interface
}

// startEngine launches engine id on magnet with the fresh data folder dir. For HTTP
// engines it returns once the film's URL accepts connections; for marquee play at once.
// extra are added to marquee's flags (play: --duration).
func startEngine(ctx context.Context, tl *tools, id engineID, magnet, dir string, extra ...string) (*engineRun, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	data := filepath.Join(dir, "data")
	home := filepath.Join(dir, "home")
	for _, d := range []string{data, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	hostPort := "127.0.0.1:" + strconv.Itoa(port)
	r := &engineRun{id: id}
	var cmd *exec.Cmd
	switch id {
	case webtorrent:
		// Without a player flag the CLI keeps serving; the server answers requests that
		// arrive before the metadata once it is there.
		cmd = exec.CommandContext(ctx, tl.node, "--import", filepath.Join(tl.webtorrentDir, "loopback.mjs"),
			filepath.Join(tl.webtorrentDir, "node_modules", "webtorrent-cli", "bin", "cmd.js"),
			"download", magnet, "--out", data, "--port", strconv.Itoa(port), "--quiet", "--keep-seeding")
		r.url = "http://" + hostPort + "/0"
	case peerflix:
		// --tmp keeps torrent-stream's metadata cache in the fresh folder: with the default
		// (the system temp folder) every run after the first would start warm.
		cmd = exec.CommandContext(ctx, tl.node, filepath.Join(tl.peerflixDir, "node_modules", "peerflix", "app.js"),
			magnet, "--port", strconv.Itoa(port), "--hostname", "127.0.0.1", "--path", data,
			"--tmp", filepath.Join(dir, "tmp"), "--no-dht", "--quiet")
		r.url = "http://" + hostPort + "/0"
	case marqueeServe:
		args := append([]string{"serve", "--cache", data, "--no-dht", "--no-upnp", "--http", hostPort}, extra...)
		cmd = exec.CommandContext(ctx, tl.marquee, append(args, magnet)...)
		r.url = "http://" + hostPort + "/" // replaced by the URL it prints
	case marqueePlay:
		args := append([]string{"play", "--headless", "--json", "--cache", data,
			"--no-dht", "--no-upnp"}, extra...)
		cmd = exec.CommandContext(ctx, tl.marquee, append(args, magnet)...)
	case aria2:
		btPort, rpcPort, err := peerAndRPCPorts()
		if err != nil {
			return nil, err
		}
		r.rpc = &aria2RPC{endpoint: "http://127.0.0.1:" + strconv.Itoa(rpcPort) + "/jsonrpc", secret: "bench"}
		cmd = exec.CommandContext(ctx, "aria2c", "--dir="+data, "--seed-time=0",
			"--enable-rpc=true", "--rpc-listen-all=false", "--rpc-listen-port="+strconv.Itoa(rpcPort), "--rpc-secret=bench",
			"--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
			"--enable-peer-exchange=false", "--disable-ipv6=true", "--bt-save-metadata=false",
			"--listen-port="+strconv.Itoa(btPort), "--file-allocation=none",
			"--console-log-level=warn", "--summary-interval=0", magnet)
	default:
		return nil, fmt.Errorf("unknown engine %q", id)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+home, "TMPDIR="+filepath.Join(dir, "tmp"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"NO_COLOR=1", "FORCE_COLOR=0", "LANG=C.UTF-8",
		"TORRENT_STORAGE_DEFAULT_FILE_IO=classic")
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	var stdout chan string
	if id == marqueeServe || id == marqueePlay {
		stdout = make(chan string, 256)
	}
	r.started = time.Now()
	r.proc, err = startProcess(string(id), cmd, filepath.Join(dir, "engine.log"), stdout)
	if err != nil {
		return nil, err
	}
	switch id {
	case marqueePlay:
		r.lines = stdout
		return r, nil
	case aria2:
		return r, nil
	case marqueeServe:
		// The first stdout line is the URL, printed once the metadata is in.
		select {
		case line, ok := <-stdout:
			if !ok || !strings.HasPrefix(line, "http://") {
				r.stop()
				return nil, fmt.Errorf("%s printed %q instead of a URL (log: %s)", id, line, r.proc.log.Name())
			}
			r.url = strings.TrimSpace(line)
			go func() {
				for range stdout {
				}
			}()
		case <-time.After(2 * time.Minute):
			r.stop()
			return nil, fmt.Errorf("%s printed no URL within 2 minutes (log: %s)", id, r.proc.log.Name())
		case <-ctx.Done():
			r.stop()
			return nil, ctx.Err()
		}
	}
	if err := waitListening(hostPort, r.proc, 2*time.Minute); err != nil {
		r.stop()
		return nil, err
	}
	r.urlWait = time.Since(r.started)
	return r, nil
}

// stop ends the engine and everything it started.
func (r *engineRun) stop() { r.proc.stop(5 * time.Second) }

// playEvent is one line of `marquee play --json`.
type playEvent struct {
	TMS        int64  `json:"t_ms"`
	Event      string `json:"event"`
	Downloaded int64  `json:"downloaded"`
	PositionMS int64  `json:"position_ms"`
	StallMS    int64  `json:"stall_ms"`
	Stalls     int    `json:"stalls"`
	Message    string `json:"message"`
	Reason     string `json:"reason"`
}

// parsePlayEvent decodes one JSON event line.
func parsePlayEvent(line string) (playEvent, error) {
	var ev playEvent
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		return ev, fmt.Errorf("marquee play: bad event line %q: %w", line, err)
	}
	if ev.Event == "" {
		return ev, fmt.Errorf("marquee play: event line without an event: %q", line)
	}
	return ev, nil
}

// nextPlayEvent waits for the next event of kind want, failing on "error" events, the
// end of output, ctx or timeout. It returns the wall time at which the line was read.
func (r *engineRun) nextPlayEvent(ctx context.Context, timeout time.Duration, want ...string) (playEvent, time.Time, error) {
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-r.lines:
			now := time.Now()
			if !ok {
				<-r.proc.done
				return playEvent{}, now, fmt.Errorf("marquee play ended (%v) before %v (log: %s)", r.proc.err, want, r.proc.log.Name())
			}
			ev, err := parsePlayEvent(line)
			if err != nil {
				continue // a stray line; the log keeps it
			}
			if ev.Event == "error" {
				return ev, now, fmt.Errorf("marquee play: %s", ev.Message)
			}
			for _, w := range want {
				if ev.Event == w {
					return ev, now, nil
				}
			}
		case <-deadline:
			return playEvent{}, time.Now(), fmt.Errorf("marquee play: no %v within %v (log: %s)", want, timeout, r.proc.log.Name())
		case <-ctx.Done():
			return playEvent{}, time.Now(), ctx.Err()
		}
	}
}
