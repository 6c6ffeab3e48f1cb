package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/catalog/feed"
	"marquee/catalog/library"
	"marquee/player"
	"marquee/torrent"
	"marquee/torrent/torrenttest"
)

// Every error the user can meet is told as what happened plus what to do.
func TestExplainNamesWhatHappenedAndWhatToDo(t *testing.T) {
	offline := catalog.OfflineError("Internet Archive", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	cases := []struct {
		err   error
		title string
	}{
		{fmt.Errorf("%w for \"Sintel\": context deadline exceeded", torrent.ErrMetadataTimeout), "The film could not be found"},
		{torrent.ErrNoPlayableFile, "Nothing to play"},
		{fmt.Errorf("open: %w", &player.CodecError{Media: "video", Codec: "vvc"}), "Unsupported video format"},
		{catalog.ProviderError{Provider: "archive", Name: "Internet Archive", Err: offline}, "Internet Archive is offline"},
		{offline, "A catalog is offline"},
		{&fs.PathError{Op: "write", Path: "/cache/piece", Err: syscall.ENOSPC}, "Your disk is full"},
		{fmt.Errorf("read: %w", &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}), "Your disk is full"},
		{&torrent.ParseError{What: "magnet link", Input: "magnet:?xt=", Reason: "no info hash"}, "This magnet link is broken"},
		{library.ErrLocked, "Another Marquee is running"},
		{player.ErrInvalidData, "This file cannot be played"},
		{errors.New("surprise"), "Something went wrong"},
	}
	for _, tc := range cases {
		p := explain(tc.err)
		if p.Title != tc.title {
			t.Errorf("explain(%v).Title = %q, want %q", tc.err, p.Title, tc.title)
		}
		if p.What == "" || p.Todo == "" {
			t.Errorf("explain(%v) = %+v: says neither what happened nor what to do", tc.err, p)
		}
	}
	if codec := explain(&player.CodecError{Media: "video", Codec: "vvc"}); !strings.Contains(codec.What, "vvc") {
		t.Errorf("codec message %q does not name the codec", codec.What)
	}
}

// A feed whose server is down says so in its own row, with Retry; nothing covers the
// page, and the other rows stay.
func TestProviderOfflineShowsInItsRow(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL + "/films.json"
	srv.Close() // nothing listens there any more
	offlineFeed := feed.New(url, feed.Options{Timeout: 5 * time.Second})
	title := movie("up", "Still Here", 2000, catalog.Source{})
	env := newTestEnv(t, []catalog.Provider{offlineFeed, newStaticProvider("local", "Local", title)})
	key := offlineFeed.ID()
	waitFor(t, "the offline line in the feed's row", 20*time.Second, func() bool {
		r := env.u.home.rows[key]
		return r != nil && r.notice.Visible() && onScreen(env, r.notice.box)
	})
	r := env.u.home.rows[key]
	if text := uiValue(r.notice.Text); !strings.Contains(text, "is offline") {
		t.Fatalf("the feed's row says %q", text)
	}
	if !uiValue(r.notice.button.Visible) || uiValue(func() string { return r.notice.button.Text }) != "Retry" {
		t.Fatal("the offline row offers no Retry")
	}
	if n := uiValue(func() int { return len(env.u.banners.shown) }); n != 0 {
		t.Fatalf("%d notices over the page for one provider offline", n)
	}
	waitFor(t, "the other provider's row", 20*time.Second, func() bool {
		return cardFor(env.u, "local", catalog.JoinID("local", "up")) != nil
	})
}

// flakyProvider fails while down is set, and counts the searches it was asked.
type flakyProvider struct {
	*staticProvider
	down     atomic.Bool
	searches atomic.Int32
}

