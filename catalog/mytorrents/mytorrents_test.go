package mytorrents_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"marquee/catalog"
	"marquee/catalog/catalogtest"
	"marquee/catalog/library"
	"marquee/catalog/mytorrents"
)

func newProvider(t *testing.T) (*mytorrents.Provider, *library.Library, string) {
	t.Helper()
	dir := t.TempDir()
	lib, err := library.Open(filepath.Join(dir, "library.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	torrents := filepath.Join(dir, "torrents")
	return mytorrents.New(lib, torrents), lib, torrents
}

func hash(i int) string { return fmt.Sprintf("%040x", i+1) }

func TestConformance(t *testing.T) {
	p, _, _ := newProvider(t)
	ctx := context.Background()
	for i, name := range []string{"Night Walk", "Home Video", "Lecture 3", "The Night Shift", "Holiday 2019"} {
		if _, err := p.Add(ctx, "magnet:?xt=urn:btih:"+hash(i)+"&dn="+strings.ReplaceAll(name, " ", "+")); err != nil {
			t.Fatal(err)
		}
	}
	catalogtest.RunProviderTests(t, p, catalogtest.Options{SearchText: "night", MinTitles: 5, PageSize: 2, Unlicensed: true})
}

func TestAddEachKindOfInput(t *testing.T) {
	p, lib, _ := newProvider(t)
	ctx := context.Background()
	base32 := "BCW2LJ5GDA5K4HQJ3AY56Z2I2VTASWQQ"
	tests := []struct {
		input, id, name string
		magnet          bool
	}{
		{"  magnet:?xt=urn:btih:" + hash(1) + "&dn=Home+Movie\n", "mytorrents:" + hash(1), "Home Movie", true},
		{"magnet:?xt=urn:btih:" + hash(2), "mytorrents:" + hash(2), "Torrent 00000000", true},
		{base32, "mytorrents:08ada5a7a6183aae1e09d831df6748d566095a10", "Torrent 08ada5a7", true},
		{"https://cinema.example/files/My%20Film.torrent", "", "My Film", false},
	}
	for _, tt := range tests {
		title, err := p.Add(ctx, tt.input)
		if err != nil {
			t.Errorf("Add(%q): %v", tt.input, err)
			continue
		}
		if (tt.id != "" && title.ID != tt.id) || title.Name != tt.name || title.Provider != mytorrents.ID {
			t.Errorf("Add(%q) = %q %q", tt.input, title.ID, title.Name)
		}
		src := title.Sources[0]
		if tt.magnet != (src.Magnet != "") || src.FileIndex != catalog.MainFile || src.URI() == "" {
			t.Errorf("Add(%q) source = %+v", tt.input, src)
		}
		got, err := p.Get(ctx, title.ID)
		if err != nil || got.Name != tt.name {
			t.Errorf("Get(%q) = %q, %v", title.ID, got.Name, err)
		}
	}
	stored, _ := lib.Torrents()
	if len(stored) != 4 {
		t.Errorf("%d torrents in the library, want 4", len(stored))
	}
	// Adding the same torrent again replaces it rather than listing it twice.
	if _, err := p.Add(ctx, "magnet:?xt=urn:btih:"+strings.ToUpper(hash(1))+"&dn=Renamed"); err != nil {
		t.Fatal(err)
	}
	if stored, _ := lib.Torrents(); len(stored) != 4 {
		t.Errorf("re-adding made %d torrents", len(stored))
	}
}

func TestAddRejectsBadInput(t *testing.T) {
	p, lib, _ := newProvider(t)
	dir := t.TempDir()
	notTorrent := filepath.Join(dir, "notes.txt")
	os.WriteFile(notTorrent, []byte("hello"), 0o644)
	for input, want := range map[string]string{
		"":                                    "nothing to add",
		"magnet:?xt=urn:btih:123":             "has 3 characters",
		"magnet:?dn=x":                        "no xt=urn:btih:",
		"https://":                            "not a valid URL",
		filepath.Join(dir, "missing.torrent"): "no such file",
		dir:                                   "not a regular file",
		notTorrent:                            "torrent file: unexpected byte 'h' at offset 0",
		"just some words":                     "is not a magnet, an infohash, a URL or a readable .torrent file",
	} {
		if _, err := p.Add(context.Background(), input); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Add(%q) = %v, want an error containing %q", input, err, want)
		}
	}
	if stored, _ := lib.Torrents(); len(stored) != 0 {
		t.Errorf("bad input stored %d torrents", len(stored))
	}
}

// TestRealTorrentFiles checks the reader against .torrent files made by mktorrent and
// infohashes computed by transmission-show, two independent implementations.
func TestRealTorrentFiles(t *testing.T) {
	for _, tool := range []string{"mktorrent", "transmission-show"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian: apt-get install mktorrent transmission-cli): %v", tool, err)
		}
	}
	dir := t.TempDir()
	single := filepath.Join(dir, "Night Film.mp4")
	os.WriteFile(single, bytes.Repeat([]byte("frame"), 40_000), 0o644)
	folder := filepath.Join(dir, "Série")
	os.MkdirAll(filepath.Join(folder, "subs"), 0o755)
	os.WriteFile(filepath.Join(folder, "episode.mkv"), bytes.Repeat([]byte("e"), 70_000), 0o644)
	os.WriteFile(filepath.Join(folder, "subs", "fr.srt"), bytes.Repeat([]byte("s"), 3_000), 0o644)

	p, _, torrentsDir := newProvider(t)
	for _, c := range []struct {
		content string
		name    string
		length  int64
		files   int
	}{
		{single, "Night Film.mp4", 200_000, 1},
		{folder, "Série", 73_000, 2},
	} {
		torrentPath := filepath.Join(dir, filepath.Base(c.content)+".torrent")
		if out, err := exec.Command("mktorrent", "-a", "udp://tracker.example:1337", "-o", torrentPath, c.content).CombinedOutput(); err != nil {
			t.Fatalf("mktorrent: %v\n%s", err, out)
		}
		out, err := exec.Command("transmission-show", torrentPath).CombinedOutput()
		if err != nil {
			t.Fatalf("transmission-show: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`Hash: ([0-9a-f]{40})`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("no hash in transmission-show output:\n%s", out)
		}
		want := string(m[1])
		data, _ := os.ReadFile(torrentPath)
		info, err := mytorrents.ParseTorrentFile(data)
		if err != nil {
			t.Fatal(err)
		}
		if info.InfoHash != want || info.Name != c.name || info.Length != c.length || info.Files != c.files {
			t.Errorf("%s: %+v, want hash %s name %q length %d files %d", torrentPath, info, want, c.name, c.length, c.files)
		}

		title, err := p.Add(context.Background(), "file://"+torrentPath)
		if err != nil {
			t.Fatal(err)
		}
		copyPath := filepath.Join(torrentsDir, want+".torrent")
		if title.ID != "mytorrents:"+want || title.Name != c.name || title.Sources[0].TorrentURL != copyPath || title.Sources[0].Size != c.length {
			t.Errorf("title = %+v", title)
		}
		// The copy outlives the original file.
		os.Remove(torrentPath)
		if kept, err := os.ReadFile(copyPath); err != nil || !bytes.Equal(kept, data) {
			t.Errorf("copy of the .torrent: %v", err)
		}
		if err := p.Remove(title.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(copyPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Remove left the copy: %v", err)
		}
		if _, err := p.Get(context.Background(), title.ID); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("Get after Remove = %v", err)
		}
	}
	if err := p.Remove("builtin:sintel"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Remove of another provider's title = %v", err)
	}
}

