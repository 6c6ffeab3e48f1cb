package torrent

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func FuzzParseSource(f *testing.F) {
	for _, s := range []string{
		"magnet:?xt=urn:btih:" + testHex + "&dn=x&tr=udp%3A%2F%2Ft%3A1&ws=http%3A%2F%2Fw%2F&x.pe=1.2.3.4%3A5",
		"magnet:?xt=urn:btih:" + testBase32, "magnet:?xt=urn:btmh:1220aa", "magnet:?xt=%zz",
		testHex, testBase32, "a.torrent", "/abs/path", "file:///x.torrent", "https://h/x.torrent", "ftp://x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, err := ParseSource(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Error() == "" {
				t.Fatalf("error %v is not a *ParseError with a message", err)
			}
			return
		}
		switch src.Kind {
		case SourceMagnet, SourceInfoHash:
			if b, err := hex.DecodeString(src.InfoHash); err != nil || len(b) != 20 || strings.ToLower(src.InfoHash) != src.InfoHash {
				t.Fatalf("info hash %q is not 40 lowercase hex characters", src.InfoHash)
			}
			for _, u := range append(append(src.Trackers, src.Webseeds...), src.MetainfoURLs...) {
				if strings.HasPrefix(strings.ToLower(u), "file:") {
					t.Fatalf("kept a file URL %q", u)
				}
			}
		case SourceTorrentFile:
			if src.Path == "" {
				t.Fatal("empty path")
			}
		case SourceURL:
			if !strings.HasPrefix(strings.ToLower(src.URL), "http") {
				t.Fatalf("URL %q is not http(s)", src.URL)
			}
		default:
			t.Fatalf("unknown kind %v", src.Kind)
		}
	})
}

func FuzzParseTorrent(f *testing.F) {
	for _, c := range badTorrents(f) {
		if len(c.data) < 1<<20 {
			f.Add(c.data)
		}
	}
	f.Add(torrentBytes(f, multiFile(file(700, "Film.mkv"), file(10, "Film.en.srt"))))
	f.Add(torrentBytes(f, map[string]any{"name": "film.mkv", "piece length": int64(16384), "length": int64(40000), "pieces": pieces(3)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseTorrent(b)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if info.Length <= 0 || info.PieceLength <= 0 || info.NumPieces <= 0 || len(info.Files) == 0 {
			t.Fatalf("accepted a torrent without data: %+v", info)
		}
		for _, fl := range info.Files {
			for _, c := range strings.Split(fl.Path, "/") {
				if err := checkComponent(c); err != nil {
					t.Fatalf("accepted file path %q: %v", fl.Path, err)
				}
			}
		}
	})
}
