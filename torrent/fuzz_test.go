package torrent

import (
	"errors"
	"strings"
	"testing"

	"marquee/torrent/source"
)

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
				if err := source.CheckPathComponent(c); err != nil {
					t.Fatalf("accepted file path %q: %v", fl.Path, err)
				}
			}
		}
	})
}
