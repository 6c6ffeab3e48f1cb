package torrent

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
			w.Write(make([]byte, maxTorrentFileSize+10))
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
	e := newTestEngine(t, testConfig(t))
	for _, c := range []struct{ src, want string }{
		{srv.URL + "/missing.torrent", "404"},
		{srv.URL + "/huge.torrent", "limit"},
	} {
		if _, err := e.Add(ctx, c.src); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Add(%q) = %v, want an error mentioning %q", c.src, err, c.want)
		}
	}
}
