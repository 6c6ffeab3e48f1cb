package torrent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	anacrolix "github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"

	"marquee/torrent/source"
	"marquee/torrent/torrenttest"
)

const (
	testHex    = "c9e15763f722f23e98a29decdfae341b98d53056"
	testBase32 = "ZHQVOY7XELZD5GFCTXWN7LRUDOMNKMCW"
)

// torrentBytes encodes an info dictionary (possibly hostile) as a .torrent file.
func torrentBytes(t testing.TB, info any) []byte {
	t.Helper()
	ib, err := bencode.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bencode.Marshal(map[string]any{"announce": "udp://tracker.example:6969", "info": bencode.Bytes(ib)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pieces(n int) string { return strings.Repeat("01234567890123456789", n) }

func multiFile(files ...map[string]any) map[string]any {
	total := int64(0)
	for _, f := range files {
		total += f["length"].(int64)
	}
	return map[string]any{"name": "film", "piece length": int64(16384), "pieces": pieces(int((total + 16383) / 16384)), "files": files}
}

// manyFiles is a multi-file info of n one-byte files.
func manyFiles(n int) map[string]any {
	files := make([]map[string]any, n)
	for i := range files {
		files[i] = file(1, fmt.Sprintf("%06d.srt", i))
	}
	return multiFile(files...)
}

func file(length int64, path ...string) map[string]any {
	return map[string]any{"length": length, "path": path}
}

// badTorrents are .torrent files that must be refused, with what the error must say.
func badTorrents(t testing.TB) []struct {
	name, reason string
	data         []byte
} {
	good := torrentBytes(t, map[string]any{"name": "film.mkv", "piece length": int64(16384), "length": int64(40000), "pieces": pieces(3)})
	return []struct {
		name, reason string
		data         []byte
	}{
		{"empty", "empty", nil},
		{"garbage", "not a .torrent", []byte("<html>404</html>")},
		{"truncated", "malformed bencoding", good[:len(good)/2]},
		{"trailing junk", "malformed bencoding", append(append([]byte{}, good...), "xx"...)},
		{"no info", "no info dictionary", []byte("d8:announce3:urle")},
		{"info not a dict", "malformed info", []byte("d4:info3:abce")},
		{"no files", "no data", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(16384), "pieces": "", "files": []any{}})},
		{"empty files", "no data", torrentBytes(t, multiFile(file(0, "a"), file(0, "b")))},
		{"dot-dot path", "not allowed", torrentBytes(t, multiFile(file(100, "..", "..", "escape.txt")))},
		{"absolute path", "separator", torrentBytes(t, multiFile(file(100, "/etc/passwd")))},
		{"backslash path", "separator", torrentBytes(t, multiFile(file(100, `..\..\evil.exe`)))},
		{"drive letter", "drive letter", torrentBytes(t, multiFile(file(100, `C:`, "evil.exe")))},
		{"dot-dot name", "not allowed", torrentBytes(t, map[string]any{"name": "..", "piece length": int64(16384), "length": int64(100), "pieces": pieces(1)})},
		{"slash name", "separator", torrentBytes(t, map[string]any{"name": "../../x", "piece length": int64(16384), "length": int64(100), "pieces": pieces(1)})},
		{"empty name", "empty path component", torrentBytes(t, map[string]any{"name": "", "piece length": int64(16384), "length": int64(100), "pieces": pieces(1)})},
		{"empty component", "empty path component", torrentBytes(t, multiFile(file(100, "a", "", "b")))},
		{"duplicate path", "appears twice", torrentBytes(t, multiFile(file(100, "a.mkv"), file(100, "a.mkv")))},
		{"file is a dir", "also used as a directory", torrentBytes(t, multiFile(file(100, "a"), file(100, "a", "b")))},
		{"control char", "control characters", torrentBytes(t, multiFile(file(100, "a\x1bb")))},
		{"zero piece length", "not positive", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(0), "length": int64(100), "pieces": pieces(1)})},
		{"huge piece length", "larger than", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(1 << 40), "length": int64(100), "pieces": pieces(1)})},
		{"negative length", "negative length", torrentBytes(t, multiFile(file(100, "a"), file(-50, "b")))},
		{"ragged hashes", "multiple of 20", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(16384), "length": int64(100), "pieces": "0123456789"})},
		{"piece count mismatch", "expected 1", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(16384), "length": int64(100), "pieces": pieces(5)})},
		{"huge piece count", "more than the limit", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(16384), "length": int64(16384) * (source.MaxPieces + 1), "pieces": pieces(source.MaxPieces + 1)})},
		{"v2 only", "v2-only", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(16384), "meta version": int64(2), "file tree": map[string]any{}})},
		{"too large", "limit", make([]byte, source.MaxTorrentFileSize+1)},
		{"too many files", "more than the limit of 10000", torrentBytes(t, manyFiles(source.MaxFiles+1))},
		{"too large in total", "more than the limit of 4 TiB", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(256 << 20), "length": int64(4<<40) + 1, "pieces": pieces(4<<40/(256<<20) + 1)})},
		{"issue 12: 256 TiB", "limit", torrentBytes(t, map[string]any{"name": "x", "piece length": int64(256 << 20), "length": int64(256 << 40), "pieces": pieces(1 << 20)})},
		{"nesting bomb", "nested deeper than 100 levels", nestingBomb},
		{"nested info", "nested deeper", []byte("d4:info" + strings.Repeat("d1:x", 101) + "0:" + strings.Repeat("e", 102))},
	}
}

