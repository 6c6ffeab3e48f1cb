package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// span is a part of the film as fractions of its length, 0 ≤ Start < End ≤ 1.
type span struct{ Start, End float64 }

var (
	seekTrackColor      = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x33}
	seekDownloadedColor = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x8C}
)

// seekBar shows the playback position over the parts already downloaded, like WebTorrent
// Desktop's, and reports taps and drags as seek fractions.
type seekBar struct {
	widget.BaseWidget

	position   float64 // fraction played
	downloaded []span
	dragging   bool
	hovered    bool

	// onSeek receives the fraction the user picked: on a tap, and as the thumb is dragged
	// (the player collapses a burst of seeks to the last one).
	onSeek func(fraction float64)
	// onHover hears where the pointer is over the bar, as a fraction, and onHoverEnd that
	// it left (the time and thumbnail preview, thumbs.go).
	onHover    func(fraction float64)
	onHoverEnd func()
}

var (
	_ fyne.Tappable       = (*seekBar)(nil)
	_ fyne.Draggable      = (*seekBar)(nil)
	_ desktop.Hoverable   = (*seekBar)(nil)
	_ fyne.CanvasObject   = (*seekBar)(nil)
	_ fyne.WidgetRenderer = (*seekBarRenderer)(nil)
)

func newSeekBar(onSeek func(float64)) *seekBar {
	s := &seekBar{onSeek: onSeek}
	s.ExtendBaseWidget(s)
	return s
}

// SetPosition moves the played part; ignored while the user drags the thumb.
func (s *seekBar) SetPosition(fraction float64) {
	if s.dragging {
		return
	}
	fraction = clamp01(fraction)
	if fraction == s.position {
		return
	}
	s.position = fraction
	s.Refresh()
}

// SetDownloaded replaces the downloaded spans.
func (s *seekBar) SetDownloaded(spans []span) {
	if spansEqual(spans, s.downloaded) {
		return
	}
	s.downloaded = append(s.downloaded[:0], spans...)
	s.Refresh()
}

func (s *seekBar) Tapped(ev *fyne.PointEvent) { s.seekTo(ev.Position.X) }

func (s *seekBar) Dragged(ev *fyne.DragEvent) {
	s.dragging = true
	s.seekTo(ev.Position.X)
}

func (s *seekBar) DragEnd() { s.dragging = false }

func (s *seekBar) MouseIn(ev *desktop.MouseEvent) {
	s.hovered = true
	s.Refresh()
	s.hoverAt(ev.Position.X)
}

func (s *seekBar) MouseMoved(ev *desktop.MouseEvent) { s.hoverAt(ev.Position.X) }

func (s *seekBar) MouseOut() {
	s.hovered = false
	s.Refresh()
	if s.onHoverEnd != nil {
		guard("the seek bar", s.onHoverEnd)
	}
}

func (s *seekBar) hoverAt(x float32) {
	if w := s.Size().Width; w > 0 && s.onHover != nil {
		guard("the seek bar", func() { s.onHover(clamp01(float64(x / w))) })
	}
}

func (s *seekBar) seekTo(x float32) {
	w := s.Size().Width
	if w <= 0 {
		return
	}
	s.position = clamp01(float64(x / w))
	s.Refresh()
	if s.onSeek != nil {
		guard("the seek bar", func() { s.onSeek(s.position) })
	}
}

func (s *seekBar) MinSize() fyne.Size { return fyne.NewSize(120, 18) }

func (s *seekBar) CreateRenderer() fyne.WidgetRenderer {
	r := &seekBarRenderer{
		bar:    s,
		track:  canvas.NewRectangle(seekTrackColor),
		played: canvas.NewRectangle(marqueeRed),
		thumb:  canvas.NewCircle(marqueeRed),
	}
	r.Refresh()
	return r
}

type seekBarRenderer struct {
	bar        *seekBar
	track      *canvas.Rectangle
	downloaded []*canvas.Rectangle
	played     *canvas.Rectangle
	thumb      *canvas.Circle
	objects    []fyne.CanvasObject
}

func (r *seekBarRenderer) Destroy() {}

func (r *seekBarRenderer) MinSize() fyne.Size { return r.bar.MinSize() }

func (r *seekBarRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *seekBarRenderer) Refresh() {
	for len(r.downloaded) < len(r.bar.downloaded) {
		r.downloaded = append(r.downloaded, canvas.NewRectangle(seekDownloadedColor))
	}
	r.downloaded = r.downloaded[:len(r.bar.downloaded)]
	r.objects = r.objects[:0]
	r.objects = append(r.objects, r.track)
	for _, d := range r.downloaded {
		r.objects = append(r.objects, d)
	}
	r.objects = append(r.objects, r.played, r.thumb)
	r.Layout(r.bar.Size())
	canvas.Refresh(r.bar)
}

func (r *seekBarRenderer) Layout(size fyne.Size) {
	trackH := float32(4)
	if r.bar.hovered || r.bar.dragging {
		trackH = 6
	}
	y := (size.Height - trackH) / 2
	r.track.Move(fyne.NewPos(0, y))
	r.track.Resize(fyne.NewSize(size.Width, trackH))
	for i, sp := range r.bar.downloaded {
		x0, x1 := float32(sp.Start)*size.Width, float32(sp.End)*size.Width
		r.downloaded[i].Move(fyne.NewPos(x0, y))
		r.downloaded[i].Resize(fyne.NewSize(x1-x0, trackH))
	}
	px := float32(r.bar.position) * size.Width
	r.played.Move(fyne.NewPos(0, y))
	r.played.Resize(fyne.NewSize(px, trackH))
	d := size.Height * 0.7
	if !r.bar.hovered && !r.bar.dragging {
		d = size.Height * 0.5
	}
	r.thumb.Move(fyne.NewPos(px-d/2, (size.Height-d)/2))
	r.thumb.Resize(fyne.NewSize(d, d))
}

func clamp01(f float64) float64 {
	switch {
	case f < 0:
		return 0
	case f > 1:
		return 1
	}
	return f
}

func spansEqual(a, b []span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
