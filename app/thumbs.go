package app

import (
	"context"
	"image"
	"image/color"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"marquee/player"
	"marquee/session"
)

const (
	// thumbnailWidth is the width of the picture above the seek bar, in pixels.
	thumbnailWidth = 160
	// thumbnailStep rounds the time under the pointer: pictures are asked for and cached
	// per step, so a pointer moving within one second decodes nothing new.
	thumbnailStep = time.Second
	// thumbnailCacheSize bounds the cached pictures (160×90 RGBA is 56 KiB each).
	thumbnailCacheSize = 48
)

// thumbnailSource decodes the keyframe at or before a time (player.Thumbnailer).
type thumbnailSource interface {
	At(at time.Duration, width int) (*image.RGBA, time.Duration, error)
	Close() error
}

// openThumbnails opens a thumbnail decoder over the media's downloaded bytes only: the
// decoder fails at once where bytes are missing, and never makes anything download.
func openThumbnails(m *session.Media) (thumbnailSource, func(), error) {
	r, err := m.QuietReader()
	if err != nil {
		return nil, nil, err
	}
	th, err := player.NewThumbnailer(player.DownloadedOnly(r, m.Size, m), m.Size, m.Name)
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	return th, func() { th.Close(); r.Close() }, nil
}

// thumbWorker decodes seek-bar thumbnails on one goroutine, off the UI goroutine: a new
// request replaces one not started yet (the pointer moved on), and pictures are cached by
// rounded time.
type thumbWorker struct {
	wake chan struct{}

	mu      sync.Mutex
	pending *thumbRequest
	cache   map[time.Duration]*image.RGBA
	order   []time.Duration // cache keys, oldest first

	finished atomic.Int64 // requests answered, with a picture or without (tests wait on it)
}

type thumbRequest struct {
	at   time.Duration
	done func(img *image.RGBA) // on the UI goroutine; nil img: no picture there
}

func newThumbWorker() *thumbWorker {
	return &thumbWorker{wake: make(chan struct{}, 1), cache: map[time.Duration]*image.RGBA{}}
}

// cached returns the picture for the rounded time at, if it was decoded before.
func (w *thumbWorker) cached(at time.Duration) (*image.RGBA, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	img, ok := w.cache[at]
	return img, ok
}

// request asks for the picture at the rounded time at; done runs on the UI goroutine.
func (w *thumbWorker) request(at time.Duration, done func(*image.RGBA)) {
	w.mu.Lock()
	w.pending = &thumbRequest{at: at, done: done}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *thumbWorker) take() *thumbRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	req := w.pending
	w.pending = nil
	return req
}

func (w *thumbWorker) remember(at time.Duration, img *image.RGBA) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cache[at]; ok {
		return
	}
	if len(w.order) == thumbnailCacheSize {
		delete(w.cache, w.order[0])
		w.order = w.order[1:]
	}
	w.cache[at] = img
	w.order = append(w.order, at)
}

