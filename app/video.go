package app

import (
	"image"
	"image/color"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"marquee/player"
)

// videoView paints the player's frames aspect-correct between black bars and shows subtitles over
// them. It is the player's frame and subtitle sink: the player calls ShowFrame and
// ShowSubtitle from its own goroutines, and at most one repaint is queued on the UI
// thread at a time, whatever the frame rate.
type videoView struct {
	widget.BaseWidget

	// bars are the letterbox (or pillarbox) around the picture. They cover only what the
	// picture does not: under software GL (Xvfb, llvmpipe) a full-window black rectangle
	// beneath the picture was half of the CPU of 720p playback, filled again at every frame.
	bars      [2]*canvas.Rectangle
	picture   *canvas.Image
	subtitles *subtitleOverlay
	// frameSize is the size of the picture shown (UI goroutine), 0×0 before the first.
	frameSize image.Point

	// waiting are the pictures handed over and not yet on the canvas, oldest first (see
	// putWaiting).
	waitingMu     sync.Mutex
	waiting       []shownFrame
	paintQueued   atomic.Bool
	framesPainted atomic.Int64
	meter         paintMeter
	probe         *paintProbe

	// onResize receives the view's size in device pixels, so the player scales frames
	// to what is shown rather than to the source size.
	onResize func(width, height int)
	lastSize fyne.Size
	// pixelW and pixelH are the last size in device pixels, read by the opener goroutine.
	pixelW, pixelH atomic.Int32
}

func newVideoView() *videoView {
	v := &videoView{
		bars:      [2]*canvas.Rectangle{canvas.NewRectangle(color.Black), canvas.NewRectangle(color.Black)},
		picture:   canvas.NewImageFromImage(nil),
		subtitles: newSubtitleOverlay(),
	}
	v.probe = newPaintProbe(&v.meter)
	// The GPU scales the frame: Fyne's default smooth scaling resamples on the CPU and
	// cannot keep up with 720p (stack notes).
	v.picture.FillMode = canvas.ImageFillContain
	v.picture.ScaleMode = canvas.ImageScaleFastest
	v.ExtendBaseWidget(v)
	return v
}

// maxWaiting is how many pictures may wait behind the one on the canvas for its repaint.
// One: under software GL on 2 cores, two made more pictures lost when the machine was
// busy (49–60 of 600 against 7–21) and doubled the latency at p95 (bench/RESULTS.md). The
// picture on the canvas and the one waiting are the player's newest buffers, clear of the
// one it converts into next.
const maxWaiting = player.PictureBuffers - 2

// ShowFrame implements the player's frame sink.
func (v *videoView) ShowFrame(img *image.RGBA, pts time.Duration) {
	v.waitingMu.Lock()
	if n := len(v.waiting); n > 0 && !continues(v.waiting[n-1].pts, pts) {
		// A seek: what waits belongs to the old position.
		v.waiting = v.waiting[:0]
	}
	v.waiting = append(v.waiting, shownFrame{seq: v.meter.handed.Add(1), img: img, pts: pts, handed: time.Now()})
	v.waitingMu.Unlock()
	v.queuePut()
}

// continues reports whether a picture at pts follows one at prev in the same run of the
// film, rather than after a seek.
func continues(prev, pts time.Duration) bool {
	return pts >= prev && pts-prev < time.Second
}

// queuePut asks the UI goroutine to put the next waiting picture on the canvas, unless
// it is asked already.
func (v *videoView) queuePut() {
	if v.paintQueued.CompareAndSwap(false, true) {
		runOnUI(v.putWaiting)
	}
}

