package source

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/bencode"
)

const (
	testHex    = "c9e15763f722f23e98a29decdfae341b98d53056"
	testBase32 = "ZHQVOY7XELZD5GFCTXWN7LRUDOMNKMCW"

	sintelHash   = "08ada5a7a6183aae1e09d831df6748d566095a10"
	sintelBase32 = "BCW2LJ5GDA5K4HQJ3AY56Z2I2VTASWQQ"
	sintelMagnet = "magnet:?xt=urn:btih:08ada5a7a6183aae1e09d831df6748d566095a10&dn=Sintel" +
		"&tr=udp%3A%2F%2Ftracker.opentrackr.org%3A1337&tr=wss%3A%2F%2Ftracker.openwebtorrent.com" +
		"&ws=https%3A%2F%2Fwebtorrent.io%2Ftorrents%2F&xs=https%3A%2F%2Fwebtorrent.io%2Ftorrents%2Fsintel.torrent"
)

func TestParse(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want Source
	}{
		{"magnet:?xt=urn:btih:" + testHex, Source{Kind: Magnet, InfoHash: testHex}},
		{"magnet://?xt=urn:btih:" + testHex, Source{Kind: Magnet, InfoHash: testHex}},
		{"  magnet:?xt=urn:btih:" + strings.ToUpper(testHex) + "&dn=Night+of+the+Living+Dead\n",
			Source{Kind: Magnet, InfoHash: testHex, Name: "Night of the Living Dead"}},
		{"magnet:?xt=urn:btih:" + testBase32 + "&tr=udp%3A%2F%2Ftracker.example%3A6969&tr=file%3A%2F%2F%2Fetc%2Fpasswd" +
			"&ws=https%3A%2F%2Farchive.example%2Fdl%2F&ws=ftp%3A%2F%2Fx%2F&xs=http%3A%2F%2Fh%2Fa.torrent&x.pe=127.0.0.1%3A6881&x.pe=nonsense",
			Source{Kind: Magnet, InfoHash: testHex, Trackers: []string{"udp://tracker.example:6969"},
				Webseeds: []string{"https://archive.example/dl/"}, MetainfoURLs: []string{"http://h/a.torrent"}, Peers: []string{"127.0.0.1:6881"}}},
		{"magnet:?xt.1=urn:btih:" + testHex + "&tr.1=udp%3A%2F%2Fa%3A1&tr.2=udp%3A%2F%2Fb%3A2",
			Source{Kind: Magnet, InfoHash: testHex, Trackers: []string{"udp://a:1", "udp://b:2"}}},
		{testHex, Source{Kind: InfoHash, InfoHash: testHex}},
		{strings.ToLower(testBase32), Source{Kind: InfoHash, InfoHash: testHex}},
		{"films/Nosferatu (1922).torrent", Source{Kind: TorrentFile, Path: "films/Nosferatu (1922).torrent"}},
		{"/tmp/x", Source{Kind: TorrentFile, Path: "/tmp/x"}},
		{"file:///tmp/a%20b.torrent", Source{Kind: TorrentFile, Path: "/tmp/a b.torrent"}},
		{"https://archive.example/download/x/x_archive.torrent", Source{Kind: URL, URL: "https://archive.example/download/x/x_archive.torrent"}},
	}
	for _, c := range good {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !equalSource(got, c.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"magnet:", "expected"},
		{"magnet:?dn=film", "missing xt"},
		{"magnet:?xt=urn:btih:zzzz", "this has 4"},
		{"magnet:?xt=urn:btih:" + testHex[:39], "40 hex or 32 base32 characters, this has 39"},
		{"magnet:?xt=urn:btih:" + strings.Repeat("z", 40), "must be hexadecimal"},
		{"magnet:?xt=urn:btih:" + strings.Repeat("1", 32), "must be base32"},
		{"magnet:?xt=urn:btih:%zz", "malformed parameters"},
		{"magnet:?xt=urn:btih:" + testHex + "&xt=urn:btih:" + strings.Repeat("a", 40), "two different"},
		{"magnet:?xt=urn:btih:" + testHex + "&xt.1=urn:btih:" + strings.Repeat("a", 40), "two different"},
		{"magnet:?xt=urn:btmh:1220" + strings.Repeat("a", 64), "v2-only"},
		{"magnet:?" + strings.Repeat("a=b&", 300) + "xt=urn:btih:" + testHex, "too many"},
		{"ftp://example.com/a.torrent", "unsupported URL scheme"},
		{"http://", "not a valid http"},
		{"file://remote/etc/a.torrent", "file://"},
		{testHex[:39], "40 hex or 32 base32"},
		{"hello world", "not a magnet link"},
		{"magnet:?xt=urn:btih:" + testHex + "\x00", "control"},
		{strings.Repeat("a", 70<<10), "64 KiB"},
	}
	for _, c := range bad {
		_, err := Parse(c.in)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want an *Error", Shorten(c.in), err)
			continue
		}
		if !strings.Contains(err.Error(), c.reason) {
			t.Errorf("Parse(%q) error %q does not mention %q", Shorten(c.in), err, c.reason)
		}
	}
}

