package bench

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Tracker is a minimal HTTP BitTorrent tracker (BEP 3, compact peer lists per BEP 23) on
// loopback. Every engine and every seeder finds the others only through it, so peer
// discovery is identical for all engines: no DHT, no local discovery, no PEX shortcuts.
type Tracker struct {
	srv *http.Server
	ln  net.Listener

	mu    sync.Mutex
	swarm map[[20]byte]map[string]trackedPeer // info hash → peer id → peer
}

type trackedPeer struct {
	addr netip.AddrPort
	left int64
}

// announceInterval is what the tracker tells clients; engines re-announce at most this often.
const announceInterval = 30 * time.Second

// StartTracker listens on 127.0.0.1 at a free port.
func StartTracker() (*Tracker, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("tracker: listen: %w", err)
	}
	t := &Tracker{ln: ln, swarm: map[[20]byte]map[string]trackedPeer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/announce", t.serveAnnounce)
	t.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go t.srv.Serve(ln)
	return t, nil
}

// AnnounceURL is the URL to put in torrents and magnets.
func (t *Tracker) AnnounceURL() string {
	return "http://" + t.ln.Addr().String() + "/announce"
}

// Close stops the tracker.
func (t *Tracker) Close() error { return t.srv.Close() }

// Seeders counts the peers of infoHash that announced with nothing left to download.
func (t *Tracker) Seeders(infoHash [20]byte) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, p := range t.swarm[infoHash] {
		if p.left == 0 {
			n++
		}
	}
	return n
}

// announce is one parsed announce request.
type announce struct {
	infoHash [20]byte
	peerID   string
	port     uint16
	left     int64
	event    string
}

// parseAnnounce reads the query of an announce request. The info hash and peer id are raw
// 20-byte strings, percent-encoded.
func parseAnnounce(rawQuery string) (announce, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return announce{}, fmt.Errorf("bad query: %w", err)
	}
	var a announce
	ih := q.Get("info_hash")
	if len(ih) != 20 {
		return announce{}, fmt.Errorf("info_hash is %d bytes, want 20", len(ih))
	}
	copy(a.infoHash[:], ih)
	a.peerID = q.Get("peer_id")
	if len(a.peerID) != 20 {
		return announce{}, fmt.Errorf("peer_id is %d bytes, want 20", len(a.peerID))
	}
	port, err := strconv.ParseUint(q.Get("port"), 10, 16)
	if err != nil || port == 0 {
		return announce{}, fmt.Errorf("bad port %q", q.Get("port"))
	}
	a.port = uint16(port)
	if s := q.Get("left"); s != "" {
		// Some clients announce a huge or unknown "left" before they have metadata.
		a.left, err = strconv.ParseInt(s, 10, 64)
		if err != nil || a.left < 0 {
			a.left = 1
		}
	} else {
		a.left = 1
	}
	a.event = q.Get("event")
	return a, nil
}

func (t *Tracker) serveAnnounce(w http.ResponseWriter, r *http.Request) {
	a, err := parseAnnounce(r.URL.RawQuery)
	if err != nil {
		writeTrackerFailure(w, err.Error())
		return
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		writeTrackerFailure(w, "no remote address")
		return
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Unmap().Is4() {
		writeTrackerFailure(w, "IPv4 peers only")
		return
	}
	peer := trackedPeer{addr: netip.AddrPortFrom(ip.Unmap(), a.port), left: a.left}

	t.mu.Lock()
	peers := t.swarm[a.infoHash]
	if peers == nil {
		peers = map[string]trackedPeer{}
		t.swarm[a.infoHash] = peers
	}
	if a.event == "stopped" {
		delete(peers, a.peerID)
	} else {
		peers[a.peerID] = peer
	}
	var compact []byte
	complete, incomplete := 0, 0
	for id, p := range peers {
		if p.left == 0 {
			complete++
		} else {
			incomplete++
		}
		if id == a.peerID || p.addr == peer.addr {
			continue
		}
		compact = append(compact, p.addr.Addr().AsSlice()...)
		compact = binary.BigEndian.AppendUint16(compact, p.addr.Port())
	}
	t.mu.Unlock()

	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "d8:completei%de10:incompletei%de8:intervali%de5:peers%d:%se",
		complete, incomplete, int(announceInterval.Seconds()), len(compact), compact)
}

func writeTrackerFailure(w http.ResponseWriter, reason string) {
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "d14:failure reason%d:%se", len(reason), reason)
}