// torrent builds a minimal valid .torrent around an info dictionary.
func torrent(info string) []byte { return []byte("d8:announce3:url4:info" + info + "e") }

const goodInfo = "d6:lengthi12e4:name5:a.mkv12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae"

func TestParseTorrentFileRejectsBadInput(t *testing.T) {
	if _, err := mytorrents.ParseTorrentFile(torrent(goodInfo)); err != nil {
		t.Fatalf("the good torrent: %v", err)
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":            {nil, "truncated"},
		"not a dict":       {[]byte("li1ee"), "not a bencoded dictionary"},
		"no info":          {[]byte("d8:announce3:urle"), "no info dictionary"},
		"info is a list":   {torrent("le"), "info is not a dictionary"},
		"no pieces":        {torrent("d6:lengthi1e4:name1:ae"), "info has no pieces"},
		"v2 only":          {torrent("d6:lengthi1e12:meta versioni2e4:name1:ae"), "v2-only"},
		"no name":          {torrent("d6:lengthi1e6:pieces0:e"), "info has no name"},
		"negative length":  {torrent("d6:lengthi-1e4:name1:a6:pieces0:e"), "not a non-negative integer"},
		"no files":         {torrent("d4:name1:a6:pieces0:e"), "neither length nor files"},
		"file not a dict":  {torrent("d5:filesli1ee4:name1:a6:pieces0:e"), "files[0] is not a dictionary"},
		"file length":      {torrent("d5:filesld4:pathl1:xeee4:name1:a6:pieces0:e"), "files[0] has no valid length"},
		"overflow":         {torrent("d5:filesld6:lengthi9223372036854775807eed6:lengthi1eee4:name1:a6:pieces0:e"), "overflows"},
		"truncated":        {torrent(goodInfo)[:len(torrent(goodInfo))-1], "truncated"},
		"cut in a string":  {torrent(goodInfo)[:30], "runs past the end"},
		"trailing":         {append(torrent(goodInfo), 'x'), "trailing data"},
		"string past end":  {[]byte("d4:infod4:name99:ae"), "runs past the end"},
		"leading zero int": {torrent("d6:lengthi012e4:name1:a6:pieces0:e"), "bad integer"},
		"minus zero":       {torrent("d6:lengthi-0e4:name1:a6:pieces0:e"), "bad integer"},
		"duplicate key":    {torrent("d4:name1:a4:name1:b6:pieces0:6:lengthi1ee"), "duplicate key"},
		"bad byte":         {[]byte("d4:infox"), "unexpected byte"},
		"deep nesting":     {[]byte(strings.Repeat("l", 100) + strings.Repeat("e", 100)), "nested deeper"},
		"nesting bomb":     {[]byte("d4:info" + strings.Repeat("l", 1_500_000) + strings.Repeat("e", 1_500_000) + "e"), "nested deeper than 100"},
		"huge string len":  {[]byte("d4:info99999999999999999999:e"), "bad string length"},
		"too large":        {make([]byte, mytorrents.MaxTorrentFileSize+1), "more than the limit"},
	} {
		if _, err := mytorrents.ParseTorrentFile(c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, c.want)
		}
	}
}

func FuzzParseTorrentFile(f *testing.F) {
	f.Add(torrent(goodInfo))
	f.Add(torrent("d5:filesld6:lengthi5e4:pathl1:aeed6:lengthi7e4:pathl1:beee4:name5:multi6:pieces0:e"))
	f.Add([]byte("d4:infod4:name1:a6:lengthi1e6:pieces0:10:name.utf-83:\xc3\xa9eee"))
	f.Add([]byte("li-5ei0e3:abce"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := mytorrents.ParseTorrentFile(data)
		if err != nil {
			return
		}
		if len(info.InfoHash) != 40 || info.Name == "" || info.Length < 0 || info.Files < 1 {
			t.Fatalf("accepted %q as %+v", data, info)
		}
	})
}
