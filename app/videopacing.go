package app

import (
	"image"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// framePacing is what the status sample says about frame pacing: how many pictures reached
// the screen, how many never did, and how long painting each one took. The benchmark
// BenchmarkFramePacing reads it from the test status file.
type framePacing struct {
	// FramesDropped are the pictures the player's presenter dropped because they were late
	// (the next one was due as well) or could not be converted.
	FramesDropped int `json:"frames_dropped"`
	// FramesDrawn are the pictures a repaint of the window reached. FramesShown counts the
	// pictures handed to the view; FramesSkipped those among them that another replaced
	// before any repaint: the UI thread or the GL loop (at most 60 repaints a second) fell
	// behind, and the viewer never saw them.
	FramesDrawn   int64 `json:"frames_drawn"`
	FramesSkipped int64 `json:"frames_skipped"`
	// PaintMicros are the paint times, in µs, of the pictures drawn since the previous
	// sample (see paintMeter).
	PaintMicros []int64 `json:"paint_us,omitempty"`
	// LatencyMicros are, for the same pictures, the times in µs from the player handing
	// each over to the first repaint that reached it: what waiting for repaints costs in
	// lip sync.
	LatencyMicros []int64 `json:"latency_us,omitempty"`
}

// pacingOf samples the view's counters; dropped is the player's count of late pictures.
func (v *videoView) pacingOf(dropped int) framePacing {
	paint, latency := v.meter.takeTimes()
	return framePacing{
		FramesDropped: dropped,
		FramesDrawn:   v.meter.drawn.Load(),
		FramesSkipped: v.meter.skipped.Load(),
		PaintMicros:   paint,
		LatencyMicros: latency,
	}
}

// shownFrame is a picture handed to the view, numbered in the order the player showed it.
type shownFrame struct {
	seq    int64
	img    *image.RGBA
	pts    time.Duration
	handed time.Time
}

// paintMeter times how long the GL loop spends painting each new picture, and counts the
// pictures it never painted.
//
// Fyne has no hook after a repaint, but every walk of the window's tree, the repaint's
// included, asks each widget's renderer for its objects in drawing order: the video
// view's renderer first, then the letterbox bars and the picture, then a probe placed
// right after the picture. In the paint walk the time between the two is what it costs to
// upload the new picture into a texture (glTexImage2D of the whole frame) and draw it.
// Fyne walks the tree twice per repaint (minimum sizes, then paint), and mouse events
// walk it too; those walks touch no texture and take microseconds, so a picture's paint
// time is the longest of the walks made while it was on the canvas. What it leaves out:
// the rest of the window and SwapBuffers, where llvmpipe's threads rasterise; those are
// counted as GL CPU by BenchmarkAppCPU.
//
// All of it but takeTimes and the counters runs on the UI goroutine, which in Fyne's
// GL driver is also the one that paints.
type paintMeter struct {
	handed   atomic.Int64 // the number of the last picture the player handed to the view
	onCanvas int64        // the number of the picture set on the canvas image
	// onCanvasHanded is when the player handed over the picture on the canvas.
	onCanvasHanded time.Time
	drawnSeq       int64     // the number of the picture the walks last reached
	walkFrom       time.Time // when the current walk entered the view; zero outside one
	longest        time.Duration

	drawn, skipped atomic.Int64

	mu        sync.Mutex
	times     []int64 // finished paint times in µs, waiting for the next status sample
	latencies []int64 // latencies in µs, waiting for the next status sample
}

// maxTimes bounds what waits for a status sample that nobody takes.
const maxTimes = 4096

// appendBounded appends us to times, dropping the oldest beyond maxTimes.
func appendBounded(times []int64, us int64) []int64 {
	if len(times) >= maxTimes {
		times = times[1:]
	}
	return append(times, us)
}

// walkEntered is called when a walk of the tree reaches the video view. It reports
// whether the walk reaches a picture no walk had reached before.
func (m *paintMeter) walkEntered(now time.Time) bool {
	m.walkFrom = now
	if m.onCanvas <= m.drawnSeq {
		return false
	}
	m.finish()
	m.mu.Lock()
	m.latencies = appendBounded(m.latencies, now.Sub(m.onCanvasHanded).Microseconds())
	m.mu.Unlock()
	if m.drawnSeq > 0 {
		m.skipped.Add(m.onCanvas - m.drawnSeq - 1)
	}
	m.drawnSeq = m.onCanvas
	m.drawn.Add(1)
	return true
}

// unpainted reports whether the picture on the canvas is still waiting for its first
// repaint, after one has been painted (before the first repaint nothing is behind).
func (m *paintMeter) unpainted() bool { return m.drawnSeq > 0 && m.onCanvas > m.drawnSeq }

// walkPassedPicture is called when the same walk has gone past the picture.
func (m *paintMeter) walkPassedPicture(now time.Time) {
	if m.walkFrom.IsZero() {
		return
	}
	m.longest = max(m.longest, now.Sub(m.walkFrom))
	m.walkFrom = time.Time{}
}

// finish files the paint time of the picture drawn last, once no walk can add to it.
func (m *paintMeter) finish() {
	if m.drawnSeq == 0 || m.longest == 0 {
		return
	}
	m.mu.Lock()
	m.times = appendBounded(m.times, m.longest.Microseconds())
	m.mu.Unlock()
	m.longest = 0
}

// takeTimes hands over the paint times and latencies gathered since it was last called.
func (m *paintMeter) takeTimes() (paint, latency []int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	paint, latency = m.times, m.latencies
	m.times, m.latencies = nil, nil
	return paint, latency
}

// paintProbe is an empty widget after the picture in the video view's objects: the tree
// walks reach it once they have drawn the picture.
type paintProbe struct {
	widget.BaseWidget
	meter *paintMeter
}

func newPaintProbe(m *paintMeter) *paintProbe {
	p := &paintProbe{meter: m}
	p.ExtendBaseWidget(p)
	return p
}

func (p *paintProbe) CreateRenderer() fyne.WidgetRenderer { return &probeRenderer{p.meter} }

type probeRenderer struct{ meter *paintMeter }

func (r *probeRenderer) Destroy()           {}
func (r *probeRenderer) Layout(fyne.Size)   {}
func (r *probeRenderer) MinSize() fyne.Size { return fyne.Size{} }
func (r *probeRenderer) Refresh()           {}
func (r *probeRenderer) Objects() []fyne.CanvasObject {
	r.meter.walkPassedPicture(time.Now())
	return nil
}
