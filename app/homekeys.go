package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// cardFocus is the poster the arrow keys are on: a row by key, and a place in it. The
// zero value is no focus; the first arrow key puts it on the first poster.
type cardFocus struct {
	row string
	col int
}

// typedKey is the home page's keyboard, like a TV interface: the arrows move a red ring
// between posters and rows, Enter opens the poster's page, `/` goes to the search box, and
// Esc leaves a grid of results for the rows.
func (h *home) typedKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeySlash:
		h.search.dropSlash = true
		h.focusSearch()
		return true
	case fyne.KeyEscape:
		if h.grid.providerID != "" || h.body.Objects[0] == h.grid.content {
			h.grid.goHome()
			return true
		}
		return false
	}
	if h.body.Objects[0] == h.grid.content {
		return h.grid.typedKey(ev)
	}
	if rows, cols, ok := arrowStep(ev.Name); ok {
		h.moveFocus(rows, cols)
		return true
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if h.focus.row == heroFocusRow {
			return h.hero.activate(h.focus.col)
		}
		c := h.focusedCard()
		if c == nil {
			return false
		}
		c.Tapped(&fyne.PointEvent{})
	default:
		return false
	}
	return true
}

// navigableRows are the keys of the rows shown with posters in them, top to bottom.
func (h *home) navigableRows() []string {
	var keys []string
	for _, k := range h.rowKeys {
		if r := h.rows[k]; r != nil && r.box.Visible() && len(r.cards.Objects) > 0 {
			keys = append(keys, k)
		}
	}
	return keys
}

// focusedCard is the poster with the ring, nil when none.
func (h *home) focusedCard() *card {
	r := h.rows[h.focus.row]
	if r == nil || h.focus.col < 0 || h.focus.col >= len(r.cards.Objects) {
		return nil
	}
	return r.cards.Objects[h.focus.col].(*card)
}

// moveFocus moves the ring by rows and cols, staying on the posters there are; the first
// move only shows the ring on the first poster.
func (h *home) moveFocus(rows, cols int) {
	keys := h.navigableRows()
	if h.focus.row == heroFocusRow {
		h.moveFromHero(keys, rows, cols)
		return
	}
	if len(keys) == 0 {
		return
	}
	at := -1
	for i, k := range keys {
		if k == h.focus.row {
			at = i
		}
	}
	next := h.focus
	if at < 0 || h.focusedCard() == nil {
		next = cardFocus{row: keys[0]}
	} else if at == 0 && rows < 0 && h.hero.box.Visible() {
		h.setFocus(cardFocus{row: heroFocusRow})
		return
	} else {
		i := min(max(at+rows, 0), len(keys)-1)
		next.row = keys[i]
		next.col += cols
	}
	next.col = min(max(next.col, 0), len(h.rows[next.row].cards.Objects)-1)
	h.setFocus(next)
}

// setFocus puts the ring on the poster at f and scrolls it into view.
func (h *home) setFocus(f cardFocus) {
	if c := h.focusedCard(); c != nil {
		c.setFocused(false)
	}
	h.focus = f
	h.hero.setFocus(f)
	if f.row == heroFocusRow {
		h.rowsView.ScrollToTop()
		return
	}
	c := h.focusedCard()
	if c == nil {
		return
	}
	c.setFocused(true)
	h.rows[f.row].reveal(c, h.rowsView)
}

// reveal scrolls the row sideways to show c whole, then page, the vertical scroll the
// row sits in, just enough to show the row whole.
func (r *titleRow) reveal(c *card, page *container.Scroll) {
	off := r.scroll.Offset
	if x := c.Position().X; x < off.X {
		off.X = x
	} else if end := x + c.Size().Width; end > off.X+r.scroll.Size().Width {
		off.X = end - r.scroll.Size().Width
	}
	r.scroll.ScrollToOffset(off)
	// The row's place in the page's content, wherever it is nested in it.
	drv := fyne.CurrentApp().Driver()
	y := drv.AbsolutePositionForObject(r.box).Y - drv.AbsolutePositionForObject(page).Y + page.Offset.Y
	at := page.Offset
	if y < at.Y {
		at.Y = y
	} else if end := y + r.box.Size().Height; end > at.Y+page.Size().Height {
		at.Y = end - page.Size().Height
	}
	page.ScrollToOffset(at)
}

// keepFocus puts the ring back after a row's posters changed.
func (h *home) keepFocus(key string) {
	if h.focus.row != key {
		return
	}
	r := h.rows[key]
	for _, o := range r.cards.Objects {
		o.(*card).setFocused(false)
	}
	if len(r.cards.Objects) == 0 {
		h.focus = cardFocus{}
		return
	}
	h.focus.col = min(h.focus.col, len(r.cards.Objects)-1)
	h.focusedCard().setFocused(true)
}

// typedKey is the grid's keyboard, like the rows': the arrows move the ring between the
// results, Enter opens the title under it.
func (g *titleGrid) typedKey(ev *fyne.KeyEvent) bool {
	if rows, cols, ok := arrowStep(ev.Name); ok {
		g.moveFocus(rows, cols)
		return true
	}
	if (ev.Name != fyne.KeyReturn && ev.Name != fyne.KeyEnter) || g.focus < 0 {
		return false
	}
	if t := g.titleAt(g.focus); t.ID != "" {
		g.u.openDetail(t)
	}
	return true
}

// arrowStep is the move an arrow key asks for, in rows and columns.
func arrowStep(name fyne.KeyName) (rows, cols int, ok bool) {
	switch name {
	case fyne.KeyRight:
		return 0, 1, true
	case fyne.KeyLeft:
		return 0, -1, true
	case fyne.KeyDown:
		return 1, 0, true
	case fyne.KeyUp:
		return -1, 0, true
	}
	return 0, 0, false
}

// moveFocus moves the ring by rows and cols, within a row sideways and onto the last
// title going down to a shorter last row; the first move puts it on the first title.
func (g *titleGrid) moveFocus(rows, cols int) {
	if g.total == 0 {
		return
	}
	next := 0
	if at := g.focus; at >= 0 {
		perRow := max(g.grid.ColumnCount(), 1)
		next = at + cols + rows*perRow
		switch {
		case cols != 0 && (next < 0 || next/perRow != at/perRow):
			return
		case rows > 0 && next >= g.total && (at/perRow+1)*perRow < g.total:
			next = g.total - 1
		case next < 0 || next >= g.total:
			return
		}
	}
	old := g.focus
	g.focus = next
	g.grid.ScrollTo(next)
	if old >= 0 {
		g.grid.RefreshItem(old)
	}
	g.grid.RefreshItem(next)
}
