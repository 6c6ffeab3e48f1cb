// Package app is Marquee's Fyne user interface: the home grid, the detail page, the
// player view and settings. It talks to the engine, the player and the catalog only
// through their public APIs.
package app

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"

	"marquee/assets"
	"marquee/catalog/library"
	"marquee/internal/serial"
	"marquee/torrent"
)

// appID names the app to the desktop and keys its preferences folder.
const appID = "io.github.marquee_player.marquee"

// Options configure the desktop app.
type Options struct {
	// Demo adds the "Local demo" row: a generated film seeded by a second engine on
	// 127.0.0.1, so the app can be tried without internet.
	Demo bool
	// Source is a magnet link, info hash, .torrent path or URL to play once the window is
	// up ("marquee magnet:?…", or a desktop magnet: handler).
	Source string
}

// Run opens the main window and blocks until it is closed.
func Run(opts Options) error {
	logger := newLogger()
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	a.Settings().SetTheme(darkTheme{})
	configDir, cacheDir := appDirs()
	svc, err := openServices(a.Preferences(), serviceOptions{configDir: configDir, cacheDir: cacheDir, logger: logger})
	if err != nil {
		return err
	}
	w := a.NewWindow("Marquee")
	u := newUI(a, w, svc)
	w.Resize(svc.settings.windowSize())
	w.SetMaster()
	w.SetCloseIntercept(u.quit)
	a.Lifecycle().SetOnStopped(func() { uiStopped.Store(true) })
	u.installTestHooks(testHooksFromEnv())
	if opts.Demo {
		u.startDemo()
	}
	if opts.Source != "" {
		u.playSource(opts.Source)
	}
	w.ShowAndRun()
	uiStopped.Store(true)
	u.shutdown()
	return nil
}

// newLogger logs warnings to stderr; MARQUEE_LOG=debug shows more.
func newLogger() *slog.Logger {
	level := slog.LevelWarn
	switch strings.ToLower(os.Getenv("MARQUEE_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// ui is the window's state: the navigation stack and what every screen shares. Screens
// keep their own widgets; ui only wires them together.
type ui struct {
	app fyne.App
	win fyne.Window
	svc *services
	nav *navigator
	// sizeSettled keeps the window's size once it has lasted (see windowResized).
	sizeSettled *time.Timer
	// banners are the home page's notices (see banners); no page but home shows them.
	banners *banners
	home    *home

	// playback is the player view on screen, nil when none.
	playback *playback
	// resumePrompt is the open "Resume or Start over" question, nil when none.
	resumePrompt *resumePrompt
	// renderers are the TVs found on the network; castPicker is the open picker, if any.
	renderers  *rendererFinder
	castPicker *castPicker
	// castEnded closes when the last cast started has stopped its renderer and server:
	// the next one waits for it, so that a film replacing another on the same TV is not
	// stopped by the old one's Stop.
	castEnded <-chan struct{}

	tasks      *serial.Queue[func()]
	indicators []*seedingIndicator
	demo       *demo
	hooks      *testHooks
	// currentDetail is the detail page on the stack, nil when none.
	currentDetail *detail
	// currentSharing is the Sharing page on the stack, nil when none.
	currentSharing *sharingScreen

	// ctx ends when the window closes; background work watches it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// stopping counts player sessions being closed in the background.
	stopping sync.WaitGroup
}

// newUI builds the window's content over svc. It takes the fyne.App and window so that
// tests can pass the test driver's.
func newUI(a fyne.App, w fyne.Window, svc *services) *ui {
	ctx, cancel := context.WithCancel(context.Background())
	u := &ui{app: a, win: w, svc: svc, banners: newBanners(), tasks: newTaskQueue(), ctx: ctx, cancel: cancel}
	u.nav = newNavigator(u.windowResized)
	// A text field focused on the page left behind would keep taking the keys that the
	// new page's shortcuts need.
	u.nav.changed = func() {
		u.attachContent()
		w.Canvas().Unfocus()
	}
	u.home = newHome(u)
	u.nav.push(page{name: pageHome, content: u.home.content(), keys: u.home.typedKey, shown: u.home.refreshLibraryRows})
	w.SetPadded(false) // the navigator pads every page but the player
	w.SetContent(u.nav.holder)
	report := u.reportUIFailure
	uiFailed.Store(&report)
	w.Canvas().SetOnTypedKey(guarded1("a key", u.typedKey))
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyV, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		guard("pasting", u.pasteFromClipboard)
	})
	w.SetOnDropped(func(pos fyne.Position, uris []fyne.URI) {
		guard("dropping files", func() { u.dropped(pos, uris) })
	})
	onHealth := func(string) {
		runOnUI(func() {
			if d := u.currentDetail; d != nil {
				d.refreshHealth()
			}
		})
	}
	svc.healthUpdated.Store(&onHealth)
	for _, sp := range svc.startupProblems {
		u.banners.show(sp.key, sp.p)
	}
	u.background(u.watchEngine)
	u.renderers = newRendererFinder(svc.discoverRenderers)
	u.background(u.renderers.run)
	u.home.reload()
	return u
}

// background runs f on its own goroutine until the window closes; shutdown waits for it.
func (u *ui) background(f func(ctx context.Context)) {
	if u.ctx.Err() != nil {
		return
	}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		f(u.ctx)
	}()
}

