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
	"marquee/torrent/source"
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
		"magnet:?xt=urn:btih:123":             "this has 3",
		"magnet:?dn=x":                        "missing xt=urn:btih:",
		"https://":                            "not a valid http(s) URL",
		filepath.Join(dir, "missing.torrent"): "no such file",
		dir:                                   "not a regular file",
		notTorrent:                            "not a .torrent file",
		"just some words":                     "not a magnet link, info hash, .torrent file or http(s) URL",
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
		info, err := source.ParseTorrent(data)
		if err != nil {
			t.Fatal(err)
		}
		if files := len(info.Info.UpvertedFiles()); info.InfoHash != want || info.Name != c.name || info.Length != c.length || files != c.files {
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

// AddTorrentFile takes what the engine takes: the same parser, so a torrent the library lists
// is one the engine can play, and bad data is refused before anything is stored.
func TestAddTorrentFileRejectsBadData(t *testing.T) {
	p, lib, torrentsDir := newProvider(t)
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":        {nil, "empty"},
		"not a dict":   {[]byte("li1ee"), "does not start with a bencoded dictionary"},
		"no info":      {[]byte("d8:announce3:urle"), "no info dictionary"},
		"no pieces":    {torrent("d6:lengthi1e4:name1:a12:piece lengthi16384ee"), "piece hashes"},
		"v2 only":      {torrent("d6:lengthi1e12:meta versioni2e4:name1:a12:piece lengthi16384ee"), "v2-only"},
		"trailing":     {append(torrent(goodInfo), 'x'), "trailing data"},
		"nesting bomb": {[]byte("d4:info" + strings.Repeat("l", 1_500_000) + strings.Repeat("e", 1_500_000) + "e"), "nested deeper than 100"},
		"too large":    {make([]byte, source.MaxTorrentFileSize+1), "more than the limit"},
	} {
		if _, err := p.AddTorrentFile(c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, c.want)
		}
	}
	if stored, _ := lib.Torrents(); len(stored) != 0 {
		t.Errorf("bad data stored %d torrents", len(stored))
	}
	if copies, _ := os.ReadDir(torrentsDir); len(copies) != 0 {
		t.Errorf("bad data left %d copies", len(copies))
	}
	title, err := p.AddTorrentFile(torrent(goodInfo))
	if err != nil || title.Name != "a.mkv" || title.Sources[0].Size != 12 {
		t.Errorf("the good torrent: %+v, %v", title, err)
	}
}

// The forms source.Parse reads, "magnet://" among them, all add.
func TestAddTakesEveryForm(t *testing.T) {
	p, _, _ := newProvider(t)
	for _, input := range []string{
		"magnet://?xt=urn:btih:" + hash(7) + "&dn=Double+Slash",
		"MAGNET:?XT=URN:BTIH:" + strings.ToUpper(hash(8)),
		hash(9),
	} {
		title, err := p.Add(context.Background(), input)
		if err != nil {
			t.Errorf("Add(%q): %v", input, err)
			continue
		}
		if title.Sources[0].Hash() == "" || title.Sources[0].Magnet == "" {
			t.Errorf("Add(%q) = %+v, want a magnet source", input, title)
		}
	}
}
