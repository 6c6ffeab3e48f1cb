package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/torrent/torrenttest"
)

// A film whose metadata is known but that nobody shares (issue 12, item 4): the player view
// says so, with the counts, instead of spinning on "Opening…" for ever.
func TestFilmNobodySharesSaysSoInsteadOfSpinning(t *testing.T) {
	setForTest(t, &noSourceAfter, 500*time.Millisecond)
	dir := t.TempDir()
	path := filepath.Join(dir, "Lonely Film.mkv")
	if err := torrenttest.WriteRandomFile(path, 3<<20, 31); err != nil {
		t.Fatal(err)
	}
	mi, _, err := torrenttest.BuildMetainfo(path, 1<<18)
	if err != nil {
		t.Fatal(err)
	}
	torrentPath := filepath.Join(dir, "lonely.torrent")
	f, err := os.Create(torrentPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := mi.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	title := movie("lonely", "Lonely Film", 2003, catalog.Source{TorrentURL: torrentPath})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.play(playRequest{title: title, source: title.Sources[0], fileIndex: catalog.MainFile}) })
	pb := uiValue(func() *playback { return env.u.playback })
	want := "No one is sharing this film right now: 0 peers, 0 web seeds"
	waitFor(t, "the no-source message", 60*time.Second, func() bool {
		return pb.centreBox.Visible() && pb.CentreText() == want
	})
}
