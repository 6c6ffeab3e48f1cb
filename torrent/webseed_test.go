package torrent

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
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
