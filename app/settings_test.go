package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/catalog/builtin"
	"marquee/catalog/feed"
	"marquee/torrent"
	"marquee/torrent/torrenttest"
)

// settingsCheck finds the check box labelled text on the settings page.
func settingsCheck(t *testing.T, env *testEnv, text string) *switchCheck {
	t.Helper()
	var found *switchCheck
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if c, ok := o.(*switchCheck); ok && c.Text == text {
				found = c
			}
		}
	})
	if found == nil {
		t.Fatalf("no %q check box on the settings page", text)
	}
	return found
}

// The seeding switch flips the real engine, is saved, and the always-visible indicator
// follows it.
func TestSeedingToggleChangesEngine(t *testing.T) {
	env := newTestEnv(t, nil)
	eng := env.svc.engine
	if !eng.Seeding() {
		t.Fatal("seeding should be on by default")
	}
	home := uiValue(func() *seedingIndicator { return env.u.indicators[0] })
	if got := uiValue(home.Text); !strings.HasPrefix(got, "Seeding on") {
		t.Fatalf("indicator says %q, want Seeding on", got)
	}
	onUI(env.u.openSettings)
	toggle := settingsCheck(t, env, "Seed (share what you watch)")
	if !uiValue(func() bool { return toggle.Checked }) {
		t.Fatal("the seeding switch shows off while seeding is on")
	}
	explanation := false
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if l, ok := o.(*widget.Label); ok && l.Text == seedingExplanation {
				explanation = true
			}
		}
	})
	if !explanation {
		t.Fatal("the settings page does not say what seeding means")
	}

	onUI(func() { test.Tap(toggle) })
	waitFor(t, "the engine to stop seeding", 10*time.Second, func() bool { return !eng.Seeding() })
	if env.svc.settings.seeding() {
		t.Fatal("seeding off was not saved")
	}
	waitFor(t, "the indicator to say seeding off", 10*time.Second, func() bool { return home.Text() == "Seeding off" })

	onUI(func() { test.Tap(toggle) })
	waitFor(t, "the engine to seed again", 10*time.Second, func() bool { return eng.Seeding() })
	waitFor(t, "the indicator to say seeding on", 10*time.Second, func() bool { return strings.HasPrefix(home.Text(), "Seeding on") })
}

