package app

import (
	"context"
	"fmt"
	"log/slog"
	"marquee/internal/serial"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog/feed"
	"marquee/catalog/library"
	"marquee/torrent"
)

// Preference keys. They are part of the user's saved state: never rename one.
const (
	prefSeeding            = "seeding.on"
	prefUploadLimit        = "seeding.upload_limit" // bytes/s, 0 = unlimited
	prefRatioLimit         = "seeding.ratio_limit"  // 0 = none
	prefSeedWhileWatching  = "seeding.only_while_watching"
	prefDownloadLimit      = "network.download_limit" // bytes/s, 0 = unlimited
	prefMaxConns           = "network.max_conns"      // per torrent, 0 = engine default
	prefListenPort         = "network.listen_port"    // -1 = engine default, 0 = random
	prefCacheDir           = "cache.dir"              // "" = engine default
	prefCacheLimit         = "cache.limit"            // bytes, 0 = unlimited
	prefClearCacheOnExit   = "cache.clear_on_exit"
	prefProviderPrefix     = "catalog.provider." // + provider ID: bool
	prefSubtitleSize       = "subtitles.size"    // points
	prefVolume             = "player.volume"     // 0..1
	prefWindowWidth        = "window.width"      // the main window's size at the last quit
	prefWindowHeight       = "window.height"
	defaultCacheLimit      = 20 << 30
	defaultSubtitleSize    = 26
	defaultListenPortValue = -1
)

// seedingExplanation is the honest sentence next to the seeding switch.
const seedingExplanation = "While seeding is on, parts of the films you watch are uploaded from your connection to other viewers, which is how BitTorrent keeps films available."

// seedingOffReason stands next to the seeding limits while they do not apply.
const seedingOffReason = "Seeding is off: the limits below apply when you turn it on."

// settings is the user's configuration, kept in Fyne's preferences. Reads are cheap and
// always current, so nothing caches them. Fyne saves the preferences file, with an fsync, on
// the goroutine that sets a value, so writes go through the writer: they are current for
// reads at once and saved on its goroutine.
type settings struct {
	prefs  fyne.Preferences
	writer *prefWriter
}

func newSettings(prefs fyne.Preferences) settings {
	return settings{prefs: prefs, writer: newPrefWriter()}
}

func (s settings) seeding() bool { return readPref(s, prefSeeding, true, s.prefs.BoolWithFallback) }
func (s settings) uploadLimit() int64 {
	return int64(readPref(s, prefUploadLimit, 0, s.prefs.IntWithFallback))
}
func (s settings) ratioLimit() float64 {
	return readPref(s, prefRatioLimit, 0, s.prefs.FloatWithFallback)
}
func (s settings) seedWhileWatching() bool {
	return readPref(s, prefSeedWhileWatching, false, s.prefs.BoolWithFallback)
}
func (s settings) downloadLimit() int64 {
	return int64(readPref(s, prefDownloadLimit, 0, s.prefs.IntWithFallback))
}
func (s settings) maxConns() int { return readPref(s, prefMaxConns, 0, s.prefs.IntWithFallback) }
func (s settings) listenPort() int {
	return readPref(s, prefListenPort, defaultListenPortValue, s.prefs.IntWithFallback)
}
func (s settings) cacheDir() string { return readPref(s, prefCacheDir, "", s.prefs.StringWithFallback) }
func (s settings) cacheLimit() int64 {
	return int64(readPref(s, prefCacheLimit, defaultCacheLimit, s.prefs.IntWithFallback))
}
func (s settings) clearCacheOnExit() bool {
	return readPref(s, prefClearCacheOnExit, false, s.prefs.BoolWithFallback)
}
func (s settings) providerEnabled(id string) bool {
	return readPref(s, prefProviderPrefix+id, true, s.prefs.BoolWithFallback)
}
func (s settings) subtitleSize() float32 {
	return float32(readPref(s, prefSubtitleSize, defaultSubtitleSize, s.prefs.FloatWithFallback))
}
func (s settings) volume() float64 { return readPref(s, prefVolume, 1, s.prefs.FloatWithFallback) }

