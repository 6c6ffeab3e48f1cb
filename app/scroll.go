package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Fyne hands a wheel event to the innermost fyne.Scrollable under the pointer, and that
// widget keeps it even when it cannot move. A horizontal scroll turns a vertical wheel
// into sideways motion, and an Entry holds a scroll of its own: over a poster row or a
// text field the page stopped scrolling. The two types here give the vertical motion back
// to the page.

// heldModifiers reports the modifier keys held down now. The test driver has no keyboard,
// so tests replace it.
var heldModifiers = func() fyne.KeyModifier {
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()
	}
	return 0
}

// rowScroll is the horizontal scroll of a poster row inside a vertically scrolling page.
// The wheel scrolls the page; a trackpad's horizontal motion, or the wheel with Shift
// held, scrolls the row.
type rowScroll struct {
	container.Scroll
	page *container.Scroll
}

func newRowScroll(content fyne.CanvasObject, page *container.Scroll) *rowScroll {
	s := &rowScroll{page: page}
	s.Direction = container.ScrollHorizontalOnly
	s.Content = content
	s.ExtendBaseWidget(s)
	return s
}

func (s *rowScroll) Scrolled(ev *fyne.ScrollEvent) {
	dx, dy := ev.Scrolled.DX, ev.Scrolled.DY
	if dx == 0 && heldModifiers()&fyne.KeyModifierShift != 0 {
		dx, dy = dy, 0
	}
	if dx != 0 {
		// A non-zero DX is never swapped with DY by Scroll, so the row moves sideways only.
		s.Scroll.Scrolled(&fyne.ScrollEvent{PointEvent: ev.PointEvent, Scrolled: fyne.Delta{DX: dx}})
	}
	if dy != 0 && s.page != nil {
		s.page.Scrolled(&fyne.ScrollEvent{PointEvent: ev.PointEvent, Scrolled: fyne.Delta{DY: dy}})
	}
}

// wheelToPage lays a transparent catcher over content so that the wheel over it scrolls
// page. The catcher only takes scroll events: taps, typing, hover and the cursor still
// reach content.
func wheelToPage(content fyne.CanvasObject, page *container.Scroll) fyne.CanvasObject {
	return container.NewStack(content, newWheelCatcher(page))
}

// wheelCatcher is found after (so above) everything it covers when Fyne looks for the
// Scrollable under the pointer.
type wheelCatcher struct {
	widget.BaseWidget
	page *container.Scroll
}

func newWheelCatcher(page *container.Scroll) *wheelCatcher {
	c := &wheelCatcher{page: page}
	c.ExtendBaseWidget(c)
	return c
}

func (c *wheelCatcher) Scrolled(ev *fyne.ScrollEvent) {
	if c.page != nil {
		c.page.Scrolled(ev)
	}
}

func (c *wheelCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

func (c *wheelCatcher) MinSize() fyne.Size { return fyne.Size{} }
