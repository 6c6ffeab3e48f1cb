package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/internal/mediagen"
	"marquee/torrent"
)

// seedFolder seeds a folder from a second, loopback-only engine and returns a magnet that
// names the seeder as a peer.
func seedFolder(t *testing.T, dir string) string {
	t.Helper()
	seeder, err := torrent.NewEngine(torrent.Config{
		DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0",
		DisableDHT: true, DisableTrackers: true, DisablePEX: true, DisableUPnP: true, DisableIPv6: true,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seeder.Close() })
	tor, err := seeder.Seed(dir, torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tor.Magnet() + "&x.pe=" + seeder.ListenAddrs()[0]
}

func copyInto(t *testing.T, from, dir, name string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A torrent with several videos offers them in the file picker; the one picked plays,
// and the torrent's subtitle file becomes a track.
func TestFilePickerPlaysTheChosenFileOfAMultiFileTorrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Collection")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyInto(t, film(t, shortFilm), dir, "b-feature.mp4")
	copyInto(t, film(t, tinyFilm), dir, "a-trailer.mp4")
	if err := os.WriteFile(filepath.Join(dir, "b-feature.srt"), mediagen.FormatSRT([]mediagen.Cue{{Start: 0, End: 20 * time.Second, Text: "From the torrent"}}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("not a film"), 0o644); err != nil {
		t.Fatal(err)
	}
	magnet := seedFolder(t, dir)
	title := movie("coll", "Collection", 2020, catalog.Source{Magnet: magnet})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	if !uiValue(d.filesBtn.Visible) || !uiValue(d.fileSel.Disabled) {
		t.Fatal("before metadata the page should offer to fetch the file list")
	}
	onUI(func() { test.Tap(d.filesBtn) })
	waitFor(t, "the file list", 30*time.Second, func() bool { return !d.fileSel.Disabled() && len(d.fileSel.Options) == 2 })
	opts := uiValue(func() []string { return d.fileSel.Options })
	if !strings.HasPrefix(opts[0], "a-trailer.mp4") || !strings.HasPrefix(opts[1], "b-feature.mp4") {
		t.Fatalf("file picker offers %q, want the two videos only", opts)
	}
	if got := uiValue(func() string { return d.fileSel.Selected }); !strings.HasPrefix(got, "b-feature.mp4") {
		t.Fatalf("preselected %q, want the largest video (what Play would pick)", got)
	}
	onUI(func() { d.fileSel.SetSelectedIndex(0) })
	onUI(func() { test.Tap(d.play) })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "the trailer playing", 60*time.Second, func() bool { return pb.video.framesPainted.Load() > 0 })
	if _, f := pb.currentTorrent(); filepath.Base(f.Path) != "a-trailer.mp4" {
		got := filepath.Base(f.Path)
		t.Fatalf("playing %q, want the file picked, a-trailer.mp4", got)
	}
	tor, _ := pb.currentTorrent()
	waitFor(t, "the torrent's subtitle file as a track", 30*time.Second, func() bool {
		p := pb.currentPlayer()
		for _, tr := range p.SubtitleTracks() {
			if tr.External {
				return true
			}
		}
		return false
	})
	// The played torrent stays in the cache after leaving both pages.
	onUI(func() { env.u.nav.popTo(pageHome) })
	<-pb.stopped
	flushEngineTasks(env)
	if findTorrent(env.svc.engine, tor.InfoHash()) == nil {
		t.Fatal("a torrent that was played was dropped with the detail page")
	}
}

// Listing a torrent's files without playing it leaves nothing behind.
func TestFileListingAloneLeavesNoTorrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Listed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyInto(t, film(t, tinyFilm), dir, "film.mp4")
	copyInto(t, film(t, tinyFilm), dir, "film-2.mp4")
	magnet := seedFolder(t, dir)
	env := newTestEnv(t, nil)
	title := movie("listed", "Listed", 2020, catalog.Source{Magnet: magnet})
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	onUI(func() { test.Tap(d.filesBtn) })
	waitFor(t, "the file list", 30*time.Second, func() bool { return len(d.fileSel.Options) == 2 })
	if len(env.svc.engine.Torrents()) != 1 {
		t.Fatal("listing the files should add the torrent")
	}
	onUI(env.u.nav.back)
	waitFor(t, "the listed torrent to be dropped", 10*time.Second, func() bool { return len(env.svc.engine.Torrents()) == 0 })
}

