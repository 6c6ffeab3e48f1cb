package torrent

import (
	"sync"
	"time"

	anacrolix "github.com/anacrolix/torrent"
)

// What the engine needs to know of the requests anacrolix sends to peers, which v1.61 keeps to
// itself: which pieces peers are fetching now, and when peers last delivered. The web seeds take
// pieces no peer is fetching, so that the two kinds of source do not race for the same bytes
// (webseeds.pickLocked).
//
// Sizing each peer's request queue from its rate (anacrolix refills a peer only once all its
// requests are answered, up to the 250–500 blocks it advertises) was tried and measured: it made
// a seek in a swarm of capped aria2c seeders 2–3× slower (1.2–1.9 s against 0.54 s), as aria2c
// sends queued blocks when a request arrives or on its one-second tick, and it did not change
// the stalls of the mixed swarm on its own. So peers keep the queue they advertise.
type peerRequests struct {
	mu     sync.Mutex
	onWire map[*anacrolix.Torrent]map[int]int // outstanding requests per piece
	// lastData is when a peer last sent a torrent a useful block.
	lastData map[*anacrolix.Torrent]time.Time
}

func newPeerRequests() *peerRequests {
	return &peerRequests{
		onWire:   make(map[*anacrolix.Torrent]map[int]int),
		lastData: make(map[*anacrolix.Torrent]time.Time),
	}
}

// install hooks the tracker into anacrolix's callbacks, which run with the client lock held.
func (p *peerRequests) install(cb *anacrolix.Callbacks) {
	cb.ReceivedUsefulData = append(cb.ReceivedUsefulData, p.onUsefulData)
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

// delivering says whether peers have sent t useful data within the last d.
func (p *peerRequests) delivering(t *anacrolix.Torrent, d time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	last, ok := p.lastData[t]
	return ok && time.Since(last) < d
}

// forget drops what is known of a torrent's requests once it leaves the client.
func (p *peerRequests) forget(t *anacrolix.Torrent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.onWire, t)
	delete(p.lastData, t)
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

func (p *peerRequests) onUsefulData(ev anacrolix.ReceivedUsefulDataEvent) {
	if t := ev.Peer.Torrent(); t != nil {
		p.mu.Lock()
		p.lastData[t] = time.Now()
		p.mu.Unlock()
	}
}
