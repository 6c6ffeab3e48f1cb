package app

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// videoViewInWindow is a video view alone in a test window, and a repaint of that window
// (the test driver paints only when asked).
func videoViewInWindow(t *testing.T) (*videoView, func()) {
	test.NewTempApp(t)
	v := newVideoView()
	var w fyne.Window
	onUI(func() {
		w = test.NewTempWindow(t, v)
		w.Resize(fyne.NewSize(320, 240))
	})
	return v, func() { onUI(func() { w.Canvas().Capture() }) }
}

// smallPicture is a small picture as the player hands it over.
func smallPicture() *image.RGBA { return image.NewRGBA(image.Rect(0, 0, 32, 24)) }

// TestVideoViewCountsFramesNeverPainted: pictures the player hands over faster than the
// window repaints are counted as skipped, the ones a repaint reaches as drawn, and each
// drawn picture gets one paint time once the next one is drawn.
func TestVideoViewCountsFramesNeverPainted(t *testing.T) {
	v, repaint := videoViewInWindow(t)

	v.ShowFrame(smallPicture(), 0)
	repaint()
	for range 3 { // three pictures before the next repaint: two are never seen
		v.ShowFrame(smallPicture(), 0)
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

// A picture that arrives while the one before it still waits for a repaint waits too,
// and is painted by the repaint after, instead of replacing a picture nobody saw; a third
// one does replace it, so a window that stopped repainting never holds the film back.
func TestVideoViewLetsAPictureWaitOneRepaint(t *testing.T) {
	v, repaint := videoViewInWindow(t)
	show := func(img *image.RGBA) {
		v.ShowFrame(img, 0)
		onUI(func() {}) // let it reach the canvas image, or wait
	}
	onCanvas := func() *image.RGBA {
		return uiValue(func() *image.RGBA { img, _ := v.picture.Image.(*image.RGBA); return img })
	}

	show(smallPicture())
	repaint()
	second, third := smallPicture(), smallPicture()
	show(second)
	show(third) // the second is not painted yet: the third waits
	if onCanvas() != second {
		t.Fatal("the third picture replaced the second before any repaint")
	}
	repaint() // paints the second, and puts the third on the canvas after it
	onUI(func() {})
	if onCanvas() != third {
		t.Fatal("the waiting picture did not follow the repaint")
	}
	repaint()
	if p := uiValue(func() framePacing { return v.pacingOf(0) }); p.FramesDrawn != 3 || p.FramesSkipped != 0 {
		t.Errorf("drawn %d, skipped %d; want all 3 drawn", p.FramesDrawn, p.FramesSkipped)
	}

	// With no repaint at all, every other picture still reaches the canvas.
	fourth, fifth, sixth := smallPicture(), smallPicture(), smallPicture()
	show(fourth)
	show(fifth)
	show(sixth)
	if onCanvas() != sixth {
		t.Error("without repaints the newest picture never reached the canvas")
	}
}
