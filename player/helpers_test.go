package player

import (
	"context"
	"fmt"
	"image"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// media returns the path of a generated film, encoding it on first use.
func media(t testing.TB, spec mediagen.Spec) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	path, err := mediagen.Generate(ctx, spec, "")
	if err != nil {
		t.Fatalf("generate %s: %v", spec.Label, err)
	}
	return path
}

func openFile(t testing.TB, path string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}

type shownFrame struct {
	pts, clock    time.Duration
	w, h, stride  int
	originAligned bool
}

type shownSub struct {
	text string
	at   time.Duration
}

// recorder is the test's UI: a frame sink, a subtitle sink and an event handler that
// remember what they were given, with the playback position at that moment.
type recorder struct {
	player atomic.Pointer[Player]

	mu     sync.Mutex
	frames []shownFrame
	subs   []shownSub
	events []Event
	notify chan struct{}
	onShow func(img *image.RGBA, pts time.Duration)
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) position() time.Duration {
	if p := r.player.Load(); p != nil {
		return p.Position()
	}
	return -1
}

func (r *recorder) ShowFrame(img *image.RGBA, pts time.Duration) {
	clk := r.position()
	r.mu.Lock()
	r.frames = append(r.frames, shownFrame{pts: pts, clock: clk, w: img.Rect.Dx(), h: img.Rect.Dy(), stride: img.Stride,
		originAligned: img.Rect.Min == image.Point{}})
	hook := r.onShow
	r.mu.Unlock()
	if hook != nil {
		hook(img, pts)
	}
}

func (r *recorder) ShowSubtitle(text string) {
	at := r.position()
	r.mu.Lock()
	r.subs = append(r.subs, shownSub{text: text, at: at})
	r.mu.Unlock()
}

func (r *recorder) event(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) snapshotFrames() []shownFrame {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]shownFrame(nil), r.frames...)
}

func (r *recorder) snapshotSubs() []shownSub {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]shownSub(nil), r.subs...)
}

func (r *recorder) snapshotEvents() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// waitEvent waits for an event matching match that arrived at or after index from; the
// timeout is a hang guard, not a measurement.
func (r *recorder) waitEvent(t testing.TB, from int, timeout time.Duration, what string, match func(Event) bool) (Event, int) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		for i := from; i < len(r.events); i++ {
			if match(r.events[i]) {
				e := r.events[i]
				r.mu.Unlock()
				return e, i
			}
		}
		r.mu.Unlock()
		select {
		case <-r.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no %s event within %v; events: %v", what, timeout, describeEvents(r.snapshotEvents()))
		}
	}
}

func describeEvents(evs []Event) string {
	var parts []string
	for _, e := range evs {
		s := e.Kind.String() + "/" + e.State.String()
		if e.Kind == EventSeekDone {
			s += fmt.Sprintf("(%v→%v)", e.Target, e.Landed)
		}
		if e.Err != nil {
			s += "(" + e.Err.Error() + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// play opens path with the recorder as UI and registers Close as cleanup.
func play(t testing.TB, path string, opts Options) (*Player, *recorder) {
	t.Helper()
	f, size := openFile(t, path)
	rec := newRecorder()
	if opts.Video == nil {
		opts.Video = rec
	}
	if opts.Subtitles == nil {
		opts.Subtitles = rec
	}
	opts.OnEvent = rec.event
	opts.Size = size
	opts.Name = path
	p, err := Open(context.Background(), f, opts)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	rec.player.Store(p)
	t.Cleanup(func() { p.Close() })
	return p, rec
}

// seekAndPlay seeks a paused player to target, plays, and checks that the seek lands
// within tol of it.
func seekAndPlay(t testing.TB, p *Player, rec *recorder, target, tol time.Duration) {
	t.Helper()
	from := len(rec.snapshotEvents())
	p.Seek(target)
	p.Play()
	ev, _ := rec.waitEvent(t, from, 10*time.Second, "seek done", func(e Event) bool { return e.Kind == EventSeekDone })
	if !near(ev.Landed, target, tol) {
		t.Errorf("seek to %v landed at %v", target, ev.Landed)
	}
}

func waitDone(t testing.TB, p *Player, timeout time.Duration) {
	t.Helper()
	select {
	case <-p.Done():
	case <-time.After(timeout):
		t.Fatalf("playback did not finish within %v (state %v, position %v, stats %+v)", timeout, p.State(), p.Position(), p.Stats())
	}
}

// goroutineBaseline and checkGoroutines assert that a test leaves no goroutine behind.
// Only tests that do not run in parallel may use them.
func goroutineBaseline() int { return runtime.NumGoroutine() }

func checkGoroutines(t testing.TB, baseline int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), baseline, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func near(a, b, tol time.Duration) bool {
	d := a - b
	return d <= tol && d >= -tol
}

// pumpOutput is an audio device for tests: a goroutine pulls from render, as fast as the
// ring allows or in real time, and hands every rendered buffer to capture.
type pumpOutput struct {
	rate, channels int
	stop, done     chan struct{}
}

func pump(rate, channels int, realtime bool, capture func([]float32)) AudioDriver {
	return pumpDriver(func(render renderFunc) (audioOutput, error) {
		o := &pumpOutput{rate: rate, channels: channels, stop: make(chan struct{}), done: make(chan struct{})}
		go func() {
			defer close(o.done)
			const frames = 480
			buf := make([]float32, frames*channels)
			period := time.Duration(frames) * time.Second / time.Duration(rate)
			next := time.Now()
			for {
				select {
				case <-o.stop:
					return
				default:
				}
				render(buf)
				if capture != nil {
					capture(buf)
				}
				if realtime {
					next = next.Add(period)
					time.Sleep(time.Until(next))
				} else {
					time.Sleep(50 * time.Microsecond)
				}
			}
		}()
		return o, nil
	})
}

// pumpDriver makes an audio driver of a test's open function.
type pumpDriver func(render renderFunc) (audioOutput, error)

func (d pumpDriver) open(render renderFunc) (audioOutput, error) { return d(render) }
func (pumpDriver) String() string                                { return "pump" }

func (o *pumpOutput) format() (int, int)     { return o.rate, o.channels }
func (o *pumpOutput) latency() time.Duration { return 0 }

// setRunning keeps pumping: tests count the callbacks of a paused or stalled player.
func (o *pumpOutput) setRunning(bool) {}
func (o *pumpOutput) close() {
	close(o.stop)
	<-o.done
}