func (p *flakyProvider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	p.searches.Add(1)
	if p.down.Load() {
		return catalog.Page{}, catalog.OfflineError(p.name, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	}
	return p.staticProvider.Search(ctx, q)
}

// Retry in a failed row asks its provider again, and the row fills once it answers.
// Until then the row is its heading and its one line: no poster-high gap under it (it
// kept the height of the posters it did not have).
func TestRetryInARowAsksTheProviderAgain(t *testing.T) {
	flaky := &flakyProvider{staticProvider: newStaticProvider("flaky", "Flaky films", movie("back", "Back Again", 2001, catalog.Source{}))}
	flaky.down.Store(true)
	env := newTestEnv(t, []catalog.Provider{flaky})
	var r *titleRow
	waitFor(t, "the failure in the flaky row", 20*time.Second, func() bool {
		r = env.u.home.rows["flaky"]
		return r != nil && r.notice.Visible() && r.notice.button.Visible()
	})
	if h := uiValue(func() float32 { return r.box.MinSize().Height }); h >= cardPosterHeight {
		t.Fatalf("the offline row is %v px high, as high as a poster (%v px)", h, float32(cardPosterHeight))
	}
	before := flaky.searches.Load()
	flaky.down.Store(false)
	onUI(func() { test.Tap(r.notice.button) })
	waitFor(t, "the flaky row filled after Retry", 20*time.Second, func() bool {
		c := cardFor(env.u, "flaky", catalog.JoinID("flaky", "back"))
		return c != nil && onScreen(env, c) && !r.notice.Visible()
	})
	if after := flaky.searches.Load(); after <= before {
		t.Fatalf("Retry did not ask the provider again (%d searches before, %d after)", before, after)
	}
}

// Low free space on the cache's disk puts up the "disk full" banner.
func TestLowDiskShowsBanner(t *testing.T) {
	old := lowDiskBytes
	lowDiskBytes = math.MaxInt64 // any real disk is "almost full" by this measure
	t.Cleanup(func() { lowDiskBytes = old })
	env := newTestEnv(t, nil)
	waitFor(t, "the disk-full banner", 20*time.Second, func() bool { return env.u.banners.has(bannerDiskFull) })
}

// The app opens whatever state it finds: a corrupt library is set aside and a new one
// used; a port that is taken gives a random one, with a word to the user.
func TestStartsDespiteCorruptLibraryAndTakenPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	port := busy.Addr().(*net.TCPAddr).Port
	var configDir string
	env := newTestEnv(t, nil, func(so *serviceOptions, prefs fyne.Preferences) {
		configDir = so.configDir
		if err := os.MkdirAll(configDir, 0o700); err != nil {
			t.Fatal(err)
		}
		garbage := []byte(strings.Repeat("not a bbolt database ", 4096))
		if err := os.WriteFile(filepath.Join(configDir, "library.db"), garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		prefs.SetInt(prefListenPort, port)
	})
	if env.svc.engine == nil {
		t.Fatal("no engine after a taken port")
	}
	for _, a := range env.svc.engine.ListenAddrs() {
		if strings.HasSuffix(a, fmt.Sprintf(":%d", port)) {
			t.Fatalf("engine listens on the taken port: %v", a)
		}
	}
	if !uiValue(func() bool { return env.u.banners.has("engine") }) {
		t.Fatal("no word to the user about the port")
	}
	if err := env.svc.library.SetFavorite("a:b", true); err != nil || !env.svc.library.IsFavorite("a:b") {
		t.Fatalf("fresh library unusable: %v", err)
	}
	aside, _ := filepath.Glob(filepath.Join(configDir, "library.db.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("corrupt library not kept aside: %v", aside)
	}
}

// A second window while the library is held by another Marquee still opens, with a
// temporary library and a banner.
func TestStartsWhenLibraryIsLocked(t *testing.T) {
	dir := t.TempDir()
	held, err := library.Open(filepath.Join(dir, "config", "library.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { held.Close() })
	env := newTestEnv(t, nil, func(so *serviceOptions, _ fyne.Preferences) {
		so.configDir = filepath.Join(dir, "config")
		so.logger = slog.New(slog.DiscardHandler)
	})
	if !uiValue(func() bool { return env.u.banners.has("library") }) {
		t.Fatal("no banner about the library in use")
	}
	if env.svc.library.Path() == held.Path() {
		t.Fatal("the second window uses the held library")
	}
	if err := env.svc.library.SetFavorite("a:b", true); err != nil {
		t.Fatalf("temporary library unusable: %v", err)
	}
}

// What the user pasted or opened is told in their words, with the raw error kept behind
// Details: a magnet cut short, words that are no link at all, a .torrent that is gone.
func TestBadInputIsToldInPlainWords(t *testing.T) {
	env := newTestEnv(t, nil)
	missing := filepath.Join(t.TempDir(), "gone.torrent")
	cases := []struct {
		input, title, what string
	}{
		{"magnet:?xt=urn:btih:hello-world", "This magnet link is broken", "cut short"},
		{"hello there", "Marquee cannot open this", "“hello there” is not a magnet link"},
		{missing, "The file could not be found", "“gone.torrent” is not there"},
	}
	for _, tc := range cases {
		_, err := env.svc.myTorrents.Add(t.Context(), tc.input)
		if err == nil {
			t.Fatalf("%q was accepted", tc.input)
		}
		p := explain(err)
		if p.Title != tc.title || !strings.Contains(p.What, tc.what) {
			t.Errorf("%q: told as %q / %q, want %q / …%s…", tc.input, p.Title, p.What, tc.title, tc.what)
		}
		for _, raw := range []string{"add torrent", "invalid magnet", "no such file", "base32"} {
			if strings.Contains(p.What+p.Todo, raw) {
				t.Errorf("%q: the message shows the raw text %q: %q", tc.input, raw, p.What+" "+p.Todo)
			}
		}
		if p.Details != err.Error() {
			t.Errorf("%q: details %q, want the raw error %q", tc.input, p.Details, err.Error())
		}
	}
}

// Enter in the Paste magnet dialog plays the link, and a broken link gets a dialog that
// says so, with the raw error behind a closed Details fold.
func TestPasteMagnetEnterSubmitsAndExplains(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(env.u.askForMagnet)
	entry := uiValue(func() *widget.Entry {
		for _, o := range test.LaidOutObjects(env.win.Canvas().Overlays().Top()) {
			if e, ok := o.(*widget.Entry); ok {
				return e
			}
		}
		return nil
	})
	if entry == nil {
		t.Fatal("no entry in the Paste magnet dialog")
	}
	onUI(func() {
		entry.SetText("magnet:?xt=urn:btih:hello-world")
		entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	var fold *widget.Accordion
	waitFor(t, "the broken-link dialog", 20*time.Second, func() bool {
		top := env.win.Canvas().Overlays().Top()
		if top == nil {
			return false
		}
		titled := false
		for _, o := range test.LaidOutObjects(top) {
			if l, ok := o.(*widget.Label); ok && l.Text == "This magnet link is broken" {
				titled = true
			}
			if a, ok := o.(*widget.Accordion); ok {
				fold = a
			}
		}
		return titled && fold != nil
	})
	onUI(func() {
		if len(fold.Items) != 1 || fold.Items[0].Title != "Details" || fold.Items[0].Open {
			t.Errorf("details fold %+v, want one closed item called Details", fold.Items)
			return
		}
		if l, ok := fold.Items[0].Detail.(*widget.Label); !ok || !strings.Contains(l.Text, "hello-world") {
			t.Errorf("details %v, want the raw error", fold.Items[0].Detail)
		}
	})
}

// Opening a .torrent from the file dialog reads it off the UI goroutine and plays it; a
// damaged one says so.
func TestOpenTorrentFileFromTheDialog(t *testing.T) {
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film(t, tinyFilm)})
	garbage := filepath.Join(t.TempDir(), "broken.torrent")
	if err := os.WriteFile(garbage, []byte("d8:announce3:abcd4:infoi1e"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, nil)
	open := func(path string) {
		t.Helper()
		r, err := storage.Reader(storage.NewFileURI(path))
		if err != nil {
			t.Fatal(err)
		}
		onUI(func() { env.u.playTorrentFrom(r) })
	}
	open(garbage)
	waitFor(t, "the damaged-file dialog", 20*time.Second, func() bool {
		top := env.win.Canvas().Overlays().Top()
		if top == nil {
			return false
		}
		for _, o := range test.LaidOutObjects(top) {
			if l, ok := o.(*widget.Label); ok && l.Text == "This .torrent file is damaged" {
				return true
			}
		}
		return false
	})
	// A .torrent names no peer and the test engine has no tracker or DHT: the film opens
	// in the player (from My torrents), which is what the dialog's job ends with.
	open(swarm.TorrentPath)
	waitFor(t, "the film from the .torrent opening", 20*time.Second, func() bool {
		return env.u.playback != nil && env.u.playback.req.source.Hash() == swarm.InfoHash
	})
}
