package source

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/bencode"
)

func torrentBytes(t testing.TB, info map[string]any) []byte {
	t.Helper()
	b, err := bencode.Marshal(map[string]any{"announce": "udp://tracker.example:6969", "url-list": []string{"https://seed.example/", "file:///etc/"}, "info": info})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func singleFile(name string, length int64) map[string]any {
	const pieceLength = 16384
	n := (length + pieceLength - 1) / pieceLength
	return map[string]any{"name": name, "piece length": int64(pieceLength), "length": length, "pieces": strings.Repeat("x", int(20*n))}
}

func TestParseTorrent(t *testing.T) {
	tor, err := ParseTorrent(torrentBytes(t, singleFile("Film.mkv", 40000)))
	if err != nil {
		t.Fatal(err)
	}
	if len(tor.InfoHash) != 40 || tor.Name != "Film.mkv" || tor.Length != 40000 ||
		strings.Join(tor.Trackers, ",") != "udp://tracker.example:6969" || strings.Join(tor.Webseeds, ",") != "https://seed.example/" {
		t.Errorf("parsed %+v", tor)
	}
	nested := []byte("d4:info" + strings.Repeat("l", 200) + strings.Repeat("e", 200) + "e")
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":         {nil, "empty"},
		"not bencode":   {[]byte("hello"), "does not start with a bencoded dictionary"},
		"nested":        {nested, "nested"},
		"trailing data": {append(torrentBytes(t, singleFile("a", 1)), 'x'), "trailing"},
		"no info":       {[]byte("d8:announce3:abce"), "no info dictionary"},
		"dot dot":       {torrentBytes(t, singleFile("..", 1)), `".." is not allowed`},
		"no pieces":     {torrentBytes(t, map[string]any{"name": "a", "piece length": int64(16384), "length": int64(1)}), "piece hashes"},
		"too large":     {make([]byte, MaxTorrentFileSize+1), "more than the limit"},
	} {
		_, err := ParseTorrent(c.data)
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: ParseTorrent = %v, want an *Error containing %q", name, err, c.want)
		}
	}
}

func TestReadTorrentCapsSize(t *testing.T) {
	if _, err := ReadTorrent(bytes.NewReader(make([]byte, MaxTorrentFileSize+1)), "big.torrent"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("ReadTorrent of a too large file: %v", err)
	}
	if b, err := ReadTorrent(strings.NewReader("d4:infoe"), "x"); err != nil || string(b) != "d4:infoe" {
		t.Errorf("ReadTorrent = %q, %v", b, err)
	}
}

func FuzzParseTorrent(f *testing.F) {
	f.Add(torrentBytes(f, singleFile("Film.mkv", 40000)))
	f.Add(torrentBytes(f, map[string]any{"name": "d", "piece length": int64(16384), "pieces": strings.Repeat("x", 20),
		"files": []any{map[string]any{"length": int64(10), "path": []any{"a", "b.mkv"}}}}))
	f.Add([]byte("d4:infod4:name1:ae"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tor, err := ParseTorrent(b)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("error %v is not an *Error with a reason", err)
			}
			return
		}
		if tor.Length <= 0 || len(tor.InfoHash) != 40 || tor.Info.PieceLength <= 0 {
			t.Fatalf("accepted a torrent without data: %+v", tor)
		}
		for _, fi := range tor.Info.UpvertedFiles() {
			for _, c := range fi.BestPath() {
				if err := CheckPathComponent(c); err != nil {
					t.Fatalf("accepted file path %q: %v", fi.BestPath(), err)
				}
			}
		}
	})
}
