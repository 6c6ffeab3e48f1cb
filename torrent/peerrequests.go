package torrent

import (
	"math"
	"sync"
	"time"

	anacrolix "github.com/anacrolix/torrent"
	pp "github.com/anacrolix/torrent/peer_protocol"
)

// What the engine needs to know of the requests anacrolix sends to peers, which v1.61 keeps to
// itself: how many a peer may have outstanding, and which pieces peers are fetching now.
//
// Pipelines: anacrolix gives a peer new requests only once every outstanding one is answered
// (PeerConn.isLowOnRequests), and then up to the queue the peer advertises (reqq: 250 by
// default, 500 for libtorrent, 4–8 MiB of blocks). A peer that sends 250 KiB/s takes 16–32 s to
// work through such a batch, and a piece that becomes urgent meanwhile (the player's next piece,
// a seek target) is not asked of it until the batch is through: the stream stalls with the
// capacity there. Changing piece priorities does not help, as anacrolix reconsiders only peers
// with nothing outstanding. As webtorrent does, a peer is allowed about pipelineDuration of what
// it sends, so it comes back for new requests often and the planner's order reaches it. Fast
// peers keep their whole queue: at 4 MiB/s a second is already 250 blocks.
//
// Pieces on the wire: the web seeds take pieces no peer is fetching, so that the two kinds of
// source do not race for the same bytes (webseeds.pickLocked).
const (
	pipelineDuration    = time.Second
	minPipelineRequests = 8
	// rateHalfLife is how fast the estimate of a peer's rate forgets.
	rateHalfLife = time.Second
	blockSize    = 16 << 10
)

// peerRequests is fed by anacrolix callbacks, which run with the client lock held; its own
// mutex lets the web seeds ask it from their goroutines.
type peerRequests struct {
	mu     sync.Mutex
	peers  map[*anacrolix.PeerConn]*peerPipeline
	onWire map[*anacrolix.Torrent]map[int]int // outstanding requests per piece
	// lastData is when a peer last sent a torrent a useful block.
	lastData map[*anacrolix.Torrent]time.Time
}

type peerPipeline struct {
	advertised int     // the peer's reqq: never ask for more than it accepts
	rate       float64 // bytes per second, decaying with rateHalfLife
	last       time.Time
}

func newPeerRequests() *peerRequests {
	return &peerRequests{
		peers:    make(map[*anacrolix.PeerConn]*peerPipeline),
		onWire:   make(map[*anacrolix.Torrent]map[int]int),
		lastData: make(map[*anacrolix.Torrent]time.Time),
	}
}

func (p *peerRequests) install(cb *anacrolix.Callbacks) {
	cb.ReadExtendedHandshake = p.onExtendedHandshake
	cb.ReceivedUsefulData = append(cb.ReceivedUsefulData, p.onUsefulData)
	cb.PeerConnClosed = p.onClosed
	cb.SentRequest = append(cb.SentRequest, func(ev anacrolix.PeerRequestEvent) { p.count(ev, 1) })
	cb.DeletedRequest = append(cb.DeletedRequest, func(ev anacrolix.PeerRequestEvent) { p.count(ev, -1) })
}

// fetching says whether a peer has a request outstanding for a piece of t.
func (p *peerRequests) fetching(t *anacrolix.Torrent, piece int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.onWire[t][piece] > 0
}

// outstanding is how many requests peers have outstanding for t.
func (p *peerRequests) outstanding(t *anacrolix.Torrent) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.onWire[t] {
		n += c
	}
	return n
}

// forget drops what is known of a torrent's requests once it leaves the client.
func (p *peerRequests) forget(t *anacrolix.Torrent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.onWire, t)
	delete(p.lastData, t)
}

// delivering says whether peers have sent t useful data within the last d.
func (p *peerRequests) delivering(t *anacrolix.Torrent, d time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	last, ok := p.lastData[t]
	return ok && time.Since(last) < d
}

func (p *peerRequests) count(ev anacrolix.PeerRequestEvent, delta int) {
	t := ev.Peer.Torrent()
	if t == nil {
		return
	}
	piece := int(ev.Index)
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.onWire[t]
	if m == nil {
		m = make(map[int]int)
		p.onWire[t] = m
	}
	if n := m[piece] + delta; n > 0 {
		m[piece] = n
	} else {
		delete(m, piece)
	}
}

func (p *peerRequests) pipeline(pc *anacrolix.PeerConn) *peerPipeline {
	pl := p.peers[pc]
	if pl == nil {
		pl = &peerPipeline{advertised: int(pc.PeerMaxRequests)}
		p.peers[pc] = pl
	}
	return pl
}

// onExtendedHandshake runs before anacrolix applies the peer's reqq: the value it then sets is
// the capped one.
func (p *peerRequests) onExtendedHandshake(pc *anacrolix.PeerConn, d *pp.ExtendedHandshakeMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pl := p.pipeline(pc)
	if d.Reqq > 0 {
		pl.advertised = d.Reqq
	}
	d.Reqq = pl.limit()
}

func (p *peerRequests) onUsefulData(ev anacrolix.ReceivedUsefulDataEvent) {
	pc, ok := ev.Peer.TryAsPeerConn()
	if !ok || ev.Message == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	pl := p.pipeline(pc)
	pl.add(len(ev.Message.Piece), now)
	pc.PeerMaxRequests = pl.limit()
	if t := pc.Torrent(); t != nil {
		p.lastData[t] = now
	}
}

func (p *peerRequests) onClosed(pc *anacrolix.PeerConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.peers, pc)
}

// add counts n bytes received at now into the decaying rate.
func (pl *peerPipeline) add(n int, now time.Time) {
	if !pl.last.IsZero() {
		pl.rate *= math.Exp2(-now.Sub(pl.last).Seconds() / rateHalfLife.Seconds())
	}
	// A decaying sum of bytes with half-life h holds about rate·h/ln 2 bytes.
	pl.rate += float64(n) * math.Ln2 / rateHalfLife.Seconds()
	pl.last = now
}

// limit is the number of outstanding requests the peer is allowed now.
func (pl *peerPipeline) limit() int {
	want := int(math.Ceil(pl.rate * pipelineDuration.Seconds() / blockSize))
	return max(min(want, pl.advertised), min(minPipelineRequests, pl.advertised))
}
