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

// ringed is the card with the keyboard's ring, and how many cards wear it.
func ringed(u *ui) (*card, int) {
	var found *card
	n := 0
	for _, k := range u.home.rowKeys {
		for _, c := range rowCards(u, k) {
			if c.focused {
				found = c
				n++
			}
		}
	}
	return found, n
}

// The home page works from the keyboard: the arrows move one visible ring between
// posters and rows, Enter opens the poster's page, Esc comes back, and `/` puts the cursor
// in the search box (Esc there gives the arrows back).
func TestArrowKeysMoveTheRingAndEnterOpens(t *testing.T) {
	var first, second []catalog.Title
	for i := range 3 {
		first = append(first, movie(fmt.Sprint("a", i), fmt.Sprint("Alpha ", i), 2000+i, catalog.Source{}))
	}
	for i := range 2 {
		second = append(second, movie(fmt.Sprint("b", i), fmt.Sprint("Beta ", i), 2010+i, catalog.Source{}))
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("first", "First", first...), newStaticProvider("second", "Second", second...)})
	waitFor(t, "both rows", 20*time.Second, func() bool {
		return len(rowCards(env.u, "first")) == 3 && len(rowCards(env.u, "second")) == 2
	})
	press := func(k fyne.KeyName) { typeKey(env, k) }
	press(fyne.KeyDown)
	top := uiValue(func() string { return env.u.home.navigableRows()[0] })
	if c, n := uiValue(func() *card { c, _ := ringed(env.u); return c }), uiValue(func() int { _, n := ringed(env.u); return n }); n != 1 || c != rowCards(env.u, top)[0] {
		t.Fatalf("the first arrow put the ring on %d cards (%v), want the top row's first", n, c)
	}
	// Go on from the first test row, whatever rows come before it.
	onUI(func() { env.u.home.setFocus(cardFocus{row: "first"}) })
	want := func(step string, row string, col int) {
		t.Helper()
		c, n := uiValue(func() *card { c, _ := ringed(env.u); return c }), uiValue(func() int { _, n := ringed(env.u); return n })
		if n != 1 || c != rowCards(env.u, row)[col] {
			t.Fatalf("after %s the ring is on %d cards (%v), want only %s[%d]", step, n, c, row, col)
		}
		if !uiValue(func() bool { return onScreen(env, c) && !c.ringHidden() }) {
			t.Fatalf("after %s the focused card's ring is not shown", step)
		}
	}
	want("focusing the first row", "first", 0)
	press(fyne.KeyRight)
	press(fyne.KeyRight)
	want("Right, Right", "first", 2)
	press(fyne.KeyRight)
	want("Right past the end", "first", 2)
	press(fyne.KeyDown)
	want("Down to a shorter row", "second", 1)
	press(fyne.KeyLeft)
	want("Left", "second", 0)
	press(fyne.KeyUp)
	want("Up", "first", 0)
	press(fyne.KeyDown)

	wantID := uiValue(func() string { return rowCards(env.u, "second")[0].Title().ID })
	press(fyne.KeyReturn)
	d := uiValue(func() *detail { return env.u.currentDetail })
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageDetail || d == nil || d.title.ID != wantID {
		t.Fatalf("Enter led to %q showing %+v, want the page of %s", top, d, wantID)
	}
	press(fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("Esc on the detail page led to %q, want home", top)
	}
	want("coming back", "second", 0)

	press(fyne.KeySlash)
	if f := uiValue(env.win.Canvas().Focused); f != env.u.home.search {
		t.Fatalf("/ put the focus on %v, want the search box", f)
	}
	onUI(func() { env.u.home.search.TypedRune('/') }) // the key's character follows it
	if got := uiValue(func() string { return env.u.home.search.Text }); got != "" {
		t.Fatalf("the / that focused the search box was typed into it: %q", got)
	}
	onUI(func() { test.Type(env.u.home.search, "be/ta") })
	if got := uiValue(func() string { return env.u.home.search.Text }); got != "be/ta" {
		t.Fatalf("typing into the search box gave %q", got)
	}
	onUI(func() { env.u.home.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	if f := uiValue(env.win.Canvas().Focused); f != nil {
		t.Fatalf("Esc left the focus on %v", f)
	}
}

// ringHidden reports whether the card's drawn ring is hidden.
func (c *card) ringHidden() bool {
	return test.WidgetRenderer(c).(*cardRenderer).ring.Hidden
}

// Enter on a title's page plays it, as its Play button does.
func TestEnterOnADetailPagePlays(t *testing.T) {
	title := movie("enter", "Press Enter", 2020, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("ef", 20)})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(title) })
	typeKey(env, fyne.KeyReturn)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pagePlayer {
		t.Fatalf("Enter on the detail page led to %q, want the player", top)
	}
	if got := uiValue(func() string { return env.u.playback.req.title.ID }); got != title.ID {
		t.Fatalf("Enter plays %q, want %q", got, title.ID)
	}
}