// With seeding on, a leecher gets data from us and the indicator says we are uploading;
// switched off, the engine stops sending and the indicator says so.
func TestIndicatorShowsUploadingNow(t *testing.T) {
	env := newTestEnv(t, nil)
	eng := env.svc.engine
	path := film(t, shortFilm)
	seeded, err := eng.Seed(path, torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mi, err := seeded.Metainfo()
	if err != nil {
		t.Fatal(err)
	}
	// A slow leecher keeps the upload going long enough to be seen.
	eng.SetUploadLimit(256 << 10)
	leecher := torrenttest.NewLeecher(t, mi, eng.ListenAddrs()...)
	home := uiValue(func() *seedingIndicator { return env.u.indicators[0] })
	waitFor(t, "the indicator to show the upload", 30*time.Second, func() bool { return strings.HasPrefix(home.Text(), "Uploading ") })
	if leecher.BytesReceived() == 0 {
		t.Fatal("indicator says uploading but the leecher got nothing")
	}
	onUI(func() { env.u.setSeeding(false) })
	waitFor(t, "the indicator to say seeding off", 10*time.Second, func() bool { return home.Text() == "Seeding off" })
	waitFor(t, "the engine to stop seeding", 10*time.Second, func() bool { return !eng.Seeding() && !eng.Uploading().Active })
	got := leecher.BytesReceived()
	// Once SetSeeding(false) has returned, no payload leaves; give the network a moment
	// to deliver anything already sent, then nothing more may arrive.
	time.Sleep(500 * time.Millisecond)
	settled := leecher.BytesReceived()
	time.Sleep(time.Second)
	if after := leecher.BytesReceived(); after != settled {
		t.Fatalf("leecher still receiving with seeding off: %d → %d bytes (had %d at switch-off)", settled, after, got)
	}
}

// Limits and the other engine settings are saved and reach the engine at once.
func TestEngineSettingsApplyAtOnce(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(env.u.openSettings)
	var selects []*menuSelect
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if s, ok := o.(*menuSelect); ok {
				selects = append(selects, s)
			}
		}
	})
	pick := func(option string) {
		for _, s := range selects {
			for _, o := range s.Options {
				if o == option {
					onUI(func() { s.SetSelected(option) })
					return
				}
			}
		}
		t.Fatalf("no menu offers %q", option)
	}
	pick("500 kB/s") // upload limit comes first on the page
	pick("Ratio 2")
	pick("100")
	pick("5 GB")
	st := env.svc.settings
	if st.uploadLimit() != 500_000 || st.ratioLimit() != 2 || st.maxConns() != 100 || st.cacheLimit() != 5<<30 {
		t.Fatalf("saved upload %d, ratio %v, conns %d, cache %d", st.uploadLimit(), st.ratioLimit(), st.maxConns(), st.cacheLimit())
	}
	// The engine's config is what the next start uses.
	cfg := st.engineConfig(nil)
	if cfg.UploadLimit != 500_000 || cfg.RatioLimit != 2 || cfg.MaxConnsPerTorrent != 100 || cfg.CacheLimit != 5<<30 {
		t.Fatalf("engine config %+v does not carry the settings", cfg)
	}

	whileWatching := settingsCheck(t, env, "Seed only while I am watching")
	onUI(func() { test.Tap(whileWatching) })
	if !st.seedWhileWatching() {
		t.Fatal("seed-only-while-watching was not saved")
	}

	// Switching a provider off takes its row off the home page.
	builtinCheck := settingsCheck(t, env, uiValue(func() string {
		p, _ := env.svc.catalog.Provider(builtin.ID)
		return p.Name()
	}))
	onUI(func() { test.Tap(builtinCheck) })
	if env.svc.catalog.Enabled(builtin.ID) || st.providerEnabled(builtin.ID) {
		t.Fatal("switching the built-in catalog off did not apply")
	}
	onUI(env.u.nav.back)
	if uiValue(func() bool { _, ok := env.u.home.rows[builtin.ID]; return ok && rowShown(env.u, builtin.ID) }) {
		t.Fatal("the built-in row is still on the home page")
	}

	// An invalid port is refused; a valid one is kept for the next start.
	if validatePort("70000") == nil || validatePort("http") == nil || validatePort("6881") != nil || validatePort("") != nil {
		t.Fatal("port validation is wrong")
	}
}

// rowShown reports whether the home page lists the row for key.
func rowShown(u *ui, key string) bool {
	r := u.home.rows[key]
	for _, o := range u.home.rowsBox.Objects {
		if o == r.box {
			return true
		}
	}
	return false
}