// windowSize is the main window's size at the last quit (1280×800 the first time), never
// smaller than the smallest the layout is made for.
func (s settings) windowSize() fyne.Size {
	w := readPref(s, prefWindowWidth, float64(defaultWindowSize.Width), s.prefs.FloatWithFallback)
	h := readPref(s, prefWindowHeight, float64(defaultWindowSize.Height), s.prefs.FloatWithFallback)
	return fyne.NewSize(max(float32(w), minWindowSize.Width), max(float32(h), minWindowSize.Height))
}

func (s settings) setWindowSize(size fyne.Size) {
	s.setFloat(prefWindowWidth, float64(size.Width))
	s.setFloat(prefWindowHeight, float64(size.Height))
}

var (
	defaultWindowSize = fyne.NewSize(1280, 800)
	minWindowSize     = fyne.NewSize(800, 500)
)

func (s settings) setBool(key string, v bool) {
	s.writer.put(key, v, func() { s.prefs.SetBool(key, v) })
}
func (s settings) setInt(key string, v int) {
	s.writer.put(key, v, func() { s.prefs.SetInt(key, v) })
}
func (s settings) setFloat(key string, v float64) {
	s.writer.put(key, v, func() { s.prefs.SetFloat(key, v) })
}
func (s settings) setString(key string, v string) {
	s.writer.put(key, v, func() { s.prefs.SetString(key, v) })
}

// readPref is the value last set for key: a write still waiting to be saved, else the
// saved preference, else fallback.
func readPref[T any](s settings, key string, fallback T, saved func(string, T) T) T {
	if v, ok := s.writer.pending(key); ok {
		if t, ok := v.(T); ok {
			return t
		}
	}
	return saved(key, fallback)
}

// prefWriter saves preference writes in order on a goroutine of its own, and remembers
// each value until it is saved so that reads never go back in time.
type prefWriter struct {
	queue   *serial.Queue[func()]
	mu      sync.Mutex
	unsaved map[string]pendingPref
	seq     uint64
}

type pendingPref struct {
	value any
	seq   uint64
}

func newPrefWriter() *prefWriter {
	return &prefWriter{queue: serial.New(func(save func()) { save() }), unsaved: map[string]pendingPref{}}
}

func (w *prefWriter) put(key string, v any, save func()) {
	w.mu.Lock()
	w.seq++
	seq := w.seq
	w.unsaved[key] = pendingPref{v, seq}
	w.mu.Unlock()
	w.queue.Push(func() {
		save()
		w.mu.Lock()
		if w.unsaved[key].seq == seq { // no newer write of key is waiting
			delete(w.unsaved, key)
		}
		w.mu.Unlock()
	})
}

func (w *prefWriter) pending(key string) (any, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.unsaved[key]
	return p.value, ok
}

// flush saves every write made so far and waits for it; nothing can be written after.
func (w *prefWriter) flush() {
	w.queue.Close()
	<-w.queue.Done()
}

// listenAddr is the engine's ListenAddr for the saved port.
func (s settings) listenAddr() string {
	switch p := s.listenPort(); {
	case p < 0:
		return ""
	default:
		return ":" + strconv.Itoa(p)
	}
}

// engineConfig builds the engine's configuration from the saved settings. "Clear the
// cache on exit" is not part of it: the user can change it while the engine runs, so
// services.close applies it.
func (s settings) engineConfig(logger *slog.Logger) torrent.Config {
	return torrent.Config{
		DataDir:               s.cacheDir(),
		ListenAddr:            s.listenAddr(),
		MaxConnsPerTorrent:    s.maxConns(),
		UploadLimit:           s.uploadLimit(),
		DownloadLimit:         s.downloadLimit(),
		SeedingDisabled:       !s.seeding(),
		RatioLimit:            s.ratioLimit(),
		SeedOnlyWhileWatching: s.seedWhileWatching(),
		CacheLimit:            s.cacheLimit(),
		Logger:                logger,
	}
}

// choice is one entry of a settings menu.
type choice[T comparable] struct {
	label string
	value T
}

