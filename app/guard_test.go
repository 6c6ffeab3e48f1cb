package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"marquee/player"
	"marquee/torrent/torrenttest"
)

// paintedDriver answers CanvasForObject the way the GL driver does: only for objects that
// were on the window when it was last laid out for painting, and nil for anything else.
// Fyne's test driver answers "the last window" for every object, attached or not, which
// hides the nil-canvas crash.
type paintedDriver struct {
	fyne.Driver
	mu     sync.Mutex
	canvas map[fyne.CanvasObject]fyne.Canvas
}

func (d *paintedDriver) CanvasForObject(o fyne.CanvasObject) fyne.Canvas {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.canvas[o]
}

func (d *paintedDriver) AbsolutePositionForObject(o fyne.CanvasObject) fyne.Position {
	if d.CanvasForObject(o) == nil {
		return fyne.Position{}
	}
	return d.Driver.AbsolutePositionForObject(o)
}

// paint is what a GL frame does to the canvas cache: it records the canvas of everything
// on the window, content and overlays.
func (d *paintedDriver) paint(c fyne.Canvas) {
	// Laying out asks the driver for canvases, so the walk runs without the lock.
	painted := map[fyne.CanvasObject]fyne.Canvas{}
	for _, r := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		for _, o := range test.LaidOutObjects(r) {
			painted[o] = c
		}
	}
	d.mu.Lock()
	d.canvas = painted
	d.mu.Unlock()
}

type paintedApp struct {
	fyne.App
	d *paintedDriver
}

func (a paintedApp) Driver() fyne.Driver { return a.d }

// paintedCanvas is the window's canvas with the GL canvas's EnsureMinSize, which lays the
// whole tree out and so records every object's canvas.
type paintedCanvas struct {
	fyne.Canvas
	d *paintedDriver
}

func (c paintedCanvas) EnsureMinSize() bool { c.d.paint(c.Canvas); return false }

type paintedWindow struct {
	fyne.Window
	c paintedCanvas
}

func (w paintedWindow) Canvas() fyne.Canvas { return w.c }

// newPaintedEnv is newTestEnv over paintedDriver: a whole app whose widgets learn their
// canvas only when painted (see paintedDriver). paint stands for the next frame.
func newPaintedEnv(t *testing.T) (env *testEnv, paint func()) {
	t.Helper()
	base := test.NewTempApp(t)
	drv := &paintedDriver{Driver: base.Driver()}
	a := paintedApp{App: base, d: drv}
	fyne.SetCurrentApp(a)
	t.Cleanup(func() { fyne.SetCurrentApp(base) })
	dir := t.TempDir()
	svc, err := openServices(a.Preferences(), serviceOptions{
		configDir: filepath.Join(dir, "config"),
		cacheDir:  filepath.Join(dir, "cache"),
		logger:    slog.New(slog.DiscardHandler),
		loopback:  true,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc.audio = player.NullAudio
	env = &testEnv{app: a, svc: svc, dir: dir}
	onUI(func() {
		tw := test.NewTempWindow(t, nil)
		tw.Resize(fyne.NewSize(1100, 720))
		env.win = paintedWindow{Window: tw, c: paintedCanvas{Canvas: tw.Canvas(), d: drv}}
		env.u = newUI(a, env.win, svc)
	})
	t.Cleanup(func() {
		onUI(func() { env.u.nav.popTo(pageHome) })
		env.u.shutdown()
		onUI(func() {})
	})
	paint = func() { onUI(func() { drv.paint(env.win.Canvas().(paintedCanvas).Canvas) }) }
	paint()
	return env, paint
}

// selectWidget is what both Fyne's Select and the app's menuSelect offer.
type selectWidget interface {
	fyne.Tappable
	SelectedIndex() int
}

// firstSelect is the first drop-down on the top page: on Settings, Upload limit.
func firstSelect(t *testing.T, env *testEnv) selectWidget {
	t.Helper()
	s := uiValue(func() selectWidget {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if s, ok := o.(selectWidget); ok {
				return s
			}
		}
		return nil
	})
	if s == nil {
		t.Fatal("no drop-down on the page")
	}
	return s
}

// overlays counts the pop-ups on the window.
func overlays(env *testEnv) int {
	return uiValue(func() int { return len(env.win.Canvas().Overlays().List()) })
}

// The crash: Settings is pushed and its Upload limit drop-down is tapped before
// the next frame has painted the new page. Fyne's Select then asked the driver for its
// canvas, got nil and panicked in NewPopUpMenu, taking the app with it. Showing a page
// now makes the driver know it at once, so the tap opens the menu.
func TestDropDownTappedBeforeThePageIsPaintedOpensItsMenu(t *testing.T) {
	env, paint := newPaintedEnv(t)
	onUI(env.u.openSettings)
	upload := firstSelect(t, env)
	onUI(func() { test.Tap(upload) })
	if n := overlays(env); n != 1 {
		t.Fatalf("tapping Upload limit on a page not yet painted shows %d pop-ups, want its menu", n)
	}
	onUI(func() {
		env.win.Canvas().Overlays().Top().Hide()
		env.win.Canvas().Overlays().Remove(env.win.Canvas().Overlays().Top())
	})
	paint()
	onUI(func() { test.Tap(upload) })
	if n := overlays(env); n != 1 {
		t.Fatalf("after a frame, tapping Upload limit shows %d pop-ups, want its menu", n)
	}
}

// A drop-down left behind on a page that is gone (Back, then a tap that was already on
// its way) does nothing instead of crashing; so does one the driver has not met yet on
// a driver without EnsureMinSize.
func TestDetachedDropDownIgnoresTapsAndKeys(t *testing.T) {
	env, paint := newPaintedEnv(t)
	onUI(env.u.openSettings)
	paint()
	upload := firstSelect(t, env)
	onUI(env.u.nav.back)
	paint()
	onUI(func() { test.Tap(upload) })
	if k, ok := upload.(fyne.Focusable); ok {
		onUI(func() { k.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace}) })
	}
	if n := overlays(env); n != 0 {
		t.Fatalf("a drop-down on a closed page opened %d pop-ups", n)
	}
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("the page is %q, want home", top)
	}
}