// A feed added in Settings (with the button or Enter) is checked first: a bad one is
// refused with the reason, a good one is saved and its titles get a row at once.
func TestAddFeedInSettings(t *testing.T) {
	dir := t.TempDir()
	good := movie("reel", "Feed Reel", 1925, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("cd", 20)})
	data, err := feed.Marshal(feed.Feed{Version: feed.Version, Name: "Test Feed", Titles: []catalog.Title{good}})
	if err != nil {
		t.Fatal(err)
	}
	goodPath := filepath.Join(dir, "good.json")
	badPath := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(goodPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badPath, []byte(`{"version": 1, "name": "Broken", "titles": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, nil)
	onUI(env.u.openSettings)
	var entry *escEntry
	var add *widget.Button
	var status *widget.Label
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			switch w := o.(type) {
			case *escEntry:
				if strings.Contains(w.PlaceHolder, "films.json") {
					entry = w
				}
			case *widget.Button:
				if w.Text == "Add feed" {
					add = w
				}
			case *widget.Label:
				if w.Text == "" && status == nil && entry != nil && add != nil {
					status = w // the line right under the feed entry
				}
			}
		}
	})
	if entry == nil || add == nil || status == nil {
		t.Fatal("no feed entry, Add feed button or status line on the settings page")
	}

	onUI(func() { entry.SetText(badPath); test.Tap(add) })
	waitFor(t, "the bad feed refused", 20*time.Second, func() bool { return strings.HasPrefix(status.Text, "Not added: ") })
	if got := uiValue(func() string { return status.Text }); !strings.Contains(got, "titles") {
		t.Fatalf("refusal %q does not name the problem (no titles)", got)
	}
	if feeds, _ := env.svc.library.Feeds(); len(feeds) != 0 {
		t.Fatalf("a bad feed was saved: %+v", feeds)
	}

	// Enter in the field adds it, as the button does.
	onUI(func() { entry.SetText(goodPath); entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	waitFor(t, "the good feed added with Enter", 20*time.Second, func() bool { return status.Text == "Added." })
	feeds, err := env.svc.library.Feeds()
	if err != nil || len(feeds) != 1 || feeds[0].URL != goodPath || feeds[0].Name != "Test Feed" {
		t.Fatalf("saved feeds %+v (%v)", feeds, err)
	}
	onUI(env.u.nav.back)
	id := catalog.JoinID(feed.ProviderID(goodPath), "reel")
	waitFor(t, "the feed's row", 20*time.Second, func() bool { return cardFor(env.u, feed.ProviderID(goodPath), id) != nil })

	// Removing it writes the library on the task goroutine: held there, the tap returns
	// and nothing is written until the goroutine runs.
	onUI(env.u.openSettings)
	var remove *widget.Button
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if b, ok := o.(*widget.Button); ok && b.Text == "" && b.Icon == theme.DeleteIcon() {
				remove = b
			}
		}
	})
	if remove == nil {
		t.Fatal("no remove button beside the feed")
	}
	hold := make(chan struct{})
	env.u.tasks.Push(func() { <-hold })
	onUI(func() { test.Tap(remove) })
	if feeds, _ := env.svc.library.Feeds(); len(feeds) != 1 {
		t.Fatalf("the feed was removed on the UI goroutine: %+v", feeds)
	}
	close(hold)
	waitFor(t, "the feed removed from the library", 20*time.Second, func() bool {
		feeds, err := env.svc.library.Feeds()
		return err == nil && len(feeds) == 0
	})
	onUI(env.u.nav.back)
	waitFor(t, "the feed's row gone", 20*time.Second, func() bool { return cardFor(env.u, feed.ProviderID(goodPath), id) == nil })
}

// settingsSelectOffering finds the first drop-down on the settings page offering option.
func settingsSelectOffering(t *testing.T, env *testEnv, option string) *menuSelect {
	t.Helper()
	var found *menuSelect
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if s, ok := o.(*menuSelect); ok && found == nil && slices.Contains(s.Options, option) {
				found = s
			}
		}
	})
	if found == nil {
		t.Fatalf("no drop-down on the settings page offers %q", option)
	}
	return found
}

// settingsLabelShown reports whether a label reading text is shown on the settings page.
func settingsLabelShown(env *testEnv, text string) bool {
	shown := false
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if l, ok := o.(*widget.Label); ok && l.Text == text && l.Visible() {
				shown = true
			}
		}
	})
	return shown
}

// With seeding off, the upload limit, the ratio and seed-while-watching are greyed out
// and the page says why; turned on again, they are back. Reopening the page keeps it.
func TestSeedingOffDisablesItsLimits(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(env.u.openSettings)
	controls := func() map[string]fyne.Disableable {
		return map[string]fyne.Disableable{
			"upload limit":          settingsSelectOffering(t, env, "500 kB/s"), // upload comes before download
			"ratio":                 settingsSelectOffering(t, env, "Ratio 2"),
			"seed only if watching": settingsCheck(t, env, "Seed only while I am watching"),
		}
	}
	expect := func(when string, disabled bool) {
		t.Helper()
		for name, c := range controls() {
			if got := uiValue(c.Disabled); got != disabled {
				t.Errorf("%s: the %s control disabled = %v, want %v", when, name, got, disabled)
			}
		}
		if got := settingsLabelShown(env, seedingOffReason); got != disabled {
			t.Errorf("%s: the reason %q shown = %v, want %v", when, seedingOffReason, got, disabled)
		}
		if conns := settingsSelectOffering(t, env, "Default (50)"); uiValue(conns.Disabled) {
			t.Errorf("%s: a drop-down that has nothing to do with seeding is disabled", when)
		}
	}
	expect("seeding on", false)
	toggle := settingsCheck(t, env, "Seed (share what you watch)")
	onUI(func() { test.Tap(toggle) })
	expect("after switching seeding off", true)

	onUI(env.u.nav.back)
	onUI(env.u.openSettings)
	expect("settings opened again with seeding off", true)

	toggle = settingsCheck(t, env, "Seed (share what you watch)")
	onUI(func() { test.Tap(toggle) })
	expect("after switching seeding on", false)
	waitFor(t, "the engine to seed again", 10*time.Second, func() bool { return env.svc.engine.Seeding() })
}

// cacheLine is the text of the "Using …" line in Settings → Cache. It runs on the UI
// goroutine (inside waitFor).
func cacheLine(env *testEnv) string {
	for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Using ") {
			return l.Text
		}
	}
	return ""
}

// After a restart the cache line shows what the cache folder holds on disk, not only what
// this run downloaded: the demo film made by an earlier run is there.
func TestCacheLineMeasuresTheFolderAfterRestart(t *testing.T) {
	const demoSize = 3 << 20
	env := newTestEnv(t, nil, func(so *serviceOptions, _ fyne.Preferences) {
		media := filepath.Join(so.cacheDir, "media")
		if err := os.MkdirAll(media, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := torrenttest.WriteRandomFile(filepath.Join(media, "demo.mp4"), demoSize, 1); err != nil {
			t.Fatal(err)
		}
	})
	onUI(env.u.openSettings)
	waitFor(t, "the cache line", 10*time.Second, func() bool { return strings.HasPrefix(cacheLine(env), "Using ") })
	want := env.svc.measureCache(env.svc.engine)
	if want.other < demoSize || want.films != 0 {
		t.Fatalf("measured %+v; want the %d-byte demo film outside the films", want, demoSize)
	}
	waitFor(t, "the cache line to show the folder's size", 10*time.Second, func() bool {
		return strings.Contains(cacheLine(env), formatBytes(want.films+want.other)+" on disk")
	})
}

// "Clear now" asks first, saying how much it frees; Cancel keeps the films, Clear deletes
// them and the line follows.
func TestClearCacheAsksWithTheSize(t *testing.T) {
	env := newTestEnv(t, nil)
	eng := env.svc.engine
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 2 << 20, PieceLength: 64 << 10})
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
	waitFor(t, "the film downloaded", 30*time.Second, tor.Complete)
	films := eng.CacheSize()
	if films < 2<<20 {
		t.Fatalf("the engine counts %d bytes after a 2 MiB download", films)
	}
	onUI(env.u.openSettings)
	var clearNow *widget.Button
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Clear now" {
				clearNow = b
			}
		}
	})
	if clearNow == nil {
		t.Fatal("no Clear now button")
	}
	dialogSays := func() string {
		var texts []string
		onUI(func() {
			if top := env.win.Canvas().Overlays().Top(); top != nil {
				for _, o := range test.LaidOutObjects(top) {
					if l, ok := o.(*widget.Label); ok {
						texts = append(texts, l.Text)
					}
				}
			}
		})
		return strings.Join(texts, " ")
	}

	onUI(func() { test.Tap(clearNow) })
	waitFor(t, "the confirmation", 10*time.Second, func() bool { return env.win.Canvas().Overlays().Top() != nil })
	if says := dialogSays(); !strings.Contains(says, formatBytes(films)) {
		t.Fatalf("the confirmation says %q; want the %s it frees", says, formatBytes(films))
	}
	cancelButton := dialogButton(env, "Cancel")
	if cancelButton == nil || dialogButton(env, "Clear") == nil {
		t.Fatal("the confirmation has no Cancel and Clear buttons")
	}
	onUI(func() { test.Tap(cancelButton) })
	flushEngineTasks(env)
	if got := eng.CacheSize(); got != films || !slices.Contains(eng.Torrents(), tor) {
		t.Fatalf("after Cancel the cache holds %d bytes (had %d), torrent kept %v", got, films, slices.Contains(eng.Torrents(), tor))
	}

	onUI(func() { test.Tap(clearNow) })
	waitFor(t, "the confirmation", 10*time.Second, func() bool { return env.win.Canvas().Overlays().Top() != nil })
	confirm := dialogButton(env, "Clear")
	onUI(func() { test.Tap(confirm) })
	flushEngineTasks(env)
	if got := eng.CacheSize(); got != 0 {
		t.Fatalf("after Clear the cache holds %d bytes", got)
	}
	waitFor(t, "the line to show no films", 10*time.Second, func() bool {
		return strings.Contains(cacheLine(env), "0 B of downloaded films")
	})
}

// blockingPrefs holds every save until released, as a slow disk would.
type blockingPrefs struct {
	fyne.Preferences
	release chan struct{}
}

func (p blockingPrefs) SetBool(key string, v bool) { <-p.release; p.Preferences.SetBool(key, v) }
func (p blockingPrefs) SetInt(key string, v int)   { <-p.release; p.Preferences.SetInt(key, v) }

// Fyne saves the preferences file (with an fsync) on the goroutine that sets a value:
// settings must never make the UI goroutine wait for that, and must read back what was
// set before it is saved.
func TestSettingsWritesDoNotWaitForTheSave(t *testing.T) {
	saved := test.NewTempApp(t).Preferences()
	prefs := blockingPrefs{Preferences: saved, release: make(chan struct{})}
	s := newSettings(prefs)
	returned := make(chan struct{})
	go func() {
		s.setBool(prefSeeding, false)
		s.setInt(prefMaxConns, 10)
		s.setInt(prefMaxConns, 20)
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(time.Minute):
		t.Fatal("setting a value waited for the save")
	}
	if s.seeding() || s.maxConns() != 20 {
		t.Fatalf("before the save: seeding %v, max conns %d; want false and 20", s.seeding(), s.maxConns())
	}
	if !saved.BoolWithFallback(prefSeeding, true) {
		t.Fatal("the value was saved on the caller's goroutine")
	}
	close(prefs.release)
	s.writer.flush()
	if saved.BoolWithFallback(prefSeeding, true) || saved.Int(prefMaxConns) != 20 {
		t.Fatalf("after the save: seeding %v, max conns %d; want false and the last value, 20",
			saved.BoolWithFallback(prefSeeding, true), saved.Int(prefMaxConns))
	}
	if _, waiting := s.writer.pending(prefMaxConns); waiting {
		t.Fatal("a saved value is still held as unsaved")
	}
}

// A window size that lasts is kept without waiting for the close button: Fyne quits on
// SIGTERM and Ctrl-C without it.
func TestWindowSizeIsKeptOnceItSettles(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(func() { env.win.Resize(fyne.NewSize(1010, 650)) })
	waitFor(t, "the new size kept", 10*time.Second, func() bool {
		return env.svc.settings.windowSize() == fyne.NewSize(1010, 650)
	})
}

// The window comes back at the size it had when the app quit, never below the smallest size
// the layout is made for; a full-screen window keeps its windowed size.
func TestWindowSizeIsRemembered(t *testing.T) {
	env := newTestEnv(t, nil)
	s := env.svc.settings
	if got := s.windowSize(); got != defaultWindowSize {
		t.Fatalf("first start: %v, want %v", got, defaultWindowSize)
	}
	onUI(func() {
		env.win.Resize(fyne.NewSize(1000, 640))
		env.u.rememberWindow()
	})
	s.writer.flush()
	again := newSettings(env.app.Preferences())
	if got := again.windowSize(); got != fyne.NewSize(1000, 640) {
		t.Fatalf("after a restart: %v, want 1000x640", got)
	}
	onUI(func() {
		env.win.SetFullScreen(true)
		env.win.Resize(fyne.NewSize(1920, 1080))
		env.u.rememberWindow()
	})
	if got := s.windowSize(); got != fyne.NewSize(1000, 640) {
		t.Fatalf("full screen replaced the windowed size: %v", got)
	}
	s.setWindowSize(fyne.NewSize(300, 200))
	if got := s.windowSize(); got != minWindowSize {
		t.Fatalf("a tiny saved size: %v, want the minimum %v", got, minWindowSize)
	}
}

// A port out of range says why beside the field, not only with a red border, and the
// saved port is kept; a good port takes the reason away and is saved.
func TestSettingsPortSaysWhyItIsRefused(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(env.u.openSettings)
	var port *escEntry
	onUI(func() {
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if e, ok := o.(*escEntry); ok && e.PlaceHolder == "42069 (default)" {
				port = e
			}
		}
	})
	if port == nil {
		t.Fatal("no port field on the settings page")
	}
	const why = "Not saved: a port is a number from 0 to 65535."
	onUI(func() { port.SetText("70000") })
	if !settingsLabelShown(env, why) {
		t.Fatalf("after typing 70000 the page does not say %q", why)
	}
	if p := env.u.svc.settings.listenPort(); p == 70000 {
		t.Fatal("the refused port was saved")
	}
	onUI(func() { port.SetText("6881") })
	if settingsLabelShown(env, why) {
		t.Fatal("the reason stays after a good port")
	}
	if p := env.u.svc.settings.listenPort(); p != 6881 {
		t.Fatalf("the saved port is %d, want 6881", p)
	}
}
