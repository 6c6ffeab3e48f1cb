package torrenttest

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	g "github.com/anacrolix/generics"
	"github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"
)

// Leecher is a plain anacrolix client downloading a whole torrent into a temporary folder:
// the other side of "we seed" tests.
type Leecher struct {
	Client  *torrent.Client
	Torrent *torrent.Torrent
	Dir     string

	mu    sync.Mutex
	peers []string
}

// NewLeecher starts a leecher for the torrent and connects it to peers ("host:port"). It
// downloads everything and is closed by tb.Cleanup.
func NewLeecher(tb testing.TB, torrentBytes []byte, peers ...string) *Leecher {
	tb.Helper()
	mi, err := metainfo.Load(bytes.NewReader(torrentBytes))
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	cc, _ := ClientConfig(dir, 0)
	cc.Seed = false
	cc.DefaultStorage = wrappedStorage{inner: storage.NewFileOpts(storage.NewFileClientOpts{
		ClientBaseDir:   dir,
		PieceCompletion: storage.NewMapPieceCompletion(),
		UsePartFiles:    g.Some(false),
		Logger:          slog.New(slog.DiscardHandler),
	})}
	cl, err := torrent.NewClient(cc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cl.Close() })
	t, err := cl.AddTorrent(mi)
	if err != nil {
		tb.Fatal(err)
	}
	l := &Leecher{Client: cl, Torrent: t, Dir: dir}
	l.AddPeers(peers...)
	t.DownloadAll()
	go l.redial()
	return l
}

// redial offers the peers again every second until complete: anacrolix forgets an address
// after one failed attempt, which on a loaded machine can be a handshake timeout.
func (l *Leecher) redial() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-l.Client.Closed():
			return
		case <-l.Torrent.Complete().On():
			return
		case <-tick.C:
			l.mu.Lock()
			peers := l.peers
			l.mu.Unlock()
			l.addPeerInfos(peers)
		}
	}
}

// AddPeers connects the leecher to more peers; it keeps redialling them until complete.
func (l *Leecher) AddPeers(addrs ...string) {
	l.mu.Lock()
	l.peers = append(l.peers, addrs...)
	l.mu.Unlock()
	l.addPeerInfos(addrs)
}

func (l *Leecher) addPeerInfos(addrs []string) {
	var ps []torrent.PeerInfo
	for _, a := range addrs {
		ps = append(ps, torrent.PeerInfo{Addr: torrent.StringAddr(a), Trusted: true})
	}
	l.Torrent.AddPeers(ps)
}

// BytesReceived is the payload the leecher has received.
func (l *Leecher) BytesReceived() int64 {
	st := l.Torrent.Stats()
	return st.BytesReadData.Int64()
}

// Complete reports whether the leecher has every piece.
func (l *Leecher) Complete() bool {
	return l.Torrent.Complete().Bool()
}

// Path is where the leecher stores the torrent's (single) file.
func (l *Leecher) Path() string {
	return filepath.Join(l.Dir, l.Torrent.Info().BestName())
}

// Close stops the leecher.
func (l *Leecher) Close() { l.Client.Close() }