var (
	rateChoices = []choice[int64]{
		{"Unlimited", 0}, {"100 kB/s", 100_000}, {"250 kB/s", 250_000}, {"500 kB/s", 500_000},
		{"1 MB/s", 1_000_000}, {"2 MB/s", 2_000_000}, {"5 MB/s", 5_000_000}, {"10 MB/s", 10_000_000},
	}
	ratioChoices = []choice[float64]{
		{"Never", 0}, {"Ratio 0.5", 0.5}, {"Ratio 1", 1}, {"Ratio 1.5", 1.5}, {"Ratio 2", 2}, {"Ratio 3", 3},
	}
	connChoices = []choice[int]{
		{"Default (50)", 0}, {"10", 10}, {"25", 25}, {"100", 100}, {"200", 200},
	}
	cacheChoices = []choice[int64]{
		{"2 GB", 2 << 30}, {"5 GB", 5 << 30}, {"10 GB", 10 << 30}, {"20 GB", 20 << 30},
		{"50 GB", 50 << 30}, {"100 GB", 100 << 30}, {"Unlimited", 0},
	}
)

// newChoiceSelect is a Select over fixed choices. A saved value that is not one of them
// (set by an older version) is shown as its own entry rather than lost.
func newChoiceSelect[T comparable](choices []choice[T], current T, label func(T) string, onChange func(T)) *menuSelect {
	if !slices.ContainsFunc(choices, func(c choice[T]) bool { return c.value == current }) {
		choices = append(slices.Clone(choices), choice[T]{label(current), current})
	}
	labels := make([]string, len(choices))
	selected := ""
	for i, c := range choices {
		labels[i] = c.label
		if c.value == current {
			selected = c.label
		}
	}
	sel := newMenuSelect(labels, nil)
	sel.SetSelected(selected)
	sel.OnChanged = guarded1("a setting", func(l string) {
		for _, c := range choices {
			if c.label == l {
				onChange(c.value)
				return
			}
		}
	})
	return sel
}

