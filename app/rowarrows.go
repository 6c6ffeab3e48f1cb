package app

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rowArrowsLinger keeps a row's arrows up while the pointer crosses from a poster to an
// arrow, so they do not flicker.
var rowArrowsLinger = 300 * time.Millisecond

const rowArrowWidth = 40

// rowArrow is the ‹ or › over one end of a poster row, shown while the pointer is over the
// row and the row can move that way. A tap scrolls the row by a screenful.
type rowArrow struct {
	widget.BaseWidget
	icon  fyne.Resource
	onTap func()
	hover func(in bool)
}

var (
	_ fyne.Tappable     = (*rowArrow)(nil)
	_ desktop.Hoverable = (*rowArrow)(nil)
)

func newRowArrow(icon fyne.Resource, onTap func(), hover func(bool)) *rowArrow {
	a := &rowArrow{icon: icon, onTap: onTap, hover: hover}
	a.ExtendBaseWidget(a)
	a.Hide()
	return a
}

func (a *rowArrow) Tapped(*fyne.PointEvent) { guard("a row's arrow", a.onTap) }

func (a *rowArrow) MouseIn(*desktop.MouseEvent)    { a.hover(true) }
func (a *rowArrow) MouseMoved(*desktop.MouseEvent) {}
func (a *rowArrow) MouseOut()                      { a.hover(false) }

func (a *rowArrow) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (a *rowArrow) MinSize() fyne.Size { return fyne.NewSize(rowArrowWidth, cardPosterHeight) }

func (a *rowArrow) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.NRGBA{A: 0xA0})
	icon := widget.NewIcon(a.icon)
	return &rowArrowRenderer{bg: bg, icon: icon}
}

type rowArrowRenderer struct {
	bg   *canvas.Rectangle
	icon *widget.Icon
}

func (r *rowArrowRenderer) Destroy()                     {}
func (r *rowArrowRenderer) Refresh()                     { r.bg.Refresh(); r.icon.Refresh() }
func (r *rowArrowRenderer) MinSize() fyne.Size           { return fyne.NewSize(rowArrowWidth, cardPosterHeight) }
func (r *rowArrowRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.icon} }

// Layout covers the poster part of the row, not the names under it.
func (r *rowArrowRenderer) Layout(size fyne.Size) {
	h := min(size.Height, cardPosterHeight)
	r.bg.Resize(fyne.NewSize(size.Width, h))
	s := theme.IconInlineSize() * 1.5
	r.icon.Move(fyne.NewPos((size.Width-s)/2, (h-s)/2))
	r.icon.Resize(fyne.NewSize(s, s))
}

// hover counts the pointer in and out of the row's posters and arrows: the arrows show
// while it is over any of them, and go a moment after it left them all.
func (r *titleRow) hover(in bool) {
	if in {
		r.hovers++
		r.showArrows()
		return
	}
	r.hovers = max(r.hovers-1, 0)
	time.AfterFunc(rowArrowsLinger, func() {
		runOnUI(func() {
			if r.hovers == 0 {
				r.left.Hide()
				r.right.Hide()
			}
		})
	})
}

// showArrows shows each arrow whose way the row can still move.
func (r *titleRow) showArrows() {
	off, view, content := r.scroll.Offset.X, r.scroll.Size().Width, r.cards.MinSize().Width
	r.left.Hidden = off <= 0
	r.right.Hidden = off+view >= content-1
	r.left.Refresh()
	r.right.Refresh()
}

// page scrolls the row by a screenful of whole posters in direction dir (-1 or 1).
func (r *titleRow) page(dir float32) {
	step := cardPosterWidth + theme.Padding()
	view := r.scroll.Size().Width
	by := max(step, float32(int((view-2*rowArrowWidth)/step))*step)
	x := min(max(r.scroll.Offset.X+dir*by, 0), max(r.cards.MinSize().Width-view, 0))
	r.scroll.ScrollToOffset(fyne.NewPos(x, 0))
	r.showArrows()
}
