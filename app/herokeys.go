package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// heroFocusRow is cardFocus.row for the hero's buttons: col 0 is Play, 1 More info.
const heroFocusRow = "\x00hero"

// focusRinged puts a keyboard ring, hidden, around o.
func focusRinged(o fyne.CanvasObject) (*fyne.Container, *canvas.Rectangle) {
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeColor = marqueeRed
	ring.StrokeWidth = 3
	ring.CornerRadius = 6
	ring.Hide()
	return container.NewStack(o, ring), ring
}

// heroButtons lays out Play and More info, each inside its keyboard ring.
func (h *hero) heroButtons() fyne.CanvasObject {
	play, playRing := focusRinged(h.play)
	info, infoRing := focusRinged(h.info)
	h.rings = []*canvas.Rectangle{playRing, infoRing}
	return container.NewHBox(play, info)
}

// setFocus shows the ring on the button f names, or on none when f is not the hero.
func (h *hero) setFocus(f cardFocus) {
	for i, r := range h.rings {
		if on := f.row == heroFocusRow && f.col == i; on != r.Visible() {
			r.Show()
			if !on {
				r.Hide()
			}
		}
	}
}

// activate presses the focused button, as Enter does.
func (h *hero) activate(col int) bool {
	b := h.play
	if col == 1 {
		b = h.info
	}
	if b.Disabled() || b.OnTapped == nil {
		return false
	}
	b.OnTapped()
	return true
}

// moveFromHero moves the ring from the hero's buttons: sideways between them, down to the
// first row of posters.
func (h *home) moveFromHero(keys []string, rows, cols int) {
	switch {
	case rows > 0 && len(keys) > 0:
		h.setFocus(cardFocus{row: keys[0]})
	case cols != 0:
		h.setFocus(cardFocus{row: heroFocusRow, col: min(max(h.focus.col+cols, 0), 1)})
	}
}