// A panic in a UI callback, a control's or a background update's, is logged and told in
// a banner; the window goes on working, and neither the library (bbolt) nor a download
// running in the engine notices.
func TestPanicInAUICallbackLeavesLibraryAndDownloadIntact(t *testing.T) {
	path := film(t, shortFilm)
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: path, UploadCaps: []int64{512 << 10}})
	env := newTestEnv(t, nil)
	lib, eng := env.svc.library, env.svc.engine
	if err := lib.SetFavorite("test:kept", true); err != nil {
		t.Fatal(err)
	}
	if err := lib.SetResume("test:kept", 0, 7*time.Second, 24*time.Second); err != nil {
		t.Fatal(err)
	}
	tor, err := eng.AddMagnet(swarm.Magnet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tor.WaitMetadata(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tor.DownloadAll(); err != nil {
		t.Fatal(err)
	}

	// While the download runs: a control whose action panics, then a background update
	// that panics on the UI goroutine.
	ind := uiValue(func() *seedingIndicator { return env.u.indicators[0] })
	onUI(func() {
		ind.onTap = func() { panic("a control failed") }
		test.Tap(ind)
	})
	runOnUI(func() { panic("an update failed") })
	onUI(func() {})
	if !uiValue(func() bool { return env.u.banners.has(bannerUIFailure) }) {
		t.Fatal("no banner tells the user something failed")
	}
	if done := tor.Stats().BytesComplete; done == tor.Length() {
		t.Logf("the download finished before the panics (%d bytes); the check below still holds", done)
	}

	// The session goes on: navigation works.
	onUI(env.u.openSettings)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageSettings {
		t.Fatalf("after the panics Settings did not open (page %q)", top)
	}
	onUI(env.u.nav.back)

	// The library is open, its data kept, and it still takes writes.
	if !lib.IsFavorite("test:kept") {
		t.Fatal("the favourite written before the panic is gone")
	}
	if pos, ok := lib.Resume("test:kept", 0); !ok || pos.Position != 7*time.Second {
		t.Fatalf("the resume point written before the panic reads %+v, %v", pos, ok)
	}
	if err := lib.SetWatched("test:kept", true); err != nil || !lib.IsWatched("test:kept") {
		t.Fatalf("the library no longer takes writes after the panic: %v", err)
	}

	// The download carries on to the end, in the same engine torrent.
	waitFor(t, "the download to finish", 60*time.Second, func() bool { return tor.Complete() })
	if findTorrent(eng, tor.InfoHash()) != tor {
		t.Fatal("the engine lost the torrent")
	}
	if st := tor.Stats(); st.BytesComplete != st.Length {
		t.Fatalf("download reports %d of %d bytes", st.BytesComplete, st.Length)
	}
}

// File and folder dialogs call back from Fyne's event loop too: a panic there is reported,
// not the end of the session.
func TestPanicInADialogCallbackIsReported(t *testing.T) {
	var reported []string
	report := func(what string, v any, _ []byte) { reported = append(reported, fmt.Sprint(what, ": ", v)) }
	old := uiFailed.Swap(&report)
	defer uiFailed.Store(old)
	guarded2("the folder dialog", func(string, error) { panic("boom") })("/tmp", nil)
	if len(reported) != 1 || reported[0] != "the folder dialog: boom" {
		t.Fatalf("reported %q", reported)
	}
}
