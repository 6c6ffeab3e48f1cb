package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"marquee/catalog"
)

// pressKey sends a key the way the desktop driver does: to the focused widget when there
// is one (the top pop-up's, when one is open), else to the window. typeKey always goes to
// the window, which hides a widget that keeps the focus and eats the keys.
func pressKey(env *testEnv, name fyne.KeyName) {
	onUI(func() {
		ev := &fyne.KeyEvent{Name: name}
		if f := env.win.Canvas().Focused(); f != nil {
			f.TypedKey(ev)
		} else if h := env.win.Canvas().OnTypedKey(); h != nil {
			h(ev)
		}
	})
}

// pickWithKeys picks the option at index i of the drop-down's open pop-up from the keyboard.
func pickWithKeys(env *testEnv, i int) {
	for range i + 1 {
		pressKey(env, fyne.KeyDown)
	}
	pressKey(env, fyne.KeyReturn)
}

// A drop-down used with the mouse gives the keyboard back: after a sort order is picked
// on home, the arrows move the ring between posters (they used to change the sort order
// under the user, from A–Z back to Popular), and `/` still opens the search box.
func TestSortPickedWithTheMouseLeavesTheArrowsToThePosters(t *testing.T) {
	var titles []catalog.Title
	for i := range 3 {
		titles = append(titles, movie(fmt.Sprint("k", i), fmt.Sprint("Keys ", i), 2000+i, catalog.Source{}))
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("keys", "Keys", titles...)})
	waitFor(t, "the row", 20*time.Second, func() bool { return len(rowCards(env.u, "keys")) == 3 })
	sort := env.u.home.sort
	onUI(func() { test.Tap(sort) })
	if n := overlays(env); n != 1 {
		t.Fatalf("tapping the sort menu shows %d pop-ups, want its menu", n)
	}
	pickWithKeys(env, 2) // A–Z
	if got := uiValue(func() string { return sort.Selected }); got != sortLabels[2] {
		t.Fatalf("the sort menu shows %q after picking %q", got, sortLabels[2])
	}
	if f := uiValue(env.win.Canvas().Focused); f != nil {
		t.Fatalf("after the pick the focus is on %T, want none", f)
	}
	onUI(func() { env.u.home.setFocus(cardFocus{row: "keys"}) })
	pressKey(env, fyne.KeyRight)
	if got := uiValue(func() string { return sort.Selected }); got != sortLabels[2] {
		t.Fatalf("Right after the pick changed the sort order to %q", got)
	}
	if c, n := uiValue(func() *card { c, _ := ringed(env.u); return c }), uiValue(func() int { _, n := ringed(env.u); return n }); n != 1 || c != rowCards(env.u, "keys")[1] {
		t.Fatalf("Right after the pick put the ring on %d cards (%v), want the row's second", n, c)
	}
	pressKey(env, fyne.KeySlash)
	if f := uiValue(env.win.Canvas().Focused); f != env.u.home.search {
		t.Fatalf("/ after the pick put the focus on %v, want the search box", f)
	}
}

// Esc leaves a title's page after its source was picked with the mouse, and leaves
// Settings after a switch was tapped or (a second Esc) after typing in a field: the
// drop-down, the switch and the field used to keep the focus and swallow it.
func TestEscAfterADropDownOrSwitchGoesBack(t *testing.T) {
	hash := func(b string) catalog.Source {
		return catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat(b, 20)}
	}
	title := movie("two", "Two Sources", 2001, hash("ab"))
	title.Sources = append(title.Sources, hash("cd"))
	title.Sources[1].FileIndex = catalog.MainFile
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	onUI(func() { test.Tap(d.sourceSel) })
	pickWithKeys(env, 1)
	if got := uiValue(d.sourceSel.SelectedIndex); got != 1 {
		t.Fatalf("the source picker shows source %d, want 1", got)
	}
	pressKey(env, fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("Esc after picking a source led to %q, want home", top)
	}

	onUI(env.u.openSettings)
	check := settingsCheck(t, env, "Clear the cache when Marquee closes")
	onUI(func() { test.Tap(check) })
	if !uiValue(func() bool { return check.Checked }) {
		t.Fatal("tapping the switch did not turn it on")
	}
	if f := uiValue(env.win.Canvas().Focused); f != nil {
		t.Fatalf("after the tap the focus is on %T, want none", f)
	}
	pressKey(env, fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("Esc after tapping a switch on Settings led to %q, want home", top)
	}

	// Esc in a text field leaves the field; the next Esc leaves the page.
	onUI(env.u.openSettings)
	port := uiValue(func() *escEntry {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if e, ok := o.(*escEntry); ok && strings.HasPrefix(e.PlaceHolder, "42069") {
				return e
			}
		}
		return nil
	})
	if port == nil {
		t.Fatal("no listen port field on Settings")
	}
	onUI(func() { env.win.Canvas().Focus(port) })
	pressKey(env, fyne.KeyEnd)
	pressKey(env, fyne.KeyEscape)
	if f, top := uiValue(env.win.Canvas().Focused), uiValue(func() string { return env.u.nav.top().name }); f != nil || top != pageSettings {
		t.Fatalf("Esc in the port field left the focus on %T and the page %q, want no focus on Settings", f, top)
	}
	pressKey(env, fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("the second Esc led to %q, want home", top)
	}

	// One reached with Tab keeps the keyboard until Esc, which still goes back.
	onUI(env.u.openSettings)
	upload := firstSelect(t, env).(*menuSelect)
	onUI(func() { env.win.Canvas().Focus(upload) })
	pressKey(env, fyne.KeyRight)
	if got := uiValue(upload.SelectedIndex); got != 1 {
		t.Fatalf("Right on a drop-down reached with Tab chose %d, want the next choice", got)
	}
	pressKey(env, fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("Esc on a drop-down reached with Tab led to %q, want home", top)
	}
}
