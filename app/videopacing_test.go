package app

import (
	"image"
	"testing"
	"time"

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
// window repaints, beyond those that may wait, are counted as skipped, the ones a repaint
// reaches as drawn, and each drawn picture gets one paint time once the next one is drawn.
func TestVideoViewCountsFramesNeverPainted(t *testing.T) {
	v, repaint := videoViewInWindow(t)

	v.ShowFrame(smallPicture(), 0)
	repaint()
	for range 4 { // four pictures before the next repaint: one may wait, two are never seen
		v.ShowFrame(smallPicture(), 0)
		onUI(func() {}) // let each one reach the canvas image, or wait
	}
	for range 2 {
		repaint() // each repaint draws one of those left, and puts the next on the canvas
		onUI(func() {})
	}
	repaint() // nothing new: counts nothing
	p := uiValue(func() framePacing { return v.pacingOf(5) })
	if p.FramesDrawn != 3 || p.FramesSkipped != 2 || p.FramesDropped != 5 {
		t.Errorf("drawn %d, skipped %d, dropped %d; want 3 drawn, 2 skipped and the player's 5 dropped", p.FramesDrawn, p.FramesSkipped, p.FramesDropped)
	}
	if len(p.PaintMicros) != 2 {
		t.Errorf("%d paint times after three pictures drawn, want the first two's", len(p.PaintMicros))
	}
	if len(p.LatencyMicros) != 3 {
		t.Errorf("%d latencies after three pictures drawn, want one each", len(p.LatencyMicros))
	}
	if again := uiValue(func() framePacing { return v.pacingOf(0) }); len(again.PaintMicros) != 0 || len(again.LatencyMicros) != 0 {
		t.Errorf("times given twice: %v, %v", again.PaintMicros, again.LatencyMicros)
	}
}

// A picture that arrives while the one before it still waits for a repaint waits too
// (maxWaiting of them), and the repaint puts it on the canvas after, instead of
// replacing pictures nobody saw; one more does replace the unpainted one, so a window
// that stopped repainting never holds the film back; and a seek drops what waits.
func TestVideoViewLetsPicturesWaitForRepaints(t *testing.T) {
	v, repaint := videoViewInWindow(t)
	show := func(img *image.RGBA, pts time.Duration) {
		v.ShowFrame(img, pts)
		onUI(func() {}) // let it reach the canvas image, or wait
	}
	onCanvas := func() *image.RGBA {
		return uiValue(func() *image.RGBA { img, _ := v.picture.Image.(*image.RGBA); return img })
	}
	frame := time.Second / 30

	show(smallPicture(), 0)
	repaint()
	pictures := make([]*image.RGBA, 2) // one on the canvas unpainted, one waiting
	for i := range pictures {
		pictures[i] = smallPicture()
		show(pictures[i], time.Duration(i+1)*frame)
	}
	if onCanvas() != pictures[0] {
		t.Fatal("a waiting picture replaced an unpainted one")
	}
	for i := 1; i < len(pictures); i++ {
		repaint() // paints one, and puts the next on the canvas after it
		onUI(func() {})
		if onCanvas() != pictures[i] {
			t.Fatalf("picture %d did not follow the repaint", i)
		}
	}
	repaint()
	if p := uiValue(func() framePacing { return v.pacingOf(0) }); p.FramesDrawn != int64(len(pictures)+1) || p.FramesSkipped != 0 {
		t.Errorf("drawn %d, skipped %d; want all %d drawn", p.FramesDrawn, p.FramesSkipped, len(pictures)+1)
	}

	// With no repaint at all, the canvas keeps up with the film, maxWaiting behind.
	var stalled []*image.RGBA
	for i := range maxWaiting + 4 {
		stalled = append(stalled, smallPicture())
		show(stalled[i], time.Duration(10+i)*frame)
	}
	if onCanvas() != stalled[len(stalled)-1-maxWaiting] {
		t.Error("without repaints the canvas fell behind the newest pictures")
	}

	// A seek: the pictures from before it no longer wait.
	afterSeek := smallPicture()
	show(afterSeek, time.Minute)
	if onCanvas() != stalled[len(stalled)-1-maxWaiting] {
		t.Error("a picture from before the seek went on the canvas after it")
	}
	repaint()
	onUI(func() {})
	if onCanvas() != afterSeek {
		t.Error("pictures from before the seek were still painted after it")
	}
}