// putWaiting puts the oldest waiting picture on the canvas (UI goroutine). When the
// picture there has not been painted yet, the GL loop fell behind (it repaints at most at
// its 60 Hz tick, and a busy machine delays ticks): the new ones wait for that repaint and
// follow it one tick apart, instead of replacing pictures nobody saw. Once more than
// maxWaiting wait, the unpainted one is replaced, so a stalled window never holds the
// film back, and the canvas never shows a buffer the player is writing again.
func (v *videoView) putWaiting() {
	v.paintQueued.Store(false)
	v.waitingMu.Lock()
	n := len(v.waiting)
	if n == 0 || (v.meter.unpainted() && n <= maxWaiting) {
		v.waitingMu.Unlock()
		return
	}
	// The oldest, unless more than maxWaiting would still wait behind it.
	next := max(0, n-maxWaiting-1)
	shown := v.waiting[next]
	v.waiting = append(v.waiting[:0], v.waiting[next+1:]...)
	v.waitingMu.Unlock()
	frame := shown.img
	v.meter.onCanvas = shown.seq
	v.meter.onCanvasHanded = shown.handed
	v.picture.Image = frame
	if size := frame.Rect.Size(); size != v.frameSize {
		v.frameSize = size
		v.layoutBars(v.lastSize)
	}
	v.picture.Refresh()
	v.framesPainted.Add(1)
}

// ShowSubtitle implements the player's subtitle sink; "" clears.
func (v *videoView) ShowSubtitle(text string) {
	runOnUI(func() { v.subtitles.SetText(text) })
}

// painted counts the pictures set on the canvas.
func (v *videoView) painted() int64 { return v.framesPainted.Load() }

// sizeInPixels is the view's last laid-out size in device pixels, 0×0 before layout. It
// may be called from any goroutine.
func (v *videoView) sizeInPixels() (int, int) {
	return int(v.pixelW.Load()), int(v.pixelH.Load())
}

// Clear blanks the picture, for when playback stops.
func (v *videoView) Clear() {
	v.waitingMu.Lock()
	v.waiting = v.waiting[:0]
	v.waitingMu.Unlock()
	v.picture.Image = nil
	v.frameSize = image.Point{}
	v.layoutBars(v.lastSize)
	v.picture.Refresh()
	v.subtitles.SetText("")
}

// layoutBars puts the bars where the picture, drawn aspect-correct (ImageFillContain) in
// size, leaves the view uncovered; with no picture one bar covers it all. Each bar reaches
// a pixel under the picture so that rounding leaves no seam.
func (v *videoView) layoutBars(size fyne.Size) {
	top, other := v.bars[0], v.bars[1]
	fw, fh := float32(v.frameSize.X), float32(v.frameSize.Y)
	if fw <= 0 || fh <= 0 {
		top.Move(fyne.NewPos(0, 0))
		top.Resize(size)
		other.Resize(fyne.NewSize(0, 0))
		top.Refresh()
		other.Refresh()
		return
	}
	scale := min(size.Width/fw, size.Height/fh)
	pw, ph := fw*scale, fh*scale
	if gap := (size.Width - pw) / 2; gap >= 1 { // pillarbox: bars left and right
		top.Move(fyne.NewPos(0, 0))
		top.Resize(fyne.NewSize(gap+1, size.Height))
		other.Move(fyne.NewPos(size.Width-gap-1, 0))
		other.Resize(fyne.NewSize(gap+1, size.Height))
	} else if gap := (size.Height - ph) / 2; gap >= 1 { // letterbox: bars above and below
		top.Move(fyne.NewPos(0, 0))
		top.Resize(fyne.NewSize(size.Width, gap+1))
		other.Move(fyne.NewPos(0, size.Height-gap-1))
		other.Resize(fyne.NewSize(size.Width, gap+1))
	} else {
		top.Resize(fyne.NewSize(0, 0))
		other.Resize(fyne.NewSize(0, 0))
	}
	top.Refresh()
	other.Refresh()
}

func (v *videoView) CreateRenderer() fyne.WidgetRenderer {
	return &videoRenderer{view: v, objects: []fyne.CanvasObject{v.bars[0], v.bars[1], v.picture, v.probe, v.subtitles}}
}

type videoRenderer struct {
	view    *videoView
	objects []fyne.CanvasObject
}

func (r *videoRenderer) Destroy()           {}
func (r *videoRenderer) MinSize() fyne.Size { return fyne.NewSize(160, 90) }
func (r *videoRenderer) Objects() []fyne.CanvasObject {
	v := r.view
	if v.meter.walkEntered(time.Now()) {
		// Whatever waits behind this repaint goes on the canvas for the next tick.
		v.queuePut()
	}
	return r.objects
}
func (r *videoRenderer) Refresh() { r.view.subtitles.Refresh() }