// libraryWrite runs write on the task goroutine, in the order asked: each bbolt commit
// fsyncs, which the UI goroutine must not wait for. done, if any, then runs on the UI
// goroutine with write's error.
func (u *ui) libraryWrite(write func(*library.Library) error, done func(error)) {
	lib := u.svc.library
	u.tasks.Push(func() {
		err := write(lib)
		if done != nil {
			runOnUI(func() { done(err) })
		}
	})
}

// engineTask runs f with the engine on the task goroutine, in the order asked. Engine
// calls can block (SetSeeding(false) waits for uploads to stop), so none run on the UI
// goroutine.
func (u *ui) engineTask(f func(*torrent.Engine)) {
	if u.svc.engine == nil {
		return
	}
	eng := u.svc.engine
	u.tasks.Push(func() { f(eng) })
}

// typedKey handles keys no focused widget took: the top page's shortcuts, then Esc.
func (u *ui) typedKey(ev *fyne.KeyEvent) {
	if top := u.nav.top(); top.keys != nil && top.keys(ev) {
		return
	}
	if ev.Name == fyne.KeyEscape && len(u.nav.stack) > 1 {
		u.nav.back()
	}
}

// openSettings shows the settings page (once).
func (u *ui) openSettings() {
	if u.nav.top().name == pageSettings {
		return
	}
	content, leave := u.settingsScreen()
	u.nav.push(page{name: pageSettings, content: content, leave: leave})
}

// quit closes the window after stopping playback, so no player goroutine paints into a
// window that is gone.
func (u *ui) quit() {
	u.rememberWindow()
	if u.playback == nil {
		u.app.Quit()
		return
	}
	u.stopPlayback(u.playback, u.app.Quit)
}

// windowResized keeps the window's size once it has settled: Fyne quits on SIGINT and
// SIGTERM without the close intercept, and a size kept only at quit was then lost.
func (u *ui) windowResized(fyne.Size) {
	if u.sizeSettled != nil {
		u.sizeSettled.Stop()
	}
	u.sizeSettled = time.AfterFunc(windowSizeSettles, func() { runOnUI(u.rememberWindow) })
}

// windowSizeSettles is how long a window size must last to be kept: a drag through many
// sizes writes only the last.
const windowSizeSettles = 500 * time.Millisecond

// rememberWindow keeps the window's size for the next start; a full-screen window keeps the
// size it had before. Fyne has no call to place a window, so its position is the desktop's.
func (u *ui) rememberWindow() {
	if size, ok := u.windowSizeToKeep(); ok {
		u.svc.settings.setWindowSize(size)
	}
}

// windowSizeToKeep is the window's size, unless it is full screen or not shown.
func (u *ui) windowSizeToKeep() (fyne.Size, bool) {
	size := u.win.Canvas().Size()
	return size, !u.win.FullScreen() && !size.IsZero()
}

// stopPlayback closes a player session in the background (closing waits for the
// player's goroutines), then runs then on the UI goroutine.
func (u *ui) stopPlayback(pb *playback, then func()) {
	u.stopping.Add(1)
	go func() {
		defer u.stopping.Done()
		pb.stop()
		if then != nil {
			runOnUI(then)
		}
	}()
}

