package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A mixed swarm is what a popular film has on the internet: libtorrent 2 (qBittorrent,
// Deluge), Transmission and aria2c seeders, plus the BEP 19 web seed of its publisher. Each
// of the four sources is capped on its own.

// counterSeeder is a seeder process of another client, with its own upload counter.
type counterSeeder struct {
	name     string
	proc     *process
	uploaded func() (int64, error)
}

// debianPython is Debian's python3, which python3-libtorrent is installed for (a version
// manager may put another python3 first on PATH).
const debianPython = "/usr/bin/python3"

// libtorrentSeederScript seeds argv[1] (a .torrent) from the folder argv[2] on
// 127.0.0.1:argv[3], uploading at most argv[4] bytes/s (0: unlimited). It checks the data
// first, as a real client has, prints "seeding" once it seeds, then answers every line on
// stdin with its payload bytes uploaded so far.
//
// libtorrent 2 puts peers on local networks, loopback included, in its "local" peer
// class, which upload_rate_limit (the global class's limit) does not cover: a capped seeder
// sent 5–10 MB in 0.3 s to a peer on 127.0.0.1. Every address is put in the global class.
const libtorrentSeederScript = `
import libtorrent as lt, sys
torrent, save, port, cap = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = lt.session({"listen_interfaces": "127.0.0.1:%d" % port, "enable_dht": False,
	"enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
	"upload_rate_limit": cap, "allow_multiple_connections_per_ip": True, "alert_mask": 0})
f = lt.ip_filter()
f.add_rule("0.0.0.0", "255.255.255.255", 1 << lt.session.global_peer_class_id)
f.add_rule("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1 << lt.session.global_peer_class_id)
s.set_peer_class_filter(f)
h = s.add_torrent({"ti": lt.torrent_info(torrent), "save_path": save})
import time
deadline = time.time() + 120
while not h.status().is_seeding:
	if time.time() > deadline:
		sys.exit("not seeding after 120 s: %s" % h.status().state)
	time.sleep(0.02)
print("seeding", flush=True)
for line in sys.stdin:
	print(h.status().total_payload_upload, flush=True)
`

// lineQuery asks a process one question per line and reads one answer line.
type lineQuery struct {
	mu  sync.Mutex
	in  io.Writer
	out <-chan string
}

func (q *lineQuery) ask(timeout time.Duration) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, err := io.WriteString(q.in, "?\n"); err != nil {
		return "", err
	}
	select {
	case line, ok := <-q.out:
		if !ok {
			return "", io.ErrUnexpectedEOF
		}
		return line, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("no answer within %v", timeout)
	}
}

// startLibtorrentSeeder starts a libtorrent 2 seeder of torrentPath with the data in dir,
// capped at capBytes per second, and returns once it seeds.
func startLibtorrentSeeder(ctx context.Context, torrentPath, dir string, capBytes int64, logPath string) (*counterSeeder, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, debianPython, "-c", libtorrentSeederScript, torrentPath, dir,
		strconv.Itoa(port), strconv.FormatInt(capBytes, 10))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	lines := make(chan string, 4)
	p, err := startProcess("libtorrent seeder", cmd, logPath, lines)
	if err != nil {
		return nil, err
	}
	select {
	case line, ok := <-lines:
		if !ok || line != "seeding" {
			p.stop(time.Second)
			return nil, fmt.Errorf("libtorrent seeder said %q instead of seeding (log: %s)", line, logPath)
		}
	case <-time.After(2 * time.Minute):
		p.stop(time.Second)
		return nil, fmt.Errorf("libtorrent seeder not seeding after 2 minutes (log: %s)", logPath)
	}
	q := &lineQuery{in: stdin, out: lines}
	return &counterSeeder{name: "libtorrent", proc: p, uploaded: func() (int64, error) {
		line, err := q.ask(5 * time.Second)
		if err != nil {
			return 0, fmt.Errorf("libtorrent seeder: %w", err)
		}
		return parseCounter(line)
	}}, nil
}

// parseCounter reads a non-negative byte count.
func parseCounter(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad byte count %q", s)
	}
	return n, nil
}