func (r *videoRenderer) Layout(size fyne.Size) {
	v := r.view
	for _, o := range []fyne.CanvasObject{v.picture, v.subtitles} {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	v.layoutBars(size)
	if size == v.lastSize {
		return
	}
	v.lastSize = size
	scale := float32(1)
	if c := fyne.CurrentApp().Driver().CanvasForObject(v); c != nil {
		scale = c.Scale()
	}
	w, h := int(size.Width*scale), int(size.Height*scale)
	v.pixelW.Store(int32(w))
	v.pixelH.Store(int32(h))
	if v.onResize != nil {
		v.onResize(w, h)
	}
}

// subtitleOverlay draws up to a few lines of text, centred near the bottom, on a
// translucent band so they stay readable on bright frames.
type subtitleOverlay struct {
	widget.BaseWidget
	text     string
	textSize float32
	// above is the height at the bottom the lines keep clear of: the player's controls
	// while they show, so a line never sits on the seek bar.
	above float32
}

func newSubtitleOverlay() *subtitleOverlay {
	s := &subtitleOverlay{textSize: 26}
	s.ExtendBaseWidget(s)
	return s
}

func (s *subtitleOverlay) SetText(text string) {
	if text == s.text {
		return
	}
	s.text = text
	s.Refresh()
}

// SetTextSize changes the subtitle size in points.
func (s *subtitleOverlay) SetTextSize(size float32) {
	s.textSize = size
	s.Refresh()
}

// KeepAbove keeps the lines above the bottom height of the view (0: their usual place).
func (s *subtitleOverlay) KeepAbove(height float32) {
	if height == s.above {
		return
	}
	s.above = height
	s.Refresh()
}

func (s *subtitleOverlay) Text() string { return s.text }

func (s *subtitleOverlay) CreateRenderer() fyne.WidgetRenderer {
	r := &subtitleRenderer{overlay: s, band: canvas.NewRectangle(color.NRGBA{A: 0x99})}
	r.Refresh()
	return r
}

type subtitleRenderer struct {
	overlay *subtitleOverlay
	band    *canvas.Rectangle
	lines   []*canvas.Text
	objects []fyne.CanvasObject
}

func (r *subtitleRenderer) Destroy()                     {}
func (r *subtitleRenderer) MinSize() fyne.Size           { return fyne.NewSize(0, 0) }
func (r *subtitleRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *subtitleRenderer) Refresh() {
	var lines []string
	if t := strings.TrimSpace(r.overlay.text); t != "" {
		lines = strings.Split(t, "\n")
	}
	r.lines = r.lines[:0]
	for _, l := range lines {
		txt := canvas.NewText(l, color.White)
		txt.TextSize = r.overlay.textSize
		txt.Alignment = fyne.TextAlignCenter
		r.lines = append(r.lines, txt)
	}
	r.objects = r.objects[:0]
	if len(r.lines) > 0 {
		r.objects = append(r.objects, r.band)
		for _, l := range r.lines {
			r.objects = append(r.objects, l)
		}
	}
	r.Layout(r.overlay.Size())
	canvas.Refresh(r.overlay)
}

func (r *subtitleRenderer) Layout(size fyne.Size) {
	if len(r.lines) == 0 {
		return
	}
	lineH := r.overlay.textSize * 1.3
	var widest float32
	for _, l := range r.lines {
		if w := l.MinSize().Width; w > widest {
			widest = w
		}
	}
	total := lineH * float32(len(r.lines))
	pad := r.overlay.textSize * 0.4
	top := size.Height - max(size.Height*0.08, r.overlay.above+pad) - total
	for i, l := range r.lines {
		l.Move(fyne.NewPos(0, top+float32(i)*lineH))
		l.Resize(fyne.NewSize(size.Width, lineH))
	}
	r.band.Move(fyne.NewPos((size.Width-widest)/2-pad, top-pad/2))
	r.band.Resize(fyne.NewSize(widest+2*pad, total+pad))
}
