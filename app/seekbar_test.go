package app

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// brightness of the seek bar's middle row at x, as the average of R, G and B.
func seekRowBrightness(img image.Image, x int) int {
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+b.Dy()/2).RGBA()
	return int((r + g + bl) / 3 >> 8)
}

func TestSeekBarDrawsDownloadedRanges(t *testing.T) {
	test.NewTempApp(t)
	bar := newSeekBar(nil)
	w := test.NewTempWindow(t, bar)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(400, 20))
	bar.Resize(fyne.NewSize(400, 20))
	bar.SetDownloaded([]span{{0.10, 0.30}, {0.60, 0.90}})

	img := w.Canvas().Capture()
	scale := float64(img.Bounds().Dx()) / 400
	at := func(f float64) int { return seekRowBrightness(img, int(f*400*scale)) }

	inside := []float64{0.15, 0.25, 0.65, 0.85}
	outside := []float64{0.05, 0.45, 0.95}
	for _, in := range inside {
		for _, out := range outside {
			if at(in) <= at(out)+40 {
				t.Fatalf("downloaded x=%.2f (brightness %d) is not clearly brighter than missing x=%.2f (%d)", in, at(in), out, at(out))
			}
		}
	}

	bar.SetDownloaded(nil)
	img = w.Canvas().Capture()
	if d := seekRowBrightness(img, int(0.2*400*scale)) - seekRowBrightness(img, int(0.45*400*scale)); d > 10 || d < -10 {
		t.Fatalf("after clearing the ranges, 20%% and 45%% should look the same, differ by %d", d)
	}
}

func TestSeekBarTapAndDragReportFractions(t *testing.T) {
	test.NewTempApp(t)
	var got []float64
	bar := newSeekBar(func(f float64) { got = append(got, f) })
	w := test.NewTempWindow(t, bar)
	w.Resize(fyne.NewSize(400, 20))
	bar.Resize(fyne.NewSize(400, 20))

	test.TapAt(bar, fyne.NewPos(100, 10))
	test.Drag(w.Canvas(), fyne.NewPos(w.Canvas().Size().Width/2, 10), 0, 0)
	bar.DragEnd()
	bar.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(300, 10)}})
	bar.DragEnd()

	if len(got) < 2 {
		t.Fatalf("seeks reported: %v, want a tap and a drag", got)
	}
	if got[0] != 0.25 {
		t.Fatalf("tap at 100 of 400 reported %v, want 0.25", got[0])
	}
	if last := got[len(got)-1]; last != 0.75 {
		t.Fatalf("drag to 300 of 400 reported %v, want 0.75", last)
	}
	bar.SetPosition(0.5)
	if bar.position != 0.5 {
		t.Fatalf("SetPosition(0.5) left position at %v", bar.position)
	}
}

// The played part is red; a position update must move it.
func TestSeekBarPlayedPartIsAccent(t *testing.T) {
	test.NewTempApp(t)
	bar := newSeekBar(nil)
	w := test.NewTempWindow(t, bar)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(400, 20))
	bar.Resize(fyne.NewSize(400, 20))
	bar.SetPosition(0.5)
	img := w.Canvas().Capture()
	scale := float64(img.Bounds().Dx()) / 400
	isRed := func(x float64) bool {
		c := color.NRGBAModel.Convert(img.At(int(x*400*scale), img.Bounds().Dy()/2)).(color.NRGBA)
		return c.R > 150 && c.G < 80 && c.B < 80
	}
	if !isRed(0.25) || isRed(0.8) {
		t.Fatalf("at position 0.5, 25%% should be red (%v) and 80%% not (%v)", isRed(0.25), isRed(0.8))
	}
}
