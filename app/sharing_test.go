package app

import (
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/torrent"
)

// The seeding indicator opens the Sharing page, which lists every torrent the engine holds
// with its numbers; Stop sharing, the seeding switch, Remove and Remove with data change
// the engine, and files seeded from the user's folders survive.
func TestSharingScreenListsTorrentsAndChangesTheEngine(t *testing.T) {
	tiny, short := film(t, tinyFilm), film(t, shortFilm)
	env := newTestEnv(t, nil)
	eng := env.svc.engine
	a, err := eng.Seed(tiny, torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := eng.Seed(short, torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ind := uiValue(func() *seedingIndicator { return barControls(env)["seeding indicator"].(*seedingIndicator) })
	onUI(func() { test.Tap(ind) })
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageSharing {
		t.Fatalf("the seeding indicator opened %q, want the Sharing page", top)
	}
	s := uiValue(func() *sharingScreen { return env.u.currentSharing })
	row := func(tor *torrent.Torrent) *sharingRow { return s.rows[tor.InfoHash()] }
	waitFor(t, "both torrents listed", 20*time.Second, func() bool { return row(a) != nil && row(b) != nil && len(s.list.Objects) == 2 })
	for _, tor := range []*torrent.Torrent{a, b} {
		facts := uiValue(func() string { return row(tor).facts.Text })
		for _, want := range []string{"on disk", "100% downloaded", "uploaded", "ratio 0.00", "0 peers connected", "not uploading now"} {
			if !strings.Contains(facts, want) {
				t.Errorf("%s's line %q does not say %q", tor.Name(), facts, want)
			}
		}
		if name := uiValue(func() string { return row(tor).name.Text }); name != tor.Name() {
			t.Errorf("row named %q, want %q", name, tor.Name())
		}
	}

	onUI(func() { test.Tap(row(a).share) })
	waitFor(t, "Stop sharing to reach the engine and the row", 20*time.Second, func() bool {
		return !a.Sharing() && row(a).share.Text == "Share again" && strings.Contains(row(a).facts.Text, "not shared")
	})
	if !b.Sharing() || !eng.Seeding() {
		t.Fatal("stopping one torrent stopped the others")
	}

	onUI(func() { test.Tap(s.toggle) })
	waitFor(t, "the seeding switch to reach the engine", 20*time.Second, func() bool {
		return !eng.Seeding() && !env.svc.settings.seeding()
	})

	onUI(func() { test.Tap(row(b).drop) })
	waitFor(t, "Remove to drop the torrent", 20*time.Second, func() bool {
		return findTorrent(eng, b.InfoHash()) == nil && row(b) == nil && len(s.list.Objects) == 1
	})

	onUI(func() { test.Tap(row(a).purge) })
	confirm := dialogButton(env, "Remove")
	if confirm == nil {
		t.Fatal("Remove with data asked nothing")
	}
	onUI(func() { test.Tap(confirm) })
	waitFor(t, "Remove with data to drop the torrent", 20*time.Second, func() bool {
		return findTorrent(eng, a.InfoHash()) == nil && len(s.list.Objects) == 0 && s.empty.Visible()
	})
	if _, err := os.Stat(tiny); err != nil {
		t.Fatalf("Remove with data deleted the user's own file: %v", err)
	}
	typeKey(env, fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("Esc on the Sharing page led to %q", top)
	}
}

// The line says when a torrent uploads, to how many peers and how fast.
func TestSharedTorrentFactsSayUploadingNow(t *testing.T) {
	it := sharedTorrent{sharing: true, stats: torrent.Stats{Length: 200, BytesComplete: 100, BytesUp: 50, Ratio: 0.5, Peers: 3, UploadPeers: 2, UploadRate: 2048}}
	got := it.facts()
	for _, want := range []string{"50% downloaded", "ratio 0.50", "3 peers connected", "uploading now to 2 peers at"} {
		if !strings.Contains(got, want) {
			t.Errorf("facts %q do not say %q", got, want)
		}
	}
}

// A torrent of a title that was played is listed under the title's name, not the file
// name it was made from (the demo showed as demo-75a97fbf122f5ba2.mp4).
func TestSharingNamesTheTitlePlayed(t *testing.T) {
	env := newTestEnv(t, nil)
	tor, err := env.svc.engine.Seed(film(t, tinyFilm), torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	title := movie("named", "A Named Film", 1961, catalog.Source{InfoHash: tor.InfoHash()})
	title.ID = "test:named"
	if err := env.svc.library.RememberTitle(title); err != nil {
		t.Fatal(err)
	}
	if err := env.svc.library.MarkPlayed(title.ID, catalog.MainFile); err != nil {
		t.Fatal(err)
	}
	onUI(env.u.openSharing)
	s := uiValue(func() *sharingScreen { return env.u.currentSharing })
	waitFor(t, "the torrent listed", 20*time.Second, func() bool { return s.rows[tor.InfoHash()] != nil })
	if got := uiValue(func() string { return s.rows[tor.InfoHash()].name.Text }); got != title.Name {
		t.Fatalf("the played title's torrent is listed as %q, want %q", got, title.Name)
	}
}

// For the film that is playing, Remove and Remove with data are greyed out and the row
// says why; the other films' rows say nothing and can be removed.
func TestSharingSaysWhyThePlayingFilmCannotBeRemoved(t *testing.T) {
	env := newTestEnv(t, nil)
	eng := env.svc.engine
	playing, err := eng.Seed(film(t, shortFilm), torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := eng.Seed(film(t, tinyFilm), torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src := catalog.Source{Magnet: "magnet:?xt=urn:btih:" + playing.InfoHash(), FileIndex: catalog.MainFile}
	title := movie("playing", "A Playing Film", 1970, src)
	onUI(func() { env.u.play(playRequest{title: title, source: src, fileIndex: catalog.MainFile}) })
	waitFor(t, "the film playing", time.Minute, func() bool {
		pb := env.u.playback
		if pb == nil {
			return false
		}
		tor, _ := pb.currentTorrent()
		return tor != nil && tor.InfoHash() == playing.InfoHash()
	})
	onUI(env.u.openSharing)
	s := uiValue(func() *sharingScreen { return env.u.currentSharing })
	row := func(tor *torrent.Torrent) *sharingRow { return s.rows[tor.InfoHash()] }
	waitFor(t, "both torrents listed", 20*time.Second, func() bool { return row(playing) != nil && row(other) != nil })
	says := func(r *sharingRow) bool {
		for _, o := range test.LaidOutObjects(r.box) {
			if l, ok := o.(*widget.Label); ok && l.Text == "Playing now: stop it to remove" && l.Visible() {
				return onScreen(env, l)
			}
		}
		return false
	}
	onUI(func() {
		p, o := row(playing), row(other)
		if !p.drop.Disabled() || !p.purge.Disabled() {
			t.Error("the playing film can be removed")
		}
		if !says(p) {
			t.Error("the playing film's row does not say why it cannot be removed")
		}
		if o.drop.Disabled() || o.purge.Disabled() || says(o) {
			t.Error("the other film's row is greyed out or says it is playing")
		}
	})
}
