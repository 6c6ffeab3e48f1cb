package torrent

import (
	"sync"
	"time"

	anacrolix "github.com/anacrolix/torrent"
)

// Stats describes transfer activity, for one torrent or summed over the engine.
type Stats struct {
	Peers, Seeds int // connected peers, and how many of them have everything
	// PeersFound is every peer address known (from trackers, the DHT, PEX or the magnet),
	// connected, connecting or waiting to be tried.
	PeersFound               int
	DownloadRate, UploadRate float64 // payload bytes/s, smoothed over a few seconds
	BytesDown, BytesUp       int64   // payload bytes received and sent this session
	// Ratio is BytesUp / max(BytesDown, BytesComplete): data verified from an earlier session
	// or seeded from the user's files counts as downloaded.
	Ratio                       float64
	PiecesComplete, PiecesTotal int
	BytesComplete, Length       int64 // verified bytes, total bytes
	UploadPeers                 int   // peers we sent payload to in the last second or so
	// Webseeds is how many web seeds are sending (or asked) now, of WebseedsKnown; dropped
	// ones (errors, wrong data) are in neither Webseeds nor the count of usable ones.
	Webseeds, WebseedsKnown, WebseedsDropped int
	// WebseedBytes is the payload from web seeds this session, included in BytesDown.
	WebseedBytes int64
	// DuplicateBytes is payload received twice: from a web seed for a piece that a peer
	// completed, and from peers for chunks already there. DiscardedBytes was received for
	// pieces dropped by a seek or that failed their hash check.
	DuplicateBytes, DiscardedBytes int64
}

// UploadStatus says whether payload is leaving right now, and to how many peers.
type UploadStatus struct {
	Active bool
	Peers  int
	Rate   float64 // bytes/s, smoothed
}

// chunkSize is anacrolix's request size, for turning its chunk counts into bytes.
const chunkSize = 16 << 10

// statsSampler holds what the engine loop samples once a second.
type statsSampler struct {
	mu          sync.Mutex
	down, up    ewma
	lastDown    int64
	lastUp      int64
	peerWritten map[*anacrolix.PeerConn]int64
	uploadedTo  map[*anacrolix.PeerConn]bool // conns that received payload in the last period
	sampled     bool
}

func (t *Torrent) sample(dt time.Duration) {
	st := t.t.Stats()
	down, up := st.BytesReadData.Int64()+t.webseeds.bytes.Load(), st.BytesWrittenData.Int64()
	written := make(map[*anacrolix.PeerConn]int64)
	for _, c := range t.t.PeerConns() {
		ps := c.Stats()
		written[c] = ps.BytesWrittenData.Int64()
	}
	s := &t.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sampled && dt > 0 {
		s.down.update(float64(down-s.lastDown)/dt.Seconds(), dt)
		s.up.update(float64(up-s.lastUp)/dt.Seconds(), dt)
	}
	uploadedTo := make(map[*anacrolix.PeerConn]bool)
	for c, n := range written {
		if n > s.peerWritten[c] {
			uploadedTo[c] = true
		}
	}
	s.lastDown, s.lastUp, s.peerWritten, s.uploadedTo, s.sampled = down, up, written, uploadedTo, true
}

// uploadPeersNow counts peers that received payload in the last sample period or since.
func (t *Torrent) uploadPeersNow() int {
	s := &t.stats
	s.mu.Lock()
	prev, recent := s.peerWritten, s.uploadedTo
	s.mu.Unlock()
	n := 0
	for _, c := range t.t.PeerConns() {
		ps := c.Stats()
		if recent[c] || ps.BytesWrittenData.Int64() > prev[c] {
			n++
		}
	}
	return n
}

// bytesComplete is the number of verified bytes.
func (t *Torrent) bytesComplete(piecesComplete int) int64 {
	info := t.t.Info()
	if info == nil || piecesComplete == 0 {
		return 0
	}
	n := int64(piecesComplete) * info.PieceLength
	last := t.t.NumPieces() - 1
	if t.t.PieceState(last).Complete {
		n -= int64(last+1)*info.PieceLength - t.t.Length()
	}
	return n
}

func ratio(up, down, complete int64) float64 {
	base := max(down, complete)
	if base <= 0 {
		return 0
	}
	return float64(up) / float64(base)
}

// Stats returns the torrent's statistics.
func (t *Torrent) Stats() Stats {
	st := t.t.Stats()
	out := Stats{
		Peers:          st.ActivePeers,
		PeersFound:     st.TotalPeers,
		Seeds:          st.ConnectedSeeders,
		BytesDown:      st.BytesReadData.Int64(),
		BytesUp:        st.BytesWrittenData.Int64(),
		PiecesComplete: st.PiecesComplete,
		PiecesTotal:    t.NumPieces(),
		Length:         t.Length(),
		DuplicateBytes: st.ChunksReadWasted.Int64() * chunkSize,
	}
	ws := t.webseeds.stats()
	out.Webseeds, out.WebseedsKnown, out.WebseedsDropped = ws.inUse, ws.known, ws.dropped
	out.WebseedBytes = ws.bytes
	out.BytesDown += ws.bytes
	out.DuplicateBytes += ws.duplicate
	out.DiscardedBytes = ws.discarded
	out.BytesComplete = t.bytesComplete(out.PiecesComplete)
	out.Ratio = ratio(out.BytesUp, out.BytesDown, out.BytesComplete)
	s := &t.stats
	s.mu.Lock()
	out.DownloadRate, out.UploadRate = s.down.value, s.up.value
	out.UploadPeers = len(s.uploadedTo)
	s.mu.Unlock()
	return out
}

// Stats sums the statistics of every torrent. Ratio is over the sums.
func (e *Engine) Stats() Stats {
	var out Stats
	var base int64
	for _, t := range e.Torrents() {
		s := t.Stats()
		out.Peers += s.Peers
		out.Seeds += s.Seeds
		out.DownloadRate += s.DownloadRate
		out.UploadRate += s.UploadRate
		out.BytesDown += s.BytesDown
		out.BytesUp += s.BytesUp
		out.PiecesComplete += s.PiecesComplete
		out.PiecesTotal += s.PiecesTotal
		out.BytesComplete += s.BytesComplete
		out.Length += s.Length
		out.UploadPeers += s.UploadPeers
		out.Webseeds += s.Webseeds
		out.WebseedsKnown += s.WebseedsKnown
		out.WebseedsDropped += s.WebseedsDropped
		out.WebseedBytes += s.WebseedBytes
		out.DuplicateBytes += s.DuplicateBytes
		out.DiscardedBytes += s.DiscardedBytes
		base += max(s.BytesDown, s.BytesComplete)
	}
	if base > 0 {
		out.Ratio = float64(out.BytesUp) / float64(base)
	}
	return out
}

// Uploading reports whether payload is leaving now and to how many peers. With seeding off it
// is always inactive: SetSeeding(false) returns only once payload has stopped.
func (e *Engine) Uploading() UploadStatus {
	var out UploadStatus
	if !e.Seeding() {
		return out
	}
	for _, t := range e.Torrents() {
		out.Peers += t.uploadPeersNow()
		t.stats.mu.Lock()
		out.Rate += t.stats.up.value
		t.stats.mu.Unlock()
	}
	out.Active = out.Peers > 0
	return out
}