func TestParseTorrentRejectsBadData(t *testing.T) {
	t.Parallel()
	for _, c := range badTorrents(t) {
		_, err := ParseTorrent(c.data)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: ParseTorrent = %v, want a *ParseError", c.name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.reason)
		}
	}
}

func TestParseTorrentDescribesFiles(t *testing.T) {
	t.Parallel()
	info := multiFile(file(700, "Film.mkv"), file(10, "Film.en.srt"), file(30, "extras", "Trailer.MP4"),
		map[string]any{"length": int64(5), "path": []string{".pad", "5"}, "attr": "p"}, file(5, "cover.jpg"))
	got, err := ParseTorrent(torrentBytes(t, info))
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{0, "film/Film.mkv", 700, KindVideo},
		{1, "film/Film.en.srt", 10, KindSubtitle},
		{2, "film/extras/Trailer.MP4", 30, KindVideo},
		{4, "film/cover.jpg", 5, KindOther},
	}
	if len(got.Files) != len(want) {
		t.Fatalf("files = %+v", got.Files)
	}
	for i := range want {
		if got.Files[i] != want[i] {
			t.Errorf("file %d = %+v, want %+v", i, got.Files[i], want[i])
		}
	}
	if m, err := mainFile(got.Files); err != nil || m.Index != 0 {
		t.Errorf("main file = %+v, %v", m, err)
	}
	if got.Length != 750 || got.NumPieces != 1 || len(got.Trackers) != 1 || len(got.InfoHash) != 40 {
		t.Errorf("info = %+v", got)
	}
	if _, err := mainFile(got.Files[1:2]); !errors.Is(err, ErrNoPlayableFile) {
		t.Errorf("subtitles only: %v, want ErrNoPlayableFile", err)
	}
	album := []File{{0, "Album/cover.jpg", 90, KindOther}, {1, "Album/01.mp3", 40, KindAudio}, {2, "Album/02.mp3", 60, KindAudio}}
	if m, err := mainFile(album); err != nil || m.Index != 2 {
		t.Errorf("an album's main file = %+v, %v; want its largest track", m, err)
	}
	if m, err := mainFile(append(album, File{3, "Album/video.mp4", 10, KindVideo})); err != nil || m.Index != 3 {
		t.Errorf("with a video beside the tracks: %+v, %v; want the video", m, err)
	}
}

// zeroStorage claims every piece and serves zeros: enough for a peer to hand out metadata.
type zeroStorage struct{}

func (zeroStorage) OpenTorrent(context.Context, *metainfo.Info, metainfo.Hash) (storage.TorrentImpl, error) {
	return storage.TorrentImpl{Piece: func(metainfo.Piece) storage.PieceImpl { return zeroPiece{} }, Close: func() error { return nil }}, nil
}

type zeroPiece struct{}

func (zeroPiece) ReadAt(b []byte, _ int64) (int, error)  { clear(b); return len(b), nil }
func (zeroPiece) WriteAt(b []byte, _ int64) (int, error) { return len(b), nil }
func (zeroPiece) MarkComplete() error                    { return nil }
func (zeroPiece) MarkNotComplete() error                 { return nil }
func (zeroPiece) Completion() storage.Completion         { return storage.Completion{Ok: true, Complete: true} }

