package torrent

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"marquee/torrent/torrenttest"
)

// An Internet Archive style torrent: metadata from an xs URL, data only from a web seed.
func TestMagnetWithMetainfoSourceAndWebseed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "archive film.ogv")
	if err := torrenttest.WriteRandomFile(path, 3<<20+17, 9); err != nil {
		t.Fatal(err)
	}
	var mi []byte
	var requests atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/meta.torrent", func(w http.ResponseWriter, r *http.Request) { w.Write(mi) })
	files := http.StripPrefix("/dl/", http.FileServer(http.Dir(dir)))
	mux.HandleFunc("/dl/", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		files.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var err error
	mi, err = buildMetainfo(path, SeedOptions{PieceLength: 64 << 10, Webseeds: []string{srv.URL + "/dl/"}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := ParseTorrent(mi)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Webseeds) != 1 {
		t.Fatalf("web seeds %v", info.Webseeds)
	}
	q := url.Values{"xs": {srv.URL + "/meta.torrent"}, "ws": {srv.URL + "/dl/"}}
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddMagnet("magnet:?xt=urn:btih:" + info.InfoHash + "&" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if err := tor.WaitMetadata(ctxGuard(t)); err != nil {
		t.Fatal(err)
	}
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := readAllAt(t, s, 0, -1)
	if !bytes.Equal(got, readFile(t, path)) || requests.Load() == 0 {
		t.Fatalf("streamed %d bytes via %d web seed requests", len(got), requests.Load())
	}
}

// webseedTorrent writes a film (and, for a multi-file torrent, a small extra file) under a
// served folder and adds a torrent for it whose only source is the given web seed URLs.
type webseedFixture struct {
	root     string // what the web seeds serve
	path     string // the film
	torrent  []byte
	filmPath string // BEP 19 path of the film below a base URL
}

func newWebseedFixture(t *testing.T, name string, multi bool, size, pieceLength int64) *webseedFixture {
	t.Helper()
	f := &webseedFixture{root: t.TempDir()}
	if multi {
		dir := filepath.Join(f.root, name)
		f.path = filepath.Join(dir, "sub dir", "a+b film 1.mkv")
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := torrenttest.WriteRandomFile(filepath.Join(dir, "0 readme.txt"), 1000, 3); err != nil {
			t.Fatal(err)
		}
		f.filmPath = name + "/sub dir/a+b film 1.mkv"
	} else {
		f.path = filepath.Join(f.root, name)
		f.filmPath = name
	}
	if err := torrenttest.WriteRandomFile(f.path, size, 7); err != nil {
		t.Fatal(err)
	}
	return f
}

// build makes the .torrent with the given web seeds.
func (f *webseedFixture) build(t *testing.T, pieceLength int64, webseeds ...string) []byte {
	t.Helper()
	src := f.path
	if f.filmPath != filepath.Base(f.path) {
		src = filepath.Join(f.root, strings.SplitN(f.filmPath, "/", 2)[0])
	}
	b, err := buildMetainfo(src, SeedOptions{PieceLength: pieceLength, Webseeds: webseeds})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// streamMain opens the torrent's main file.
func streamMain(t *testing.T, e *Engine, mi []byte) (*Torrent, *Stream) {
	t.Helper()
	tor, err := e.AddTorrentBytes(mi)
	if err != nil {
		t.Fatal(err)
	}
	if err := tor.WaitMetadata(ctxGuard(t)); err != nil {
		t.Fatal(err)
	}
	_, s := openMain(t, tor)
	return tor, s
}

// Streaming from web seeds returns the file's exact bytes whatever the server does with
// ranges and redirects, for single- and multi-file torrents (BEP 19 URLs with escaped paths)
// and for a URL that names the file itself. Every request carries a Range header unless the
// server is known to ignore it.
func TestWebseedStreamsExactBytes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		multi     bool
		behaviour torrenttest.WebseedBehaviour
		namesFile bool
	}{
		{"single file", false, torrenttest.WebseedOK, false},
		{"single file, URL names the file", false, torrenttest.WebseedOK, true},
		{"multi-file, escaped paths", true, torrenttest.WebseedOK, false},
		{"redirect to a data node", true, torrenttest.WebseedRedirect, false},
		{"server ignores Range", false, torrenttest.WebseedIgnoresRange, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			const size, pieceLength = 5<<20 + 333, 256 << 10
			f := newWebseedFixture(t, "Le Film #1 (1926).mkv", c.multi, size, pieceLength)
			ws := torrenttest.NewWebseed(t, torrenttest.WebseedConfig{Root: f.root, Behaviour: c.behaviour})
			base := ws.BaseURL()
			if c.namesFile {
				base += url.PathEscape(f.filmPath)
			}
			e := newTestEngine(t, testConfig(t))
			tor, s := streamMain(t, e, f.build(t, pieceLength, base))
			got := readAllAt(t, s, 0, -1)
			if !bytes.Equal(got, readFile(t, f.path)) {
				t.Fatalf("streamed %d bytes, not the file's %d", len(got), size)
			}
			reqs := ws.Requests()
			if len(reqs) == 0 {
				t.Fatal("no request reached the web seed")
			}
			for _, r := range reqs {
				// The small first file shares the film's first piece.
				readme := strings.SplitN(f.filmPath, "/", 2)[0] + "/0 readme.txt"
				if r.Path != f.filmPath && !(c.multi && r.Path == readme) {
					t.Fatalf("requested %q, want %q", r.Path, f.filmPath)
				}
				if r.Start < 0 && c.behaviour != torrenttest.WebseedIgnoresRange {
					t.Fatalf("request %d without a Range header", r.Order)
				}
			}
			st := tor.Stats()
			if st.WebseedBytes < size || st.BytesDown < st.WebseedBytes || st.WebseedsKnown != 1 || st.WebseedsDropped != 0 {
				t.Fatalf("stats do not count the web seed: %+v", st)
			}
		})
	}
}

