package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"marquee/catalog"
)

// The arrow keys reach the hero: Up from the first row puts the ring on Play, Right on More
// info, Enter presses them, and Down goes back to the posters.
func TestArrowKeysReachTheHeroButtons(t *testing.T) {
	watching := movie("watching", "Half Watched", 2002, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("cd", 20)})
	other := movie("other", "Other Film", 2003, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("ef", 20)})
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("test", "Test films", watching, other)})
	id := catalog.JoinID("test", "watching")
	if err := env.svc.library.SetResume(id, 0, 30*time.Second, 100*time.Second); err != nil {
		t.Fatal(err)
	}
	onUI(env.u.home.refreshLibraryRows)
	h := env.u.home.hero
	waitFor(t, "the title being watched in the hero", 20*time.Second, func() bool {
		return h.box.Visible() && h.title.ID == id && len(env.u.home.navigableRows()) > 0
	})
	press := func(k fyne.KeyName) { typeKey(env, k) }
	rings := func() (play, info bool, cards int) {
		onUI(func() {
			play, info = h.rings[0].Visible(), h.rings[1].Visible()
			_, cards = ringed(env.u)
		})
		return
	}

	press(fyne.KeyDown) // the first arrow shows the ring on the first poster
	press(fyne.KeyUp)
	if play, info, cards := rings(); !play || info || cards != 0 {
		t.Fatalf("Up from the first row: Play ringed %v, More info %v, cards %d; want Play alone", play, info, cards)
	}
	if !uiValue(func() bool { return onScreen(env, h.rings[0]) }) {
		t.Fatal("the ring on Play is not on screen")
	}
	press(fyne.KeyUp)
	press(fyne.KeyRight)
	if play, info, cards := rings(); play || !info || cards != 0 {
		t.Fatalf("Right on the hero: Play ringed %v, More info %v, cards %d; want More info alone", play, info, cards)
	}
	press(fyne.KeyReturn)
	if d := uiValue(func() *detail { return env.u.currentDetail }); uiValue(func() string { return env.u.nav.top().name }) != pageDetail || d == nil || d.title.ID != id {
		t.Fatalf("Enter on More info did not open the featured title's page")
	}
	onUI(env.u.nav.back)

	press(fyne.KeyDown)
	if play, info, cards := rings(); play || info || cards != 1 {
		t.Fatalf("Down from the hero: Play ringed %v, More info %v, cards %d; want one poster", play, info, cards)
	}
	press(fyne.KeyUp)
	press(fyne.KeyLeft) // already on Play: stays
	if play, _, _ := rings(); !play {
		t.Fatal("Left on Play moved the ring off it")
	}
	press(fyne.KeyReturn)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pagePlayer {
		t.Fatalf("Enter on Play opened %q, want the player", top)
	}
}