// A .torrent dropped on the window is added to My torrents and played.
func TestDroppedTorrentFilePlays(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Dropped")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyInto(t, film(t, tinyFilm), dir, "film.mp4")
	magnet := seedFolder(t, dir)
	env := newTestEnv(t, nil)
	// Get the .torrent bytes the way a user would have them: from the engine of a peer.
	helper, err := torrent.NewEngine(torrent.Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0",
		DisableDHT: true, DisableTrackers: true, DisablePEX: true, DisableUPnP: true, DisableIPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	defer helper.Close()
	tor, err := helper.Add(context.Background(), magnet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tor.WaitMetadata(ctx); err != nil {
		t.Fatal(err)
	}
	mi, err := tor.Metainfo()
	if err != nil {
		t.Fatal(err)
	}
	torrentPath := filepath.Join(t.TempDir(), "dropped.torrent")
	if err := os.WriteFile(torrentPath, mi, 0o644); err != nil {
		t.Fatal(err)
	}
	// The .torrent carries no peers: tell the app's engine where the seeder is first.
	addr := strings.SplitN(magnet, "x.pe=", 2)[1]
	onUI(func() { env.u.dropped(fyne.NewPos(1, 1), []fyne.URI{storage.NewFileURI(torrentPath)}) })
	waitFor(t, "the player", 20*time.Second, func() bool {
		if env.u.playback == nil {
			return false
		}
		tor, _ := env.u.playback.currentTorrent()
		return tor != nil
	})
	pb := uiValue(func() *playback { return env.u.playback })
	added, _ := pb.currentTorrent()
	added.AddPeers(addr)
	waitFor(t, "the dropped torrent playing", 60*time.Second, func() bool { return pb.video.framesPainted.Load() > 0 })
	list, err := env.svc.library.Torrents()
	if err != nil || len(list) != 1 || list[0].InfoHash != tor.InfoHash() {
		t.Fatalf("my torrents = %+v (%v), want the dropped torrent", list, err)
	}
}

// A source the catalog gives no quality or size for is named by where it comes from until
// the engine knows its files; then by the quality in the file name and the file's size.
// The swarm line tells the peers the engine is connected to when no tracker counted them.
func TestSourceLabelAndLiveSwarmFromTheEngine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Tiny Film")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyInto(t, film(t, tinyFilm), dir, "Tiny.Film.2020.720p.mp4")
	info, err := os.Stat(filepath.Join(dir, "Tiny.Film.2020.720p.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	title := movie("tiny", "Tiny Film", 2020, catalog.Source{Magnet: seedFolder(t, dir)})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	if got := uiValue(func() string { return d.sourceSel.Selected }); got != "Source 1 · magnet link" {
		t.Errorf("before the metadata the source reads %q", got)
	}
	onUI(func() { test.Tap(d.filesBtn) })
	want := "720p · " + formatBytes(info.Size())
	waitFor(t, "the source named by quality and size", 30*time.Second, func() bool { return d.sourceSel.Selected == want })
	if got := uiValue(func() int { return d.sourceSel.SelectedIndex() }); got != 0 {
		t.Errorf("relabelling changed the pick to %d", got)
	}
	waitFor(t, "the swarm line to count the seeder", 30*time.Second, func() bool {
		return strings.HasPrefix(d.health.Text, "connected to 1 peer (1 with the whole film)")
	})
}

// "More like this" offers titles of the same genre, the title's own provider's first,
// never the title itself nor another genre; a poster there opens its page.
func TestMoreLikeThisSameGenreOwnProviderFirst(t *testing.T) {
	genre := func(tt catalog.Title, g string) catalog.Title { tt.Genres = []string{g}; return tt }
	own := newStaticProvider("own", "Own",
		genre(movie("main", "Main Drama", 2000, catalog.Source{}), "Drama"),
		genre(movie("d1", "Own Drama One", 2001, catalog.Source{}), "Drama"),
		genre(movie("d2", "Own Drama Two", 2002, catalog.Source{}), "Drama"),
		genre(movie("c1", "Own Comedy", 2003, catalog.Source{}), "Comedy"))
	other := newStaticProvider("other", "Other", genre(movie("d3", "Other Drama", 2010, catalog.Source{}), "Drama"))
	env := newTestEnv(t, []catalog.Provider{own, other})
	main, err := own.Get(context.Background(), catalog.JoinID("own", "main"))
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { env.u.openDetail(main) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	var ids []string
	waitFor(t, "the More like this row", 20*time.Second, func() bool {
		ids = nil
		for _, o := range d.more.cards.Objects {
			ids = append(ids, o.(*card).Title().ID)
		}
		return len(ids) > 0 && d.more.box.Visible()
	})
	if len(ids) < 3 || !strings.HasPrefix(ids[0], "own:") || !strings.HasPrefix(ids[1], "own:") {
		t.Fatalf("More like this = %v, want the own provider's two other dramas first", ids)
	}
	if !slices.Contains(ids, catalog.JoinID("other", "d3")) {
		t.Fatalf("More like this = %v, want the other provider's drama too", ids)
	}
	for _, id := range ids {
		if id == main.ID || id == catalog.JoinID("own", "c1") {
			t.Fatalf("More like this = %v: holds %s", ids, id)
		}
	}
	// Offline a title has no backdrop art: its title card, blurred, stands in.
	waitFor(t, "the page's backdrop", 20*time.Second, func() bool { return d.backdrop.Image != nil })
	onUI(func() { test.Tap(d.more.cards.Objects[0].(*card)) })
	if next := uiValue(func() *detail { return env.u.currentDetail }); next == d || next.title.ID != ids[0] {
		t.Fatalf("tapping a poster in More like this opened %v, want %s", next.title.ID, ids[0])
	}
}

// The note under the file picker takes room only when it says something: empty, it left
// a line-high gap between the File row and the Play button.
func TestEmptyFileNoteLeavesNoGap(t *testing.T) {
	title := movie("gap", "No Gap", 2003, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("9a", 20)})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	gap := uiValue(func() float32 {
		drv := fyne.CurrentApp().Driver()
		return drv.AbsolutePositionForObject(d.play).Y - (drv.AbsolutePositionForObject(d.fileSel).Y + d.fileSel.Size().Height)
	})
	if gap > 3*theme.Padding() {
		t.Fatalf("%v px between the File row and Play with nothing said between them", gap)
	}
	onUI(func() { test.Tap(d.filesBtn) })
	if !uiValue(func() bool { return onScreen(env, d.fileNote) && d.fileNote.Text != "" }) {
		t.Fatal("Choose a file… says nothing under the picker")
	}
}

// A series' episode Play buttons sit by the episode names, not at the far edge of a wide
// window.
func TestEpisodePlayButtonsSitByTheirNames(t *testing.T) {
	src := catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("ef", 20), FileIndex: catalog.MainFile}
	series := catalog.Title{
		ID: "show", Kind: catalog.KindSeries, Name: "Test Show", Year: 2020, Licence: "CC0 1.0",
		Seasons: []catalog.Season{{Number: 1, Episodes: []catalog.Episode{
			{Number: 1, Name: "Pilot", Runtime: 25 * time.Minute, Sources: []catalog.Source{src}},
			{Number: 2, Name: "Second", Runtime: 25 * time.Minute, Sources: []catalog.Source{src}},
		}}},
	}
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(series) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(2560, 1440)} {
		onUI(func() { env.win.Resize(size) })
		onUI(func() { env.win.Content().Refresh() })
		onUI(func() {
			drv := fyne.CurrentApp().Driver()
			if len(d.episodes.Objects) != 2 {
				t.Errorf("%d episodes listed, want 2", len(d.episodes.Objects))
				return
			}
			for _, row := range d.episodes.Objects {
				var label *widget.Label
				var play *widget.Button
				for _, o := range test.LaidOutObjects(row) {
					switch w := o.(type) {
					case *widget.Label:
						label = w
					case *widget.Button:
						play = w
					}
				}
				lp, pp := drv.AbsolutePositionForObject(label), drv.AbsolutePositionForObject(play)
				textStart := lp.X + theme.InnerPadding()
				textEnd := textStart + fyne.MeasureText(label.Text, theme.TextSize(), label.TextStyle).Width
				gap := max(pp.X-textEnd, textStart-(pp.X+play.Size().Width))
				if gap > 3*theme.Padding()+theme.InnerPadding() {
					t.Errorf("at %v the Play button of %q is %v px from its name", size, label.Text, gap)
				}
			}
		})
	}
}