// A player opening an MP4 with its moov at the end (header, then the end, then the first
// samples) gets its first frame after the web seed sent no more than head + tail + one window:
// web seed requests follow the planner, not the file order.
func TestWebseedStartupBytesWithIndexAtTheEnd(t *testing.T) {
	t.Parallel()
	const size, pieceLength = 64 << 20, 256 << 10
	f := newWebseedFixture(t, "film.mp4", false, size, pieceLength)
	ws := torrenttest.NewWebseed(t, torrenttest.WebseedConfig{Root: f.root, RatePerConn: 16 << 20})
	e := newTestEngine(t, testConfig(t))
	tor, s := streamMain(t, e, f.build(t, pieceLength, ws.BaseURL()))
	readAllAt(t, s, 0, 32<<10)               // ftyp and the mdat header
	readAllAt(t, s, size-(700<<10), 700<<10) // the moov atom at the end
	readAllAt(t, s, 48, 2<<20)               // the first samples: first frame
	head, tail := headTailSizes(size, pieceLength)
	budget := head + tail + s.Readahead()
	st := tor.Stats()
	t.Logf("web seed sent %d bytes (%d verified, %d discarded) before the first frame; budget %d", ws.BytesSent(), st.BytesComplete, st.DiscardedBytes, budget)
	// Requests already on the wire when the player moved on may finish: one piece per connection.
	if slack := int64(defaultWebseedConns) * pieceLength; st.BytesComplete > budget || ws.BytesSent() > budget+slack {
		t.Fatalf("start-up fetched %d bytes (%d verified), more than head %d + tail %d + window %d", ws.BytesSent(), st.BytesComplete, head, tail, s.Readahead())
	}
}

// A seek to 80% asks the web seed for the target's pieces at once, cancels the requests of the
// old window, and never fetches the pieces in between.
func TestWebseedSeekFetchesTargetFirst(t *testing.T) {
	t.Parallel()
	const size, pieceLength = 48 << 20, 256 << 10
	f := newWebseedFixture(t, "film.mkv", false, size, pieceLength)
	// Slow enough that the old window is still on the wire at the seek.
	ws := torrenttest.NewWebseed(t, torrenttest.WebseedConfig{Root: f.root, RatePerConn: 1 << 20})
	e := newTestEngine(t, testConfig(t))
	_, s := streamMain(t, e, f.build(t, pieceLength, ws.BaseURL()))
	s.SetReadahead(8 << 20)
	readAllAt(t, s, 0, 64<<10)
	// Seek while the window past the first pieces is on the wire (at 1 MiB/s a piece takes
	// a quarter of a second), so that there are requests for the seek to cancel.
	head, tail := headTailSizes(size, pieceLength)
	eventually(t, "requests for the window", func() bool {
		return slices.ContainsFunc(ws.Requests(), func(r torrenttest.WebseedRequest) bool { return r.Start >= head && r.Start < size-tail })
	})
	before := len(ws.Requests())
	target := int64(size) * 8 / 10
	got := readAllAt(t, s, target, 64<<10)
	if !bytes.Equal(got, readFile(t, f.path)[target:target+64<<10]) {
		t.Fatal("wrong bytes after the seek")
	}
	oldEnd := int64(8 << 20)
	targetPiece := target / pieceLength * pieceLength
	reqs := ws.Requests()
	aborted := 0
	var after []torrenttest.WebseedRequest
	for _, r := range reqs {
		if r.Aborted {
			aborted++
		}
		inBetween := r.Start >= max(oldEnd, head) && r.Start < targetPiece && r.Start < size-tail
		if inBetween {
			t.Fatalf("fetched %d, between the old window (to %d) and the target %d", r.Start, oldEnd, target)
		}
		if r.Order >= before && r.Start >= oldEnd && r.Start < size-tail {
			after = append(after, r)
		}
	}
	// The connections pick the target's pieces together; which request reaches the server
	// first is up to the scheduler, but all of the first ones are the target's, nearest first.
	targetWindow := targetPiece + (nowPieces+nextPieces)*pieceLength
	found := false
	for i, r := range after[:min(len(after), defaultWebseedConns)] {
		if r.Start < targetPiece || r.Start >= targetWindow {
			t.Fatalf("request %d after the seek was for %d, outside the target's first pieces [%d, %d)", i, r.Start, targetPiece, targetWindow)
		}
		found = found || r.Start == targetPiece
	}
	if !found {
		t.Fatalf("the target's piece at %d was not among the first requests after the seek: %+v", targetPiece, after)
	}
	if aborted == 0 {
		t.Fatalf("no request of the old window was cancelled by the seek: %+v", reqs)
	}
}

