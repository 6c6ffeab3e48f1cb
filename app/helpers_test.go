package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/internal/mediagen"
	"marquee/player"
)

// testUI is the one goroutine that plays Fyne's UI thread in tests: the test driver's own
// fyne.Do would run widget code on whichever goroutine calls it.
var testUI = newTaskQueue()

func TestMain(m *testing.M) {
	uiDo = testUI.Push
	os.Exit(m.Run())
}

// onUI runs f on the test UI goroutine and waits for it.
func onUI(f func()) {
	done := make(chan struct{})
	testUI.Push(func() {
		defer close(done)
		f()
	})
	<-done
}

// uiValue reads a value on the UI goroutine.
func uiValue[T any](f func() T) T {
	var v T
	onUI(func() { v = f() })
	return v
}

// waitFor polls cond on the UI goroutine until it holds. The timeout only guards against
// a hang; nothing is asserted about how long it took.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !uiValue(cond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testEnv is a whole app over the test driver: real engine (loopback only), real
// library and catalog in temporary folders, real player with the null audio device.
type testEnv struct {
	app fyne.App
	win fyne.Window
	svc *services
	u   *ui
	dir string
}

type envOption func(*serviceOptions, fyne.Preferences)

func newTestEnv(t *testing.T, providers []catalog.Provider, opts ...envOption) *testEnv {
	t.Helper()
	a := test.NewTempApp(t)
	dir := t.TempDir()
	so := serviceOptions{
		configDir: filepath.Join(dir, "config"),
		cacheDir:  filepath.Join(dir, "cache"),
		logger:    slog.New(slog.DiscardHandler),
		loopback:  true,
	}
	for _, o := range opts {
		o(&so, a.Preferences())
	}
	svc, err := openServices(a.Preferences(), so)
	if err != nil {
		t.Fatal(err)
	}
	svc.audio = player.NullAudio
	svc.metadataTimeout = 30 * time.Second
	for _, p := range providers {
		svc.catalog.Add(p)
	}
	env := &testEnv{app: a, svc: svc, dir: dir}
	onUI(func() {
		env.win = test.NewTempWindow(t, nil)
		env.win.Resize(fyne.NewSize(1100, 720))
		env.u = newUI(a, env.win, svc)
	})
	t.Cleanup(func() {
		// Leave the way a user would, so the UI goroutine owns every change.
		onUI(func() { env.u.nav.popTo(pageHome) })
		env.u.shutdown()
		onUI(func() {}) // let queued UI work drain before the window goes
	})
	return env
}

// staticProvider is a catalog provider over fixed titles.
type staticProvider struct {
	id, name string
	idx      *catalog.Index
}

func newStaticProvider(id, name string, titles ...catalog.Title) *staticProvider {
	for i := range titles {
		titles[i].ID = catalog.JoinID(id, titles[i].ID)
		titles[i].Provider = id
	}
	return &staticProvider{id: id, name: name, idx: catalog.NewIndex(titles)}
}

func (p *staticProvider) ID() string   { return p.id }
func (p *staticProvider) Name() string { return p.name }
func (p *staticProvider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	return p.idx.Search(ctx, q)
}
func (p *staticProvider) Get(_ context.Context, id string) (catalog.Title, error) {
	if t, ok := p.idx.Get(id); ok {
		return t, nil
	}
	return catalog.Title{}, fmt.Errorf("%s: %w", id, catalog.ErrNotFound)
}

// Test films, made by the ffmpeg CLI once and cached under the module's testdata/.
var (
	// shortFilm is long enough for ±10 s seeks, small enough to stream in a blink.
	shortFilm = mediagen.Spec{
		Label: "app-short", Container: "mp4", Video: "h264", Width: 320, Height: 240, FPS: 25,
		Duration:  24 * time.Second,
		Audio:     []mediagen.AudioTrack{{Codec: "aac", Channels: 2, Language: "eng"}},
		Subtitles: []mediagen.SubtitleTrack{{Codec: "mov_text", Language: "eng"}},
		Timecode:  true,
	}
	// tinyFilm ends quickly, for episodes that must finish.
	tinyFilm = mediagen.Spec{
		Label: "app-tiny", Container: "mp4", Video: "h264", Width: 160, Height: 120, FPS: 25,
		Duration: 2 * time.Second,
		Audio:    []mediagen.AudioTrack{{Codec: "aac", Channels: 2}},
	}
)