// transmissionSettings is transmission-daemon's settings.json for one seeder: peers from
// the tracker only, plain TCP, no port mapping, no seeding limits, upload capped. Its
// speed units are kB/s of 1000 bytes.
func transmissionSettings(dir string, peerPort, rpcPort int, capBytes int64) ([]byte, error) {
	s := map[string]any{
		"dht-enabled": false, "lpd-enabled": false, "pex-enabled": false, "utp-enabled": false,
		"port-forwarding-enabled": false, "ratio-limit-enabled": false, "idle-seeding-limit-enabled": false,
		"peer-port": peerPort, "peer-port-random-on-start": false, "bind-address-ipv4": "127.0.0.1",
		"rpc-enabled": true, "rpc-port": rpcPort, "rpc-bind-address": "127.0.0.1",
		"rpc-authentication-required": false, "rpc-whitelist-enabled": false, "rpc-host-whitelist-enabled": false,
		"download-dir": dir, "incomplete-dir-enabled": false, "watch-dir-enabled": false,
		"start-added-torrents": true, "message-level": 2,
		"speed-limit-up-enabled": capBytes > 0, "speed-limit-up": max(1, (capBytes+500)/1000),
	}
	return json.MarshalIndent(s, "", "  ")
}

// transmissionRPC is transmission-daemon's JSON-RPC interface.
type transmissionRPC struct {
	endpoint string
	mu       sync.Mutex
	session  string // X-Transmission-Session-Id, learnt from the first 409
}