// gridRinged lists the titles of the grid's cards that wear the keyboard's ring.
func gridRinged(g *titleGrid) []string {
	var ids []string
	for _, o := range test.LaidOutObjects(g.grid) {
		if c, ok := o.(*card); ok && c.Visible() && c.focused {
			ids = append(ids, c.Title().ID)
		}
	}
	return ids
}

// Search results work from the keyboard too: the arrows move one ring over the grid
// (down by a whole row of it), Enter opens the title under it. They used to do nothing,
// so a search typed from the keyboard could not be opened without the mouse.
func TestArrowKeysMoveTheRingInTheSearchGrid(t *testing.T) {
	var titles []catalog.Title
	for i := range 20 {
		titles = append(titles, movie(fmt.Sprintf("g%02d", i), fmt.Sprintf("Grid Reel %02d", i), 1950+i, catalog.Source{}))
		titles[i].Popularity = float64(100 - i)
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("grid", "Grid", titles...)})
	g := env.u.home.grid
	onUI(func() {
		env.u.home.search.SetText("grid reel")
		env.u.home.applyQuery()
	})
	waitFor(t, "the results", 20*time.Second, func() bool { return g.total == len(titles) && len(g.pages[0]) == len(titles) })
	perRow := uiValue(g.grid.ColumnCount)
	if perRow < 2 || perRow >= len(titles) {
		t.Fatalf("the grid has %d columns; the test needs more than one row of several", perRow)
	}
	ids := uiValue(func() []string {
		var ids []string
		for _, ti := range g.Titles() {
			ids = append(ids, ti.ID)
		}
		return ids
	})
	want := func(step string, i int) {
		t.Helper()
		if got := uiValue(func() []string { return gridRinged(g) }); len(got) != 1 || got[0] != ids[i] {
			t.Fatalf("after %s the ring is on %v, want only %s", step, got, ids[i])
		}
	}
	typeKey(env, fyne.KeyDown)
	want("the first arrow", 0)
	typeKey(env, fyne.KeyRight)
	want("Right", 1)
	typeKey(env, fyne.KeyDown)
	want("Down", 1+perRow)
	typeKey(env, fyne.KeyLeft)
	typeKey(env, fyne.KeyLeft)
	want("Left past the row's start", perRow)
	typeKey(env, fyne.KeyReturn)
	if d := uiValue(func() *detail { return env.u.currentDetail }); d == nil || d.title.ID != ids[perRow] {
		t.Fatalf("Enter opened %+v, want the page of %s", d, ids[perRow])
	}
}

// A title's page works from the keyboard past its Play button: Down puts the ring on
// "More like this", the arrows move it, Enter opens the title under it, and Up gives
// Enter back to Play. The row could only be reached with the mouse.
func TestArrowKeysReachMoreLikeThis(t *testing.T) {
	titles := magnetFilms("m", "More ", 4, 2000)
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("more", "More", titles...)})
	waitFor(t, "the row", 20*time.Second, func() bool { return len(rowCards(env.u, "more")) == 4 })
	first := uiValue(func() catalog.Title { return rowCards(env.u, "more")[0].Title() })
	onUI(func() { env.u.openDetail(first) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	waitFor(t, "More like this", 20*time.Second, func() bool { return d.more.box.Visible() && len(d.more.cards.Objects) == 3 })
	ringedMore := func() []int {
		return uiValue(func() []int {
			var at []int
			for i, o := range d.more.cards.Objects {
				if c := o.(*card); c.focused && onScreen(env, c) && !c.ringHidden() {
					at = append(at, i)
				}
			}
			return at
		})
	}
	typeKey(env, fyne.KeyDown)
	if got := ringedMore(); len(got) != 1 || got[0] != 0 {
		t.Fatalf("Down put the ring on cards %v of More like this, want [0]", got)
	}
	typeKey(env, fyne.KeyRight)
	if got := ringedMore(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("Right put the ring on cards %v, want [1]", got)
	}
	want := uiValue(func() string { return d.more.cards.Objects[1].(*card).Title().ID })
	typeKey(env, fyne.KeyReturn)
	if next := uiValue(func() *detail { return env.u.currentDetail }); next == d || next.title.ID != want {
		t.Fatalf("Enter on the ringed card opened %v, want the page of %s", next.title.ID, want)
	}
	typeKey(env, fyne.KeyEscape)
	typeKey(env, fyne.KeyUp)
	if got := ringedMore(); len(got) != 0 {
		t.Fatalf("Up left the ring on cards %v", got)
	}
	typeKey(env, fyne.KeyReturn)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pagePlayer {
		t.Fatalf("Enter after Up led to %q, want the player", top)
	}
}