// shutdown stops playback and background work, then closes the services. It runs once
// the window's event loop has ended (tests call it from Cleanup).
func (u *ui) shutdown() {
	u.cancel()
	if u.home.searchTimer != nil {
		u.home.searchTimer.Stop()
	}
	if u.sizeSettled != nil {
		u.sizeSettled.Stop()
	}
	if pb := u.playback; pb != nil {
		pb.stop()
	}
	u.stopping.Wait()
	u.wg.Wait()
	u.tasks.Close()
	<-u.tasks.Done()
	if u.demo != nil {
		u.demo.close(u.svc.engine)
	}
	u.svc.close()
	u.hooks.close()
}

// newTaskQueue runs functions one at a time, in order, on a goroutine of its own; adding
// never blocks.
func newTaskQueue() *serial.Queue[func()] {
	return serial.New(func(f func()) { f() })
}

// Page names, for navigation and tests.
const (
	pageHome     = "home"
	pageDetail   = "detail"
	pagePlayer   = "player"
	pageSettings = "settings"
	pageSharing  = "sharing"
)

// page is one screen on the navigation stack.
type page struct {
	name    string
	content fyne.CanvasObject
	// keys handles a key no widget took; it reports whether it used it.
	keys func(*fyne.KeyEvent) bool
	// leave runs when the page is popped off the stack.
	leave func()
	// shown runs each time the page comes to the top again.
	shown func()
	// fullBleed pages reach the window's edges (the player's picture); the others get
	// the theme's padding. A 720p film in a 1280-pixel window then needs no scaling,
	// which costs ten times what converting it to RGBA does (issue 17).
	fullBleed bool
}

// navigator is the stack home → detail → player (and settings on top of any), showing
// the top page.
type navigator struct {
	stack  []page
	holder *fyne.Container
	// changed runs after every page change.
	changed func()
}

// newNavigator makes the navigator; resized hears each new size the window gives it.
func newNavigator(resized func(fyne.Size)) *navigator {
	return &navigator{holder: container.New(&sizeWatcher{onSize: resized})}
}

// sizeWatcher lays its objects out as a stack and tells onSize of each new size.
type sizeWatcher struct {
	last   fyne.Size
	onSize func(fyne.Size)
}

// stackLayout is the layout sizeWatcher lays out with; it holds no state.
var stackLayout = layout.NewStackLayout()

func (w *sizeWatcher) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	stackLayout.Layout(objects, size)
	if size != w.last {
		w.last = size
		if w.onSize != nil {
			w.onSize(size)
		}
	}
}

func (w *sizeWatcher) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return stackLayout.MinSize(objects)
}

func (n *navigator) top() page {
	if len(n.stack) == 0 {
		return page{}
	}
	return n.stack[len(n.stack)-1]
}

func (n *navigator) push(p page) {
	n.stack = append(n.stack, p)
	n.show()
}

// back pops the top page; the first page stays.
func (n *navigator) back() {
	if len(n.stack) <= 1 {
		return
	}
	leaving := n.top()
	n.stack = n.stack[:len(n.stack)-1]
	if leaving.leave != nil {
		leaving.leave()
	}
	n.show()
	if top := n.top(); top.shown != nil {
		top.shown()
	}
}

// replaceTop swaps the top page for p (the next episode replacing the current one).
func (n *navigator) replaceTop(p page) {
	if len(n.stack) == 0 {
		n.push(p)
		return
	}
	leaving := n.top()
	n.stack[len(n.stack)-1] = p
	if leaving.leave != nil {
		leaving.leave()
	}
	n.show()
}

// popTo pops pages until name is on top.
func (n *navigator) popTo(name string) {
	for len(n.stack) > 1 && n.top().name != name {
		n.back()
	}
}

func (n *navigator) show() {
	top := n.top()
	content := top.content
	if !top.fullBleed && content != nil {
		content = container.NewPadded(content)
	}
	n.holder.Objects = []fyne.CanvasObject{content}
	n.holder.Refresh()
	if n.changed != nil {
		n.changed()
	}
}