// run answers requests until ctx ends. The decoder is opened at the first request and
// again after a failed open (the film's header was not downloaded yet).
func (w *thumbWorker) run(ctx context.Context, open func() (thumbnailSource, func(), error)) {
	var src thumbnailSource
	var closeSrc func()
	defer func() {
		if closeSrc != nil {
			closeSrc()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		req := w.take()
		if req == nil {
			continue
		}
		var img *image.RGBA
		if src == nil {
			var err error
			if src, closeSrc, err = open(); err != nil {
				src, closeSrc = nil, nil
			}
		}
		if src != nil {
			if pic, _, err := src.At(req.at, thumbnailWidth); err == nil {
				img = pic
				w.remember(req.at, img)
			}
		}
		w.finished.Add(1)
		runOnUI(func() { req.done(img) })
	}
}

// seekPreview is the box that follows the pointer above the seek bar: the time under the
// pointer and, where the film's bytes for that time are downloaded, the picture there.
type seekPreview struct {
	bar      *seekBar
	duration func() time.Duration
	worker   *thumbWorker

	overlay *fyne.Container // lies over the player view; the box is placed in it by hand
	box     *fyne.Container
	picture *canvas.Image
	time    *canvas.Text

	hovering bool
	at       time.Duration // the rounded time the box is for
	x        float32       // the pointer, in the seek bar's coordinates
}

// newSeekPreview hooks a preview to bar; duration is the film's length, 0 while unknown.
func newSeekPreview(bar *seekBar, duration func() time.Duration, onHover func()) *seekPreview {
	p := &seekPreview{bar: bar, duration: duration, worker: newThumbWorker()}
	p.picture = canvas.NewImageFromImage(nil)
	p.picture.FillMode = canvas.ImageFillContain
	p.picture.ScaleMode = canvas.ImageScaleFastest
	p.picture.SetMinSize(fyne.NewSize(thumbnailWidth, thumbnailWidth*9/16))
	p.picture.Hide()
	p.time = canvas.NewText("", color.White)
	p.time.Alignment = fyne.TextAlignCenter
	p.time.TextStyle.Bold = true
	bg := canvas.NewRectangle(color.NRGBA{A: 0xD0})
	bg.CornerRadius = 4
	p.box = container.NewStack(bg, container.NewPadded(container.NewVBox(p.picture, p.time)))
	p.box.Hide()
	p.overlay = container.NewWithoutLayout(p.box)
	bar.onHover = func(f float64) {
		if onHover != nil {
			onHover()
		}
		p.hover(f)
	}
	bar.onHoverEnd = p.leave
	return p
}

// hover shows the time at fraction f of the film and its picture, or asks for it.
func (p *seekPreview) hover(f float64) {
	d := p.duration()
	if d <= 0 {
		p.leave()
		return
	}
	t := time.Duration(f * float64(d))
	p.time.Text = formatClock(t)
	p.time.Refresh()
	p.x = float32(f) * p.bar.Size().Width
	at := t.Truncate(thumbnailStep)
	if !p.hovering || at != p.at {
		p.hovering, p.at = true, at
		if img, ok := p.worker.cached(at); ok {
			p.showPicture(img)
		} else {
			p.showPicture(nil) // the time alone until the picture is decoded
			p.worker.request(at, func(img *image.RGBA) {
				if p.hovering && p.at == at {
					p.showPicture(img)
				}
			})
		}
	}
	p.box.Show()
	p.place()
}

func (p *seekPreview) showPicture(img *image.RGBA) {
	if img == nil {
		p.picture.Hide()
	} else {
		p.picture.Image = img
		p.picture.SetMinSize(fyne.NewSize(float32(img.Rect.Dx()), float32(img.Rect.Dy())))
		p.picture.Refresh()
		p.picture.Show()
	}
	p.place()
}

// place puts the box above the pointer, inside the overlay.
func (p *seekPreview) place() {
	if !p.hovering {
		return
	}
	d := fyne.CurrentApp().Driver()
	origin := d.AbsolutePositionForObject(p.overlay)
	bar := d.AbsolutePositionForObject(p.bar)
	size := p.box.MinSize()
	x := bar.X - origin.X + p.x - size.Width/2
	x = max(0, min(x, p.overlay.Size().Width-size.Width))
	y := max(0, bar.Y-origin.Y-size.Height-4)
	p.box.Resize(size)
	p.box.Move(fyne.NewPos(x, y))
}

func (p *seekPreview) leave() {
	p.hovering = false
	p.box.Hide()
}

// run decodes the pictures for m until ctx ends; playback runs it on its own goroutine.
func (p *seekPreview) run(ctx context.Context, m *session.Media) {
	p.worker.run(ctx, func() (thumbnailSource, func(), error) { return openThumbnails(m) })
}

func (pb *playback) filmDuration() time.Duration {
	if p := pb.currentPlayer(); p != nil {
		return p.Duration()
	}
	return 0
}

// whilePlaying runs the seek bar's thumbnail decoder for the session.
func (pb *playback) whilePlaying(ctx context.Context, m *session.Media) { pb.preview.run(ctx, m) }
