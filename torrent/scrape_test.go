package torrent

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"
)

const otherHex = "0123456789abcdef0123456789abcdef01234567"

func TestScrapeHTTP(t *testing.T) {
	t.Parallel()
	var gotPath string
	var gotHashes []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path + "?passkey=" + r.URL.Query().Get("passkey")
		gotHashes = r.URL.Query()["info_hash"]
		files := map[string]any{}
		files[string(metainfo.NewHashFromHex(testHex).Bytes())] = map[string]int{"complete": 12, "incomplete": 3, "downloaded": 140}
		b, _ := bencode.Marshal(map[string]any{"files": files})
		w.Write(b)
	}))
	defer srv.Close()
	got, err := Scrape(context.Background(), srv.URL+"/x/announce.php?passkey=abc", []string{testHex, strings.ToLower(testBase32), otherHex})
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/x/scrape.php?passkey=abc" {
		t.Errorf("scraped %q, want BEP 48's /x/scrape.php with the passkey kept", gotPath)
	}
	if len(gotHashes) != 3 {
		t.Errorf("sent %d info hashes, want 3", len(gotHashes))
	}
	if h := got[testHex]; h != (Health{Seeders: 12, Leechers: 3, Completed: 140}) || len(got) != 1 {
		t.Errorf("Scrape = %+v", got)
	}
}

func TestScrapeErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/refuse/scrape":
			w.Write([]byte("d14:failure reason11:not allowede"))
		case "/garbage/scrape":
			w.Write([]byte("<html>"))
		default:
			http.Error(w, "nope", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	for _, c := range []struct {
		url    string
		hashes []string
		want   string
	}{
		{srv.URL + "/refuse/announce", []string{testHex}, "not allowed"},
		{srv.URL + "/garbage/announce", []string{testHex}, "malformed"},
		{srv.URL + "/missing/announce", []string{testHex}, "404"},
		{srv.URL + "/tracker", []string{testHex}, "does not support scrape"},
		{"wss://tracker.example/announce", []string{testHex}, "http, https or udp"},
		{"::", []string{testHex}, "tracker URL"},
		{srv.URL + "/announce", []string{"nothex"}, "info hash"},
	} {
		_, err := Scrape(ctx, c.url, c.hashes)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Scrape(%q) = %v, want an error mentioning %q", c.url, err, c.want)
		}
	}
}

// fakeUDPTracker answers BEP 15 connect and scrape requests with fixed numbers per hash.
func fakeUDPTracker(t *testing.T, health map[[20]byte][3]int32) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 16 {
				continue
			}
			action := binary.BigEndian.Uint32(buf[8:12])
			tid := buf[12:16]
			var out bytes.Buffer
			binary.Write(&out, binary.BigEndian, action)
			out.Write(tid)
			switch action {
			case 0: // connect
				binary.Write(&out, binary.BigEndian, uint64(0xfeedface))
			case 2: // scrape
				for p := 16; p+20 <= n; p += 20 {
					var ih [20]byte
					copy(ih[:], buf[p:p+20])
					h := health[ih]
					binary.Write(&out, binary.BigEndian, h)
				}
			default:
				continue
			}
			pc.WriteTo(out.Bytes(), addr)
		}
	}()
	return "udp://" + pc.LocalAddr().String() + "/announce"
}

func TestScrapeUDP(t *testing.T) {
	t.Parallel()
	ih := metainfo.NewHashFromHex(testHex)
	url := fakeUDPTracker(t, map[[20]byte][3]int32{ih: {7, 99, 2}}) // seeders, completed, leechers
	hashes := []string{testHex}
	for i := range 100 { // more than one UDP packet's worth
		hashes = append(hashes, strings.Repeat("0", 38)+string("0123456789abcdef"[i%16])+string("0123456789abcdef"[i/16]))
	}
	got, err := Scrape(ctxGuard(t), url, hashes)
	if err != nil {
		t.Fatal(err)
	}
	if got[testHex] != (Health{Seeders: 7, Leechers: 2, Completed: 99}) {
		t.Errorf("Scrape = %+v", got[testHex])
	}
	if len(got) != len(hashes) {
		t.Errorf("got %d results for %d hashes", len(got), len(hashes))
	}
}
