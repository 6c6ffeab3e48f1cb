package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"marquee/internal/mediagen"
)

// --demo adds a "Local demo" row, first among the catalogs, whose film is seeded by a
// second engine on 127.0.0.1: it plays while the download is still running, and leaves
// nothing in the cache when the app closes.
func TestDemoStreamsFromTheLocalSeeder(t *testing.T) {
	film(t, mediagen.DemoFilm) // made once per machine, as the app would at first start
	env := newTestEnv(t, nil)
	onUI(env.u.startDemo)
	if !uiValue(env.u.demoPreparing) || !uiValue(env.u.home.rows[demoProviderID].notice.Visible) {
		t.Fatal("the demo row does not say that the film is being prepared")
	}
	waitFor(t, "the demo film to be seeded", 2*time.Minute, func() bool {
		return !env.u.demoPreparing() && len(env.u.demo.provider.get().Sources) == 1
	})
	if uiValue(env.u.home.rows[demoProviderID].notice.Visible) {
		t.Fatal("the demo row still says it is being prepared")
	}
	src := env.u.demo.provider.get().Sources[0]
	if !strings.Contains(src.Magnet, "x.pe=127.0.0.1%3A") {
		t.Fatalf("demo magnet %q does not name the local seeder", src.Magnet)
	}
	waitFor(t, "the demo row first among the catalogs", 20*time.Second, func() bool {
		objs := env.u.home.rowsBox.Objects
		c := cardFor(env.u, demoProviderID, demoTitleID)
		// After the hero, Continue watching and My list.
		return len(objs) > 3 && objs[3] == env.u.home.rows[demoProviderID].box && c != nil && len(c.Title().Sources) == 1
	})
	onUI(func() { test.Tap(cardFor(env.u, demoProviderID, demoTitleID)) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	onUI(func() { test.Tap(d.play) })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "the demo playing", time.Minute, func() bool { return pb.video.framesPainted.Load() > 0 })
	tor, _ := pb.currentTorrent()
	if st := tor.Stats(); st.BytesComplete >= st.Length {
		t.Fatalf("the demo was fully downloaded (%d of %d) when its first picture showed: the upload cap does not hold", st.BytesComplete, st.Length)
	}
	onUI(env.u.nav.back)
	<-pb.stopped
	env.u.demo.close(env.svc.engine)
	if findTorrent(env.svc.engine, tor.InfoHash()) != nil {
		t.Fatal("the demo download is still in the cache after closing")
	}
}

func TestDemoUploadCapIsTwiceTheFilmRate(t *testing.T) {
	if got := demoUploadCap(20_000_000, time.Minute); got < 600_000 || got > 700_000 {
		t.Fatalf("cap for 20 MB a minute = %d B/s, want about 667 kB/s", got)
	}
	if got := demoUploadCap(1000, time.Minute); got != 256<<10 {
		t.Fatalf("cap for a tiny film = %d, want the 256 KiB/s floor", got)
	}
	if got := demoUploadCap(1<<40, time.Minute); got != 8<<20 {
		t.Fatalf("cap for a huge film = %d, want the 8 MiB/s ceiling", got)
	}
}

// demoPreparing reports whether the demo row says the film is being prepared.
func (u *ui) demoPreparing() bool {
	r := u.home.rows[demoProviderID]
	return r != nil && r.status != nil && r.status.busy
}
