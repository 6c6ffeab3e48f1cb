package app

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"marquee/catalog"
)

// Over a row longer than the window, arrows show on hover where the row can move; ›
// scrolls it by whole posters and brings ‹ up; leaving the row takes them away.
func TestRowArrowsOnHoverScrollTheRow(t *testing.T) {
	old := rowArrowsLinger
	rowArrowsLinger = 10 * time.Millisecond
	t.Cleanup(func() { rowArrowsLinger = old })
	var titles []catalog.Title
	for i := range 20 {
		titles = append(titles, movie(fmt.Sprint("m", i), fmt.Sprint("Many ", i), 1990+i, catalog.Source{}))
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("many", "Many", titles...)})
	waitFor(t, "the long row", 20*time.Second, func() bool { return len(rowCards(env.u, "many")) == 20 })
	r := uiValue(func() *titleRow { return env.u.home.rows["many"] })
	if uiValue(r.left.Visible) || uiValue(r.right.Visible) {
		t.Fatal("arrows show before the pointer is over the row")
	}
	first := rowCards(env.u, "many")[0]
	onUI(func() { first.MouseIn(&desktop.MouseEvent{}) })
	if uiValue(r.left.Visible) || !uiValue(func() bool { return onScreen(env, r.right) }) {
		t.Fatalf("hovering the row's start shows left %v, right %v; want only ›", uiValue(r.left.Visible), uiValue(r.right.Visible))
	}
	// From the poster onto the arrow: the arrows stay.
	onUI(func() { first.MouseOut(); r.right.MouseIn(&desktop.MouseEvent{}) })
	time.Sleep(5 * rowArrowsLinger)
	if !uiValue(r.right.Visible) {
		t.Fatal("the › went away when the pointer moved onto it")
	}
	onUI(func() { test.Tap(r.right) })
	off := uiValue(func() float32 { return r.scroll.Offset.X })
	if step := cardPosterWidth + theme.Padding(); off < step || float32(int(off/step))*step != off {
		t.Fatalf("› scrolled the row to %v, want a whole number of posters", off)
	}
	if !uiValue(func() bool { return onScreen(env, r.left) }) {
		t.Fatal("after › the ‹ does not show")
	}
	onUI(func() { r.right.MouseOut() })
	waitFor(t, "the arrows to go once the pointer left", 5*time.Second, func() bool { return !r.left.Visible() && !r.right.Visible() })
	onUI(func() { r.left.Show(); test.Tap(r.left) })
	if off := uiValue(func() float32 { return r.scroll.Offset.X }); off != 0 {
		t.Fatalf("‹ left the row at %v, want back at its start", off)
	}
}
