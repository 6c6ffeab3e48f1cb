package torrent

import (
	"sync"

	anacrolix "github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"
	pp "github.com/anacrolix/torrent/peer_protocol"
)

// maxPeerMetadataNesters bounds the 'l' and 'd' bytes in metadata from peers. anacrolix v1.61
// decodes the info bytes it assembles from peers (up to 16 MiB) with its recursive decoder
// before it checks them against the info hash, so any peer could send a nesting bomb that
// overflows the stack and kills the process; and it decodes them under its own lock, where
// nothing of ours runs. What we can see is each metadata piece as it arrives. The nesting
// depth of the assembled bytes is at most the number of 'l' and 'd' bytes in them, so
// counting those per piece bounds it without parsing. Real info dictionaries have a few per
// file name plus 2 in 256 bytes of piece hashes: about 41,000 for 262,144 pieces. 200,000
// levels cost the decoder about 200 MB of stack, a fifth of Go's limit.
const maxPeerMetadataNesters = 200_000

// peerMetadataGuard counts 'l' and 'd' bytes in the latest piece of metadata received at each
// index, per torrent, and spoils a piece that would push the total past the bound.
type peerMetadataGuard struct {
	mu     sync.Mutex
	counts map[metainfo.Hash]map[int]int
}

// onExtensionMessage is an anacrolix PeerConnReadExtensionMessage callback: it runs before
// anacrolix handles the message, with its client lock held, so it calls nothing that locks.
func (g *peerMetadataGuard) onExtensionMessage(ev anacrolix.PeerConnReadExtensionMessageEvent) {
	if ev.PeerConn == nil || ev.PeerConn.Torrent() == nil {
		return
	}
	name, builtin, err := ev.PeerConn.LocalLtepProtocolMap.LookupId(ev.ExtensionNumber)
	if err != nil || !builtin || name != pp.ExtensionNameMetadata {
		return
	}
	var msg pp.ExtendedMetadataRequestMsg
	if err := bencode.Unmarshal(ev.Payload, &msg); err != nil {
		if _, ok := err.(bencode.ErrUnusedTrailingBytes); !ok {
			return // anacrolix refuses it too
		}
	}
	begin := len(ev.Payload) - msg.PieceSize()
	if msg.Type != pp.DataMetadataExtensionMsgType || begin < 0 || begin >= len(ev.Payload) {
		return
	}
	n := 0
	for _, c := range ev.Payload[begin:] {
		if c == 'l' || c == 'd' {
			n++
		}
	}
	ih := ev.PeerConn.Torrent().InfoHash()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.counts == nil {
		g.counts = make(map[metainfo.Hash]map[int]int)
	}
	pieces := g.counts[ih]
	if pieces == nil {
		pieces = make(map[int]int)
		g.counts[ih] = pieces
	}
	total := n
	for i, c := range pieces {
		if i != msg.Piece {
			total += c
		}
	}
	if total > maxPeerMetadataNesters {
		// Spoiled, the message no longer decodes: anacrolix drops the piece and the peer.
		ev.Payload[0] = 'x'
		return
	}
	pieces[msg.Piece] = n
}

// forget drops what the guard knows of a torrent.
func (g *peerMetadataGuard) forget(ih metainfo.Hash) {
	g.mu.Lock()
	delete(g.counts, ih)
	g.mu.Unlock()
}