// A web seed that sends wrong bytes, answers 404 or fails with 500 does not stop the stream:
// it is dropped (or backed off) and the film completes from the good one, every byte checked.
func TestWebseedBadServerDropped(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		behaviour torrenttest.WebseedBehaviour
		dropped   bool
	}{
		{"wrong bytes", torrenttest.WebseedCorrupt, true},
		{"404", torrenttest.WebseedNotFound, true},
		{"500", torrenttest.WebseedError500, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			const size, pieceLength = 6 << 20, 256 << 10
			f := newWebseedFixture(t, "film.mp4", false, size, pieceLength)
			bad := torrenttest.NewWebseed(t, torrenttest.WebseedConfig{Root: f.root, Behaviour: c.behaviour})
			good := torrenttest.NewWebseed(t, torrenttest.WebseedConfig{Root: f.root, RatePerConn: 8 << 20})
			e := newTestEngine(t, testConfig(t))
			tor, s := streamMain(t, e, f.build(t, pieceLength, bad.BaseURL(), good.BaseURL()))
			got := readAllAt(t, s, 0, -1)
			if !bytes.Equal(got, readFile(t, f.path)) {
				t.Fatal("streamed bytes differ from the file")
			}
			st := tor.Stats()
			if c.dropped && st.WebseedsDropped != 1 {
				t.Fatalf("bad web seed not dropped: %+v", st)
			}
			if n := len(bad.Requests()); !c.dropped && n > webseedMaxFailures*defaultWebseedConns {
				t.Fatalf("a failing web seed was asked %d times; it should back off", n)
			}
			if len(good.Requests()) == 0 {
				t.Fatal("the good web seed was never used")
			}
		})
	}
}

// Peers and a web seed together: both contribute, the stream is exact, and bytes received
// twice are counted and stay small.
func TestWebseedAndPeersTogether(t *testing.T) {
	t.Parallel()
	const size = 24 << 20
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: size, PieceLength: 256 << 10, UploadCaps: []int64{4 << 20}})
	ws := torrenttest.NewWebseed(t, torrenttest.WebseedConfig{Root: filepath.Dir(swarm.Path), RatePerConn: 1 << 20})
	e := newTestEngine(t, testConfig(t))
	tor := addSwarmWithWebseed(t, e, swarm, ws)
	s, err := tor.NewStream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := readAllAt(t, s, 0, -1)
	if !bytes.Equal(got, swarm.Data()) {
		t.Fatal("streamed bytes differ")
	}
	st := tor.Stats()
	fromPeers := st.BytesDown - st.WebseedBytes
	t.Logf("web seed %d bytes, peers %d bytes, duplicates %d, discarded %d", st.WebseedBytes, fromPeers, st.DuplicateBytes, st.DiscardedBytes)
	if st.WebseedBytes == 0 || fromPeers == 0 {
		t.Fatalf("want both sources used: web seed %d, peers %d", st.WebseedBytes, fromPeers)
	}
	extra := st.BytesDown - size
	if extra > size/10 {
		t.Fatalf("received %d bytes more than the %d-byte film", extra, size)
	}
	// Every byte received twice is reported, within the chunks of a piece still on the wire.
	if unused := st.DuplicateBytes + st.DiscardedBytes; unused < extra-(256<<10) || unused > extra+(256<<10) {
		t.Fatalf("%d extra bytes received, but %d reported as duplicate or discarded", extra, unused)
	}
}

// Web seeds of a torrent added from a .torrent survive a restart (they were lost when the
// engine kept them only in anacrolix).
func TestWebseedsSurviveRestart(t *testing.T) {
	t.Parallel()
	f := newWebseedFixture(t, "film.mp4", false, 1<<20, 64<<10)
	mi := f.build(t, 64<<10, "http://127.0.0.1:9/films/")
	cfg := testConfig(t)
	e := newTestEngine(t, cfg)
	tor, err := e.AddTorrentBytes(mi)
	if err != nil {
		t.Fatal(err)
	}
	ih := tor.InfoHash()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := newTestEngine(t, cfg)
	for _, tor := range e2.Torrents() {
		if tor.InfoHash() == ih {
			if m := tor.Magnet(); !strings.Contains(m, url.QueryEscape("http://127.0.0.1:9/films/")) {
				t.Fatalf("magnet after restart lost the web seed: %s", m)
			}
			return
		}
	}
	t.Fatal("torrent not restored")
}
