package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// homeLayout places the home page: the top bar, and the rows or grid below it. The bar
// is one row when the window is wide enough; otherwise the filters and the Paste/Open
// buttons move to a second row, so the window can be made about 560 px wide instead of
// the 970 px one row needs. Bar and body are laid out together because the bar's height
// depends on the width it gets.
//
// Objects, in order: logo, search, filters, actions, status (seeding indicator and the
// settings button), body.
type homeLayout struct{}

const (
	homeLogo = iota
	homeSearch
	homeFilters
	homeActions
	homeStatus
	homeBody
)

// minSearchWidth is the narrowest the search box gets before the bar takes two rows.
const minSearchWidth = 150

var _ fyne.Layout = homeLayout{}

// oneRow reports whether the bar fits on one row inside width.
func (homeLayout) oneRow(objects []fyne.CanvasObject, width float32) bool {
	gap := theme.Padding()
	need := 2*gap + minSearchWidth
	for _, i := range []int{homeLogo, homeFilters, homeActions, homeStatus} {
		need += objects[i].MinSize().Width + gap
	}
	return width >= need
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

func (l homeLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	inner := size.Width - 2*pad
	var barHeight float32
	if l.oneRow(objects, size.Width) {
		barHeight = rowHeight(objects, homeLogo, homeSearch, homeFilters, homeActions, homeStatus)
		placeRow(objects, pad, pad, inner, barHeight, homeSearch, homeLogo, homeSearch, homeFilters, homeActions, homeStatus)
	} else {
		first := rowHeight(objects, homeLogo, homeSearch, homeStatus)
		placeRow(objects, pad, pad, inner, first, homeSearch, homeLogo, homeSearch, homeStatus)
		second := rowHeight(objects, homeFilters, homeActions)
		y := pad + first + pad
		placeRow(objects, pad, y, objects[homeFilters].MinSize().Width, second, -1, homeFilters)
		actions := objects[homeActions].MinSize().Width
		placeRow(objects, max(pad+inner-actions, pad), y, actions, second, -1, homeActions)
		barHeight = first + pad + second
	}
	top := barHeight + 2*pad
	objects[homeBody].Move(fyne.NewPos(0, top))
	objects[homeBody].Resize(fyne.NewSize(size.Width, max(size.Height-top, 0)))
}

// MinSize is the two-row arrangement's: the narrowest the page can be.
func (homeLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	first := objects[homeLogo].MinSize().Width + pad + max(objects[homeSearch].MinSize().Width, minSearchWidth) + pad + objects[homeStatus].MinSize().Width
	second := objects[homeFilters].MinSize().Width + pad + objects[homeActions].MinSize().Width
	body := objects[homeBody].MinSize()
	bar := rowHeight(objects, homeLogo, homeSearch, homeStatus) + pad + rowHeight(objects, homeFilters, homeActions)
	return fyne.NewSize(max(max(first, second)+2*pad, body.Width), bar+2*pad+body.Height)
}
