package app

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// The black around the picture is drawn only where the picture is not: a rectangle under
// the whole picture is filled again at every frame, which under software GL cost half the
// CPU of 720p playback. The bars still close the letterbox and pillarbox gaps exactly.
func TestVideoBarsCoverOnlyWhatThePictureDoesNot(t *testing.T) {
	cases := []struct {
		name        string
		frame       image.Point
		view        fyne.Size
		first, last fyne.Position // where the two bars start
		barSize     fyne.Size
	}{
		{"letterbox", image.Pt(1280, 720), fyne.NewSize(800, 500), fyne.NewPos(0, 0), fyne.NewPos(0, 474), fyne.NewSize(800, 26)},
		{"pillarbox", image.Pt(640, 480), fyne.NewSize(800, 400), fyne.NewPos(0, 0), fyne.NewPos(665.6667, 0), fyne.NewSize(134.3333, 400)},
	}
	near := func(a, b float32) bool { return a-b < 0.01 && b-a < 0.01 }
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newVideoView()
			r := v.CreateRenderer()
			v.frameSize = tc.frame
			r.Layout(tc.view)
			for _, o := range r.Objects() {
				if rect, ok := o.(*canvas.Rectangle); ok && rect.Size().Width*rect.Size().Height > tc.view.Width*tc.view.Height/4 {
					t.Errorf("a rectangle of %v is drawn under a %v picture in a %v view", rect.Size(), tc.frame, tc.view)
				}
			}
			for i, want := range []fyne.Position{tc.first, tc.last} {
				b := v.bars[i]
				if !near(b.Position().X, want.X) || !near(b.Position().Y, want.Y) || !near(b.Size().Width, tc.barSize.Width) || !near(b.Size().Height, tc.barSize.Height) {
					t.Errorf("bar %d at %v size %v, want %v size %v", i, b.Position(), b.Size(), want, tc.barSize)
				}
			}
		})
	}
	// Before the first picture (and after Clear) the view is all black.
	v := newVideoView()
	v.CreateRenderer().Layout(fyne.NewSize(640, 360))
	if got := v.bars[0].Size(); got != fyne.NewSize(640, 360) {
		t.Errorf("with no picture the black covers %v, want the whole view", got)
	}
}
