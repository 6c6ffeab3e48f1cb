package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// homeLayout places the home page: the top bar, and the rows or grid below it. Bar and
// body are laid out together because the bar's height depends on the width it gets.
//
//   - Wide (at least collapseWidth and room for everything): one row, with a search box
//     and labelled Paste/Open buttons.
//   - Narrower: the bar collapses. Paste and Open become icons and the search box a
//     search button; the box, once opened, takes a row of its own under the bar, so what
//     is typed always shows. When even that row does not fit, the genre and sort menus
//     move to a second row; the window can then be about 560 px wide.
//
// Objects, in order: logo, search box, filters, labelled actions, status (seeding
// indicator and the settings button), body, search button, icon actions.
type homeLayout struct {
	// searchOpen reports whether the collapsed bar shows the search box.
	searchOpen func() bool
}

const (
	homeLogo = iota
	homeSearch
	homeFilters
	homeActions
	homeStatus
	homeBody
	homeSearchButton
	homeIconActions
)

const (
	// collapseWidth is the window width below which the bar collapses.
	collapseWidth = 1000
	// minSearchWidth is the narrowest the search box gets in the wide bar: room for its
	// placeholder and a few words.
	minSearchWidth = 220
)

var _ fyne.Layout = (*homeLayout)(nil)

// wide reports whether the bar fits on one row, uncollapsed, inside width.
func (l *homeLayout) wide(objects []fyne.CanvasObject, width float32) bool {
	if width < collapseWidth {
		return false
	}
	return width >= 2*theme.Padding()+rowWidth(objects, minSearchWidth, homeLogo, homeSearch, homeFilters, homeActions, homeStatus)
}

// rowWidth is the width of items side by side at their minimum widths (the search box at
// least search), with gaps.
func rowWidth(objects []fyne.CanvasObject, search float32, items ...int) float32 {
	gap := theme.Padding()
	w := gap * float32(len(items)-1)
	for _, i := range items {
		iw := objects[i].MinSize().Width
		if i == homeSearch {
			iw = max(iw, search)
		}
		w += iw
	}
	return w
}

func rowHeight(objects []fyne.CanvasObject, items ...int) float32 {
	var h float32
	for _, i := range items {
		h = max(h, objects[i].MinSize().Height)
	}
	return h
}

// placeRow lays items out left to right from (x, y), each at its minimum width and the
// row's height; the item at fill gets what is left of width.
func placeRow(objects []fyne.CanvasObject, x, y, width, height float32, fill int, items ...int) {
	gap := theme.Padding()
	rest := width - gap*float32(len(items)-1)
	for _, i := range items {
		if i != fill {
			rest -= objects[i].MinSize().Width
		}
	}
	for _, i := range items {
		w := objects[i].MinSize().Width
		if i == fill {
			w = max(rest, w)
		}
		objects[i].Move(fyne.NewPos(x, y))
		objects[i].Resize(fyne.NewSize(w, height))
		x += w + gap
	}
}

// show shows the objects at on and hides those at off.
func show(objects []fyne.CanvasObject, on []int, off []int) {
	for _, i := range on {
		objects[i].Show()
	}
	for _, i := range off {
		objects[i].Hide()
	}
}

func (l *homeLayout) open() bool { return l.searchOpen != nil && l.searchOpen() }

func (l *homeLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	inner := size.Width - 2*pad
	var barHeight float32
	if l.wide(objects, size.Width) {
		show(objects, []int{homeSearch, homeActions}, []int{homeSearchButton, homeIconActions})
		barHeight = rowHeight(objects, homeLogo, homeSearch, homeFilters, homeActions, homeStatus)
		placeRow(objects, pad, pad, inner, barHeight, homeSearch, homeLogo, homeSearch, homeFilters, homeActions, homeStatus)
	} else {
		show(objects, []int{homeSearchButton, homeIconActions}, []int{homeActions})
		barHeight = l.layoutCollapsed(objects, size.Width)
	}
	top := barHeight + 2*pad
	objects[homeBody].Move(fyne.NewPos(0, top))
	objects[homeBody].Resize(fyne.NewSize(size.Width, max(size.Height-top, 0)))
}

// layoutCollapsed places the collapsed bar and returns its height: logo, search button,
// filters and icons on the left, status on the right; the filters on a row of their own
// when they do not fit; the search box, when open, on the last row.
func (l *homeLayout) layoutCollapsed(objects []fyne.CanvasObject, width float32) float32 {
	pad := theme.Padding()
	inner := width - 2*pad
	oneRow := rowWidth(objects, 0, homeLogo, homeSearchButton, homeFilters, homeIconActions, homeStatus) <= inner
	left := []int{homeLogo, homeSearchButton, homeIconActions}
	if oneRow {
		left = []int{homeLogo, homeSearchButton, homeFilters, homeIconActions}
	}
	h := rowHeight(objects, append(left, homeStatus)...)
	placeRow(objects, pad, pad, rowWidth(objects, 0, left...), h, -1, left...)
	status := objects[homeStatus].MinSize().Width
	placeRow(objects, max(pad+inner-status, pad), pad, status, h, -1, homeStatus)
	y := pad + h
	if !oneRow {
		fh := rowHeight(objects, homeFilters)
		placeRow(objects, pad, y+pad, objects[homeFilters].MinSize().Width, fh, -1, homeFilters)
		y += pad + fh
	}
	if l.open() {
		objects[homeSearch].Show()
		sh := rowHeight(objects, homeSearch)
		placeRow(objects, pad, y+pad, inner, sh, homeSearch, homeSearch)
		y += pad + sh
	} else {
		objects[homeSearch].Hide()
	}
	return y - pad
}

// MinSize is the collapsed bar's with the filters on a row of their own: the narrowest
// the page can be.
func (l *homeLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	first := rowWidth(objects, 0, homeLogo, homeSearchButton, homeIconActions, homeStatus)
	w := max(first, objects[homeFilters].MinSize().Width)
	h := rowHeight(objects, homeLogo, homeSearchButton, homeIconActions, homeStatus) + pad + rowHeight(objects, homeFilters)
	if l.open() {
		h += pad + rowHeight(objects, homeSearch)
	}
	body := objects[homeBody].MinSize()
	return fyne.NewSize(max(w+2*pad, body.Width), h+2*pad+body.Height)
}

// escEntry is a text field whose Esc runs onEscape: the home bar's search box, which Esc
// leaves (folding the collapsed bar's box away when it is empty) so the arrows move
// between posters again, and Settings' fields, which Esc leaves so that the next Esc
// leaves the page. When `/` put the cursor in the search box, the keyboard's '/'
// character arrives after the key itself and is dropped.
type escEntry struct {
	widget.Entry
	onEscape  func()
	dropSlash bool
}

func newEscEntry(onEscape func()) *escEntry {
	e := &escEntry{onEscape: onEscape}
	e.ExtendBaseWidget(e)
	return e
}

func (e *escEntry) TypedRune(r rune) {
	if e.dropSlash {
		e.dropSlash = false
		if r == '/' {
			return
		}
	}
	e.Entry.TypedRune(r)
}

func (e *escEntry) TypedKey(ev *fyne.KeyEvent) {
	e.dropSlash = false
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		guard("a text field", e.onEscape)
		return
	}
	e.Entry.TypedKey(ev)
}