// hostilePeer serves the metadata of a torrent whose paths escape the download folder.
func hostilePeer(t *testing.T, info map[string]any) (magnet string) {
	t.Helper()
	ib, err := bencode.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	cc, _ := torrenttest.ClientConfig(t.TempDir(), 0)
	cc.DefaultStorage = zeroStorage{}
	cl, err := anacrolix.NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	ih := metainfo.HashBytes(ib)
	cl.AddTorrentOpt(anacrolix.AddTorrentOpts{InfoHash: ih, InfoBytes: ib})
	return "magnet:?xt=urn:btih:" + ih.HexString() + "&x.pe=" + cl.ListenAddrs()[0].String()
}

func TestBadInputWritesNothingOutsideDataDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	cfg := testConfig(t)
	cfg.DataDir = filepath.Join(root, "cache")
	e := newTestEngine(t, cfg)
	ctx := ctxGuard(t)
	for _, c := range badTorrents(t) {
		if _, err := e.AddTorrentBytes(c.data); err == nil {
			t.Errorf("%s: AddTorrentBytes accepted it", c.name)
		}
	}
	for _, in := range []string{"magnet:?xt=urn:btih:%zz", "magnet:?dn=x", "not a thing", "ftp://x/y.torrent"} {
		if _, err := e.Add(ctx, in); err == nil {
			t.Errorf("Add(%q) accepted it", in)
		}
	}
	if _, err := e.Add(ctx, filepath.Join(root, "missing.torrent")); err == nil {
		t.Error("Add of a missing .torrent file succeeded")
	}

	// Metadata from a peer is as untrusted as a .torrent file.
	for _, info := range []map[string]any{
		multiFile(file(20000, "..", "..", "escape.txt")),
		multiFile(file(20000, "/tmp/abs.txt")),
		multiFile(file(100, "dup"), file(100, "dup")),
	} {
		tor, err := e.AddMagnet(hostilePeer(t, info))
		if err != nil {
			t.Fatal(err)
		}
		err = tor.WaitMetadata(ctx)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("hostile metadata from a peer: WaitMetadata = %v, want a *ParseError", err)
		}
		eventually(t, "rejected torrent to be dropped", func() bool { return !contains(e.Torrents(), tor) })
	}
	if n := len(e.Torrents()); n != 0 {
		t.Fatalf("%d torrents left after bad input", n)
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if p != stateDBPath(cfg.DataDir) {
			t.Errorf("bad input left a file: %s", p)
		}
		return nil
	})
}

func TestWaitMetadataTimeout(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddInfoHash(testHex, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50e6)
	defer cancel()
	err = tor.WaitMetadata(ctx)
	if !errors.Is(err, ErrMetadataTimeout) || !strings.Contains(err.Error(), testHex) {
		t.Fatalf("WaitMetadata with no peers = %v, want ErrMetadataTimeout naming the torrent", err)
	}
	if !strings.Contains(err.Error(), "no source to ask") || strings.Contains(err.Error(), "asking") {
		t.Fatalf("with the DHT and trackers off and nothing given: %v, want it to say there was no source", err)
	}
	if _, err := tor.NewStream(0); err == nil || !strings.Contains(err.Error(), "WaitMetadata") {
		t.Fatalf("NewStream before metadata: %v", err)
	}
	if _, err := e.AddInfoHash("xyz", nil, nil); err == nil {
		t.Fatal("bad info hash accepted")
	}
}

// The timeout names the sources that were asked, and not the ones that are switched off.
func TestWaitMetadataTimeoutNamesSourcesTried(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	cfg := testConfig(t)
	cfg.DisableTrackers = false // the DHT stays off: tests never reach the internet
	e := newTestEngine(t, cfg)
	tor, err := e.AddMagnet("magnet:?xt=urn:btih:" + testHex + "&tr=" + url.QueryEscape(srv.URL+"/announce") +
		"&x.pe=127.0.0.1:1&xs=" + url.QueryEscape(srv.URL+"/film.torrent"))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the xs to be tried", func() bool { _, ok := e.xsTried.Load(tor.ih); return ok })
	ctx, cancel := context.WithTimeout(context.Background(), 50e6)
	defer cancel()
	err = tor.WaitMetadata(ctx)
	want := "after asking 1 tracker, 1 given peer and 1 .torrent URL (xs)"
	if !errors.Is(err, ErrMetadataTimeout) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "DHT") {
		t.Fatalf("WaitMetadata = %v, want ErrMetadataTimeout saying %q and not naming the DHT", err, want)
	}
}