// Every entry point takes a magnet in the same forms: what Parse accepts as a magnet,
// ParseMagnet accepts with the same result.
func TestParseMagnetAgreesWithParse(t *testing.T) {
	for _, in := range []string{
		sintelMagnet,
		"magnet://?xt=urn:btih:" + sintelHash + "&dn=Sintel",
		"MAGNET:?XT=URN:BTIH:" + sintelBase32,
		"magnet:?xt=urn:btmh:1220" + strings.Repeat("ab", 32) + "&xt=urn:btih:" + sintelHash,
	} {
		a, errA := Parse(in)
		b, errB := ParseMagnet(in)
		if errA != nil || errB != nil || !equalSource(a, b) || a.InfoHash != sintelHash {
			t.Errorf("%q: Parse = %+v, %v; ParseMagnet = %+v, %v", in, a, errA, b, errB)
		}
	}
	m, _ := ParseMagnet(sintelMagnet)
	if m.Name != "Sintel" ||
		!slices.Equal(m.Trackers, []string{"udp://tracker.opentrackr.org:1337", "wss://tracker.openwebtorrent.com"}) ||
		!slices.Equal(m.Webseeds, []string{"https://webtorrent.io/torrents/"}) ||
		!slices.Equal(m.MetainfoURLs, []string{"https://webtorrent.io/torrents/sintel.torrent"}) {
		t.Errorf("sintel magnet parsed as %+v", m)
	}
	for in, want := range map[string]string{
		"":                             "empty",
		"http://example.com/x.torrent": `does not start with "magnet:?"`,
		sintelHash:                     `does not start with "magnet:?"`,
	} {
		if _, err := ParseMagnet(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMagnet(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

func TestParseInfoHash(t *testing.T) {
	for _, in := range []string{sintelHash, strings.ToUpper(sintelHash), sintelBase32, strings.ToLower(sintelBase32), " " + sintelHash + "\n"} {
		if got, err := ParseInfoHash(in); err != nil || got != sintelHash {
			t.Errorf("ParseInfoHash(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseInfoHash("abc"); err == nil || !strings.Contains(err.Error(), "this has 3") {
		t.Errorf("short info hash: %v", err)
	}
}

func TestIsLocalMedia(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	torrentData, err := bencode.Marshal(map[string]any{"announce": "http://t/", "info": map[string]any{"name": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		write("film.mkv", []byte{0x1a, 0x45, 0xdf, 0xa3}):                   true,
		write("film without extension", []byte("\x00\x00\x00\x20ftypisom")): true,
		write("empty.mp4", nil):                                             true,
		write("film.torrent", torrentData):                                  false,
		write("download", torrentData):                                      false,
		dir:                                                                 false,
		filepath.Join(dir, "missing.mkv"):                                   false,
		"magnet:?xt=urn:btih:" + testHex:                                    false,
		"":                                                                  false,
	} {
		if got := IsLocalMedia(path); got != want {
			t.Errorf("IsLocalMedia(%q) = %v, want %v", path, got, want)
		}
	}
}

func equalSource(a, b Source) bool {
	return a.Kind == b.Kind && a.InfoHash == b.InfoHash && a.Name == b.Name && a.Path == b.Path && a.URL == b.URL &&
		slices.Equal(a.Trackers, b.Trackers) && slices.Equal(a.Webseeds, b.Webseeds) &&
		slices.Equal(a.MetainfoURLs, b.MetainfoURLs) && slices.Equal(a.Peers, b.Peers)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"magnet:?xt=urn:btih:" + testHex + "&dn=x&tr=udp%3A%2F%2Ft%3A1&ws=http%3A%2F%2Fw%2F&x.pe=1.2.3.4%3A5",
		"magnet:?xt=urn:btih:" + testBase32, "magnet://?xt=urn:btih:" + testBase32, "magnet:?xt=urn:btmh:1220aa", "magnet:?xt=%zz",
		"magnet:?xt.1=urn:btih:" + sintelHash + "&xt.2=urn:btih:" + sintelHash, sintelMagnet,
		testHex, testBase32, "a.torrent", "/abs/path", "file:///x.torrent", "https://h/x.torrent", "ftp://x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, err := Parse(s)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("error %v is not an *Error with a reason", err)
			}
			return
		}
		switch src.Kind {
		case Magnet, InfoHash:
			if b, err := hex.DecodeString(src.InfoHash); err != nil || len(b) != 20 || strings.ToLower(src.InfoHash) != src.InfoHash {
				t.Fatalf("info hash %q is not 40 lowercase hex characters", src.InfoHash)
			}
			for _, u := range append(append(src.Trackers, src.Webseeds...), src.MetainfoURLs...) {
				if strings.HasPrefix(strings.ToLower(u), "file:") {
					t.Fatalf("kept a file URL %q", u)
				}
			}
			if src.Kind == Magnet {
				// The magnet another part writes from it reads back the same.
				again, err := ParseMagnet(src.MagnetURI())
				if err != nil || !equalSource(again, src) {
					t.Fatalf("MagnetURI of %+v reads back as %+v, %v", src, again, err)
				}
			}
		case TorrentFile:
			if src.Path == "" {
				t.Fatal("empty path")
			}
		case URL:
			if !strings.HasPrefix(strings.ToLower(src.URL), "http") {
				t.Fatalf("URL %q is not http(s)", src.URL)
			}
		default:
			t.Fatalf("unknown kind %v", src.Kind)
		}
	})
}
