package app

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestVideoViewCountsFramesNeverPainted: pictures the player hands over faster than the
// window repaints are counted as skipped, the ones a repaint reaches as drawn, and each
// drawn picture gets one paint time once the next one is drawn.
func TestVideoViewCountsFramesNeverPainted(t *testing.T) {
	test.NewTempApp(t)
	v := newVideoView()
	var w fyne.Window
	onUI(func() {
		w = test.NewTempWindow(t, v)
		w.Resize(fyne.NewSize(320, 240))
	})
	frame := func() *image.RGBA { return image.NewRGBA(image.Rect(0, 0, 32, 24)) }
	repaint := func() { onUI(func() { w.Canvas().Capture() }) }

	v.ShowFrame(frame(), 0)
	repaint()
	for range 3 { // three pictures before the next repaint: two are never seen
		v.ShowFrame(frame(), 0)
		onUI(func() {}) // let each one reach the canvas image
	}
	repaint()
	repaint() // nothing new: counts nothing
	p := uiValue(func() framePacing { return v.pacingOf(5) })
	if p.FramesDrawn != 2 || p.FramesSkipped != 2 || p.FramesDropped != 5 {
		t.Errorf("drawn %d, skipped %d, dropped %d; want 2 drawn, 2 skipped and the player's 5 dropped", p.FramesDrawn, p.FramesSkipped, p.FramesDropped)
	}
	if len(p.PaintMicros) != 1 {
		t.Errorf("%d paint times after two pictures drawn, want the first one's", len(p.PaintMicros))
	}
	if again := uiValue(func() framePacing { return v.pacingOf(0) }); len(again.PaintMicros) != 0 {
		t.Errorf("paint times given twice: %v", again.PaintMicros)
	}
}
