package torrent

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"testing"
	"time"
	"unsafe"

	anacrolix "github.com/anacrolix/torrent"

	"marquee/torrent/torrenttest"
)

//go:linkname lockClient github.com/anacrolix/torrent.(*Client).lock
func lockClient(*anacrolix.Client)

//go:linkname unlockClient github.com/anacrolix/torrent.(*Client).unlock
func unlockClient(*anacrolix.Client)

// pendingRequestUpdate is the field of an anacrolix connection that holds the reason of a
// request update not yet carried out by its writer (Peer.needRequestUpdate); while it is set,
// anacrolix drops every further update of the connection without waking its writer.
func pendingRequestUpdate(c *anacrolix.PeerConn) reflect.Value {
	f := reflect.ValueOf(c).Elem().FieldByName("needRequestUpdate")
	if !f.IsValid() || f.Kind() != reflect.String {
		panic("anacrolix.PeerConn has no string field needRequestUpdate: not v1.61.0?")
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// TestReadCompletesAfterAConnectionWriterLostItsWakeUp puts the only connection of a torrent in
// the state anacrolix v1.61 leaves it in when its writer misses a wake-up (upstream issue 1070):
// a request update pending and the writer asleep. It happened in about 1 of 200 runs of
// TestFullDiskFailsTheReadWithENOSPC on a loaded machine, to the first chunk after the retry.
// Left alone, the connection sends no request until its keep-alive timer, a minute after its
// last message; the engine must wake it so that a read still gets its data.
func TestReadCompletesAfterAConnectionWriterLostItsWakeUp(t *testing.T) {
	t.Parallel()
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 1 << 20, PieceLength: 16 << 10, Name: "film.mkv"})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarm(t, e, swarm)
	var conn *anacrolix.PeerConn
	eventually(t, "the seeder's bitfield", func() bool {
		conns := tor.t.PeerConns()
		if len(conns) != 1 || int(conns[0].PeerPieces().GetCardinality()) != tor.NumPieces() {
			return false
		}
		conn = conns[0]
		return true
	})
	// Nothing is wanted yet, so the writer goes to sleep. The wedge holds once a pending reason
	// outlives a pass of the writer's loop; the writer may still have been busy at first.
	const lost = "lost wake-up (test)"
	pending := func() string {
		lockClient(e.client)
		defer unlockClient(e.client)
		return pendingRequestUpdate(conn).String()
	}
	eventually(t, "the connection to keep a request update pending", func() bool {
		lockClient(e.client)
		pendingRequestUpdate(conn).SetString(lost)
		unlockClient(e.client)
		time.Sleep(100 * time.Millisecond)
		return pending() == lost
	})

	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := pending(); got != lost {
		t.Fatalf("opening the stream carried out the pending update (%q): the connection was not stuck", got)
	}
	// A hang guard below anacrolix's one-minute keep-alive, which would otherwise end the stall
	// by itself before the usual guard; with the engine's wake-up the read takes milliseconds.
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard/2)
	defer cancel()
	got := make([]byte, 64<<10)
	if _, err := io.ReadFull(readerContext{ctx, s}, got); err != nil {
		dumpEngines(t)
		t.Fatalf("read through a connection whose writer lost its wake-up: %v", err)
	}
	if !bytes.Equal(got, swarm.Data()[:len(got)]) {
		t.Fatal("read returned wrong bytes")
	}
}

// readerContext reads a stream with ReadContext.
type readerContext struct {
	ctx context.Context
	s   *Stream
}

func (r readerContext) Read(p []byte) (int, error) { return r.s.ReadContext(r.ctx, p) }
