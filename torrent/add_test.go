package torrent

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"marquee/torrent/source"
	"marquee/torrent/torrenttest"
)

func TestAddEverySourceKind(t *testing.T) {
	t.Parallel()
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 1 << 20, Name: "Film.mkv"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/film.torrent":
			w.Write(swarm.TorrentBytes)
		case "/huge.torrent":
			w.Write(make([]byte, source.MaxTorrentFileSize+10))
		case "/bomb.torrent":
			w.Write(nestingBomb)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := ctxGuard(t)
	for _, src := range []string{
		swarm.Magnet,
		swarm.InfoHash,
		swarm.TorrentPath,
		"file://" + swarm.TorrentPath,
		srv.URL + "/film.torrent",
	} {
		e := newTestEngine(t, testConfig(t))
		tor, err := e.Add(ctx, src)
		if err != nil {
			t.Fatalf("Add(%q): %v", src, err)
		}
		tor.AddPeers(swarm.Addrs...)
		if err := tor.WaitMetadata(ctx); err != nil {
			t.Fatalf("Add(%q): %v", src, err)
		}
		if tor.InfoHash() != swarm.InfoHash || tor.Name() != "Film.mkv" || tor.Length() != 1<<20 {
			t.Fatalf("Add(%q) = %s %q %d", src, tor.InfoHash(), tor.Name(), tor.Length())
		}
		if f, err := tor.MainFile(); err != nil || f.Path != "Film.mkv" {
			t.Fatalf("MainFile = %+v, %v", f, err)
		}
		if again, err := e.Add(ctx, swarm.Magnet); err != nil || again != tor {
			t.Fatalf("adding the same torrent twice gave %p, %v; want the first", again, err)
		}
		if !strings.Contains(tor.Magnet(), swarm.InfoHash) {
			t.Fatalf("Magnet() = %q", tor.Magnet())
		}
	}
	bombFile := filepath.Join(t.TempDir(), "bomb.torrent")
	if err := os.WriteFile(bombFile, nestingBomb, 0o600); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, testConfig(t))
	for _, c := range []struct{ src, want string }{
		{srv.URL + "/missing.torrent", "404"},
		{srv.URL + "/huge.torrent", "limit"},
		{srv.URL + "/bomb.torrent", "nested deeper"},
		{bombFile, "nested deeper"},
	} {
		if _, err := e.Add(ctx, c.src); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Add(%q) = %v, want an error mentioning %q", c.src, err, c.want)
		}
	}
}

// nestingBomb is issue 12's .torrent: 1.5 million nested lists in 3 MB. Given to anacrolix's
// decoder it overflows the stack, a fatal error that takes the whole test binary down.
var nestingBomb = []byte("d4:info" + strings.Repeat("l", 1_500_000) + strings.Repeat("e", 1_500_000) + "e")

// A magnet's xs sources are fetched and validated by the engine, not by anacrolix: a hostile
// one is refused and the next one still gives the metadata.
func TestMagnetSourcesAreValidated(t *testing.T) {
	t.Parallel()
	good := torrentBytes(t, map[string]any{"name": "film.mkv", "piece length": int64(16384), "length": int64(40000), "pieces": pieces(3)})
	info, err := ParseTorrent(good)
	if err != nil {
		t.Fatal(err)
	}
	var bombServed atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bomb.torrent":
			bombServed.Store(true)
			w.Write(nestingBomb)
		case "/film.torrent":
			w.Write(good)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddMagnet("magnet:?xt=urn:btih:" + info.InfoHash + "&xs=" + url.QueryEscape(srv.URL+"/bomb.torrent") +
		"&xs=" + url.QueryEscape(srv.URL+"/film.torrent"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tor.WaitMetadata(ctxGuard(t)); err != nil {
		t.Fatalf("metadata from the second xs: %v", err)
	}
	if !bombServed.Load() || tor.Name() != "film.mkv" || tor.Length() != 40000 {
		t.Fatalf("bomb served %v; torrent %q of %d bytes", bombServed.Load(), tor.Name(), tor.Length())
	}
}
