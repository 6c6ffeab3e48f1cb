package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// seeders are aria2c processes seeding one film on loopback, each with its own upload
// cap. aria2c is a third-party client, so no engine under test gets a seeder that shares
// its code or its quirks. Each seeder announces to the tracker like any peer would.
type seeders struct {
	procs  []*process
	rpc    []*aria2RPC      // for upload counters
	others []*counterSeeder // seeders of other clients (the mixed swarm)
}

// all is every seeder process.
func (s *seeders) all() []*process {
	out := append([]*process(nil), s.procs...)
	for _, o := range s.others {
		out = append(out, o.proc)
	}
	return out
}

// startSeeders starts n aria2c seeders of the film at dataPath, described by mi, each
// uploading at most capBytes per second (0: uncapped). It returns once all n have
// announced to tracker.
func startSeeders(ctx context.Context, dir, dataPath string, mi *metainfo, tr *Tracker, n int, capBytes int64) (*seeders, error) {
	torrentPath := filepath.Join(dir, "film.torrent")
	if err := os.WriteFile(torrentPath, mi.torrentFile(tr.AnnounceURL()), 0o644); err != nil {
		return nil, fmt.Errorf("seeders: %w", err)
	}
	s := &seeders{}
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	for i := range n {
		// A link costs nothing and keeps each seeder's directory its own.
		seedDir := filepath.Join(dir, fmt.Sprintf("seeder%d", i))
		if err := linkFilm(dataPath, seedDir, mi.name); err != nil {
			return nil, fmt.Errorf("seeders: %w", err)
		}
		btPort, rpcPort, err := peerAndRPCPorts()
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, "aria2c",
			"--dir="+seedDir,
			"--seed-ratio=0.0", // seed until stopped
			"--bt-seed-unverified=true",
			"--check-integrity=false",
			"--enable-dht=false", "--enable-dht6=false",
			"--bt-enable-lpd=false",
			"--enable-peer-exchange=false",
			"--disable-ipv6=true",
			"--listen-port="+strconv.Itoa(btPort),
			"--max-upload-limit="+strconv.FormatInt(capBytes, 10),
			"--bt-max-peers=0",
			"--enable-rpc=true", "--rpc-listen-all=false",
			"--rpc-listen-port="+strconv.Itoa(rpcPort), "--rpc-secret=bench",
			"--console-log-level=warn", "--summary-interval=0",
			"--file-allocation=none", "--auto-file-renaming=false", "--allow-overwrite=false",
			torrentPath)
		p, err := startProcess(fmt.Sprintf("aria2c seeder %d", i), cmd, filepath.Join(dir, fmt.Sprintf("seeder%d.log", i)), nil)
		if err != nil {
			return nil, err
		}
		s.procs = append(s.procs, p)
		s.rpc = append(s.rpc, &aria2RPC{endpoint: "http://127.0.0.1:" + strconv.Itoa(rpcPort) + "/jsonrpc", secret: "bench"})
	}
	if err := waitAnnounced(tr, mi.infoHash, n, s.procs, 30*time.Second); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// waitAnnounced waits until n seeders of infoHash have announced to tr, failing early
// when one of procs exits.
func waitAnnounced(tr *Tracker, infoHash [20]byte, n int, procs []*process, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for tr.Seeders(infoHash) < n {
		for _, p := range procs {
			if p.exited() {
				return fmt.Errorf("%s exited: %v (log in %s)", p.name, p.err, p.log.Name())
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("seeders: only %d of %d announced within %v", tr.Seeders(infoHash), n, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// uploaded sums the payload bytes every seeder has sent. Measuring at the seeders counts
// what an engine received the same way for every engine, whatever it reports itself.
func (s *seeders) uploaded() (int64, error) {
	by, err := s.uploadedBy()
	return sumSources(by), err
}

// uploadedBy is uploaded per client ("aria2c", "libtorrent", "transmission"), asking every
// seeder at once.
func (s *seeders) uploadedBy() (map[string]int64, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	out := map[string]int64{}
	add := func(name string, n int64, err error) {
		mu.Lock()
		defer mu.Unlock()
		out[name] += n
		if err != nil && first == nil {
			first = err
		}
	}
	for _, o := range s.others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := o.uploaded()
			add(o.name, n, err)
		}()
	}
	for _, rpc := range s.rpc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := rpc.active()
			var n int64
			for _, d := range st {
				n += d.uploaded
			}
			add("aria2c", n, err)
		}()
	}
	wg.Wait()
	return out, first
}

// aria2RPC is one aria2c process's JSON-RPC interface.
type aria2RPC struct {
	endpoint, secret string
}

// aria2Download is the state of one download of an aria2c process.
type aria2Download struct {
	status             string
	total, completed   int64
	uploaded           int64
	isMetadataDownload bool
}

var rpcClient = &http.Client{Timeout: 5 * time.Second}

// active lists the process's active downloads.
func (a *aria2RPC) active() ([]aria2Download, error) {
	return a.call("aria2.tellActive")
}

// stopped lists the process's finished downloads.
func (a *aria2RPC) stopped() ([]aria2Download, error) {
	return a.call("aria2.tellStopped", 0, 100)
}

func (a *aria2RPC) call(method string, args ...any) ([]aria2Download, error) {
	keys := []string{"status", "totalLength", "completedLength", "uploadLength", "bittorrent"}
	params := append(append([]any{"token:" + a.secret}, args...), keys)
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": "bench", "method": method, "params": params})
	resp, err := rpcClient.Post(a.endpoint, "application/json", bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("aria2c RPC: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Result []struct {
			Status     string `json:"status"`
			Total      string `json:"totalLength"`
			Completed  string `json:"completedLength"`
			Uploaded   string `json:"uploadLength"`
			BitTorrent *struct {
				Info *struct {
					Name string `json:"name"`
				} `json:"info"`
			} `json:"bittorrent"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("aria2c RPC %s: %w", method, err)
	}
	if out.Error != nil {
		return nil, fmt.Errorf("aria2c RPC %s: %s", method, out.Error.Message)
	}
	list := make([]aria2Download, 0, len(out.Result))
	for _, r := range out.Result {
		d := aria2Download{status: r.Status}
		for _, f := range []struct {
			s   string
			dst *int64
		}{{r.Total, &d.total}, {r.Completed, &d.completed}, {r.Uploaded, &d.uploaded}} {
			if f.s == "" {
				continue // aria2c leaves out counters a download does not have
			}
			n, err := strconv.ParseInt(f.s, 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("aria2c RPC %s: bad number %q", method, f.s)
			}
			*f.dst = n
		}
		// A magnet's first download fetches only the metadata; it has no info yet. A plain
		// HTTP download (the web seed figures' reference) has no BitTorrent part at all.
		d.isMetadataDownload = r.BitTorrent != nil && r.BitTorrent.Info == nil
		list = append(list, d)
	}
	return list, nil
}

func (s *seeders) stop() {
	var wg sync.WaitGroup
	for _, p := range s.all() {
		wg.Add(1)
		go func() { defer wg.Done(); p.stop(3 * time.Second) }()
	}
	wg.Wait()
}