func film(t *testing.T, spec mediagen.Spec) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, err := mediagen.Generate(ctx, spec, "")
	if err != nil {
		t.Fatalf("make test film %s: %v", spec.Label, err)
	}
	return path
}

// movie is a title with one source.
func movie(id, name string, year int, src catalog.Source) catalog.Title {
	if src.FileIndex == 0 {
		src.FileIndex = catalog.MainFile
	}
	return catalog.Title{
		ID: id, Kind: catalog.KindMovie, Name: name, Year: year, Genres: []string{"Test"},
		Synopsis: name + " is a test film.", Licence: "CC0 1.0",
		LicenceURL: "https://creativecommons.org/publicdomain/zero/1.0/",
		Sources:    []catalog.Source{src},
	}
}

// magnetFilms are n films with ids and names numbered from 0, years from firstYear on, and
// a magnet each, so their pages show a source.
func magnetFilms(idPrefix, namePrefix string, n, firstYear int) []catalog.Title {
	var titles []catalog.Title
	for i := range n {
		titles = append(titles, movie(fmt.Sprint(idPrefix, i), fmt.Sprint(namePrefix, i), firstYear+i,
			catalog.Source{Magnet: "magnet:?xt=urn:btih:" + fmt.Sprintf("%040x", i+1)}))
	}
	return titles
}

// rowCards returns the cards of the home row for key.
func rowCards(u *ui, key string) []*card {
	r := u.home.rows[key]
	if r == nil || !r.box.Visible() {
		return nil
	}
	var out []*card
	for _, o := range r.cards.Objects {
		out = append(out, o.(*card))
	}
	return out
}

// cardFor finds the card showing title ID id on a home row.
func cardFor(u *ui, key, id string) *card {
	for _, c := range rowCards(u, key) {
		if c.Title().ID == id {
			return c
		}
	}
	return nil
}

// playerState is the state of the open player, or -1.
func playerState(u *ui) player.State {
	if u.playback == nil {
		return -1
	}
	if p := u.playback.currentPlayer(); p != nil {
		return p.State()
	}
	return -1
}

// desktopShortcutPaste is Ctrl+V (Cmd+V on macOS).
var desktopShortcutPaste = desktop.CustomShortcut{KeyName: fyne.KeyV, Modifier: fyne.KeyModifierShortcutDefault}

// typeKey sends a key to the window as the keyboard would when no widget has focus.
func typeKey(env *testEnv, name fyne.KeyName) {
	onUI(func() { env.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name}) })
}

// flushEngineTasks waits until the engine tasks queued so far have run.
func flushEngineTasks(env *testEnv) {
	done := make(chan struct{})
	onUI(func() { env.u.tasks.Push(func() { close(done) }) })
	<-done
}

// onScreen reports whether o is shown in the window: in its tree, with o and every
// object above it visible. Run it on the UI goroutine.
func onScreen(env *testEnv, o fyne.CanvasObject) bool {
	var walk func(fyne.CanvasObject) bool
	walk = func(x fyne.CanvasObject) bool {
		if x == nil || !x.Visible() {
			return false
		}
		if x == o {
			return true
		}
		var children []fyne.CanvasObject
		switch c := x.(type) {
		case *fyne.Container:
			children = c.Objects
		case fyne.Widget:
			children = test.WidgetRenderer(c).Objects()
		}
		for _, ch := range children {
			if walk(ch) {
				return true
			}
		}
		return false
	}
	return walk(env.win.Content())
}

// dialogButton finds the button labelled text on the dialog on top, nil when none.
func dialogButton(env *testEnv, text string) *widget.Button {
	return uiValue(func() *widget.Button { return topDialogButton(env, text) })
}

// topDialogButton is dialogButton on the UI goroutine (in waitFor conditions).
func topDialogButton(env *testEnv, text string) *widget.Button {
	var found *widget.Button
	if top := env.win.Canvas().Overlays().Top(); top != nil {
		for _, o := range test.LaidOutObjects(top) {
			if b, ok := o.(*widget.Button); ok && b.Text == text {
				found = b
			}
		}
	}
	return found
}

// setForTest sets *p to v for the test and puts the old value back after it.
func setForTest[T any](t *testing.T, p *T, v T) {
	old := *p
	*p = v
	t.Cleanup(func() { *p = old })
}
