package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
)

// centre is the absolute position of the middle of o.
func centre(o fyne.CanvasObject) fyne.Position {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return p.Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
}

// wheel sends a scroll event to the window at pos, the way the driver does: to the
// innermost Scrollable under the pointer.
func wheel(env *testEnv, over fyne.CanvasObject, dx, dy float32) {
	// Aimed in the same UI turn as the event: a queued relayout between the two (a row
	// filling, a menu refreshed) would otherwise move the object away from the point.
	onUI(func() { test.Scroll(env.win.Canvas(), centre(over), dx, dy) })
}

// holdShift makes the app see Shift held down until the test ends.
func holdShift(t *testing.T) {
	saved := heldModifiers
	heldModifiers = func() fyne.KeyModifier { return fyne.KeyModifierShift }
	t.Cleanup(func() { heldModifiers = saved })
}

// The wheel over a poster row scrolls the home page, not the row; a horizontal delta (a
// trackpad) or Shift+wheel scrolls the row.
func TestWheelOverPosterRowScrollsPage(t *testing.T) {
	var providers []catalog.Provider
	for p := range 3 {
		var titles []catalog.Title
		for i := range 12 {
			titles = append(titles, movie(fmt.Sprintf("t%d", i), fmt.Sprintf("Title %d", i), 2000+i,
				catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat(fmt.Sprintf("%02x", p*16+i), 20)}))
		}
		providers = append(providers, newStaticProvider(fmt.Sprintf("p%d", p), fmt.Sprintf("Provider %d", p), titles...))
	}
	env := newTestEnv(t, providers)
	onUI(func() { env.win.Resize(fyne.NewSize(800, 500)) })
	for p := range 3 {
		key := fmt.Sprintf("p%d", p)
		waitFor(t, "the row of "+key, 20*time.Second, func() bool { return len(rowCards(env.u, key)) == 12 })
	}
	page := env.u.home.rowsView
	row := uiValue(func() *rowScroll { return env.u.home.rows["p0"].scroll })
	offsets := func() (pageY, rowX float32) {
		onUI(func() { pageY, rowX = page.Offset.Y, row.Offset.X })
		return
	}
	if uiValue(func() bool {
		return page.Content.MinSize().Height <= page.Size().Height || row.Content.MinSize().Width <= row.Size().Width
	}) {
		t.Fatal("the test needs a page taller than the window and a row wider than it")
	}
	// A Scroll moves by its content's laid-out size, which follows the cards a row fill
	// added only at the next layout.
	waitFor(t, "the rows laid out at their new sizes", 10*time.Second, func() bool {
		return row.Content.Size().Width > row.Size().Width && page.Content.Size().Height > page.Size().Height
	})

	wheel(env, row, 0, -60)
	pageY, rowX := offsets()
	if pageY <= 0 || rowX != 0 {
		t.Fatalf("wheel down over a row: page offset %v, row offset %v; want the page to move and the row to stay", pageY, rowX)
	}

	wheel(env, row, -80, 0)
	pageY2, rowX2 := offsets()
	if rowX2 <= 0 || pageY2 != pageY {
		t.Fatalf("horizontal motion over a row: page offset %v → %v, row offset %v; want only the row to move", pageY, pageY2, rowX2)
	}

	holdShift(t)
	wheel(env, row, 0, -60)
	pageY3, rowX3 := offsets()
	if rowX3 <= rowX2 || pageY3 != pageY2 {
		t.Fatalf("Shift+wheel over a row: page offset %v → %v, row offset %v → %v; want only the row to move", pageY2, pageY3, rowX2, rowX3)
	}
}

// settingsPageScroll is the settings page's vertical scroll: the first one on the page.
func settingsPageScroll(t *testing.T, env *testEnv) *container.Scroll {
	t.Helper()
	var page *container.Scroll
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if s, ok := o.(*container.Scroll); ok && s.Direction == container.ScrollVerticalOnly && page == nil {
				page = s
			}
		}
	})
	if page == nil {
		t.Fatal("the settings page does not scroll")
	}
	return page
}

// In Settings the wheel keeps scrolling the page while the pointer is over a text field,
// a drop-down or a slider.
func TestWheelOverSettingsControlsScrollsPage(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(func() { env.win.Resize(fyne.NewSize(800, 500)) })
	onUI(env.u.openSettings)
	page := settingsPageScroll(t, env)
	var controls []fyne.CanvasObject
	kinds := map[string]int{}
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			switch o.(type) {
			case *escEntry:
				kinds["text field"]++
			case *menuSelect:
				kinds["drop-down"]++
			case *widget.Slider:
				kinds["slider"]++
			default:
				continue
			}
			controls = append(controls, o)
		}
	})
	if kinds["text field"] == 0 || kinds["drop-down"] == 0 || kinds["slider"] == 0 {
		t.Fatalf("the settings page has %v; want text fields, drop-downs and a slider", kinds)
	}
	for _, c := range controls {
		var before, maxOffset float32
		var at fyne.Position
		onUI(func() {
			// Bring the control to the middle of the view, so the page can move both ways.
			d := fyne.CurrentApp().Driver()
			inContent := d.AbsolutePositionForObject(c).Y - d.AbsolutePositionForObject(page).Y + page.Offset.Y
			maxOffset = page.Content.MinSize().Height - page.Size().Height
			page.ScrollToOffset(fyne.NewPos(0, min(max(inContent-page.Size().Height/2, 0), maxOffset)))
			before = page.Offset.Y
			at = centre(c)
		})
		dy := float32(-40) // down
		if before >= maxOffset {
			dy = 40
		}
		wheel(env, c, 0, dy)
		if after := uiValue(func() float32 { return page.Offset.Y }); after == before {
			t.Errorf("wheel over the %T at %v did not scroll the page (offset stayed %v)", c, at, before)
		}
	}
}