func (t *transmissionRPC) call(method string, args map[string]any, result any) error {
	body, err := json.Marshal(map[string]any{"method": method, "arguments": args})
	if err != nil {
		return err
	}
	for range 2 {
		req, err := http.NewRequest(http.MethodPost, t.endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		t.mu.Lock()
		req.Header.Set("X-Transmission-Session-Id", t.session)
		t.mu.Unlock()
		resp, err := rpcClient.Do(req)
		if err != nil {
			return fmt.Errorf("transmission RPC: %w", err)
		}
		if resp.StatusCode == http.StatusConflict {
			t.mu.Lock()
			t.session = resp.Header.Get("X-Transmission-Session-Id")
			t.mu.Unlock()
			resp.Body.Close()
			continue
		}
		defer resp.Body.Close()
		var out struct {
			Result    string          `json:"result"`
			Arguments json.RawMessage `json:"arguments"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return fmt.Errorf("transmission RPC %s: %s: %w", method, resp.Status, err)
		}
		if out.Result != "success" {
			return fmt.Errorf("transmission RPC %s: %s", method, out.Result)
		}
		if result == nil {
			return nil
		}
		return json.Unmarshal(out.Arguments, result)
	}
	return fmt.Errorf("transmission RPC %s: no session id", method)
}

// transmissionTorrent is what the harness reads of a torrent in transmission-daemon.
type transmissionTorrent struct {
	Status       int    `json:"status"` // 6: seeding
	UploadedEver int64  `json:"uploadedEver"`
	Error        int    `json:"error"`
	ErrorString  string `json:"errorString"`
}

const transmissionSeeding = 6

func (t *transmissionRPC) torrent() (transmissionTorrent, error) {
	var out struct {
		Torrents []transmissionTorrent `json:"torrents"`
	}
	err := t.call("torrent-get", map[string]any{"fields": []string{"status", "uploadedEver", "error", "errorString"}}, &out)
	if err != nil {
		return transmissionTorrent{}, err
	}
	if len(out.Torrents) != 1 {
		return transmissionTorrent{}, fmt.Errorf("transmission has %d torrents, want 1", len(out.Torrents))
	}
	return out.Torrents[0], nil
}

// startTransmissionSeeder starts transmission-daemon with its own configuration folder,
// adds torrentPath with the data in dir, and returns once it seeds.
func startTransmissionSeeder(ctx context.Context, torrentPath, dir string, capBytes int64, logPath string) (*counterSeeder, error) {
	peerPort, rpcPort, err := peerAndRPCPorts()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(filepath.Dir(logPath), "transmission-config")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		return nil, err
	}
	settings, err := transmissionSettings(dir, peerPort, rpcPort, capBytes)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(conf, "settings.json"), settings, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "transmission-daemon", "--foreground", "--config-dir", conf)
	p, err := startProcess("transmission seeder", cmd, logPath, nil)
	if err != nil {
		return nil, err
	}
	rpc := &transmissionRPC{endpoint: "http://127.0.0.1:" + strconv.Itoa(rpcPort) + "/transmission/rpc"}
	fail := func(err error) (*counterSeeder, error) {
		p.stop(3 * time.Second)
		return nil, fmt.Errorf("transmission seeder: %w (log: %s)", err, logPath)
	}
	if err := waitListening("127.0.0.1:"+strconv.Itoa(rpcPort), p, time.Minute); err != nil {
		return fail(err)
	}
	if err := rpc.call("torrent-add", map[string]any{"filename": torrentPath, "download-dir": dir}, nil); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := rpc.torrent()
		if err != nil {
			return fail(err)
		}
		if st.Error != 0 {
			return fail(fmt.Errorf("torrent error %d: %s", st.Error, st.ErrorString))
		}
		if st.Status == transmissionSeeding {
			break
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("not seeding after 2 minutes (status %d)", st.Status))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &counterSeeder{name: "transmission", proc: p, uploaded: func() (int64, error) {
		st, err := rpc.torrent()
		return st.UploadedEver, err
	}}, nil
}

// linkFilm puts the film at dir/name without copying it: a hard link, or a symbolic link
// across file systems.
func linkFilm(dataPath, dir, name string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	link := filepath.Join(dir, name)
	if err := os.Link(dataPath, link); err != nil {
		abs, _ := filepath.Abs(dataPath)
		if err := os.Symlink(abs, link); err != nil {
			return fmt.Errorf("link film: %w", err)
		}
	}
	return nil
}

// startMixedSwarm starts a tracker, one aria2c, one libtorrent 2 and one Transmission
// seeder of film, each uploading at most capBytes per second, and a web seed that sends
// at most capBytes per second in all. Every engine gets a .torrent that names both the
// tracker and the web seed.
func (h *harness) startMixedSwarm(ctx context.Context, dir, film string, capBytes int64) (*swarm, error) {
	sw, err := h.startSwarmOf(ctx, dir, film, 1, capBytes)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			sw.stop()
		}
	}()
	torrentPath := filepath.Join(dir, "film.torrent")
	for _, start := range []struct {
		name  string
		start func(ctx context.Context, torrentPath, dir string, capBytes int64, logPath string) (*counterSeeder, error)
	}{{"libtorrent", startLibtorrentSeeder}, {"transmission", startTransmissionSeeder}} {
		seedDir := filepath.Join(dir, start.name)
		if err := linkFilm(film, seedDir, sw.meta.name); err != nil {
			return nil, err
		}
		s, err := start.start(ctx, torrentPath, seedDir, capBytes, filepath.Join(dir, start.name+".log"))
		if err != nil {
			return nil, err
		}
		sw.seeders.others = append(sw.seeders.others, s)
	}
	if err := waitAnnounced(sw.tracker, sw.meta.infoHash, 3, sw.seeders.all(), 30*time.Second); err != nil {
		return nil, err
	}
	sw.webseed = startCappedWebseed(filepath.Dir(film), capBytes, capBytes)
	fileURL := sw.webseed.BaseURL() + url.PathEscape(sw.meta.name)
	sw.source = filepath.Join(dir, sw.meta.name+".torrent")
	if err := os.WriteFile(sw.source, sw.meta.mixedTorrentFile(sw.tracker.AnnounceURL(), fileURL), 0o644); err != nil {
		return nil, err
	}
	sw.direct = sw.source
	ok = true
	return sw, nil
}

// sentBySource is how many bytes each source of the swarm has sent.
func (s *swarm) sentBySource() (map[string]int64, error) {
	out := map[string]int64{}
	var err error
	if s.seeders != nil {
		out, err = s.seeders.uploadedBy()
	}
	if s.webseed != nil {
		out["web seed"] = s.webseed.BytesSent()
	}
	return out, err
}

// describeSources prints bytes per source, in a fixed order, with the rate over elapsed.
func describeSources(by map[string]int64, elapsed time.Duration) string {
	var parts []string
	for _, name := range []string{"aria2c", "libtorrent", "transmission", "web seed"} {
		n, ok := by[name]
		if !ok {
			continue
		}
		part := fmt.Sprintf("%s %.1f MiB", name, float64(n)/(1<<20))
		if elapsed > 0 {
			part += fmt.Sprintf(" (%.0f KiB/s)", float64(n)/1024/elapsed.Seconds())
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// sumSources adds up the bytes of every source.
func sumSources(by map[string]int64) int64 {
	var t int64
	for _, n := range by {
		t += n
	}
	return t
}

// bySourceNote is ", by source: …" for a mixed swarm's log lines, and "" for the others.
func (s *swarm) bySourceNote() string {
	if s.seeders == nil || len(s.seeders.others) == 0 {
		return ""
	}
	by, err := s.sentBySource()
	if err != nil {
		return fmt.Sprintf(" (by source: %v)", err)
	}
	return " (by source: " + describeSources(by, 0) + ")"
}
