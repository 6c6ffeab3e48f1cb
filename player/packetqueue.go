package player

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// queuedPacket is a demuxed packet tagged with the seek serial it belongs to. A nil pkt
// with eof set marks the end of the stream for that serial.
type queuedPacket struct {
	pkt    *astiav.Packet
	serial int
	eof    bool
}

// packetQueue carries one stream's packets from the reader to its decoder (ffplay's
// PacketQueue). The reader never blocks on it; the decoder blocks in get until a packet,
// or abort, arrives.
type packetQueue struct {
	tb astiav.Rational

	mu      sync.Mutex
	cond    *sync.Cond
	items   []queuedPacket
	bytes   int
	aborted bool
	// taken, if set, is called (without the lock) after get removes a packet: the reader
	// rests while the queues are full and this tells it there is room again.
	taken func()
}

func newPacketQueue(tb astiav.Rational) *packetQueue {
	q := &packetQueue{tb: tb}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// put hands pkt to the queue, which then owns it. It returns false (and frees pkt) after
// abort.
func (q *packetQueue) put(pkt *astiav.Packet, serial int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.aborted {
		pkt.Free()
		return false
	}
	q.items = append(q.items, queuedPacket{pkt: pkt, serial: serial})
	q.bytes += pkt.Size()
	q.cond.Signal()
	return true
}

func (q *packetQueue) putEOF(serial int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.aborted {
		q.items = append(q.items, queuedPacket{serial: serial, eof: true})
		q.cond.Signal()
	}
}

// get blocks until a packet is queued or the queue is aborted (ok false). The caller owns
// the returned packet.
func (q *packetQueue) get() (queuedPacket, bool) {
	q.mu.Lock()
	for len(q.items) == 0 && !q.aborted {
		q.cond.Wait()
	}
	if q.aborted {
		q.mu.Unlock()
		return queuedPacket{}, false
	}
	it := q.items[0]
	q.items[0] = queuedPacket{}
	q.items = q.items[1:]
	if it.pkt != nil {
		q.bytes -= it.pkt.Size()
	}
	taken := q.taken
	q.mu.Unlock()
	if taken != nil {
		taken()
	}
	return it, true
}

// getCurrent is get for a decoder: packets queued before the latest seek (a serial below
// current's) are freed and skipped.
func (q *packetQueue) getCurrent(current *atomic.Int64) (queuedPacket, bool) {
	for {
		it, ok := q.get()
		if !ok || int64(it.serial) >= current.Load() {
			return it, ok
		}
		if it.pkt != nil {
			it.pkt.Free()
		}
	}
}

// flush frees every queued packet (a seek made them stale).
func (q *packetQueue) flush() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.freeLocked()
}

func (q *packetQueue) freeLocked() {
	for _, it := range q.items {
		if it.pkt != nil {
			it.pkt.Free()
		}
	}
	q.items = nil
	q.bytes = 0
}

// abort wakes the decoder for good and frees what is queued.
func (q *packetQueue) abort() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.aborted = true
	q.freeLocked()
	q.cond.Broadcast()
}

// level reports the queued bytes and the media time the queue spans, from the first to
// the last packet's timestamp plus the last packet's duration. eof reports that the end
// marker is queued, so the queue will never grow again without a seek.
func (q *packetQueue) level() (bytes int, span time.Duration, packets int, eof bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	packets = len(q.items)
	if packets > 0 && q.items[packets-1].eof {
		eof = true
	}
	first, last := -1, -1
	for i, it := range q.items {
		if it.pkt != nil && packetTime(it.pkt) != noPTS {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		lp := q.items[last].pkt
		span = tsToDuration(packetTime(lp)-packetTime(q.items[first].pkt)+max(lp.Duration(), 0), q.tb)
		// A queue of B-frames in decode order can run backwards for a packet or two.
		span = max(span, 0)
	}
	return q.bytes, span, packets, eof
}

// packetTime prefers dts, which rises monotonically in the order packets are queued.
func packetTime(p *astiav.Packet) int64 {
	if p.Dts() != noPTS {
		return p.Dts()
	}
	return p.Pts()
}