// settingsScreen builds the settings page. Every control applies at once: to the
// preferences, and to the running engine, catalog or player. leave runs when the page
// closes.
func (u *ui) settingsScreen() (content fyne.CanvasObject, leave func()) {
	st := u.svc.settings
	eng := u.svc.engine
	// The page's scroll exists before its controls: text fields hand it the wheel.
	pageScroll := container.NewVScroll(nil)
	// Esc in a text field leaves it, so that the next Esc leaves the page.
	leaveField := func() { u.win.Canvas().Unfocus() }

	// Seeding.
	seedToggle := newCheck("Seed (share what you watch)", nil)
	seedToggle.SetChecked(st.seeding())
	explanation := widget.NewLabel(seedingExplanation)
	explanation.Wrapping = fyne.TextWrapWord
	upload := newChoiceSelect(rateChoices, st.uploadLimit(), func(v int64) string { return formatRate(float64(v)) }, func(v int64) {
		st.setInt(prefUploadLimit, int(v))
		u.engineTask(func(e *torrent.Engine) { e.SetUploadLimit(v) })
	})
	ratio := newChoiceSelect(ratioChoices, st.ratioLimit(), func(v float64) string { return fmt.Sprintf("Ratio %g", v) }, func(v float64) {
		st.setFloat(prefRatioLimit, v)
		u.engineTask(func(e *torrent.Engine) { e.SetRatioLimit(v) })
	})
	whileWatching := newCheck("Seed only while I am watching", func(on bool) {
		st.setBool(prefSeedWhileWatching, on)
		u.engineTask(func(e *torrent.Engine) { e.SetSeedOnlyWhileWatching(on) })
	})
	whileWatching.SetChecked(st.seedWhileWatching())
	seedingOff := widget.NewLabel(seedingOffReason)
	seedingOff.Importance = widget.WarningImportance
	seedingOff.Wrapping = fyne.TextWrapWord
	// The limits only matter while uploading: with seeding off they are shown, kept, and
	// greyed out with the reason.
	showSeeding := func(on bool) {
		for _, w := range []fyne.Disableable{upload, ratio, whileWatching} {
			if on {
				w.Enable()
			} else {
				w.Disable()
			}
		}
		if on {
			seedingOff.Hide()
		} else {
			seedingOff.Show()
		}
	}
	showSeeding(st.seeding())
	seedToggle.OnChanged = guarded1("the seeding switch", func(on bool) {
		u.setSeeding(on)
		showSeeding(on)
	})
	seeding := widget.NewCard("Seeding", "", container.NewVBox(
		seedToggle, explanation, seedingOff,
		widget.NewForm(
			widget.NewFormItem("Upload limit", upload),
			widget.NewFormItem("Stop seeding after", ratio),
		),
		whileWatching,
	))

	// Network.
	download := newChoiceSelect(rateChoices, st.downloadLimit(), func(v int64) string { return formatRate(float64(v)) }, func(v int64) {
		st.setInt(prefDownloadLimit, int(v))
		u.engineTask(func(e *torrent.Engine) { e.SetDownloadLimit(v) })
	})
	conns := newChoiceSelect(connChoices, st.maxConns(), strconv.Itoa, func(v int) {
		st.setInt(prefMaxConns, v)
		u.engineTask(func(e *torrent.Engine) { e.SetMaxConnsPerTorrent(v) })
	})
	port := newEscEntry(leaveField)
	port.SetPlaceHolder("42069 (default)")
	if p := st.listenPort(); p >= 0 {
		port.SetText(strconv.Itoa(p))
	}
	portNote := widget.NewLabel("")
	portNote.Wrapping = fyne.TextWrapWord
	if eng != nil {
		portNote.SetText("Listening on " + strings.Join(eng.ListenAddrs(), ", ") + ". A new port applies the next time Marquee starts.")
	}
	port.Validator = validatePort
	// The Form shows a validator's reason only for its own items, and wheelToPage hides
	// the entry from it, so the red border alone said something was wrong but not what.
	portError := widget.NewLabel("")
	portError.Importance = widget.DangerImportance
	portError.Wrapping = fyne.TextWrapWord
	portError.Hide()
	port.SetOnValidationChanged(func(err error) {
		if err == nil {
			portError.Hide()
			return
		}
		portError.SetText("Not saved: " + err.Error() + ".")
		portError.Show()
	})
	port.OnChanged = guarded1("the port field", func(s string) {
		if validatePort(s) != nil {
			return
		}
		p, _ := strconv.Atoi(strings.TrimSpace(s))
		if strings.TrimSpace(s) == "" {
			p = defaultListenPortValue
		}
		st.setInt(prefListenPort, p)
	})
	network := widget.NewCard("Network", "", container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("Download limit", download),
			widget.NewFormItem("Connections per film", conns),
			widget.NewFormItem("Listen port (0 = random)", wheelToPage(port, pageScroll)),
		),
		portError,
		portNote,
	))

	// Cache.
	folder := newEscEntry(leaveField)
	folder.SetPlaceHolder("default")
	folder.SetText(st.cacheDir())
	folder.OnChanged = guarded1("the folder field", func(s string) { st.setString(prefCacheDir, strings.TrimSpace(s)) })
	chooseFolder := newButton("Choose…", theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(guarded2("the folder dialog", func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				folder.SetText(dir.Path())
			}
		}), u.win)
	})
	folderNote := widget.NewLabel("A new folder applies the next time Marquee starts.")
	if eng != nil {
		folderNote.SetText("In use: " + eng.DataDir() + ". A new folder applies the next time Marquee starts.")
	}
	folderNote.Wrapping = fyne.TextWrapWord
	capSel := newChoiceSelect(cacheChoices, st.cacheLimit(), func(v int64) string { return formatBytes(v) }, func(v int64) {
		st.setInt(prefCacheLimit, int(v))
		u.engineTask(func(e *torrent.Engine) { e.SetCacheLimit(v) })
	})
	used := widget.NewLabel("Measuring…")
	used.Wrapping = fyne.TextWrapWord
	// Measuring walks the folders on disk: it runs with the engine tasks, off the UI.
	refreshUsed := func() {
		u.engineTask(func(e *torrent.Engine) {
			usage := u.svc.measureCache(e)
			runOnUI(func() { used.SetText(usage.String()) })
		})
	}
	refreshUsed()
	clearNow := newButton("Clear now", theme.DeleteIcon(), nil)
	clearNow.OnTapped = guarded("the “Clear now” button", func() {
		clearNow.Disable()
		u.engineTask(func(e *torrent.Engine) {
			films := e.CacheSize()
			runOnUI(func() {
				clearNow.Enable()
				u.confirmClearCache(films, func() {
					u.engineTask(func(e *torrent.Engine) {
						err := e.ClearCache()
						runOnUI(func() {
							if err != nil {
								showErrorDialog(u.win, fmt.Errorf("clear the cache: %w", err))
							}
						})
					})
					refreshUsed()
				})
			})
		})
	})
	clearOnExit := newCheck("Clear the cache when Marquee closes", func(on bool) {
		st.setBool(prefClearCacheOnExit, on)
	})
	clearOnExit.SetChecked(st.clearCacheOnExit())
	cache := widget.NewCard("Cache", "", container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, chooseFolder, wheelToPage(folder, pageScroll))),
			widget.NewFormItem("Size limit", capSel),
		),
		folderNote,
		container.NewBorder(nil, nil, nil, clearNow, used),
		clearOnExit,
	))

	// Catalog.
	providers := container.NewVBox()
	for _, p := range u.svc.catalog.Providers() {
		id := p.ID()
		check := newCheck(p.Name(), func(on bool) {
			st.setBool(prefProviderPrefix+id, on)
			u.svc.catalog.SetEnabled(id, on)
			u.home.reload()
		})
		check.SetChecked(u.svc.catalog.Enabled(id))
		providers.Add(check)
	}
	feeds := container.NewVBox()
	var listFeeds func()
	listFeeds = func() {
		feeds.RemoveAll()
		list, err := u.svc.library.Feeds()
		if err != nil {
			feeds.Add(widget.NewLabel("Cannot read your feeds: " + err.Error()))
			return
		}
		for _, f := range list {
			f := f
			var remove *widget.Button
			remove = newButton("", theme.DeleteIcon(), func() {
				remove.Disable()
				u.libraryWrite(func(lib *library.Library) error { return lib.RemoveFeed(f.URL) }, func(err error) {
					if err != nil {
						remove.Enable()
						showErrorDialog(u.win, err)
						return
					}
					u.svc.catalog.Remove(feed.ProviderID(f.URL))
					listFeeds()
					u.home.reload()
				})
			})
			feeds.Add(container.NewBorder(nil, nil, nil, remove, widget.NewLabel(joinNonEmpty(" — ", f.Name, f.URL))))
		}
		u.attachContent()
	}
	listFeeds()
	feedURL := newEscEntry(leaveField)
	feedURL.SetPlaceHolder("https://example.org/films.json or a local file")
	feedStatus := widget.NewLabel("")
	feedStatus.Wrapping = fyne.TextWrapWord
	addFeed := newButton("Add feed", theme.ContentAddIcon(), nil)
	addFeed.OnTapped = guarded("the “Add feed” button", func() {
		loc := strings.TrimSpace(feedURL.Text)
		if loc == "" {
			return
		}
		addFeed.Disable()
		feedStatus.SetText("Checking " + loc + "…")
		u.background(func(context.Context) {
			err := u.addFeed(loc)
			runOnUI(func() {
				addFeed.Enable()
				if err != nil {
					feedStatus.SetText("Not added: " + err.Error())
					return
				}
				feedStatus.SetText("Added.")
				feedURL.SetText("")
				listFeeds()
				u.home.reload()
			})
		})
	})
	feedURL.OnSubmitted = func(string) { addFeed.OnTapped() } // Enter adds, as in the magnet dialog
	catalogCard := widget.NewCard("Catalog", "", container.NewVBox(
		widget.NewLabel("Providers"), providers,
		widget.NewLabel("Feeds"), feeds,
		container.NewBorder(nil, nil, nil, addFeed, wheelToPage(feedURL, pageScroll)), feedStatus,
	))

	// Subtitles.
	sizeLabel := widget.NewLabel(fmt.Sprintf("%.0f pt", st.subtitleSize()))
	size := widget.NewSlider(14, 56)
	size.Step = 2
	size.SetValue(float64(st.subtitleSize()))
	// A slider keeps the keyboard after a tap, and Esc would no longer leave the page.
	size.OnChangeEnded = func(float64) { u.win.Canvas().Unfocus() }
	size.OnChanged = guarded1("the subtitle size", func(v float64) {
		st.setFloat(prefSubtitleSize, v)
		sizeLabel.SetText(fmt.Sprintf("%.0f pt", v))
		if u.playback != nil {
			u.playback.video.subtitles.SetTextSize(float32(v))
		}
	})
	subtitles := widget.NewCard("Subtitles", "", widget.NewForm(
		widget.NewFormItem("Size", container.NewBorder(nil, nil, nil, sizeLabel, size)),
	))

	back := newButton("Back", theme.NavigateBackIcon(), u.nav.back)
	indicator := u.newSeedingIndicator()
	top := container.NewBorder(nil, nil,
		container.NewHBox(back, widget.NewLabelWithStyle("Settings", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
		container.NewPadded(indicator))
	body := container.NewVBox(seeding, network, cache, catalogCard, subtitles)
	pageScroll.Content = container.NewPadded(body)
	content = container.NewBorder(top, nil, nil, nil, pageScroll)
	return content, func() { u.dropSeedingIndicator(indicator) }
}

// confirmClearCache asks before deleting films bytes of downloaded films, and runs clear
// only on a yes.
func (u *ui) confirmClearCache(films int64, clear func()) {
	if films <= 0 {
		dialog.ShowInformation("Nothing to clear", "No downloaded films are in the cache.", u.win)
		return
	}
	d := dialog.NewConfirm("Clear the cache?",
		"This deletes "+formatBytes(films)+" of downloaded films. A film that is playing and files you seed from your own folders are kept.",
		guarded1("the “Clear the cache?” dialog", func(yes bool) {
			if yes {
				clear()
			}
		}), u.win)
	d.SetConfirmText("Clear")
	d.SetDismissText("Cancel")
	d.Show()
}

// cacheUsage is what Marquee keeps on disk: the films the engine downloaded, and the rest
// of its cache folder (posters, catalog answers, the demo film).
type cacheUsage struct{ films, other int64 }

func (c cacheUsage) String() string {
	return fmt.Sprintf("Using %s on disk: %s of downloaded films, %s of posters, catalog data and the demo film.",
		formatBytes(c.films+c.other), formatBytes(c.films), formatBytes(c.other))
}

// measureCache walks the cache folders. The engine alone counts only the films, which after
// a restart can be nothing while the demo film and posters still take room. It reads the
// disk: never call it on the UI goroutine.
func (s *services) measureCache(e *torrent.Engine) cacheUsage {
	films := e.CacheSize()
	other := torrent.DiskUsage(s.cacheDir)
	if rel, err := filepath.Rel(s.cacheDir, e.DataDir()); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		other -= films // the films are inside the cache folder: counted once
	}
	return cacheUsage{films: films, other: max(other, 0)}
}

// setSeeding saves the seeding switch and applies it to the engine. SetSeeding(false)
// waits until uploads have stopped, so it runs on the engine task goroutine.
func (u *ui) setSeeding(on bool) {
	u.svc.settings.setBool(prefSeeding, on)
	u.engineTask(func(e *torrent.Engine) { e.SetSeeding(on) })
	u.refreshSeedingIndicators()
}

// addFeed validates the feed at loc by loading it once, then subscribes to it.
func (u *ui) addFeed(loc string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := feed.Load(ctx, loc, u.svc.feedOptions())
	if err != nil {
		return err
	}
	if err := u.svc.library.AddFeed(library.UserFeed{URL: loc, Name: f.Name, Added: time.Now()}); err != nil {
		return err
	}
	u.svc.catalog.Add(feed.New(loc, u.svc.feedOptions()))
	return nil
}

func validatePort(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("a port is a number from 0 to 65535")
	}
	return nil
}
