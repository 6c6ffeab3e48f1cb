package torrent

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"
	pp "github.com/anacrolix/torrent/peer_protocol"
)

// bombPeer is a peer that speaks just enough BitTorrent (handshake, BEP 10, BEP 9) to hand
// out metadata: info, which need not match the info hash, since anacrolix decodes it first.
func bombPeer(t *testing.T, ih metainfo.Hash, info []byte) (addr string, served func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	pieces := make(chan int, 4096)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveBomb(c, ih, info, pieces)
		}
	}()
	return ln.Addr().String(), func() int { return len(pieces) }
}

func serveBomb(c net.Conn, ih metainfo.Hash, info []byte, pieces chan<- int) {
	defer c.Close()
	hs := make([]byte, 68)
	if _, err := io.ReadFull(c, hs); err != nil || !bytes.Equal(hs[:20], []byte("\x13BitTorrent protocol")) {
		return // an encrypted attempt: anacrolix then tries in the clear
	}
	reply := append([]byte("\x13BitTorrent protocol"), 0, 0, 0, 0, 0, 0x10, 0, 0)
	reply = append(append(reply, ih[:]...), []byte("-XX0001-bombbombbomb")...)
	ext, _ := bencode.Marshal(map[string]any{"m": map[string]int{"ut_metadata": 3}, "metadata_size": len(info)})
	if _, err := c.Write(append(reply, message(0, ext)...)); err != nil {
		return
	}
	var theirs int64
	for {
		var n uint32
		if err := binary.Read(c, binary.BigEndian, &n); err != nil {
			return
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		if n < 2 || b[0] != byte(pp.Extended) {
			continue
		}
		if b[1] == 0 {
			var h pp.ExtendedHandshakeMessage
			if bencode.Unmarshal(b[2:], &h) == nil {
				theirs = int64(h.M[pp.ExtensionNameMetadata])
			}
			continue
		}
		var req pp.ExtendedMetadataRequestMsg
		if err := bencode.Unmarshal(b[2:], &req); err != nil || req.Type != pp.RequestMetadataExtensionMsgType || theirs == 0 {
			continue
		}
		from := req.Piece << 14
		if from >= len(info) {
			continue
		}
		to := min(from+1<<14, len(info))
		head, _ := bencode.Marshal(map[string]int{"msg_type": int(pp.DataMetadataExtensionMsgType), "piece": req.Piece, "total_size": len(info)})
		if _, err := c.Write(message(byte(theirs), append(head, info[from:to]...))); err != nil {
			return
		}
		pieces <- req.Piece
	}
}

// message frames a BEP 10 extended message.
func message(ext byte, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(2+len(payload)))
	return append(append(b, byte(pp.Extended), ext), payload...)
}

// A peer's metadata reaches anacrolix's recursive decoder before its info hash is checked.
// A nesting bomb there (1.5M levels, within anacrolix's 16 MiB cap on metadata) overflowed
// the stack and killed the process; the guard spoils the piece that would complete it.
func TestPeerMetadataNestingBombIsRefused(t *testing.T) {
	t.Parallel()
	bomb := []byte(strings.Repeat("l", 1_500_000) + strings.Repeat("e", 1_500_000))
	ih := metainfo.HashBytes(bomb)
	addr, served := bombPeer(t, ih, bomb)
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddMagnet("magnet:?xt=urn:btih:" + ih.HexString() + "&x.pe=" + addr)
	if err != nil {
		t.Fatal(err)
	}
	// Unguarded, anacrolix asks for every piece at once, has them all soon after and dies
	// decoding them. Guarded, the piece that takes the count of 'l's past the bound is
	// spoiled, and anacrolix hangs up on the peer.
	eventually(t, "the peer to hand out pieces", func() bool { return served() > maxPeerMetadataNesters>>14 })
	eventually(t, "the peer to be dropped", func() bool { return len(tor.t.PeerConns()) == 0 })
	if tor.HasMetadata() {
		t.Fatal("the bomb was accepted as metadata")
	}
}
